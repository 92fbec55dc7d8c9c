"""The sweep's results file: a CSV appended row by row, read back to resume an interrupted sweep."""
from __future__ import annotations

import csv
import math
import os
from typing import Any, Optional

from xpusim.result import METRICS, SYSTEM_METRICS

#: Result columns that hold numbers (parsed back to float on resume).
NUMERIC = [m for m in METRICS + SYSTEM_METRICS if m != "throughput_unit"]


def point_key(chip: str, workload: str, params: list[str]) -> str:
    """Identity of a point across runs: chip (or system) name, workload label and parameter texts."""
    return "\x1f".join([chip, workload, *params])


class SweepFile:
    """Appends finished points to `path` and remembers the ones an earlier run wrote."""

    def __init__(self, path: Optional[str], columns: list[str], param_columns: list[str]) -> None:
        self._path = path
        self._columns = columns
        self._params = param_columns
        self.done: dict[str, dict[str, Any]] = {}
        self._file = None
        if path is None:
            return
        if os.path.exists(path) and os.path.getsize(path) > 0:
            self._read_existing(path)
            self._file = open(path, "a", newline="", encoding="utf-8")
            if not _ends_with_newline(path):
                self._file.write("\r\n")  # end a row cut short, so the next one starts clean
            self._writer = csv.DictWriter(self._file, fieldnames=columns)
        else:
            self._file = open(path, "w", newline="", encoding="utf-8")
            self._writer = csv.DictWriter(self._file, fieldnames=columns)
            self._writer.writeheader()
            self._file.flush()

    def _read_existing(self, path: str) -> None:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != self._columns:
                raise ValueError(
                    f"{path} holds a different sweep (columns {reader.fieldnames}, this sweep writes "
                    f"{self._columns}); pass another `out` file")
            for row in reader:
                # A row cut short by an interruption has missing fields: run that point again.
                if any(v is None for v in row.values()):
                    continue
                key = point_key(row[self._columns[0]], row["workload"], [row[p] for p in self._params])
                self.done[key] = _typed(row)

    def append(self, row: dict[str, Any]) -> None:
        """Writes one finished point and flushes, so a crash loses at most the points in flight."""
        if self._file is None:
            return
        self._writer.writerow({c: _text(row.get(c)) for c in self._columns})
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value)  # round-trips exactly, so resumed rows equal fresh ones
    from xpusim._values import override_text
    return override_text(value)


def _typed(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = dict(row)
    for c in NUMERIC:
        if c in row:
            out[c] = float(row[c]) if row[c] != "" else math.nan
    return out
