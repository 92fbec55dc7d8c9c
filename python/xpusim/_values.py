"""How Python values become override strings, the text the C++ config parsers read."""
from __future__ import annotations

from typing import Any


def override_text(value: Any) -> str:
    """Spells `value` as YAML would: booleans lower-case, floats in shortest round-trip form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return override_text(value.item())
    return str(value)


def override(path: str, value: Any) -> str:
    """`path=value`, the form of `xpusim run --set`."""
    if not isinstance(path, str) or not path or "=" in path:
        raise ValueError(f"an override path is a dotted name like 'hbm.capacity', got {path!r}")
    return f"{path}={override_text(value)}"
