"""One simulation from Python: a workload on a chip or on a multi-chip system, alone or in an
MLPerf scenario."""
from __future__ import annotations

import os
from typing import Any, Mapping, Union

from xpusim._native import core
from xpusim._values import override
from xpusim.chip import Chip
from xpusim.result import Result
from xpusim.system import System
from xpusim.workload import Workload

ScenarioArg = Union[None, str, "os.PathLike[str]", Mapping[str, Any]]


def run(target: Union[Chip, System], workload: Workload, *, trace: bool = False, seed: int = 1,
        scenario: ScenarioArg = None) -> Result:
    """Simulates `workload` on a chip or a system. The GIL is released during the run; runs in one
    process take turns (SystemC has one context per process), so use :func:`xpusim.sweep` for
    parallelism.

    On a system, LLM specs (`type: generation` or `transformer`) are sharded for its tp / pp / ep and
    collectives run as link transfers; a generation's Result also has `ttft_s`, `tpot_s` and
    `tokens_per_s`. On a chip, generation specs run on it as a one-chip system.

    `scenario` runs many queries instead of one (see README "Scenarios"): a kind ("offline",
    "server", "single_stream", "multi_stream"), a scenario YAML file, "none" to ignore the workload's
    own `scenario:` block, or a dict of scenario keys (`{"kind": "server", "qps": 50}`) applied over
    that block. A workload with a `scenario:` block runs it unless `scenario="none"`;
    `result.scenario` holds the details. On a system only LLM generation workloads serve scenarios
    (with `system.dp` > 1, on data-parallel replicas).
    """
    if not isinstance(workload, Workload):
        raise TypeError(f"run() expects an xpusim.Workload, got {type(workload).__name__}")
    source, overrides = _scenario_source(scenario)
    if isinstance(target, System):
        return Result(core.simulate_system(target.native, workload.path, workload.overrides, trace, seed, source, overrides))
    if not isinstance(target, Chip):
        raise TypeError(f"run() expects an xpusim.Chip or xpusim.System, got {type(target).__name__}")
    if workload.is_generation or source != "none" and _has_scenario(workload.path, source, overrides):
        return Result(core.run_workload(target.native, workload.path, workload.overrides, source, overrides, trace, seed))
    return Result(core.simulate(target.native, workload.native, trace, seed))


def _scenario_source(scenario: ScenarioArg) -> tuple[str, list[str]]:
    """(source, overrides) as `xpusim run --scenario SOURCE --set scenario.KEY=VALUE...` takes them."""
    if scenario is None:
        return "", []
    if isinstance(scenario, Mapping):
        keys = dict(scenario)
        kind = keys.pop("kind", "")
        return str(kind), [override(k, v) for k, v in keys.items()]
    if isinstance(scenario, (str, os.PathLike)):
        return os.fspath(scenario), []
    raise TypeError(f"scenario expects a kind, a file path or a dict of scenario keys, got {type(scenario).__name__}")


def _has_scenario(path: str, source: str, overrides: list[str]) -> bool:
    if source or overrides:
        return True
    # The workload file's own block.
    return bool(core.has_scenario(path))
