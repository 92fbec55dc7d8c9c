"""The outcome of one simulation as plain data (the JSON result's keys) with pandas views."""
from __future__ import annotations

import json
import math
import os
from typing import Any, Union

import pandas as pd

#: Columns of a sweep row taken from one result, in order.
METRICS = [
    "latency_s", "throughput", "throughput_unit", "energy_j", "avg_power_w",
    "bound_compute", "bound_memory", "bound_interconnect",
]
#: Further columns of a sweep over a system (NaN for runs that are not generations).
SYSTEM_METRICS = ["ttft_s", "tpot_s"]


class Result:
    """Latency, throughput, energy, per-op table and roofline ceilings of one run.

    Built from the dict that `xpusim._core.simulate` returns or from `xpusim run --format json`
    output; :meth:`to_dict` gives the same keys back.
    """

    def __init__(self, data: dict) -> None:
        self._data = data

    @classmethod
    def from_json(cls, path: Union[str, "os.PathLike[str]"]) -> "Result":
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def to_dict(self) -> dict:
        """A deep copy of the result: `latency_s`, `throughput {value, unit}`, `energy_j`,
        `avg_power_w`, `energy_breakdown_j`, `time_bound_fraction`, `ops`, `stats`, `roofline`."""
        return json.loads(json.dumps(self._data))

    def to_json(self, path: Union[str, "os.PathLike[str]", None] = None) -> str:
        text = json.dumps(self._data, indent=2) + "\n"
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    @property
    def chip(self) -> str:
        return self._data.get("chip", "")

    @property
    def workload(self) -> str:
        return self._data.get("workload", "")

    @property
    def compression(self) -> str:
        """The compression what-ifs simulated, in --compress syntax; "" when none (or for JSON written
        before results recorded them)."""
        return self._data.get("compression", "")

    @property
    def latency_s(self) -> float:
        return float(self._data["latency_s"])

    @property
    def throughput(self) -> float:
        return float(self._data["throughput"]["value"])

    @property
    def throughput_unit(self) -> str:
        return self._data["throughput"]["unit"]

    @property
    def energy_j(self) -> float:
        return float(self._data["energy_j"])

    @property
    def avg_power_w(self) -> float:
        return float(self._data["avg_power_w"])

    @property
    def power_cap_w(self) -> float | None:
        """The chip's power cap (`chip: power: tdp:`); None for a chip without one."""
        v = self._data.get("power_cap_w")
        return None if v is None else float(v)

    @property
    def avg_clock_ratio(self) -> float | None:
        """The clock the cap left the ops, as a fraction of the configured clocks weighted by op
        time (each op's own is the `clock_ratio` column of :attr:`ops`); None without a cap."""
        v = self._data.get("avg_clock_ratio")
        return None if v is None else float(v)

    @property
    def time_bound_fraction(self) -> dict[str, float]:
        return dict(self._data["time_bound_fraction"])

    @property
    def roofline(self) -> dict:
        """`peak_flops_per_s {"unit dtype": FLOP/s}` and `peak_bandwidth_bytes_per_s`; empty dict
        for JSON written before the ceilings were part of the result."""
        return dict(self._data.get("roofline") or {})

    @property
    def ops(self) -> pd.DataFrame:
        """One row per op, plus `duration_s`, `intensity` (FLOP per off-chip byte) and
        `achieved_flops_per_s`."""
        df = pd.DataFrame(self._data["ops"])
        if df.empty:
            return df
        df["duration_s"] = df["end_s"] - df["start_s"]
        df["intensity"] = df["flops"] / df["bytes"].where(df["bytes"] > 0)
        df["achieved_flops_per_s"] = df["flops"] / df["duration_s"].where(df["duration_s"] > 0)
        return df

    @property
    def energy_breakdown(self) -> pd.DataFrame:
        """Columns `component`, `energy_j`, `share` (of the total), in chip order."""
        items = list(self._data["energy_breakdown_j"].items())
        df = pd.DataFrame(items, columns=["component", "energy_j"])
        total = float(self._data["energy_j"])
        df["share"] = df["energy_j"] / total if total > 0 else math.nan
        return df

    @property
    def stats(self) -> pd.DataFrame:
        return pd.DataFrame(self._data.get("stats", []), columns=["component", "key", "value", "unit"])

    @property
    def scenario(self) -> dict | None:
        """The scenario section (kind, latency percentiles, constraints and whether they are `met`,
        scheduler `figures`, simulated `steps`), or None for a single run."""
        s = self._data.get("scenario")
        return json.loads(json.dumps(s)) if s is not None else None

    @property
    def timeline(self) -> list[dict]:
        return list(self._data.get("timeline", []))

    @property
    def generation(self) -> dict:
        """A generation run's {ttft_s, tpot_s, total_s, tokens_per_s, simulations, buckets}; empty
        for any other run."""
        return dict(self._data.get("generation") or {})

    @property
    def ttft_s(self) -> float:
        """Time to first token (the prefill) of a generation run; NaN otherwise."""
        return float(self.generation.get("ttft_s", math.nan))

    @property
    def tpot_s(self) -> float:
        """Mean time per output token over the decode steps of a generation run; NaN otherwise."""
        return float(self.generation.get("tpot_s", math.nan))

    @property
    def tokens_per_s(self) -> float:
        """Output tokens per second of every data-parallel replica of a generation run; NaN otherwise."""
        return float(self.generation.get("tokens_per_s", math.nan))

    def metrics(self) -> dict[str, Any]:
        """The scalar summary a sweep stores per point (columns METRICS, and SYSTEM_METRICS for a
        generation run)."""
        bound = self._data["time_bound_fraction"]
        return {
            "latency_s": self.latency_s,
            "throughput": self.throughput,
            "throughput_unit": self.throughput_unit,
            "energy_j": self.energy_j,
            "avg_power_w": self.avg_power_w,
            "bound_compute": float(bound["compute"]),
            "bound_memory": float(bound["memory"]),
            "bound_interconnect": float(bound["interconnect"]),
            **({"ttft_s": self.ttft_s, "tpot_s": self.tpot_s} if self.generation else {}),
        }

    def __repr__(self) -> str:
        return (f"Result(chip={self.chip!r}, workload={self.workload!r}, latency_s={self.latency_s:.6g}, "
                f"throughput={self.throughput:.6g} {self.throughput_unit}, energy_j={self.energy_j:.6g})")
