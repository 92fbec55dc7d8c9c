"""Parameter sweeps: every combination of a grid, on any concurrent.futures-style executor."""
from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import multiprocessing
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from xpusim._sweep_file import SweepFile, point_key
from xpusim._values import override, override_text
from xpusim._worker import run_point, run_system_point
from xpusim.chip import Chip
from xpusim.result import METRICS, SYSTEM_METRICS
from xpusim.system import System
from xpusim.workload import Workload

#: Grid paths with this prefix override the workload (`workload.batch`), the others the chip (or the
#: system: `system.tp`, `link.lane_rate`, `switch.nvls`, or its chip's `hbm.data_rate`).
WORKLOAD_PREFIX = "workload."


@dataclass(frozen=True)
class _Point:
    index: int
    key: str
    workload: str
    params: dict[str, Any]
    fn: Any      # run_point or run_system_point
    args: tuple  # its arguments


def default_executor() -> cf.ProcessPoolExecutor:
    """A process pool over all cores. Workers come from a fork server that has imported xpusim
    already: cheap to start, and unlike plain fork safe when this process runs threads (tqdm,
    Dask). Scripts must guard their sweep with `if __name__ == "__main__":`, as with spawn."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["xpusim._worker"])
    return cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=ctx)


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """All combinations, the last key varying fastest."""
    for path, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ValueError(f"grid[{path!r}] must be a list of values, got {values!r}")
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(list(grid[k]) for k in keys))]


def _points(base: Union[Chip, System], grid: Mapping[str, Sequence[Any]], workloads: Sequence[Workload]) -> list[_Point]:
    points = []
    on_system = isinstance(base, System)
    for w in workloads:
        for params in expand_grid(grid):
            chip_set = tuple(base.overrides) + tuple(
                override(k, v) for k, v in params.items() if not k.startswith(WORKLOAD_PREFIX))
            wl_set = tuple(w.overrides) + tuple(
                override(k[len(WORKLOAD_PREFIX):], v) for k, v in params.items() if k.startswith(WORKLOAD_PREFIX))
            key = point_key(base.name, w.label, [override_text(v) for v in params.values()])
            fn = run_system_point if on_system else run_point
            points.append(_Point(len(points), key, w.label, params, fn, (base.source, chip_set, w.path, wl_set)))
    return points


def _progress(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm
    # delay: no bar at all for sweeps that finish within a second.
    return tqdm(total=total, disable=not enabled, delay=1.0, unit="pt", desc="sweep", smoothing=0.1)


def sweep(base_chip: Union[Chip, System], grid: Mapping[str, Sequence[Any]], workloads: Sequence[Union[Workload, str]],
          executor: Optional[cf.Executor] = None, out: Optional[Union[str, "os.PathLike[str]"]] = None,
          progress: bool = True, max_in_flight: Optional[int] = None) -> pd.DataFrame:
    """Simulates every combination of `grid` for each workload; returns one row per point.

    base_chip: a Chip, or a System: then each point is a system (generation workloads run prefill and
      decode steps sharded for its tp / pp / ep) and the rows also have ttft_s and tpot_s.

    grid: dotted path -> list of values. Chip paths as in Chip.set ("hbm.data_rate"); paths starting
      with "workload." override the workload ("workload.weight_dtype": ["bf16", "fp8"]).
    executor: any concurrent.futures.Executor (a Dask Client.get_executor() too). Default: a process
      pool over all cores, shut down at the end.
    out: CSV file. Rows are appended as points finish; points already in it are not run again.

    Columns: chip, workload, the grid paths, latency_s, throughput, throughput_unit, energy_j,
    avg_power_w, bound_compute, bound_memory, bound_interconnect, error ("" when the point ran).
    A failed point gets its message in `error` and NaN metrics; the sweep goes on.
    """
    if not isinstance(base_chip, (Chip, System)):
        raise TypeError(f"sweep() expects an xpusim.Chip or xpusim.System as base, got {type(base_chip).__name__}")
    if not workloads:
        raise ValueError("sweep() needs at least one workload")
    wls = [w if isinstance(w, Workload) else Workload(w) for w in workloads]
    on_system = isinstance(base_chip, System)
    if not on_system and any(w.is_generation for w in wls):
        raise ValueError("generation workloads run on a system: pass an xpusim.System as base")
    params = list(grid)
    first = "system" if on_system else "chip"
    metrics = METRICS + SYSTEM_METRICS if on_system else METRICS
    columns = [first, "workload", *params, *metrics, "error"]
    points = _points(base_chip, grid, wls)
    store = SweepFile(os.fspath(out) if out is not None else None, columns, params)
    rows: dict[int, dict[str, Any]] = {}
    todo = []
    for p in points:
        if p.key in store.done:
            rows[p.index] = {**store.done[p.key], **p.params}
        else:
            todo.append(p)

    own = executor is None
    pool = default_executor() if own else executor
    window = max_in_flight or max(64, 8 * (os.cpu_count() or 1))
    try:
        with _progress(len(todo), progress) as bar:
            pending: dict[cf.Future, _Point] = {}
            queue = iter(todo)
            while True:
                for p in itertools.islice(queue, window - len(pending)):
                    pending[pool.submit(p.fn, *p.args)] = p
                if not pending:
                    break
                done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    p = pending.pop(fut)
                    row = _row(first, base_chip.name, p, fut, metrics)
                    store.append(row)
                    rows[p.index] = row
                    bar.update(1)
    finally:
        store.close()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    return pd.DataFrame([rows[i] for i in range(len(points))], columns=columns)


def _row(first: str, name: str, p: _Point, fut: cf.Future, metrics: list[str]) -> dict[str, Any]:
    try:
        out = fut.result()
    except Exception as e:  # noqa: BLE001 - a lost worker fails its point, not the sweep
        out = {"error": f"{type(e).__name__}: {e}"}
    row: dict[str, Any] = {first: name, "workload": p.workload, **p.params}
    for m in metrics:
        row[m] = out.get(m, "" if m == "throughput_unit" else math.nan)
    row["error"] = out.get("error", "")
    return row
