"""xpusim.compare: one row per chip with the figures `xpusim compare` prints, each from its own run."""
from __future__ import annotations

import pytest

import xpusim
from conftest import ROOT


def test_compare_rows_match_single_runs():
    chips = [xpusim.Chip.load(ROOT / f"configs/chips/{c}.yaml") for c in ("h100-sxm", "speedai240")]
    wl = xpusim.Workload.load(ROOT / "configs/workloads/resnet50.yaml")
    df = xpusim.compare(chips, wl)
    assert list(df["chip"]) == ["h100-sxm", "speedai240"]
    for chip, (_, row) in zip(chips, df.iterrows()):
        r = xpusim.run(chip, wl)
        assert row["latency_s"] == r.latency_s and row["throughput"] == r.throughput
        assert row["energy_per_item_j"] == pytest.approx(r.energy_j / (r.throughput * r.latency_s))
        assert row["throughput_per_watt"] == pytest.approx(r.throughput / r.avg_power_w)
        parts = [c for c in df.columns if c.startswith("energy_") and c.endswith("_j") and c != "energy_per_item_j"]
        assert sum(row[c] for c in parts) == pytest.approx(r.energy_j)
        assert row["top_bound"] in ("compute", "memory", "interconnect")
    # Components only one chip has are 0 for the other: HBM on the GPU, the banks on speedAI240.
    assert df.loc[1, "energy_hbm_j"] == 0 and df.loc[0, "energy_banks_j"] == 0
    with pytest.raises(ValueError, match="at least one"):
        xpusim.compare([], wl)
