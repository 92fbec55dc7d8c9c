"""1,000-point sweep benchmark (issue 6): DRAM data rate x on-chip SRAM size x weight precision on
one LLM decode step, with the default executor (a process pool over all cores).

    PYTHONPATH=python /usr/bin/python3 python/bench_sweep.py [--workload W.yaml] [--points N] [--out f.csv]

--points N runs the first N points of the same grid (for a quick estimate); the figure reported is
wall time, points per second and core-seconds per point.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import xpusim

ROOT = Path(__file__).resolve().parents[1]
RATES = [f"{r:g} GT/s" for r in (0.8, 1.2, 1.6, 2.0, 2.344, 2.8, 3.2, 3.6, 4.0, 4.8)]  # 10
SRAM = [f"{s} MiB" for s in (4, 8, 12, 16, 20, 24, 28, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 384, 512)]  # 20
WEIGHTS = ["bf16", "fp8", "int8", "fp4", "int4"]  # 5 -> 10 x 20 x 5 = 1000 points


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chip", default=str(ROOT / "configs/chips/tpu-v4-like.yaml"))
    ap.add_argument("--dram", default="hbm")
    ap.add_argument("--sram", default="vmem")
    ap.add_argument("--workload", default=str(ROOT / "configs/workloads/llama-2-7b-decode.yaml"))
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--out", default=None, help="CSV to append to (resumes)")
    args = ap.parse_args()

    grid = {f"{args.dram}.data_rate": RATES, f"{args.sram}.capacity": SRAM, "workload.weight_dtype": WEIGHTS}
    if args.points < 1000:
        # Keep the first N points of the product, so the estimate covers every weight type and SRAM size.
        n_w = len(WEIGHTS)
        n_s = max(1, min(len(SRAM), args.points // n_w))
        grid = {f"{args.dram}.data_rate": RATES[: max(1, args.points // (n_w * n_s))],
                f"{args.sram}.capacity": SRAM[:n_s], "workload.weight_dtype": WEIGHTS}
    n = len(xpusim.expand_grid(grid))
    t0 = time.perf_counter()
    df = xpusim.sweep(xpusim.Chip.load(args.chip), grid, workloads=[xpusim.Workload(args.workload)], out=args.out)
    wall = time.perf_counter() - t0
    failed = int((df["error"] != "").sum())
    # Wall time only: the pool's workers are children of the fork server, so os.times() of this
    # process does not see their CPU time.
    print(f"{n} points ({failed} failed) on {os.cpu_count()} cores: {wall:.1f} s wall, {n / wall:.2f} points/s, "
          f"{wall * (os.cpu_count() or 1) / n:.3f} core-seconds per point")


if __name__ == "__main__":  # worker processes import this file
    main()
