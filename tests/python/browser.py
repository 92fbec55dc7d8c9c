"""Headless Chromium as a test oracle, without the DevTools protocol: `--screenshot` renders the
page, and `--enable-logging=stderr --v=0` prints every console message as a `:CONSOLE` log line
(checked against a page that logs an error on purpose, so a silent logger cannot pass a test)."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Rendered:
    pixels: np.ndarray  # H x W x channels, floats in [0, 1]
    console: list[str]  # console messages the page produced


def render(html_file: Path, png: Path, size: tuple[int, int] = (1200, 900)) -> Rendered:
    exe = chromium()
    assert exe, "chromium is not installed (.ci/setup.sh installs it)"
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--enable-logging=stderr", "--v=0", "--force-device-scale-factor=1", f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
         html_file.resolve().as_uri()],
        capture_output=True, text=True, timeout=90)
    assert png.exists(), f"no screenshot; chromium said:\n{proc.stderr[-2000:]}"
    from matplotlib import image
    console = [line for line in proc.stderr.splitlines() if re.search(r":CONSOLE(:|\()", line)]
    return Rendered(image.imread(str(png)), console)


def ink(pixels: np.ndarray) -> float:
    """Standard deviation of the grey levels: 0 for a blank page, larger the more is drawn."""
    grey = pixels[..., :3].mean(axis=2)
    return float(grey.std())
