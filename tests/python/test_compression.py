"""Compression what-ifs from Python: Workload.compress, the record in results, per-op dequant work,
errors with a did-you-mean, pickling and sweeps over compression keys."""
from __future__ import annotations

import concurrent.futures as cf
import pickle

import pytest

import xpusim
from conftest import GEMM, LLAMA7, ROOT

H100 = ROOT / "configs/chips/h100-sxm.yaml"


def test_compress_records_the_plan_and_changes_the_graph(gemm):
    dense = gemm.summary()
    w = gemm.copy().compress(weight_dtype="int4", sparsity="2:4")
    assert w.compression == "weight_dtype=int4,sparsity=2:4"
    assert w.overrides == ["compression.weight_dtype=int4", "compression.sparsity=2:4"]
    # 512 x 512 weights: bf16 -> int4 values of the kept half plus a 2-bit index each.
    assert w.summary()["weight_bytes"] == 512 * 512 // 2 * (4 + 2) // 8
    assert w.summary()["flops"] == dense["flops"] // 2
    assert gemm.compression == ""


def test_result_carries_the_plan_and_per_op_dequant_work(chip):
    plain = xpusim.Workload(GEMM)
    quant = xpusim.Workload(GEMM).compress(weight_dtype="int4")
    r0, r1 = xpusim.run(chip, plain), xpusim.run(chip, quant)
    assert r0.compression == "" and r1.compression == "weight_dtype=int4"
    assert {"dequant_ops", "dequant_s"} <= set(r1.ops.columns)
    assert r0.ops["dequant_ops"].sum() == 0
    # tpu-v4-like: the MXU has no int4 path, so the VPU converts every weight (2 ops each) per tile.
    assert r1.ops["dequant_ops"].sum() >= 2 * 512 * 512
    assert r1.ops["dequant_s"].sum() > 0
    assert r1.to_dict()["compression"] == "weight_dtype=int4"


def test_dequant_work_grows_with_batch_on_a_gpu():
    h100 = xpusim.Chip.load(H100)
    ops = []
    for batch in (1, 512):
        w = xpusim.Workload(LLAMA7, {"batch": batch, "kv_len": 128}).compress(weight_dtype="int4")
        ops.append(xpusim.run(h100, w).ops["dequant_ops"].sum())
    assert ops[1] == 4 * ops[0]  # 512 rows = 4 CTA tiles of 128: each converts the weights again
    native = xpusim.run(h100.copy().set("sm.native_weight_dtypes", "int4"),
                        xpusim.Workload(LLAMA7, {"batch": 1, "kv_len": 128}).compress(weight_dtype="int4"))
    assert native.ops["dequant_ops"].sum() == 0


def test_bad_settings_raise_config_error_and_leave_the_workload_as_it_was(gemm):
    with pytest.raises(xpusim.ConfigError, match=r"unknown key 'sparsty' \(did you mean 'sparsity'\?\)"):
        gemm.compress(sparsty="2:4")
    with pytest.raises(xpusim.ConfigError, match=r"'density' must be in \(0, 1\], got 0"):
        gemm.compress(sparsity="unstructured", density=0)
    with pytest.raises(xpusim.ConfigError, match=r"needs 'density'"):
        gemm.compress(sparsity="unstructured")
    assert gemm.overrides == [] and gemm.compression == ""
    with pytest.raises(xpusim.ConfigError, match=r"no decoder at its memory interface"):
        xpusim.run(xpusim.Chip.load(H100), xpusim.Workload(GEMM).compress(codec_ratio=2))


def test_compressed_workloads_pickle_and_sweep(chip):
    w = xpusim.Workload(GEMM).compress(sparsity="unstructured", density=0.25, seed=3)
    back = pickle.loads(pickle.dumps(w))
    assert back.compression == w.compression == "sparsity=unstructured,density=0.25,seed=3"
    assert xpusim.run(chip, back).to_dict() == xpusim.run(chip, w).to_dict()
    grid = {"workload.compression.weight_dtype": ["bf16", "int8", "int4"]}
    with cf.ThreadPoolExecutor(2) as pool:
        df = xpusim.sweep(chip, grid, workloads=[GEMM], executor=pool, progress=False)
    assert (df["error"] == "").all()
    assert list(df["workload.compression.weight_dtype"]) == ["bf16", "int8", "int4"]
    # Narrower weights, fewer bytes, but a dequantization pass: the rows differ.
    assert df["latency_s"].nunique() == 3
