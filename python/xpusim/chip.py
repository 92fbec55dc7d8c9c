"""Chips: a config (YAML file or dict) plus dotted-path overrides, validated by the C++ builder."""
from __future__ import annotations

import copy
import os
from typing import Any, Mapping, Sequence, Union

from xpusim._configured import Configured
from xpusim._native import core
from xpusim._values import override

Source = Union[str, "os.PathLike[str]", Mapping[str, Any]]


class Chip(Configured):
    """A chip config and its overrides. Every change is checked at once by building the chip in C++,
    so a bad path or unit raises :class:`xpusim.ConfigError` where it was made, not in a sweep.
    `set("hbm.capacity", "64 GiB")` addresses components by name; `chip.` and `components.` paths
    are taken as written.

    Pickles as (source, overrides), so it travels to worker processes and Dask workers.
    """

    _build = staticmethod(core.load_chip)

    def __init__(self, source: Source, overrides: Sequence[str] = ()) -> None:
        super().__init__(copy.deepcopy(dict(source)) if isinstance(source, Mapping) else os.fspath(source), overrides)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], **overrides: Any) -> "Chip":
        """Loads a chip YAML; keyword overrides are for names without dots (use `.set` otherwise)."""
        return cls(path, [override(k, v) for k, v in overrides.items()])

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> "Chip":
        """Builds a chip from a dict shaped like the YAML (`chip:` and `components:`)."""
        return cls(config)

    @property
    def source(self) -> Union[str, dict]:
        return copy.deepcopy(self._source)

    @property
    def components(self) -> list[tuple[str, str]]:
        """(name, type) of each component."""
        return self._native.components

    def __repr__(self) -> str:
        src = self._source if isinstance(self._source, str) else "<dict>"
        return f"Chip({self.name!r}, source={src!r}, overrides={self._overrides!r})"
