#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Success paths of the xpusim CLI: list, validate (and replaying its resolved config), run in every
# format with --out/--trace, --set reaching a parameter, SCALE-Sim .cfg chips, and the bundled chip
# configs. Usage: cli_run_test.sh XPUSIM_BINARY SOURCE_DIR
set -u
XPUSIM=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
FIX="$SRC/tests/cli/fixtures"
CHIP="$FIX/toy_chip.yaml"
WL="$FIX/two_gemms.csv"

# json_check FILE PYTHON_EXPR: FILE parses as strict JSON and the expression (over `d`) is true.
json_check() {
  if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; then
    ok
  else
    fail "JSON check failed on $1: $2"
  fi
}

# --- help ---
for cmd in "" run validate list; do
  xp $cmd --help
  expect_code 0
  expect_out "Usage: xpusim"
done
xp run --help
expect_out "--set PATH=VALUE"
xp help validate
expect_code 0
expect_out "Usage: xpusim validate"

# --- list: every registered type with its parameters ---
xp list
expect_code 0
for t in memory/dram memory/sram compute/systolic compute/vector; do expect_out "$t - "; done
expect_out "  key "
expect_out "bus_width_bits"
expect_out "(required)"
xp list memory/sram
expect_code 0
expect_out "port_width"
if grep -qF "memory/dram" "$WORK/out"; then fail "list memory/sram also listed memory/dram"; else ok; fi
xp list memory/dran
expect_bad_input "unknown model type 'memory/dran' (did you mean 'memory/dram'?)"

# --- validate: a chip, its resolved config replayed, and workloads ---
xp validate "$CHIP"
expect_code 0
expect_out "ok: toy, 4 components"
expect_out "lane_op_energy: 0 J"  # a default, filled in
# The resolved config (base: file expanded, defaults filled) must describe the same chip.
tail -n +2 "$WORK/out" >"$WORK/resolved.yaml"  # after the "ok:" line
xp validate "$WORK/resolved.yaml"
expect_code 0
if diff -q "$WORK/resolved.yaml" <(tail -n +2 "$WORK/out") >/dev/null; then ok; else fail "resolved config is not a fixed point"; fi
xp validate "$CHIP" --set mxu.rows=64 --set chip.name=toy64
expect_code 0
expect_out "ok: toy64, 4 components"
expect_out "rows: 64"
xp validate "$WL"
expect_code 0
expect_out "ok: two_gemms, 2 ops, 8.389 MFLOP"
xp validate "$FIX/gemm.yaml" --wset m=512
expect_code 0
expect_out "1 ops, 67.11 MFLOP"

# --- run: table, json, csv; determinism; --out and --trace ---
xp run --chip "$CHIP" --workload "$WL"
expect_code 0
for s in "chip        toy" "latency " "throughput " "energy breakdown" "time bound" "slowest ops (2 of 2)" "fc1" "fc2"; do
  expect_out "$s"
done
xp run --chip "$CHIP" --workload "$WL" --format json
expect_code 0
cp "$WORK/out" "$WORK/stdout.json"
json_check "$WORK/stdout.json" "set(['latency_s','throughput','energy_j','avg_power_w','energy_breakdown_j','time_bound_fraction','ops']) <= set(d) and d['latency_s'] > 0 and len(d['ops']) == 2"
json_check "$WORK/stdout.json" "all(o['end_s'] - o['start_s'] >= o['roofline_s'] * (1 - 1e-9) for o in d['ops'])"
json_check "$WORK/stdout.json" "abs(sum(d['energy_breakdown_j'].values()) - d['energy_j']) <= 1e-9 * d['energy_j']"
xp run --chip "$CHIP" --workload "$WL" --format json --out "$WORK/r.json" --trace "$WORK/r.trace.json"
expect_code 0
if [ -s "$WORK/out" ]; then fail "stdout not empty with --out"; else ok; fi
if cmp -s "$WORK/r.json" "$WORK/stdout.json"; then ok; else fail "--out differs from stdout, or runs differ"; fi
json_check "$WORK/r.trace.json" "any(e['ph'] == 'X' for e in d['traceEvents']) and any(e.get('name') == 'thread_name' for e in d['traceEvents'])"
if ls -a "$WORK" | grep -q '\.tmp-'; then fail "temporary files left after a successful run"; else ok; fi
# An existing output is replaced whole.
echo "old content that is longer than nothing" >"$WORK/r.csv"
xp run --chip "$CHIP" --workload "$WL" --format csv --out "$WORK/r.csv"
expect_code 0
if [ "$(head -1 "$WORK/r.csv")" = "name,kind,unit,dataflow,start_s,end_s,flops,bytes,bound,compute_cycles,energy_j,roofline_s,dequant_ops,dequant_s" ] &&
  [ "$(wc -l <"$WORK/r.csv")" -eq 3 ]; then ok; else fail "CSV output: header + 2 rows expected"; fi

