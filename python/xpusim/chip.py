"""Chips: a config (YAML file or dict) plus dotted-path overrides, validated by the C++ builder."""
from __future__ import annotations

import copy
import os
from typing import Any, Mapping, Sequence, Union

from xpusim._native import core
from xpusim._values import override

Source = Union[str, "os.PathLike[str]", Mapping[str, Any]]


class Chip:
    """A chip config and its overrides. Every change is checked at once by building the chip in C++,
    so a bad path or unit raises :class:`xpusim.ConfigError` where it was made, not in a sweep.

    Pickles as (source, overrides), so it travels to worker processes and Dask workers.
    """

    def __init__(self, source: Source, overrides: Sequence[str] = ()) -> None:
        if isinstance(source, Mapping):
            self._source: Union[str, dict] = copy.deepcopy(dict(source))
        else:
            self._source = os.fspath(source)
        self._overrides: list[str] = list(overrides)
        self._native = core.load_chip(self._source, self._overrides)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], **overrides: Any) -> "Chip":
        """Loads a chip YAML; keyword overrides are for names without dots (use `.set` otherwise)."""
        return cls(path, [override(k, v) for k, v in overrides.items()])

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> "Chip":
        """Builds a chip from a dict shaped like the YAML (`chip:` and `components:`)."""
        return cls(config)

    def set(self, path: str, value: Any) -> "Chip":
        """Overrides one parameter by dotted path (`"hbm.capacity", "64 GiB"`) and returns self.
        Components are addressed by name; `chip.` and `components.` paths are taken as written."""
        overrides = self._overrides + [override(path, value)]
        self._native = core.load_chip(self._source, overrides)  # raises before anything changes
        self._overrides = overrides
        return self

    def copy(self) -> "Chip":
        """An independent chip with the same source and overrides."""
        return Chip(self._source, self._overrides)

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def source(self) -> Union[str, dict]:
        return copy.deepcopy(self._source)

    @property
    def overrides(self) -> list[str]:
        return list(self._overrides)

    @property
    def components(self) -> list[tuple[str, str]]:
        """(name, type) of each component."""
        return self._native.components

    def config(self) -> dict:
        """The effective config, overrides applied, as nested dicts of strings."""
        return self._native.config()

    def to_yaml(self) -> str:
        return self._native.config_yaml()

    @property
    def native(self) -> Any:
        """The built C++ chip, for `xpusim._core.simulate`."""
        return self._native

    def __getstate__(self) -> dict:
        return {"source": self._source, "overrides": self._overrides}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["source"], state["overrides"])  # type: ignore[misc]

    def __repr__(self) -> str:
        src = self._source if isinstance(self._source, str) else "<dict>"
        return f"Chip({self.name!r}, source={src!r}, overrides={self._overrides!r})"
