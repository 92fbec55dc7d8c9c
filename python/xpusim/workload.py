"""Workloads: a workload file (spec .yaml, config.json, SCALE-Sim .csv) plus key=value overrides."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from xpusim._native import core
from xpusim._values import override


class Workload:
    """An op graph loaded in C++. Overrides (`batch=8`, `weight_dtype=fp4`) are checked at once.

    A `type: generation` spec (LLM prefill + decode) has no single graph: it is checked at once and
    simulated step by step by :func:`xpusim.run` (alone, or in a scenario).

    Pickles as (path, overrides), so it travels to worker processes.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], overrides: Union[Sequence[str], Mapping[str, Any]] = ()) -> None:
        self._path = os.fspath(path)
        if isinstance(overrides, Mapping):
            overrides = [override(k, v) for k, v in overrides.items()]
        self._overrides: list[str] = list(overrides)
        self._load(self._overrides)

    def _load(self, overrides: list[str]) -> None:
        if core.workload_type(self._path) == "generation":
            self._generation: dict | None = core.check_generation(self._path, overrides)
            self._graph = None
        else:
            self._graph = core.load_workload(self._path, overrides)
            self._generation = None

    @property
    def is_generation(self) -> bool:
        """True for a `type: generation` spec (no single op graph)."""
        return self._generation is not None

    def _need_graph(self, what: str) -> Any:
        if self._graph is None:
            raise ValueError(f"{what}: {self._path} is an LLM generation (type: generation), not one op graph")
        return self._graph

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], **overrides: Any) -> "Workload":
        """`Workload.load("llama-2-70b-decode.yaml", batch=8)`."""
        return cls(path, overrides)

    def set(self, key: str, value: Any) -> "Workload":
        """Overrides one spec key and returns self; raises ConfigError and leaves self as it was."""
        overrides = self._overrides + [override(key, value)]
        self._load(overrides)
        self._overrides = overrides
        return self

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
        return self._generation["name"] if self._generation is not None else self._graph.name

    @property
    def label(self) -> str:
        """File stem plus overrides: tells apart rows of a sweep over several workloads."""
        stem = Path(self._path).stem
        return stem + "".join(f" {o}" for o in self._overrides)

    def summary(self) -> dict:
        """Items, ops, weight bytes, FLOPs and compulsory bytes, before simulation; for a generation
        spec its model, batch and lengths."""
        if self._generation is not None:
            return dict(self._generation)
        return self._graph.summary()

    def describe(self, max_rows: int = 20) -> str:
        return self._need_graph("describe").describe(max_rows)

    def __len__(self) -> int:
        return len(self._need_graph("len"))

    @property
    def native(self) -> Any:
        return self._need_graph("native")

    def __getstate__(self) -> dict:
        return {"path": self._path, "overrides": self._overrides}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["overrides"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Workload({self._path!r}, overrides={self._overrides!r})"
