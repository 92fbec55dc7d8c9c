"""Workloads: a workload file (spec .yaml, config.json, SCALE-Sim .csv) plus key=value overrides."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from xpusim._native import core
from xpusim._values import override


class Workload:
    """An op graph loaded in C++. Overrides (`batch=8`, `weight_dtype=fp4`, `compression.sparsity=2:4`)
    are checked at once.

    Pickles as (path, overrides), so it travels to worker processes.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], overrides: Union[Sequence[str], Mapping[str, Any]] = ()) -> None:
        self._path = os.fspath(path)
        if isinstance(overrides, Mapping):
            overrides = [override(k, v) for k, v in overrides.items()]
        self._overrides: list[str] = list(overrides)
        self._graph = core.load_workload(self._path, self._overrides)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], **overrides: Any) -> "Workload":
        """`Workload.load("llama-2-70b-decode.yaml", batch=8)`."""
        return cls(path, overrides)

    def set(self, key: str, value: Any) -> "Workload":
        """Overrides one spec key and returns self; raises ConfigError and leaves self as it was."""
        overrides = self._overrides + [override(key, value)]
        self._graph = core.load_workload(self._path, overrides)
        self._overrides = overrides
        return self

    def compress(self, **settings: Any) -> "Workload":
        """Applies compression what-ifs to the workload's matrix ops and returns self, e.g.
        `compress(weight_dtype="int4", sparsity="2:4")`. Keys: weight_dtype, activation_dtype,
        sparsity ("none", "2:4", "unstructured"), density, seed, codec_ratio -- the keys of a spec's
        `compression:` block and of `xpusim run --compress`. Each becomes the override
        `compression.KEY=VALUE` (so sweeps can vary `workload.compression.KEY`). Raises ConfigError
        (with a did-you-mean for a misspelt key) and leaves self as it was."""
        overrides = self._overrides + [override(f"compression.{k}", v) for k, v in settings.items()]
        self._graph = core.load_workload(self._path, overrides)
        self._overrides = overrides
        return self

    @property
    def compression(self) -> str:
        """The compression applied, in --compress syntax ("weight_dtype=int4,sparsity=2:4"); "" if none."""
        return self._graph.compression

    def copy(self) -> "Workload":
        return Workload(self._path, self._overrides)

    @property
    def path(self) -> str:
        return self._path

    @property
    def overrides(self) -> list[str]:
        return list(self._overrides)

    @property
    def name(self) -> str:
        return self._graph.name

    @property
    def label(self) -> str:
        """File stem plus overrides: tells apart rows of a sweep over several workloads."""
        stem = Path(self._path).stem
        return stem + "".join(f" {o}" for o in self._overrides)

    def summary(self) -> dict:
        """Items, ops, weight bytes, FLOPs and compulsory bytes, before simulation."""
        return self._graph.summary()

    def describe(self, max_rows: int = 20) -> str:
        return self._graph.describe(max_rows)

    def __len__(self) -> int:
        return len(self._graph)

    @property
    def native(self) -> Any:
        return self._graph

    def __getstate__(self) -> dict:
        return {"path": self._path, "overrides": self._overrides}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["overrides"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Workload({self._path!r}, overrides={self._overrides!r})"
