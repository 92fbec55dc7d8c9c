"""Round trips through the Python API: load, override, pickle, run, result views."""
from __future__ import annotations

import json
import pickle

import pytest

import xpusim
from conftest import CHIP, GEMM

DESIGN_KEYS = {"latency_s", "throughput", "energy_j", "avg_power_w", "energy_breakdown_j", "time_bound_fraction", "ops"}
OP_KEYS = {"name", "kind", "start_s", "end_s", "flops", "bytes", "bound", "compute_cycles", "energy_j"}


def test_chip_from_file_and_from_its_dict_simulate_identically(chip, gemm):
    again = xpusim.Chip.from_dict(chip.config())
    assert again.name == chip.name == "tpu-v4-like"
    assert again.components == chip.components
    assert xpusim.run(again, gemm).to_dict() == xpusim.run(chip, gemm).to_dict()


def test_set_changes_the_simulation_and_is_kept_in_overrides(chip, gemm):
    slow = chip.copy().set("hbm.data_rate", "0.5 GT/s")
    assert slow.overrides == ["hbm.data_rate=0.5 GT/s"]
    assert chip.overrides == []  # copy() is independent
    assert slow.config()["components"][0]["data_rate"] == "0.5 GT/s"
    llama = xpusim.Workload(GEMM, {"m": 64})
    assert xpusim.run(slow, llama).latency_s > xpusim.run(chip, llama).latency_s


def test_dict_overrides_use_the_same_paths_as_files(chip):
    from_dict = xpusim.Chip(chip.config(), ["vmem.capacity=64 MiB", "chip.name=renamed"])
    assert from_dict.name == "renamed"
    vmem = [c for c in from_dict.config()["components"] if c["name"] == "vmem"][0]
    assert vmem["capacity"] == "64 MiB"


def test_numbers_and_bools_in_dicts_become_yaml_scalars(chip):
    cfg = chip.config()
    mxu = [c for c in cfg["components"] if c["name"] == "mxu"][0]
    mxu["rows"] = 64  # int
    mxu["mac_energy"] = "2.5 pJ"
    built = xpusim.Chip.from_dict(cfg)
    assert [c for c in built.config()["components"] if c["name"] == "mxu"][0]["rows"] == "64"


def test_chip_and_workload_pickle_as_source_and_overrides(chip, gemm):
    chip.set("hbm.capacity", "64 GiB")
    gemm.set("k", 256)
    c2, w2 = pickle.loads(pickle.dumps((chip, gemm)))
    assert c2.overrides == chip.overrides and w2.overrides == gemm.overrides == ["k=256"]
    assert xpusim.run(c2, w2).to_dict() == xpusim.run(chip, gemm).to_dict()


def test_workload_overrides_change_the_graph():
    w = xpusim.Workload.load(GEMM, m=128)
    s = w.summary()
    assert s["flops"] == 2 * 128 * 512 * 512
    assert w.label == "gemm-512 m=128"
    assert len(w) == 1


def test_result_has_the_design_json_keys_and_round_trips(chip, gemm, tmp_path):
    r = xpusim.run(chip, gemm)
    d = r.to_dict()
    assert DESIGN_KEYS <= set(d)
    assert set(d["throughput"]) == {"value", "unit"}
    assert set(d["time_bound_fraction"]) == {"compute", "memory", "interconnect"}
    assert OP_KEYS <= set(d["ops"][0])
    path = tmp_path / "r.json"
    r.to_json(path)
    assert xpusim.Result.from_json(path).to_dict() == d
    assert json.loads(path.read_text())["latency_s"] == r.latency_s


def test_result_dataframes(llama_result):
    r = llama_result
    eb = r.energy_breakdown
    assert list(eb.columns) == ["component", "energy_j", "share"]
    assert eb["energy_j"].sum() == pytest.approx(r.energy_j, rel=1e-9)
    ops = r.ops
    # Attention runs as one fused kernel on the chip's stack (fusion: full); its scores never leave it.
    assert len(ops) > 100 and {"gemm", "attention"} <= set(ops["kind"])
    assert (ops["duration_s"] > 0).all()
    assert ops["end_s"].max() == pytest.approx(r.latency_s)
    # Modelling rule 4: no op beats its roofline (the ceilings the report draws).
    assert (ops["duration_s"] >= ops["roofline_s"] * (1 - 1e-9)).all()


def test_roofline_ceilings_come_from_the_chip(llama_result):
    roof = llama_result.roofline
    # tpu-v4-like.yaml: 8 MXUs x 128 x 128 x 2 FLOP x 1.05 GHz, and a data rate derived from 1200 GB/s.
    assert roof["peak_flops_per_s"]["mxu bf16"] == pytest.approx(8 * 128 * 128 * 2 * 1.05e9)
    assert roof["peak_bandwidth_bytes_per_s"] == pytest.approx(1.2e12, rel=0.01)
    ops = llama_result.ops
    gemm = ops[ops["kind"] == "gemm"]
    assert (gemm["achieved_flops_per_s"] <= roof["peak_flops_per_s"]["mxu bf16"]).all()


def test_registry_listing_and_schema():
    assert {"memory/dram", "memory/sram", "compute/systolic"} <= set(xpusim.types())
    dram = xpusim.describe_type("memory/dram")
    keys = {f["key"]: f for f in dram["fields"]}
    assert keys["data_rate"]["kind"] == "frequency"
    assert dram["doc"]


def test_to_si():
    assert xpusim.to_si("8 TB/s") == (8e12, "B/s")
    assert xpusim.to_si("32 MiB") == (32 * 2**20, "B")
    assert xpusim.to_si("100 ns")[0] == pytest.approx(1e-7)


def test_simulations_from_threads_take_turns_and_agree(chip, gemm):
    from concurrent.futures import ThreadPoolExecutor
    expected = xpusim.run(chip, gemm).to_dict()
    chips = [chip.copy() for _ in range(4)]
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda c: xpusim.run(c, gemm).to_dict(), chips * 5))
    assert all(g == expected for g in got)


def test_power_cap_what_if_reports_the_clock_per_op_and_on_average(gemm):
    h100 = xpusim.Chip.load(CHIP.parent / "h100-sxm.yaml")
    big = xpusim.Workload(GEMM, {"m": 8192, "n": 8192, "k": 8192})
    free = xpusim.run(h100.copy().set("chip.power.tdp", "0 W").set("chip.power.max_clock", 1), big)
    assert free.power_cap_w is None and free.avg_clock_ratio is None
    assert xpusim.run(h100, big).power_cap_w == 700.0
    capped = xpusim.run(h100.copy().set("chip.power.tdp", "300 W"), big)
    assert capped.power_cap_w == 300.0
    assert capped.avg_clock_ratio < 1.0
    assert capped.avg_power_w <= 300.0 * 1.01
    assert capped.latency_s > free.latency_s
    assert list(capped.ops["clock_ratio"]) == [pytest.approx(capped.avg_clock_ratio, rel=1e-12)]  # one op: its clock is the average
