#!/usr/bin/env bash
# Writes the JSON result of every bundled chip x workload and every bundled system x LLM workload
# into OUTDIR, one file per run (a refused run leaves its error message instead). Diff two snapshots
# with `diff -r` to show that a change with an off switch leaves the off position byte-identical.
# Usage: tests/regression/snapshot.sh OUTDIR [extra xpusim run arguments, e.g. --wset fusion=none]
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: snapshot.sh OUTDIR [xpusim run arguments]}
shift
mkdir -p "$out"
bin=${XPUSIM:-build/xpusim}
run() {  # name, then xpusim run arguments
  local name=$1; shift
  "$bin" run "$@" --format json --out "$out/$name.json" >/dev/null 2>"$out/$name.err" || true
  [ -s "$out/$name.err" ] || rm -f "$out/$name.err"
}
for chip in configs/chips/*.yaml traces/scalesim/*.cfg; do
  c=$(basename "$chip"); c=${c%.*}
  for wl in configs/workloads/*.yaml traces/scalesim/*.csv; do
    w=$(basename "$wl"); w=${w%.*}
    case "$w" in *generation*|*server*|sdxl) continue ;; esac   # long runs: systems below
    run "$c--$w" --chip "$chip" --workload "$wl" "$@"
  done
done
for sys in configs/systems/*.yaml; do
  s=$(basename "$sys" .yaml)
  for wl in configs/workloads/llama-2-70b-decode.yaml configs/workloads/llama-2-7b-decode.yaml configs/workloads/llama-2-7b-prefill.yaml; do
    w=$(basename "$wl" .yaml)
    run "$s--$w" --system "$sys" --workload "$wl" "$@"
  done
done
run "hgx-h200-8--llama-2-70b-generation" --system configs/systems/hgx-h200-8.yaml --workload configs/workloads/llama-2-70b-generation.yaml --set system.tp=8 "$@"
run "h100--resnet50-server" --chip configs/chips/h100-sxm.yaml --workload configs/workloads/resnet50-server.yaml "$@"
run "h100--resnet50-offline" --chip configs/chips/h100-sxm.yaml --workload configs/workloads/resnet50.yaml --scenario offline "$@"
echo "snapshot: $(ls "$out"/*.json 2>/dev/null | wc -l) results, $(ls "$out"/*.err 2>/dev/null | wc -l) refusals in $out"