# --- --set reaches model parameters: a 4x smaller array needs more compute cycles ---
xp run --chip "$CHIP" --workload "$WL" --format json --set mxu.rows=16 --set components.mxu.cols=16
expect_code 0
cp "$WORK/out" "$WORK/small.json"
if python3 - "$WORK/stdout.json" "$WORK/small.json" <<'EOF'; then ok; else fail "--set mxu.rows/cols did not slow the GEMMs"; fi
import json, sys
big, small = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if all(s["compute_cycles"] > b["compute_cycles"] for b, s in zip(big["ops"], small["ops"])) else 1)
EOF

# --- SCALE-Sim inputs unchanged: a .cfg chip and a topology CSV ---
xp validate "$FIX/small.cfg"
expect_code 0
expect_out "ok: cli_small"
xp run --chip "$FIX/small.cfg" --workload "$WL" --format json --set systolic_array.rows=8
expect_code 0
expect_out "\"chip\": \"cli_small\""

# --- scenarios: a server run with its constraint, byte-identical per seed, validate shows the block ---
SC="$SRC/configs/workloads/resnet50-server.yaml"
H100="$SRC/configs/chips/h100-sxm.yaml"
xp run --chip "$H100" --workload "$SC" --set scenario.queries=300
expect_code 0
for s in "scenario    server, dynamic batching, 300 queries at 2e+04 qps" "query p99" "<= 15 ms: met" "simulated steps" "chip        h100-sxm"; do
  expect_out "$s"
done
xp run --chip "$H100" --workload "$SC" --set scenario.queries=300 --format json --out "$WORK/sc_a.json"
expect_code 0
xp run --chip "$H100" --workload "$SC" --set scenario.queries=300 --format json --out "$WORK/sc_b.json"
if cmp -s "$WORK/sc_a.json" "$WORK/sc_b.json"; then ok; else fail "same seed, different scenario output"; fi
json_check "$WORK/sc_a.json" "d['scenario']['kind'] == 'server' and d['scenario']['met'] is True and d['scenario']['latency']['query']['count'] == 300"
xp run --chip "$H100" --workload "$SC" --set scenario.queries=300 --set scenario.seed=2 --format json --out "$WORK/sc_c.json"
if cmp -s "$WORK/sc_a.json" "$WORK/sc_c.json"; then fail "another seed gave the same scenario output"; else ok; fi
xp run --chip "$H100" --workload "$SC" --scenario single_stream --set scenario.queries=10 --format json --out "$WORK/sc_s.json"
xp run --chip "$H100" --workload "$SRC/configs/workloads/resnet50.yaml" --format json --out "$WORK/one.json"
if python3 -c "import json,sys; s=json.load(open(sys.argv[1])); o=json.load(open(sys.argv[2])); sys.exit(0 if s['latency_s'] == o['latency_s'] == s['scenario']['latency']['query']['p90_s'] else 1)" "$WORK/sc_s.json" "$WORK/one.json"; then ok; else fail "single-stream p90 differs from the batch-1 latency"; fi
xp run --chip "$H100" --workload "$SC" --scenario none --format json --out "$WORK/sc_none.json"
json_check "$WORK/sc_none.json" "'scenario' not in d"
xp list scenario
expect_code 0
expect_out "max_wait            time"
xp validate "$SC"
expect_code 0
expect_out "scenario: server, 10000 queries at 20000 qps, seed 1"
xp validate "$SRC/configs/workloads/llama-2-70b-server.yaml"
expect_code 0
expect_out "ok: generation of llama-2-70b"
expect_out "scenario: server, 1000 queries at 8 qps"

