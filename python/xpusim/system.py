"""Multi-chip systems: a system YAML (configs/systems/*.yaml) plus dotted-path overrides."""
from __future__ import annotations

import os
from typing import Any, Sequence, Union

from xpusim._native import core
from xpusim._values import override


class System:
    """N chips joined by links and switches, and the parallelism a run uses (tp, pp, ep, dp).

    Overrides starting with `system.`, `link.` or `switch.` change the system file
    (`system.tp`, `system.collective`, `link.lane_rate`, `switch.nvls`); any other path goes to the
    chip (`hbm.data_rate`). Every change is checked at once by building the system in C++, so a bad
    path or unit raises :class:`xpusim.ConfigError` where it was made.

    Pickles as (path, overrides), so it travels to worker processes and Dask workers.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], overrides: Sequence[str] = ()) -> None:
        self._path = os.fspath(path)
        self._overrides: list[str] = list(overrides)
        self._native = core.load_system(self._path, self._overrides)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], **overrides: Any) -> "System":
        """`System.load("hgx-h100-8.yaml")`; keyword overrides are for names without dots
        (use `.set` for `system.tp` and the like)."""
        return cls(path, [override(k, v) for k, v in overrides.items()])

    def set(self, path: str, value: Any) -> "System":
        """Overrides one parameter by dotted path (`"system.tp", 4`) and returns self."""
        overrides = self._overrides + [override(path, value)]
        self._native = core.load_system(self._path, overrides)  # raises before anything changes
        self._overrides = overrides
        return self

    def copy(self) -> "System":
        return System(self._path, self._overrides)

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def path(self) -> str:
        return self._path

    @property
    def source(self) -> str:
        return self._path

    @property
    def overrides(self) -> list[str]:
        return list(self._overrides)

    @property
    def count(self) -> int:
        """Chips in the system."""
        return self._native.count

    @property
    def parallelism(self) -> dict[str, int]:
        """{tp, pp, ep, dp, microbatches}."""
        return self._native.parallelism

    @property
    def collective(self) -> str:
        """The configured collective algorithm: ring, tree, nvls, direct or auto."""
        return self._native.collective

    @property
    def chip_name(self) -> str:
        return self._native.chip_name

    def config(self) -> dict:
        """The effective system config, overrides applied, as nested dicts of strings."""
        return self._native.config()

    def to_yaml(self) -> str:
        return self._native.config_yaml()

    @property
    def native(self) -> Any:
        return self._native

    def __getstate__(self) -> dict:
        return {"path": self._path, "overrides": self._overrides}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["overrides"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"System({self.name!r}, path={self._path!r}, overrides={self._overrides!r})"
