"""Runs a small sweep on a Dask LocalCluster and pickles the DataFrame. A file of its own because Dask
workers are spawned processes: the code that starts the cluster must be importable and guarded."""
from __future__ import annotations

import sys

from distributed import Client, LocalCluster

import xpusim

if __name__ == "__main__":
    chip_path, workload_path, out = sys.argv[1:4]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        df = xpusim.sweep(xpusim.Chip.load(chip_path), {"hbm.data_rate": ["0.5 GT/s", "1 GT/s", "2.344 GT/s"],
                                                        "workload.m": [64, 512]},
                          workloads=[xpusim.Workload(workload_path)], executor=client.get_executor(), progress=False)
        # Which processes ran the points: proves the work left this process.
        pids = client.run(lambda: __import__("os").getpid())
    df.to_pickle(out)  # exact floats, unlike CSV through pandas
    print(len(pids))
