"""Multi-chip systems: a system YAML (configs/systems/*.yaml) plus dotted-path overrides."""
from __future__ import annotations

import os
from typing import Any, Sequence, Union

from xpusim._configured import Configured
from xpusim._native import core
from xpusim._values import override


class System(Configured):
    """N chips joined by links and switches, and the parallelism a run uses (tp, pp, ep, dp).

    Overrides starting with `system.`, `link.` or `switch.` change the system file
    (`system.tp`, `system.collective`, `link.lane_rate`, `switch.nvls`); any other path goes to the
    chip (`hbm.data_rate`). Every change is checked at once by building the system in C++, so a bad
    path or unit raises :class:`xpusim.ConfigError` where it was made.

    Pickles as (path, overrides), so it travels to worker processes and Dask workers.
    """

    _build = staticmethod(core.load_system)

    def __init__(self, path: Union[str, "os.PathLike[str]"], overrides: Sequence[str] = ()) -> None:
        super().__init__(os.fspath(path), overrides)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], **overrides: Any) -> "System":
        """`System.load("hgx-h100-8.yaml")`; keyword overrides are for names without dots
        (use `.set` for `system.tp` and the like)."""
        return cls(path, [override(k, v) for k, v in overrides.items()])

    @property
    def path(self) -> str:
        return self._source

    @property
    def source(self) -> str:
        return self._source

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

    def __repr__(self) -> str:
        return f"System({self.name!r}, path={self._source!r}, overrides={self._overrides!r})"
