"""System sweep: Llama-2-70B generation on an HGX board over tensor-parallel degree and collective
algorithm (NCCL's ring vs. the auto choice, which runs large all-reduces in the NVSwitch with NVLS).

    PYTHONPATH=python /usr/bin/python3 python/examples/system_sweep.py [--system SYSTEM.yaml]
        [--workload GENERATION.yaml] [--tp 4 8] [--batch 32]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import xpusim

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", default=str(ROOT / "configs/systems/hgx-h100-8.yaml"))
    ap.add_argument("--workload", default=str(ROOT / "configs/workloads/llama-2-70b-generation.yaml"))
    ap.add_argument("--tp", nargs="+", type=int, default=[4, 8])
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()

    grid = {"system.tp": args.tp, "system.collective": ["ring", "auto"]}
    df = xpusim.sweep(xpusim.System.load(args.system), grid,
                      workloads=[xpusim.Workload(args.workload, {"batch": args.batch})])
    cols = ["system.tp", "system.collective", "ttft_s", "tpot_s", "throughput", "bound_interconnect", "error"]
    print(df[cols].to_string(index=False))


if __name__ == "__main__":
    main()
