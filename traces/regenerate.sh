#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates the example traces from bundled workloads (never edit them by hand).
# Usage: traces/regenerate.sh PATH/TO/xpusim
set -euo pipefail
XPUSIM=${1:?usage: traces/regenerate.sh PATH/TO/xpusim}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
"$XPUSIM" describe --workload "$ROOT/configs/workloads/gemm-512.yaml" --export-trace "$HERE/gemm-512.json" >/dev/null
"$XPUSIM" describe --workload "$ROOT/configs/workloads/resnet50.yaml" --export-trace "$HERE/resnet50.json" >/dev/null
echo "wrote $HERE/gemm-512.json and $HERE/resnet50.json"
