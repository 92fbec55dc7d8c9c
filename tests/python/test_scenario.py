"""Scenarios from Python: the same runs as `xpusim run --scenario`, deterministic per seed."""
from __future__ import annotations

import pytest

import xpusim
from conftest import ROOT

H100 = ROOT / "configs/chips/h100-sxm.yaml"
RESNET_SERVER = ROOT / "configs/workloads/resnet50-server.yaml"
RESNET = ROOT / "configs/workloads/resnet50.yaml"


@pytest.fixture(scope="module")
def h100():
    return xpusim.Chip.load(H100)


def test_single_stream_latency_is_the_batch_1_latency(h100):
    one = xpusim.run(h100, xpusim.Workload(RESNET))
    assert one.scenario is None
    r = xpusim.run(h100, xpusim.Workload(RESNET), scenario="single_stream")
    assert r.scenario["kind"] == "single_stream"
    assert r.scenario["latency"]["query"]["p90_s"] == one.latency_s == r.latency_s


def test_the_workload_block_runs_and_dict_keys_override_it(h100):
    wl = xpusim.Workload(RESNET_SERVER)
    r = xpusim.run(h100, wl, scenario={"queries": 500, "qps": 5000})
    s = r.scenario
    assert (s["kind"], s["queries"], s["target_qps"]) == ("server", 500, 5000)
    assert s["met"] is True and s["constraints"][0]["bound_s"] == pytest.approx(0.015)
    assert r.to_dict() == xpusim.run(h100, wl, scenario={"queries": 500, "qps": 5000}).to_dict()
    other = xpusim.run(h100, wl, scenario={"queries": 500, "qps": 5000, "seed": 2}).scenario
    assert other["latency"]["query"] != s["latency"]["query"]
    assert xpusim.run(h100, wl, scenario="none").scenario is None
    offline = xpusim.run(h100, wl, scenario={"kind": "offline", "queries": 2048})
    assert offline.throughput >= r.throughput


def test_bad_scenario_keys_raise_config_error_with_did_you_mean(h100):
    with pytest.raises(xpusim.ConfigError, match=r"unknown key 'qsp' \(did you mean 'qps'\?\)"):
        xpusim.run(h100, xpusim.Workload(RESNET_SERVER), scenario={"qsp": 5})
    with pytest.raises(xpusim.ConfigError, match=r"did you mean 'offline'"):
        xpusim.run(h100, xpusim.Workload(RESNET), scenario="ofline")


def test_llm_generation_spec_runs_a_continuous_batching_scenario(h100, tmp_path):
    spec = tmp_path / "llama7.yaml"
    spec.write_text(f"workload:\n  type: generation\n  model: {ROOT / 'configs/models/llama-2-7b.json'}\n"
                    "  prompt_len: 128\n  output_len: 16\n")
    wl = xpusim.Workload(spec)
    assert wl.is_generation and wl.name == "llama-2-7b-generation"
    r = xpusim.run(h100, wl, scenario={"kind": "server", "qps": 20, "queries": 40, "ttft_bound": "2 s"})
    s = r.scenario
    assert s["batching"] == "continuous" and r.throughput_unit == "tokens/s"
    assert set(s["latency"]) == {"ttft", "tpot", "request"}
    assert s["figures"]["kv_blocks"] > 0 and s["met"] is True
    assert s["figures"]["output_tokens"] == 40 * 16
