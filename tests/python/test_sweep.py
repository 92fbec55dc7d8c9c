"""Sweeps: rows equal single runs, failures are recorded, CSV output resumes."""
from __future__ import annotations

import concurrent.futures as cf
import csv
import math

import pandas as pd
import pytest

import xpusim
from conftest import GEMM

GRID = {"hbm.data_rate": ["0.5 GT/s", "1 GT/s", "2.344 GT/s"], "workload.m": [64, 512]}


class CountingExecutor(cf.Executor):
    """Runs points on threads in this process (simulations take turns) and counts submissions."""

    def __init__(self) -> None:
        self.inner = cf.ThreadPoolExecutor(2)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        self.submitted += 1
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def single(chip: xpusim.Chip, rate: str, m: int) -> dict:
    return xpusim.run(chip.copy().set("hbm.data_rate", rate), xpusim.Workload(GEMM, {"m": m})).metrics()


def test_rows_equal_single_runs_with_the_default_process_pool(chip, gemm):
    df = xpusim.sweep(chip, GRID, workloads=[gemm], progress=False)
    assert len(df) == 6
    assert list(df.columns[:4]) == ["chip", "workload", "hbm.data_rate", "workload.m"]
    assert (df["error"] == "").all()
    for _, row in df.iterrows():
        expect = single(chip, row["hbm.data_rate"], row["workload.m"])
        assert {k: row[k] for k in expect} == expect  # exact: same code, same inputs
    # The grid really changed the runs: a slower HBM is not faster.
    lat = df.set_index(["workload.m", "hbm.data_rate"])["latency_s"]
    assert lat[(512, "0.5 GT/s")] > lat[(512, "2.344 GT/s")]


def test_a_failed_point_is_recorded_and_the_sweep_goes_on(chip, gemm):
    grid = {"hbm.data_rate": ["1 GT/s", "fast", "2 GT/s"]}
    df = xpusim.sweep(chip, grid, workloads=[gemm], executor=CountingExecutor(), progress=False)
    assert list(df["hbm.data_rate"]) == grid["hbm.data_rate"]
    bad = df.iloc[1]
    assert bad["error"].startswith("ConfigError: --set components.hbm.data_rate: hbm (memory/dram): 'data_rate' expects")
    assert math.isnan(bad["latency_s"])
    assert (df.iloc[[0, 2]]["error"] == "").all() and df.iloc[[0, 2]]["latency_s"].gt(0).all()


def test_resume_skips_finished_points(chip, gemm, tmp_path):
    out = tmp_path / "sweep.csv"
    first = CountingExecutor()
    full = xpusim.sweep(chip, GRID, workloads=[gemm], executor=first, out=out, progress=False)
    assert first.submitted == 6
    # Mark one stored row: if the rerun simulated that point again the mark would be gone.
    rows = list(csv.DictReader(out.open()))
    rows[0]["latency_s"] = "123.0"
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    again = CountingExecutor()
    df = xpusim.sweep(chip, GRID, workloads=[gemm], executor=again, out=out, progress=False)
    assert again.submitted == 0
    assert (df["latency_s"] == 123.0).sum() == 1
    pd.testing.assert_frame_equal(df.drop(columns="latency_s"), full.drop(columns="latency_s"))


def test_interrupted_sweep_runs_only_the_missing_points(chip, gemm, tmp_path):
    out = tmp_path / "sweep.csv"
    full = xpusim.sweep(chip, GRID, workloads=[gemm], executor=CountingExecutor(), out=out, progress=False)
    lines = out.read_text().splitlines(keepends=True)
    # Header, two finished rows and half a row, as a killed run leaves it.
    out.write_text("".join(lines[:3]) + lines[3][: len(lines[3]) // 2])
    ex = CountingExecutor()
    df = xpusim.sweep(chip, GRID, workloads=[gemm], executor=ex, out=out, progress=False)
    assert ex.submitted == 4
    pd.testing.assert_frame_equal(df, full)
    # The file now holds every point once more (plus the broken line, which is skipped).
    assert xpusim.sweep(chip, GRID, workloads=[gemm], executor=CountingExecutor(), out=out, progress=False).equals(full)


def test_resume_refuses_a_file_of_another_sweep(chip, gemm, tmp_path):
    out = tmp_path / "sweep.csv"
    xpusim.sweep(chip, {"hbm.data_rate": ["1 GT/s"]}, workloads=[gemm], executor=CountingExecutor(), out=out,
                 progress=False)
    with pytest.raises(ValueError, match="different sweep"):
        xpusim.sweep(chip, {"vmem.capacity": ["1 MiB"]}, workloads=[gemm], executor=CountingExecutor(), out=out,
                     progress=False)


def test_grid_expansion_order_and_validation():
    assert xpusim.expand_grid({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    with pytest.raises(ValueError, match="list of values"):
        xpusim.expand_grid({"a": "1 GT/s"})


def test_several_workloads_get_one_row_each_per_point(chip, gemm):
    small = xpusim.Workload(GEMM, {"k": 64})
    df = xpusim.sweep(chip, {"hbm.data_rate": ["1 GT/s", "2 GT/s"]}, workloads=[gemm, small],
                      executor=CountingExecutor(), progress=False)
    assert list(df["workload"]) == ["gemm-512"] * 2 + ["gemm-512 k=64"] * 2
    assert (df["latency_s"].iloc[2:].to_numpy() < df["latency_s"].iloc[:2].to_numpy()).all()
