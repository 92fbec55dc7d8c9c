"""What a chip and a system share: a source, dotted-path overrides, and the C++ object built from them."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from xpusim._values import override


class Configured:
    """A source plus overrides, rebuilt in C++ on every change, so a bad path or unit raises
    :class:`xpusim.ConfigError` where it was made, not later in a sweep.

    Pickles as (source, overrides), so it travels to worker processes and Dask workers.
    Subclasses set `_build`, the native loader taking (source, overrides).
    """

    _build: Callable[[Any, list[str]], Any]

    def __init__(self, source: Any, overrides: Sequence[str] = ()) -> None:
        self._source = source
        self._overrides: list[str] = list(overrides)
        self._native = type(self)._build(self._source, self._overrides)

    def set(self, path: str, value: Any):
        """Overrides one parameter by dotted path and returns self."""
        overrides = self._overrides + [override(path, value)]
        self._native = type(self)._build(self._source, overrides)  # raises before anything changes
        self._overrides = overrides
        return self

    def copy(self):
        """An independent object with the same source and overrides."""
        return type(self)(self._source, self._overrides)

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def overrides(self) -> list[str]:
        return list(self._overrides)

    def config(self) -> dict:
        """The effective config, overrides applied, as nested dicts of strings."""
        return self._native.config()

    def to_yaml(self) -> str:
        return self._native.config_yaml()

    @property
    def native(self) -> Any:
        """The built C++ object, for `xpusim._core`."""
        return self._native

    def __getstate__(self) -> dict:
        return {"source": self._source, "overrides": self._overrides}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["source"], state["overrides"])  # type: ignore[misc]
