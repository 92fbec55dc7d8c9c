"""Side-by-side comparison of one workload on several chips or systems, as `xpusim compare` prints it."""
from __future__ import annotations

from typing import Sequence, Union

import pandas as pd

from xpusim.chip import Chip
from xpusim.run import run
from xpusim.system import System
from xpusim.workload import Workload


def compare(targets: Sequence[Union[Chip, System]], workload: Workload) -> pd.DataFrame:
    """Runs `workload` on each chip or system and returns one row per target: latency, throughput (and
    its unit), throughput per watt, energy per item, average power, the bound that takes the most time,
    and one `energy_<component>_j` column per component of any target (0 where a target has none)."""
    if not targets:
        raise ValueError("compare() needs at least one chip or system")
    rows, components = [], []
    for target in targets:
        r = run(target, workload)
        bounds = r.time_bound_fraction
        items = r.throughput * r.latency_s
        row = {
            "chip": r.chip,
            "workload": r.workload,
            "latency_s": r.latency_s,
            "throughput": r.throughput,
            "throughput_unit": r.throughput_unit,
            "throughput_per_watt": r.throughput / r.avg_power_w if r.avg_power_w > 0 else float("nan"),
            "energy_per_item_j": r.energy_j / items if items > 0 else float("nan"),
            "avg_power_w": r.avg_power_w,
            "top_bound": max(bounds, key=lambda k: bounds[k]),
        }
        for component, joules in zip(r.energy_breakdown["component"], r.energy_breakdown["energy_j"]):
            column = f"energy_{component}_j"
            row[column] = float(joules)
            if column not in components:
                components.append(column)
        rows.append(row)
    return pd.DataFrame(rows).fillna({c: 0.0 for c in components})
