"""A sweep on a Dask LocalCluster equals the same sweep on the local process pool."""
from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

import xpusim
from conftest import CHIP, GEMM, ROOT

pytest.importorskip("distributed", reason="Debian python3-distributed (.ci/setup.sh)")


def test_dask_local_cluster_sweep_equals_local(chip, gemm, tmp_path):
    out = tmp_path / "dask.pkl"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(ROOT / "tests/python/dask_sweep.py"), str(CHIP), str(GEMM), str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "2"  # two worker processes
    dask_df = pd.read_pickle(out)
    local = xpusim.sweep(chip, {"hbm.data_rate": ["0.5 GT/s", "1 GT/s", "2.344 GT/s"], "workload.m": [64, 512]},
                         workloads=[gemm], progress=False)
    pd.testing.assert_frame_equal(dask_df, local, check_exact=True)
