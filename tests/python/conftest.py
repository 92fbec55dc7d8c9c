"""Shared paths and small inputs. Tests run from any directory with PYTHONPATH=python."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHIP = ROOT / "configs/chips/tpu-v4-like.yaml"
GEMM = ROOT / "configs/workloads/gemm-512.yaml"
LLAMA7 = ROOT / "configs/workloads/llama-2-7b-decode.yaml"


@pytest.fixture
def chip():
    import xpusim
    return xpusim.Chip.load(CHIP)


@pytest.fixture
def gemm():
    import xpusim
    return xpusim.Workload(GEMM)


@pytest.fixture(scope="session")
def llama_result():
    """One small LLM decode step (batch 1, short context): ops of several kinds, under a second."""
    import xpusim
    return xpusim.run(xpusim.Chip.load(CHIP), xpusim.Workload(LLAMA7, {"batch": 1, "kv_len": 128}))
