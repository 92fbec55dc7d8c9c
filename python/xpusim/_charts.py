"""Matplotlib charts rendered to inline SVG text, for the self-contained HTML report."""
from __future__ import annotations

import io
import math
from typing import Any, Optional

import matplotlib

matplotlib.use("Agg")  # no display; also keeps worker processes and CI free of GUI back ends
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from xpusim.result import Result  # noqa: E402


def svg(fig: "plt.Figure", chart_id: str) -> str:
    """The figure as an <svg> element. Text stays text (small, selectable); the hash salt makes
    internal ids unique per chart and the output deterministic."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


#: Breakdown entries that are power drawn whatever runs: the chip's active idle (or uncore static
#: power) and a scenario's idle time between steps.
STATIC_ENTRIES = ("active_idle", "uncore", "idle")


def _is_static(component: str) -> bool:
    return component.rsplit(".", 1)[-1] in STATIC_ENTRIES


def energy_by_component(r: Result, chart_id: str) -> str:
    df = r.energy_breakdown
    fig, ax = plt.subplots(figsize=(6, 0.45 * max(len(df), 2) + 1))
    static = [_is_static(c) for c in df["component"]]
    ax.barh(df["component"], df["energy_j"] * 1e3, color=["#8c8c8c" if s else "#4c72b0" for s in static])
    ax.invert_yaxis()
    ax.set_xlabel("energy (mJ); grey: static and idle power")
    ax.set_title("Energy per component")
    for y, (e, s) in enumerate(zip(df["energy_j"], df["share"])):
        ax.text(e * 1e3, y, f" {s:.1%}", va="center", fontsize=8)
    return svg(fig, chart_id)


def energy_by_kind(r: Result, chart_id: str) -> str:
    ops = r.ops
    by_kind = ops.groupby("kind")["energy_j"].sum().sort_values(ascending=False)
    fig, ax = plt.subplots(figsize=(6, 0.45 * max(len(by_kind), 2) + 1))
    ax.barh(by_kind.index, by_kind.values * 1e3, color="#dd8452")
    ax.invert_yaxis()
    total = by_kind.sum()
    for y, e in enumerate(by_kind.values):
        ax.text(e * 1e3, y, f" {e / total:.2%}" if total > 0 else "", va="center", fontsize=8)
    ax.set_xlabel("dynamic energy (mJ); static power is not attributed to ops")
    ax.set_title("Energy per op kind")
    return svg(fig, chart_id)


def power_over_time(r: Result, chart_id: str) -> Optional[str]:
    """Board power over the run: each op's dynamic energy spread over its interval (summed where ops
    overlap) on top of the static power, and the clock the power cap left each op."""
    ops = r.ops
    if ops.empty or r.latency_s <= 0:
        return None
    edges = sorted([(s, e / d) for s, e, d in zip(ops["start_s"], ops["energy_j"], ops["duration_s"]) if d > 0] +
                   [(s + d, -e / d) for s, e, d in zip(ops["start_s"], ops["energy_j"], ops["duration_s"]) if d > 0])
    if not edges:
        return None
    # One step of a scenario stands for many: its ops are not the run's, so no static share is drawn.
    scenario = bool(r.to_dict().get("scenario"))
    static_w = 0.0 if scenario else max(0.0, (r.energy_j - float(ops["energy_j"].sum())) / r.latency_s)
    times, watts, level = [0.0], [static_w], static_w
    for t, dw in edges:
        level += dw
        times.append(t)
        watts.append(max(level, static_w))
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.step(np.array(times) * 1e3, watts, where="post", color="#c44e52", label="board power")
    if static_w > 0:
        ax.axhline(static_w, color="#8c8c8c", linestyle="--", linewidth=1, label="static / active idle")
    cap = r.power_cap_w
    if cap:
        ax.axhline(cap, color="#000000", linestyle=":", linewidth=1, label=f"power cap {cap:.4g} W")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("W")
    ax.set_ylim(bottom=0)
    if "clock_ratio" in ops:
        clock = ax.twinx()
        clock.step(ops["start_s"] * 1e3, ops["clock_ratio"], where="post", color="#4c72b0", linewidth=0.8, label="clock ratio")
        clock.set_ylabel("clock / configured")
        clock.set_ylim(0, max(1.2, float(ops["clock_ratio"].max()) * 1.1))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Power over time" + (" (one step of the scenario, dynamic power)" if scenario else ""))
    return svg(fig, chart_id)


def time_bound(r: Result, chart_id: str) -> str:
    ops = r.ops
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3))
    tb = r.time_bound_fraction
    names = ["compute", "memory", "interconnect"]
    left.bar(names, [tb.get(n, 0.0) * 100 for n in names], color=["#55a868", "#c44e52", "#8172b2"])
    left.set_ylabel("% of op time")
    left.set_ylim(0, 100)
    left.set_title("What bounds the ops")
    pivot = ops.pivot_table(index="kind", columns="bound", values="duration_s", aggfunc="sum", fill_value=0.0)
    pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=True).index]
    colors = {"compute": "#55a868", "memory": "#c44e52", "interconnect": "#8172b2"}
    base = np.zeros(len(pivot))
    for col in pivot.columns:
        right.barh(pivot.index, pivot[col] * 1e3, left=base, label=col, color=colors.get(col, "#999999"))
        base += pivot[col].to_numpy() * 1e3
    right.set_xlabel("op time (ms)")
    right.set_title("Op time per kind, by bound")
    right.legend(fontsize=8)
    fig.tight_layout()
    return svg(fig, chart_id)


def roofline(r: Result, chart_id: str) -> Optional[str]:
    """Each op at (FLOP per off-chip byte, achieved FLOP/s) under the chip's ceilings. Ops with no
    off-chip bytes or no FLOPs have no place on a log-log plot and are counted in the title."""
    ops = r.ops
    ceil = r.roofline
    pts = ops[(ops["flops"] > 0) & (ops["bytes"] > 0) & (ops["duration_s"] > 0)]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for kind, g in pts.groupby("kind"):
        ax.scatter(g["intensity"], g["achieved_flops_per_s"], s=14, alpha=0.7, label=kind)
    if len(pts):
        lo, hi = pts["intensity"].min() / 4, pts["intensity"].max() * 4
    else:
        lo, hi = 0.1, 1000.0
    bw = ceil.get("peak_bandwidth_bytes_per_s", 0.0)
    peaks = ceil.get("peak_flops_per_s", {})
    if bw > 0 and peaks:
        top = max(peaks.values())
        lo = min(lo, top / bw / 100)
        hi = max(hi, top / bw * 10)
    x = np.logspace(math.log10(lo), math.log10(hi), 200)
    if bw > 0:
        ax.plot(x, bw * x, "k--", lw=1, label=f"memory {bw / 1e9:.0f} GB/s")
    for name, peak in peaks.items():
        y = np.minimum(peak, bw * x) if bw > 0 else np.full_like(x, peak)
        ax.plot(x, y, lw=1.5, label=f"{name} {peak / 1e12:.3g} TFLOP/s")
    if not peaks:
        ax.text(0.02, 0.02, "ceilings not in this result (JSON from an older xpusim)", transform=ax.transAxes)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP / off-chip byte)")
    ax.set_ylabel("achieved FLOP/s")
    skipped = len(ops) - len(pts)
    ax.set_title(f"Roofline: {len(pts)} ops" + (f" ({skipped} without FLOPs or off-chip bytes not shown)" if skipped else ""))
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(True, which="major", alpha=0.3)
    return svg(fig, chart_id)


def sweep_metric(df: pd.DataFrame, param: str, metric: str, others: list[str], chart_id: str) -> str:
    """`metric` against `param`, one line per combination of the other swept parameters."""
    from xpusim import to_si
    ok = df[df["error"].fillna("") == ""]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    xs = ok[param].map(lambda v: _numeric(v, to_si))
    numeric = xs.notna().all()
    if not others:
        groups: Any = [((), ok)]
    else:
        groups = ok.groupby(others[0] if len(others) == 1 else others, sort=False)
    n = 0
    for key, g in groups:
        n += 1
        if n > 12:
            break  # more lines than a reader can tell apart; the table has the rest
        label = ", ".join(f"{o}={v}" for o, v in zip(others, key if isinstance(key, tuple) else (key,)))
        if numeric:
            gx = xs[g.index]
            order = np.argsort(gx.to_numpy())
            ax.plot(gx.to_numpy()[order], g[metric].to_numpy()[order], marker="o", ms=3, label=label or None)
        else:
            ax.plot(g[param].astype(str), g[metric], marker="o", ms=3, label=label or None)
    unit = _unit(ok[param].iloc[0], to_si) if numeric and len(ok) else ""
    ax.set_xlabel(param + (f" ({unit})" if unit else ""))
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} vs {param}")
    if others and n > 1:
        ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    return svg(fig, chart_id)


def _numeric(v: object, to_si: object) -> Optional[float]:
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        return float(v)
    try:
        return to_si(str(v))[0]  # type: ignore[operator]
    except ValueError:
        return None


def _unit(v: object, to_si: object) -> str:
    try:
        return to_si(str(v))[1]  # type: ignore[operator]
    except ValueError:
        return ""
