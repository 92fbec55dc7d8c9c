"""Precision sweep: Llama-2 decode with BF16, FP8 and FP4 weights (activations and KV cache stay in
the chip's compute type). Narrower weights cut the bytes a memory-bound decode step must read.

    PYTHONPATH=python /usr/bin/python3 python/examples/precision_sweep.py [--chip CHIP.yaml]
        [--workload WORKLOAD.yaml] [--dtypes bf16 fp8 fp4] [--html precision_sweep.html]

The workload's `dtype` (activations) can be swept the same way ("workload.dtype": [...]) on chips
whose compute units support those types; the TPU v4-like MXU computes in BF16 only.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import xpusim

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chip", default=str(ROOT / "configs/chips/tpu-v4-like.yaml"))
    ap.add_argument("--workload", default=str(ROOT / "configs/workloads/llama-2-7b-decode.yaml"))
    ap.add_argument("--dtypes", nargs="+", default=["bf16", "fp8", "fp4"])
    ap.add_argument("--html", default="precision_sweep.html")
    args = ap.parse_args()

    df = xpusim.sweep(xpusim.Chip.load(args.chip), {"workload.weight_dtype": args.dtypes},
                      workloads=[xpusim.Workload(args.workload)])
    base = df["energy_j"].iloc[0]
    df["energy_vs_first"] = df["energy_j"] / base
    print(df[["workload.weight_dtype", "latency_s", "throughput", "throughput_unit", "energy_j", "energy_vs_first",
              "bound_memory", "error"]].to_string(index=False))
    xpusim.report(df, args.html, title="Llama-2 decode: weight precision")
    print(f"wrote {args.html}")


if __name__ == "__main__":  # the sweep's worker processes import this file
    main()
