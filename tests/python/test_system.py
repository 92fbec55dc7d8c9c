"""Multi-chip systems from Python: load with overrides, run generations and steps, sweep systems."""
from __future__ import annotations

import concurrent.futures as cf
import math
import pickle

import pytest

import xpusim
from conftest import ROOT

HGX = ROOT / "configs/systems/hgx-h100-8.yaml"
A100 = ROOT / "configs/systems/hgx-a100-4.yaml"
STEP70 = ROOT / "configs/workloads/llama-2-70b-decode.yaml"


@pytest.fixture
def generation(tmp_path):
    """A short Llama-2-7B generation: batch 4, 128 in, 40 out (3 KV buckets of 16)."""
    path = tmp_path / "gen.yaml"
    path.write_text("workload:\n  type: generation\n  model: " + str(ROOT / "configs/models/llama-2-7b.json") +
                    "\n  batch: 4\n  prompt_len: 128\n  output_len: 40\n  kv_bucket: 16\n  dtype: bf16\n")
    return xpusim.Workload(path)


def test_load_override_and_pickle():
    s = xpusim.System.load(HGX).set("system.tp", 4).set("switch.nvls", False)
    assert (s.name, s.count, s.chip_name) == ("hgx-h100-8", 8, "h100-sxm")
    assert s.parallelism["tp"] == 4 and s.collective == "auto"
    assert s.config()["switch"]["nvls"] == "false"
    s2 = pickle.loads(pickle.dumps(s))
    assert s2.overrides == ["system.tp=4", "switch.nvls=false"] and s2.parallelism == s.parallelism
    with pytest.raises(xpusim.ConfigError, match="did you mean 'nvls'"):
        s.copy().set("system.collective", "nvsl")
    assert s.overrides == ["system.tp=4", "switch.nvls=false"]  # a failed set changes nothing
    with pytest.raises(xpusim.ConfigError, match="nvls: true"):
        xpusim.System.load(A100).set("system.collective", "nvls")  # a mesh has no switch to reduce in


def test_generation_result_has_ttft_tpot_and_adds_up(generation):
    s = xpusim.System.load(HGX).set("system.tp", 2)
    r = xpusim.run(s, generation)
    g = r.generation
    assert g["simulations"] == 1 + len(g["buckets"])
    assert sum(b["steps"] for b in g["buckets"]) == 39
    # Total = prefill + every decode step; tokens/s = batch x output tokens over it.
    assert r.latency_s == pytest.approx(r.ttft_s + 39 * r.tpot_s, rel=1e-9)
    assert r.tokens_per_s == pytest.approx(4 * 40 / r.latency_s, rel=1e-9)
    assert r.throughput == r.tokens_per_s and r.throughput_unit == "tokens/s"
    eb = r.energy_breakdown
    assert "interconnect" in set(eb["component"])
    assert eb["energy_j"].sum() == pytest.approx(r.energy_j, rel=1e-9)
    bounds = r.time_bound_fraction
    assert sum(bounds.values()) == pytest.approx(1.0) and bounds["interconnect"] > 0
    assert xpusim.run(s, generation).to_dict() == r.to_dict()  # deterministic


def test_steps_on_systems_follow_tensor_parallelism_and_chip_overrides():
    step = xpusim.Workload(STEP70)
    tp4 = xpusim.run(xpusim.System.load(HGX).set("system.tp", 4), step)
    tp8 = xpusim.run(xpusim.System.load(HGX), step)
    assert tp8.latency_s < tp4.latency_s
    assert math.isnan(tp8.ttft_s) and tp8.generation == {}
    slow = xpusim.run(xpusim.System.load(HGX).set("hbm.data_rate", "2 GT/s"), step)  # goes to the chip
    assert slow.latency_s > tp8.latency_s


def test_generation_on_one_chip_is_a_one_chip_system(generation):
    alone = xpusim.run(xpusim.Chip.load(ROOT / "configs/chips/h100-sxm.yaml"), generation)
    one_of_eight = xpusim.run(xpusim.System.load(HGX).set("system.tp", 1), generation)
    assert alone.ttft_s == one_of_eight.ttft_s and alone.tpot_s == one_of_eight.tpot_s
    with pytest.raises(ValueError, match="pass an xpusim.System"):
        xpusim.sweep(xpusim.Chip.load(ROOT / "configs/chips/h100-sxm.yaml"), {}, workloads=[generation], progress=False)


def test_sweep_points_are_systems_and_equal_single_runs(generation):
    base = xpusim.System.load(HGX)
    grid = {"system.tp": [2, 4], "system.collective": ["ring", "auto"]}
    with cf.ThreadPoolExecutor(2) as pool:
        df = xpusim.sweep(base, grid, workloads=[generation], executor=pool, progress=False)
    assert list(df.columns[:4]) == ["system", "workload", "system.tp", "system.collective"]
    assert (df["error"] == "").all() and len(df) == 4
    for _, row in df.iterrows():
        one = xpusim.run(base.copy().set("system.tp", row["system.tp"]).set("system.collective", row["system.collective"]),
                         generation)
        assert row["latency_s"] == one.latency_s and row["ttft_s"] == one.ttft_s and row["tpot_s"] == one.tpot_s
    # More chips per replica: shorter steps.
    by_tp = df[df["system.collective"] == "auto"].set_index("system.tp")
    assert by_tp.loc[4, "tpot_s"] < by_tp.loc[2, "tpot_s"]


def test_sweep_over_systems_in_the_default_process_pool_records_bad_points(generation, tmp_path):
    df = xpusim.sweep(xpusim.System.load(HGX), {"system.tp": [2, 16]}, workloads=[generation], progress=False,
                      out=tmp_path / "s.csv")
    assert df.loc[0, "error"] == ""
    assert "16 chips, but the system has 8" in df.loc[1, "error"]
    again = xpusim.sweep(xpusim.System.load(HGX), {"system.tp": [2, 16]}, workloads=[generation], progress=False,
                         out=tmp_path / "s.csv")
    assert again.loc[0, "ttft_s"] == df.loc[0, "ttft_s"]


def test_llm_scenarios_run_on_systems_and_their_data_parallel_replicas(generation):
    keys = {"kind": "offline", "queries": 16, "batching": "chunked", "max_prefill_tokens": 256}
    one = xpusim.run(xpusim.System.load(HGX).set("system.tp", 2).set("system.dp", 1), generation, scenario=keys)
    four = xpusim.run(xpusim.System.load(HGX).set("system.tp", 2).set("system.dp", 4), generation,
                      scenario=dict(keys, queries=64))
    assert one.scenario["batching"] == "chunked" and four.scenario["figures"]["replicas"] == 4
    # Four replicas of equal requests are four copies of one: the same duration, four times the tokens.
    assert four.scenario["duration_s"] == one.scenario["duration_s"]
    assert four.throughput == pytest.approx(4 * one.throughput, rel=1e-12)
    phases = {step["phase"] for step in one.scenario["steps"]}
    assert "decode" in phases and {"prefill", "mixed"} & phases
    # Without a scenario the workload still runs as one generation; a non-LLM workload cannot serve one.
    assert xpusim.run(xpusim.System.load(HGX), generation).scenario is None
    with pytest.raises(xpusim.ConfigError, match="only LLM generation workloads"):
        xpusim.run(xpusim.System.load(HGX), xpusim.Workload(ROOT / "configs/workloads/resnet50.yaml"), scenario="offline")
