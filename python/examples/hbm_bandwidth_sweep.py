"""HBM bandwidth sweep for one Llama-2-70B decode step: how latency, throughput and energy move as
the DRAM data rate (hence bandwidth) grows, and where decode stops being memory-bound.

    PYTHONPATH=python /usr/bin/python3 python/examples/hbm_bandwidth_sweep.py [--chip CHIP.yaml]
        [--dram hbm] [--rates "1.2 GT/s" "2.344 GT/s" ...] [--html hbm_sweep.html]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import xpusim

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chip", default=str(ROOT / "configs/chips/tpu-v4-like.yaml"))
    ap.add_argument("--dram", default="hbm", help="name of the chip's DRAM component")
    ap.add_argument("--workload", default=str(ROOT / "configs/workloads/llama-2-70b-decode.yaml"))
    ap.add_argument("--rates", nargs="+", default=["1.2 GT/s", "2.344 GT/s", "4.8 GT/s", "9.6 GT/s"],
                    help="DRAM data rates per pin; bandwidth scales with them")
    ap.add_argument("--html", default="hbm_sweep.html")
    args = ap.parse_args()

    chip = xpusim.Chip.load(args.chip)
    df = xpusim.sweep(chip, {f"{args.dram}.data_rate": args.rates}, workloads=[xpusim.Workload(args.workload)])
    # The bandwidth each rate gives, from the chip itself (the roofline ceiling of a single run).
    df["bandwidth_GB_s"] = [
        xpusim.run(chip.copy().set(f"{args.dram}.data_rate", r), xpusim.Workload(ROOT / "configs/workloads/gemm-512.yaml"))
        .roofline["peak_bandwidth_bytes_per_s"] / 1e9 for r in args.rates]
    print(df[[f"{args.dram}.data_rate", "bandwidth_GB_s", "latency_s", "throughput", "throughput_unit", "energy_j",
              "bound_memory", "error"]].to_string(index=False))
    xpusim.report(df, args.html, title="Llama-2-70B decode vs HBM bandwidth")
    print(f"wrote {args.html}")


if __name__ == "__main__":  # the sweep's worker processes import this file
    main()