# --- compare: one workload on two chips, side by side ---
xp compare --chips "$SRC/configs/chips/tpu-v4-like.yaml,$SRC/configs/chips/tpu-v5e-like.yaml" --workload "$FIX/gemm.yaml"
expect_code 0
expect_out "tpu-v4-like"
expect_out "tpu-v5e-like"
xp compare --chips "$SRC/configs/chips/tpu-v4-like.yaml" --workload "$FIX/gemm.yaml" --format xml
expect_code 2

# --- report: the HTML report of a JSON result (written by the Python package, when it is built) ---
if compgen -G "$SRC/python/xpusim/_core*.so" >/dev/null; then
  xp run --chip "$CHIP" --workload "$WL" --format json --out "$WORK/report_in.json"
  expect_code 0
  xp report "$WORK/report_in.json" --html "$WORK/report.html"
  expect_code 0
  if grep -q "<svg\|<img" "$WORK/report.html"; then ok; else fail "report has no chart"; fi
  xp report "$WORK/missing.json" --html "$WORK/report2.html"
  expect_code 2
else
  echo "skipped: xpusim report checks (the Python module is not built in this tree)"
fi

# --- every bundled chip validates and runs ---
for chip in "$SRC"/configs/chips/*.yaml; do
  [ -e "$chip" ] || continue
  xp validate "$chip"
  expect_code 0
  expect_out "ok: "
  xp run --chip "$chip" --workload "$FIX/gemm.yaml" --wset dtype=int8  # int8 runs on int8 and wider arrays
  expect_code 0
  expect_out "slowest ops (1 of 1)"
done

# --- a whole generation on one chip (the system path with a one-chip system), and in compare ---
cat > "$WORK/gen.yaml" <<EOF
workload: {type: generation, model: $SRC/configs/models/llama-2-7b.json, batch: 4, prompt_len: 128, output_len: 16}
EOF
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$WORK/gen.yaml"
expect_code 0
expect_out "generation llama-2-7b on h100-sxm (tp=1 pp=1"
expect_out "TTFT"
xp compare --chips "$SRC/configs/chips/h100-sxm.yaml,$SRC/configs/chips/h200-sxm.yaml" --workload "$WORK/gen.yaml"
expect_code 0
expect_out "tokens/s"
expect_out "h200-sxm"

# --- compression what-ifs: recorded in every output form, on chips and systems ---
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$FIX/gemm.yaml" --compress weight_dtype=int4,sparsity=2:4 --format json --out "$WORK/c.json"
expect_code 0
json_check "$WORK/c.json" "d['compression'] == 'weight_dtype=int4,sparsity=2:4' and d['ops'][0]['dequant_ops'] > 0 and d['ops'][0]['dequant_s'] > 0"
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$FIX/gemm.yaml" --compress activation_dtype=fp8
expect_code 0
expect_out "compression  activation_dtype=fp8"
xp run --system "$SRC/configs/systems/hgx-h100-8.yaml" --set system.tp=8 --workload "$SRC/configs/workloads/llama-2-7b-decode.yaml" --wset kv_len=128 --compress weight_dtype=fp8 --format json --out "$WORK/s.json"
expect_code 0
json_check "$WORK/s.json" "d['compression'] == 'weight_dtype=fp8' and any(o['dequant_ops'] > 0 for o in d['ops'])"
xp describe --workload "$SRC/configs/workloads/llama-2-7b-decode.yaml" --compress sparsity=unstructured,density=0.25 --rows 1
expect_code 0
expect_out "compression:       sparsity=unstructured,density=0.25,seed=1"

# --- describe: totals, SDXL stages, JSON, and a trace exported and read back ---
xp describe --workload "$SRC/configs/workloads/sdxl.yaml" --rows 3
expect_code 0
expect_out "matrix parameters: 3.331 G"
expect_out "step                20"
expect_out "... 38080 more ops"
xp describe --workload "$SRC/configs/workloads/resnet50.yaml" --wset batch=2 --format json --export-trace "$WORK/r50.json"
expect_code 0
expect_out '"items": 2'
expect_out '"op_table": ['
xp describe --workload "$WORK/r50.json" --format json
expect_code 0
expect_out '"name": "resnet50"'
expect_out '"parameters": 25502912'

finish
