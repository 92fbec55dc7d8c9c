"""One simulation from Python."""
from __future__ import annotations

from xpusim._native import core
from xpusim.chip import Chip
from xpusim.result import Result
from xpusim.workload import Workload


def run(chip: Chip, workload: Workload, *, trace: bool = False, seed: int = 1) -> Result:
    """Simulates `workload` on `chip`. The GIL is released during the run; runs in one process take
    turns (SystemC has one context per process), so use :func:`xpusim.sweep` for parallelism."""
    if not isinstance(chip, Chip):
        raise TypeError(f"run() expects an xpusim.Chip, got {type(chip).__name__}")
    if not isinstance(workload, Workload):
        raise TypeError(f"run() expects an xpusim.Workload, got {type(workload).__name__}")
    return Result(core.simulate(chip.native, workload.native, trace, seed))
