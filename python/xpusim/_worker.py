"""What a sweep runs in each worker process (local pool or Dask worker). Importable at top level,
so spawned workers can unpickle it."""
from __future__ import annotations

import functools
import json
from typing import Any, Union

from xpusim._native import ConfigError, core
from xpusim.result import Result


@functools.lru_cache(maxsize=16)
def _graph(path: str, overrides: tuple[str, ...]) -> Any:
    # Building an LLM graph costs more than simulating it at coarse grain; points of one workload
    # share it. Graphs are read-only during simulate().
    return core.load_workload(path, list(overrides))


@functools.lru_cache(maxsize=8)
def _chip(source_json: str, overrides: tuple[str, ...]) -> Any:
    # Keyed by JSON text because dict sources are not hashable; simulate() resets the chip.
    return core.load_chip(json.loads(source_json), list(overrides))


@functools.lru_cache(maxsize=8)
def _system(path: str, overrides: tuple[str, ...]) -> Any:
    # A run resets the system first, so one built system serves every point with these overrides.
    return core.load_system(path, list(overrides))


def run_system_point(system_path: str, system_overrides: tuple[str, ...], workload_path: str,
                     workload_overrides: tuple[str, ...]) -> dict[str, Any]:
    """Simulates one workload on a system (a generation: prefill + decode steps, sharded for its
    tp / pp / ep); returns Result.metrics() plus the system name, or {"error": message}."""
    try:
        system = _system(system_path, tuple(system_overrides))
        result = Result(core.simulate_system(system, workload_path, list(workload_overrides)))
        return {"system": system.name, **result.metrics()}
    except ConfigError as e:
        return {"error": f"ConfigError: {e}"}
    except Exception as e:  # noqa: BLE001 - any failure of one point is that point's result
        return {"error": f"{type(e).__name__}: {e}"}


def run_point(chip_source: Union[str, dict], chip_overrides: tuple[str, ...], workload_path: str,
              workload_overrides: tuple[str, ...]) -> dict[str, Any]:
    """Simulates one point; returns Result.metrics() plus the chip name, or {"error": message}.
    Errors are returned, not raised, so one bad point cannot stop a sweep."""
    try:
        graph = _graph(workload_path, tuple(workload_overrides))
        chip = _chip(json.dumps(chip_source), tuple(chip_overrides))
        result = Result(core.simulate(chip, graph))
        return {"chip": chip.name, **result.metrics()}
    except ConfigError as e:
        return {"error": f"ConfigError: {e}"}
    except Exception as e:  # noqa: BLE001 - any failure of one point is that point's result
        return {"error": f"{type(e).__name__}: {e}"}
