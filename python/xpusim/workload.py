"""Workloads: a workload file (spec .yaml, config.json, SCALE-Sim .csv) plus key=value overrides."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from xpusim._native import core
from xpusim._values import override


class Workload:
    """An op graph loaded in C++, or an LLM generation spec (`type: generation`: prefill plus decode
    steps, run on a :class:`xpusim.System`). Overrides (`batch=8`, `weight_dtype=fp4`,
    `compression.sparsity=2:4`) are checked at once.

    Pickles as (path, overrides), so it travels to worker processes.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], overrides: Union[Sequence[str], Mapping[str, Any]] = ()) -> None:
        self._path = os.fspath(path)
        if isinstance(overrides, Mapping):
            overrides = [override(k, v) for k, v in overrides.items()]
        self._overrides: list[str] = list(overrides)
        self._load(self._overrides)

    def _load(self, overrides: list[str]) -> None:
        # A generation spec has no single graph: its steps are built, sharded and run per system.
        spec = core.generation_spec(self._path, overrides) if core.is_llm_spec(self._path) else None
        if spec is not None and not spec["single_step"]:
            self._spec, self._graph = spec, None
        else:
            self._spec, self._graph = None, core.load_workload(self._path, overrides)

    @property
    def is_generation(self) -> bool:
        """True for a `type: generation` spec (prefill + decode steps)."""
        return self._spec is not None

    @property
    def spec(self) -> dict:
        """model, batch, prompt_len, output_len, kv_bucket of a generation spec (empty otherwise)."""
        return dict(self._spec or {})

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], **overrides: Any) -> "Workload":
        """`Workload.load("llama-2-70b-decode.yaml", batch=8)`."""
        return cls(path, overrides)

    def set(self, key: str, value: Any) -> "Workload":
        """Overrides one spec key and returns self; raises ConfigError and leaves self as it was."""
        overrides = self._overrides + [override(key, value)]
        self._load(overrides)  # raises before anything changes
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
        if self._graph is None:
            return f"{self._spec['model']}-generation"
        return self._graph.name

    @property
    def label(self) -> str:
        """File stem plus overrides: tells apart rows of a sweep over several workloads."""
        stem = Path(self._path).stem
        return stem + "".join(f" {o}" for o in self._overrides)

    def summary(self) -> dict:
        """Items, ops, weight bytes, FLOPs and compulsory bytes, before simulation (a generation
        spec: its main fields)."""
        return self.spec if self._graph is None else self._graph.summary()

    def describe(self, max_rows: int = 20) -> str:
        if self._graph is None:
            raise ValueError("a generation spec has no single graph to describe; describe a type: transformer step")
        return self._graph.describe(max_rows)

    def __len__(self) -> int:
        return 0 if self._graph is None else len(self._graph)

    @property
    def native(self) -> Any:
        """The op graph for `xpusim._core.simulate` (None for a generation spec)."""
        return self._graph

    def __getstate__(self) -> dict:
        return {"path": self._path, "overrides": self._overrides}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["overrides"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Workload({self._path!r}, overrides={self._overrides!r})"
