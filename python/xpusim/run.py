"""One simulation from Python: a workload on a chip or on a multi-chip system."""
from __future__ import annotations

from typing import Union

from xpusim._native import core
from xpusim.chip import Chip
from xpusim.result import Result
from xpusim.system import System
from xpusim.workload import Workload


def run(target: Union[Chip, System], workload: Workload, *, trace: bool = False, seed: int = 1) -> Result:
    """Simulates `workload` on a chip or a system. On a system, LLM specs (`type: generation` or
    `transformer`) are sharded for its tp / pp / ep and collectives run as link transfers; a
    generation's Result also has `ttft_s`, `tpot_s` and `tokens_per_s`. The GIL is released during
    the run; runs in one process take turns (SystemC has one context per process), so use
    :func:`xpusim.sweep` for parallelism."""
    if not isinstance(workload, Workload):
        raise TypeError(f"run() expects an xpusim.Workload, got {type(workload).__name__}")
    if isinstance(target, System):
        return Result(core.simulate_system(target.native, workload.path, workload.overrides, trace, seed))
    if not isinstance(target, Chip):
        raise TypeError(f"run() expects an xpusim.Chip or xpusim.System, got {type(target).__name__}")
    if workload.is_generation:
        raise ValueError(f"{workload.path} is a generation spec (prefill + decode steps): run it on an "
                         "xpusim.System, e.g. xpusim.System.load('configs/systems/hgx-h100-8.yaml')")
    return Result(core.simulate(target.native, workload.native, trace, seed))
