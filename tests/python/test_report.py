"""HTML reports: self-contained, rendered by headless Chromium with no console messages, and every
chart non-blank."""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import xpusim
from browser import chromium, ink, render
from conftest import ROOT

needs_chromium = pytest.mark.skipif(chromium() is None, reason="Debian chromium (.ci/setup.sh)")


class Links(HTMLParser):
    """Every URL the page would load (src, stylesheet links) and every chart figure id."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.charts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "src" in a:
            self.loads.append(a["src"])
        if tag == "link":
            self.loads.append(a.get("href", ""))
        if tag == "figure" and "chart" in (a.get("class") or ""):
            self.charts.append(a["id"])


def charts_of(text: str) -> dict[str, str]:
    return dict(re.findall(r'<figure class="chart" id="([^"]+)">(.*?)</figure>', text, re.S))


def check_page(html_file: Path, tmp_path: Path) -> None:
    page = render(html_file, tmp_path / (html_file.stem + ".png"), (1400, 2000))
    assert page.console == []
    assert ink(page.pixels) > 0.05


CELL_W, CELL_H, GAP, COLS = 460, 340, 20, 3


def check_each_chart(text: str, tmp_path: Path) -> int:
    """Lays every chart alone in a fixed cell of one page (one Chromium start instead of one per
    chart) and checks each cell's pixels, so a blank chart cannot hide behind a busy page."""
    charts = charts_of(text)
    cells = []
    for i, svg in enumerate(charts.values()):
        left, top = (i % COLS) * (CELL_W + GAP), (i // COLS) * (CELL_H + GAP)
        fitted = svg.replace("<svg ", '<svg style="width:100%;height:100%" ', 1)
        cells.append(f"<div style='position:absolute;left:{left}px;top:{top}px;width:{CELL_W}px;height:{CELL_H}px;"
                     f"overflow:hidden'>{fitted}</div>")
    rows = (len(charts) + COLS - 1) // COLS
    grid = tmp_path / "charts.html"
    grid.write_text("<!DOCTYPE html><html><body style='margin:0;background:#fff'>" + "".join(cells) + "</body></html>")
    shot = render(grid, tmp_path / "charts.png", (COLS * (CELL_W + GAP), rows * (CELL_H + GAP)))
    assert shot.console == []
    for i, cid in enumerate(charts):
        left, top = (i % COLS) * (CELL_W + GAP), (i // COLS) * (CELL_H + GAP)
        cell = shot.pixels[top:top + CELL_H, left:left + CELL_W]
        assert ink(cell) > 0.05, f"chart {cid} renders blank"
    return len(charts)


@needs_chromium
def test_console_check_can_fail(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><p>x</p><script>console.error('deliberate')</script></body></html>")
    assert any("deliberate" in line for line in render(bad, tmp_path / "bad.png").console)
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body style='background:#fff'></body></html>")
    assert ink(render(blank, tmp_path / "blank.png").pixels) < 0.01


@needs_chromium
def test_single_result_report_renders(llama_result, tmp_path):
    out = tmp_path / "report.html"
    text = xpusim.report(llama_result, str(out))
    links = Links()
    links.feed(text)
    assert links.loads == []  # self-contained: nothing to fetch
    assert set(links.charts) == {"r0-energy-component", "r0-energy-kind", "r0-power", "r0-time-bound", "r0-roofline"}
    assert "Slowest ops" in text and "lm_head" in text
    assert "ui.perfetto.dev" in text
    check_page(out, tmp_path)
    assert check_each_chart(text, tmp_path) == 5


@needs_chromium
def test_sweep_report_plots_each_metric_against_each_parameter(chip, gemm, tmp_path):
    df = xpusim.sweep(chip, {"hbm.data_rate": ["0.5 GT/s", "2.344 GT/s"], "workload.k": [128, 512, 1024]},
                      workloads=[gemm], progress=False)
    out = tmp_path / "sweep.html"
    text = xpusim.report(df, str(out))
    charts = charts_of(text)
    for param in ("hbm-data-rate", "workload-k"):
        for metric in ("latency_s", "throughput", "energy_j", "avg_power_w", "bound_memory"):
            assert f"sweep-{param}-{metric}" in charts
    check_page(out, tmp_path)
    check_each_chart(text, tmp_path)


def test_report_command_line_from_json_and_sweep_csv(llama_result, chip, gemm, tmp_path):
    res = tmp_path / "r.json"
    llama_result.to_json(res)
    env = {"PYTHONPATH": str(ROOT / "python")}
    out = tmp_path / "r.html"
    p = subprocess.run([sys.executable, "-m", "xpusim", "report", str(res), "--html", str(out)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert charts_of(out.read_text()).keys() == charts_of(xpusim.report(llama_result, str(tmp_path / "py.html"))).keys()
    csv = tmp_path / "s.csv"
    xpusim.sweep(chip, {"hbm.data_rate": ["1 GT/s", "2 GT/s"]}, workloads=[gemm], out=csv, progress=False)
    p = subprocess.run([sys.executable, "-m", "xpusim", "report", str(csv), "--html", str(tmp_path / "s.html")],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "sweep-hbm-data-rate-latency_s" in (tmp_path / "s.html").read_text()
    p = subprocess.run([sys.executable, "-m", "xpusim", "report", str(tmp_path / "missing.json"), "--html",
                        str(tmp_path / "m.html")], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "missing.json" in p.stderr


def test_comparison_report_shows_results_side_by_side(llama_result, chip, gemm, tmp_path):
    other = xpusim.run(chip, gemm)
    text = xpusim.report([llama_result, other], str(tmp_path / "cmp.html"))
    assert "Side by side" in text
    assert {"r0-roofline", "r1-roofline"} <= charts_of(text).keys()


@needs_chromium
def test_power_chart_shows_the_cap_and_the_clock_of_a_capped_gpu(tmp_path):
    h100 = xpusim.Chip.load(ROOT / "configs/chips/h100-sxm.yaml").set("chip.power.tdp", "350 W")
    r = xpusim.run(h100, xpusim.Workload(ROOT / "configs/workloads/llama-2-7b-prefill.yaml"))
    out = tmp_path / "capped.html"
    text = xpusim.report(r, str(out))
    charts = charts_of(text)
    assert "power cap 350 W" in charts["r0-power"] and "clock / configured" in charts["r0-power"]
    assert "(cap 350 W), clock" in text
    check_page(out, tmp_path)
    assert check_each_chart(text, tmp_path) == 5
