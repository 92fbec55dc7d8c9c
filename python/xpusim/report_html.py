"""One self-contained HTML file (inline SVG, inline CSS, no scripts, no network) for a result, a
comparison of results, or a sweep DataFrame."""
from __future__ import annotations

import html
import os
from typing import Any, Optional, Sequence, Union

import pandas as pd

from xpusim import _charts
from xpusim.result import METRICS, SYSTEM_METRICS, Result

CSS = """
body{font-family:sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1.5em}
figure.chart{margin:0.5em 0}figure.chart svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:0.85em}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:0.9em}.err{color:#b00}
"""

PERFETTO_NOTE = ("Timeline: run <code>xpusim run ... --trace trace.json</code> (or <code>xpusim.run(..., "
                 "trace=True)</code>) and open the file at <a href=\"https://ui.perfetto.dev\">ui.perfetto.dev</a> "
                 "(\"Open trace file\"); the trace is loaded in the browser and not uploaded. "
                 "<code>chrome://tracing</code> reads it too.")

Reportable = Union[Result, dict, str, "os.PathLike[str]", Sequence[Any], pd.DataFrame]


def write_report(results: Reportable, path: Union[str, "os.PathLike[str]"], title: Optional[str] = None) -> str:
    """Writes the report to `path` and returns its HTML. `results`: a Result (or its dict, or a JSON
    file), a list of them (shown side by side), or a DataFrame from xpusim.sweep."""
    if isinstance(results, pd.DataFrame):
        body = _sweep_section(results)
        title = title or "xpusim sweep"
    else:
        items = results if isinstance(results, (list, tuple)) else [results]
        rs = [_as_result(r) for r in items]
        if not rs:
            raise ValueError("report() needs at least one result")
        title = title or "xpusim: " + " vs ".join(f"{r.workload} on {r.chip}" for r in rs)
        body = _comparison(rs) + '<div class="cols">' + "".join(_result_section(r, i) for i, r in enumerate(rs)) + "</div>"
    text = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>\n{body}\n"
            f"<p class=\"note\">{PERFETTO_NOTE}</p></body></html>\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text


def _as_result(r: Any) -> Result:
    if isinstance(r, Result):
        return r
    if isinstance(r, dict):
        return Result(r)
    return Result.from_json(r)


def _figure(chart_id: str, svg_text: Optional[str]) -> str:
    return f'<figure class="chart" id="{chart_id}">{svg_text}</figure>' if svg_text else ""


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, border=0, float_format=lambda v: f"{v:.4g}", escape=True)


def _summary(r: Result) -> pd.DataFrame:
    tb = r.time_bound_fraction
    rows = [("chip", r.chip), ("workload", r.workload), ("latency", f"{r.latency_s * 1e3:.4g} ms"),
            ("throughput", f"{r.throughput:.4g} {r.throughput_unit}"), ("energy", f"{r.energy_j:.4g} J"),
            ("average power", f"{r.avg_power_w:.4g} W"
             + (f" (cap {r.power_cap_w:.4g} W)" if r.power_cap_w else "")
             + (f", clock {r.avg_clock_ratio:.3g} x configured" if r.avg_clock_ratio else "")),
            ("time bound", ", ".join(f"{k} {v:.1%}" for k, v in tb.items()))]
    return pd.DataFrame(rows, columns=["", "value"])


def _comparison(rs: list[Result]) -> str:
    if len(rs) < 2:
        return ""
    df = pd.DataFrame([{"chip": r.chip, "workload": r.workload, **r.metrics()} for r in rs])
    return "<h2>Side by side</h2>" + _table(df)


def _slowest(r: Result, n: int = 15) -> pd.DataFrame:
    ops = r.ops
    if ops.empty:
        return ops
    top = ops.sort_values("duration_s", ascending=False).head(n)
    return pd.DataFrame({
        "op": top["name"], "kind": top["kind"], "unit": top["unit"],
        "time (us)": top["duration_s"] * 1e6,
        "share": (top["duration_s"] / r.latency_s).map(lambda v: f"{v:.1%}") if r.latency_s > 0 else "",
        "bound": top["bound"],
        "roofline (us)": top["roofline_s"] * 1e6,
        "of roofline": (top["roofline_s"] / top["duration_s"]).map(lambda v: f"{v:.0%}"),
        "energy (mJ)": top["energy_j"] * 1e3,
    })


def _result_section(r: Result, i: int) -> str:
    p = f"r{i}-"
    parts = [f"<section><h2>{html.escape(r.workload)} on {html.escape(r.chip)}</h2>", _table(_summary(r))]
    parts.append(_figure(p + "energy-component", _charts.energy_by_component(r, p + "energy-component")))
    if r.ops.empty:
        parts.append('<p class="note">No ops.</p></section>')
        return "".join(parts)
    parts.append(_figure(p + "energy-kind", _charts.energy_by_kind(r, p + "energy-kind")))
    parts.append(_figure(p + "power", _charts.power_over_time(r, p + "power")))
    parts.append(_figure(p + "time-bound", _charts.time_bound(r, p + "time-bound")))
    parts.append(_figure(p + "roofline", _charts.roofline(r, p + "roofline")))
    parts.append("<h3>Slowest ops</h3>" + _table(_slowest(r)))
    parts.append("</section>")
    return "".join(parts)


def swept_parameters(df: pd.DataFrame) -> list[str]:
    """Columns of a sweep DataFrame that are grid paths: all but chip (or system), workload, metrics and error."""
    fixed = {"chip", "system", "workload", "error", *METRICS, *SYSTEM_METRICS}
    return [c for c in df.columns if c not in fixed]


def _sweep_section(df: pd.DataFrame) -> str:
    params = swept_parameters(df)
    if "workload" in df.columns and df["workload"].nunique() > 1:
        params = params + ["workload"]  # several workloads: one line each
    errors = df[df["error"].fillna("") != ""]
    parts = [f"<p>{len(df)} points, {len(errors)} failed. Swept: "
             + ", ".join(f"<code>{html.escape(p)}</code>" for p in params) + ".</p>"]
    metrics = ["latency_s", "throughput", "energy_j", "avg_power_w", "bound_memory"]
    for param in [p for p in params if p != "workload"]:
        others = [o for o in params if o != param]
        parts.append(f"<h2>Metrics vs {html.escape(param)}</h2><div class=\"cols\">")
        for m in metrics:
            cid = f"sweep-{_slug(param)}-{m}"
            parts.append(_figure(cid, _charts.sweep_metric(df, param, m, others, cid)))
        parts.append("</div>")
    if len(errors):
        parts.append("<h2 class=\"err\">Failed points</h2>" + _table(errors[params + ["error"]]))
    parts.append("<h2>All points</h2>" + _table(df))
    return "".join(parts)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)
