"""Imports the compiled module with a message that says how to build it."""
from __future__ import annotations

try:
    from xpusim import _core as core
except ImportError as e:  # pragma: no cover - only without a build
    raise ImportError(
        "xpusim._core is not built: run `cmake -S . -B build -G Ninja && ninja -C build _core` "
        "(it writes python/xpusim/_core*.so), then use PYTHONPATH=python with /usr/bin/python3"
    ) from e

ConfigError = core.ConfigError

__all__ = ["core", "ConfigError"]
