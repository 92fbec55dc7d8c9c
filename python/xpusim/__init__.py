"""xpusim from Python: load chips and workloads, override parameters by dotted path, run, sweep
grids on local processes or a Dask cluster, and write self-contained HTML reports.

    import xpusim
    chip = xpusim.Chip.load("configs/chips/tpu-v4-like.yaml").set("hbm.data_rate", "3.2 GT/s")
    wl = xpusim.Workload.load("configs/workloads/llama-2-70b-decode.yaml", batch=8)
    res = xpusim.run(chip, wl)
    res.ops, res.energy_breakdown          # pandas DataFrames
    df = xpusim.sweep(chip, {"hbm.data_rate": ["2 GT/s", "3.2 GT/s"]}, workloads=[wl])
    xpusim.report(res, "out.html")
    xpusim.compare([chip, xpusim.Chip.load("configs/chips/speedai240.yaml")], wl)   # side by side

    hgx = xpusim.System.load("configs/systems/hgx-h100-8.yaml").set("system.tp", 4)
    gen = xpusim.run(hgx, xpusim.Workload.load("configs/workloads/llama-2-70b-generation.yaml"))
    gen.ttft_s, gen.tpot_s, gen.tokens_per_s, gen.energy_breakdown
    xpusim.sweep(hgx, {"system.tp": [4, 8], "system.collective": ["ring", "auto"]}, workloads=[...])
"""
from __future__ import annotations

from xpusim._native import ConfigError, core
from xpusim.chip import Chip
from xpusim.compare import compare
from xpusim.result import Result
from xpusim.run import run
from xpusim.sweep import WORKLOAD_PREFIX, expand_grid, sweep
from xpusim.system import System
from xpusim.workload import Workload


def types() -> list[str]:
    """Every component model type a chip config may name (`memory/dram`, `compute/systolic`, ...)."""
    return core.types()


def describe_type(type_name: str) -> dict:
    """Doc line and parameter schema of a model type: {type, doc, fields: [{key, kind, doc, default,
    required}]}. Raises ConfigError for an unknown type, with a did-you-mean."""
    return core.describe_type(type_name)


def to_si(text: str) -> tuple[float, str]:
    """("8 TB/s") -> (8e12, "B/s"). Raises ConfigError when `text` is not a quantity with a unit."""
    return core.to_si(text)


def report(results: object, path: str, title: str | None = None) -> str:
    """Writes a self-contained HTML report; see xpusim.report_html.write_report."""
    from xpusim.report_html import write_report
    return write_report(results, path, title=title)


__all__ = ["Chip", "ConfigError", "Result", "System", "WORKLOAD_PREFIX", "Workload", "compare", "describe_type", "expand_grid",
           "report", "run", "sweep", "to_si", "types"]
