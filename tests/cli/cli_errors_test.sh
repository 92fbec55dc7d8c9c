#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input to the xpusim CLI: every case exits 2 with "xpusim: error: ..." naming the problem, prints
# nothing on stdout and leaves no output file. Usage: cli_errors_test.sh XPUSIM_BINARY SOURCE_DIR
set -u
XPUSIM=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
FIX="$SRC/tests/cli/fixtures"
WL="$FIX/two_gemms.csv"

# --- command line ---
xp
expect_bad_input "missing command"
xp runn --chip x
expect_bad_input "unknown command 'runn' (did you mean 'run'?)"
xp --chp x
expect_bad_input "unknown option '--chp' before a command"
xp run --chp "$FIX/toy_chip.yaml" --workload "$WL"
expect_bad_input "unknown option '--chp' for 'run' (did you mean '--chip'?)"
expect_err "Run 'xpusim run --help' for usage."
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --formt json
expect_bad_input "(did you mean '--format'?)"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --format jsno
expect_bad_input "--format expects table, json or csv, got 'jsno' (did you mean 'json'?)"
xp run --chip "$FIX/toy_chip.yaml" --workload
expect_bad_input "option '--workload' needs a value"
xp run --workload "$WL"
expect_bad_input "missing --chip FILE"
xp run --chip "$FIX/toy_chip.yaml" --chip "$FIX/toy_chip.yaml" --workload "$WL"
expect_bad_input "option '--chip' given more than once"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" extra.txt
expect_bad_input "unexpected argument 'extra.txt'"
xp run --chip "$WORK/nope.yaml" --workload "$WL"
expect_bad_input "chip file '$WORK/nope.yaml' does not exist"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WORK/nope.csv"
expect_bad_input "workload file '$WORK/nope.csv' does not exist"
xp run --chip "$FIX" --workload "$WL"
expect_bad_input "is not a regular file"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --out "$WORK/no/such/dir/r.json"
expect_bad_input "--out '$WORK/no/such/dir/r.json': directory '$WORK/no/such/dir' does not exist"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --out "$WORK/same.json" --trace "$WORK/same.json"
expect_bad_input "--out and --trace would go to the same file '$WORK/same.json'"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --out "$WORK/same.json" --trace "$WORK/./same.json"
expect_bad_input "--out and --trace would go to the same file"
expect_no_file "$WORK/same.json"
xp validate
expect_bad_input "missing FILE to validate"
xp validate "$FIX/toy_chip.yaml" --wset batch=2
expect_bad_input "--wset applies to workloads"
xp list --verbose
expect_bad_input "unknown option '--verbose' for 'list'"

# --- overrides ---
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --set dram --out "$WORK/r1.json"
expect_bad_input "--set 'dram': expects PATH=VALUE"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --wset =8
expect_bad_input "--wset '=8': expects KEY=VALUE"
expect_no_file "$WORK/r1.json"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --set drma.channels=4 --out "$WORK/r2.json"
expect_bad_input "no element named 'drma' under 'components' (did you mean 'dram'?)"
expect_no_file "$WORK/r2.json"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --set chip.nmae=x --out "$WORK/r3.json"
expect_bad_input "chip: unknown key 'nmae' (did you mean 'name'?)"
expect_no_file "$WORK/r3.json"
xp validate "$FIX/toy_chip.yaml" --set sram.clock="3.35 TB"
expect_bad_input "--set components.sram.clock: sram (memory/sram): 'clock' expects a frequency like \"1.755 GHz\", got \"3.35 TB\""
xp validate "$FIX/toy_chip.yaml" --set sram.bandwdith="3.35 TB/s"
expect_bad_input "sram (memory/sram): unknown key 'bandwdith'"
xp run --chip "$FIX/toy_chip.yaml" --workload "$FIX/gemm.yaml" --wset m=0 --out "$WORK/m0.json"
expect_bad_input "'m' must be at least 1"
expect_no_file "$WORK/m0.json"

# --- scenarios: bad kinds and keys name where they are, with a did-you-mean ---
SC="$SRC/configs/workloads/resnet50-server.yaml"
CHIP_H100="$SRC/configs/chips/h100-sxm.yaml"
xp run --chip "$CHIP_H100" --workload "$FIX/bad_scenario.yaml" --out "$WORK/sc1.json"
expect_bad_input "bad_scenario.yaml:10:3: scenario: unknown key 'max_wiat' (did you mean 'max_wait'?)"
expect_no_file "$WORK/sc1.json"
xp validate "$FIX/bad_scenario.yaml"
expect_bad_input "bad_scenario.yaml:10:3"
xp run --chip "$CHIP_H100" --workload "$SC" --scenario sever
expect_bad_input "--scenario expects offline, server, single_stream, multi_stream, none or a scenario YAML file, got 'sever' (did you mean 'server'?)"
xp run --chip "$CHIP_H100" --workload "$SC" --set scenario.qsp=5 --out "$WORK/sc2.json"
expect_bad_input "--set scenario.qsp: scenario: unknown key 'qsp' (did you mean 'qps'?)"
expect_no_file "$WORK/sc2.json"
xp run --chip "$CHIP_H100" --workload "$SC" --set scenario.max_wait=2
expect_bad_input "'max_wait' expects a time"
xp run --chip "$CHIP_H100" --workload "$FIX/gemm.yaml" --set scenario.qps=5
expect_bad_input "there is no scenario to set"
xp run --chip "$CHIP_H100" --workload "$FIX/gemm.yaml" --scenario server
expect_bad_input "scenario (server): missing required key 'qps'"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --scenario offline
expect_bad_input "has no batch size to vary; set max_batch: 1"
xp run --system "$SRC/configs/systems/hgx-h100-8.yaml" --workload "$SC"
expect_bad_input "only LLM generation workloads (type: generation) run on a --system"

# --- a failed run never replaces or truncates an existing output ---
echo "previous result" >"$WORK/keep.json"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --set drma.channels=4 --out "$WORK/keep.json" --trace "$WORK/keep.trace"
expect_code 2
if [ "$(cat "$WORK/keep.json")" = "previous result" ]; then ok; else fail "--out file changed by a failed run"; fi
expect_no_file "$WORK/keep.trace"

# --- config error fixtures: each names its expected messages in '# expect:' lines ---
for f in "$SRC"/tests/config_errors/*.yaml; do
  mapfile -t expected < <(sed -n 's/^# expect: //p' "$f")
  if [ ${#expected[@]} -eq 0 ]; then
    last_cmd="(fixture $f)"; code=0; : >"$WORK/out"; : >"$WORK/err"
    fail "fixture has no '# expect:' line"
    continue
  fi
  xp validate "$f"
  for e in "${expected[@]}"; do expect_bad_input "$e"; done
  out="$WORK/$(basename "$f" .yaml).json"
  xp run --chip "$f" --workload "$WL" --format json --out "$out" --trace "$out.trace"
  for e in "${expected[@]}"; do expect_bad_input "$e"; done
  expect_no_file "$out"
  expect_no_file "$out.trace"
done

# --- --compress: bad keys and values are bad input, with a did-you-mean ---
xp run --chip "$FIX/toy_chip.yaml" --workload "$FIX/gemm.yaml" --compress sparsty=2:4 --out "$WORK/c1.json"
expect_bad_input "unknown key 'sparsty' (did you mean 'sparsity'?)"
expect_no_file "$WORK/c1.json"
xp run --chip "$FIX/toy_chip.yaml" --workload "$FIX/gemm.yaml" --compress weight_dtype
expect_bad_input "expects KEY=VALUE"
expect_err "Run 'xpusim run --help'"
xp run --chip "$FIX/toy_chip.yaml" --workload "$FIX/gemm.yaml" --compress sparsity=unstructured,density=1.5
expect_bad_input "'density' must be in (0, 1], got 1.5"
xp run --chip "$FIX/toy_chip.yaml" --workload "$FIX/gemm.yaml" --compress weight_dtype=int3
expect_bad_input "'weight_dtype' expects one of"
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$FIX/gemm.yaml" --compress codec_ratio=2
expect_bad_input "no decoder at its memory interface"
xp describe --workload "$FIX/gemm.yaml" --compress sparsity=2:4,seed=3
expect_bad_input "'seed' applies only with sparsity=unstructured"

# --- fusion policies: a bad value names where it came from, with a did-you-mean ---
xp run --chip "$FIX/toy_chip.yaml" --workload "$FIX/gemm.yaml" --wset fusion=ful
expect_bad_input "--wset fusion=ful: fusion must be one of none, epilogue, full, got 'ful' (did you mean 'full'?)"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WL" --wset fusion=epilog
expect_bad_input "got 'epilog' (did you mean 'epilogue'?)"
xp run --chip "$FIX/toy_chip.yaml" --set chip.fusion=nonee --workload "$FIX/gemm.yaml"
expect_bad_input "chip: 'fusion' must be one of none, epilogue, full, got 'nonee' (did you mean 'none'?)"
printf 'workload:\n  type: gemm\n  m: 8\n  n: 8\n  k: 8\nfusion: [full]\n' > "$WORK/fusion_list.yaml"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WORK/fusion_list.yaml"
expect_bad_input "fusion_list.yaml:6:9: 'fusion' must be one of none, epilogue, full"

# --- shapes too large to count (issue #17): refused, not wrapped into a crash or a zero latency ---
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$SRC/configs/workloads/gemm-512.yaml" --wset k=9223372036854775807 --out "$WORK/big.json"
expect_bad_input "op 'gemm' (gemm): A would hold 4.72e+21 elements, more than the 2^56 a tensor may have"
expect_no_file "$WORK/big.json"
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$SRC/configs/workloads/gemm-512.yaml" --wset m=1099511627776 --wset n=1099511627776 --wset k=1099511627776
expect_bad_input "more than the 2^56 a tensor may have"
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nbig, 3000000000, 3000000000, 3, 3, 3000000, 64, 1,\n' > "$WORK/big.csv"
xp run --chip "$SRC/configs/chips/scalesim-32x32.yaml" --workload "$WORK/big.csv"
expect_bad_input "op 'big' (conv2d): the input would hold 2.7e+25 elements"

xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$SRC/configs/workloads/gemm-512.yaml" --set 'sm.clock=1e-300 Hz'
expect_bad_input "'clock' must be at least 1 MHz, got \"1e-300 Hz\""
sed 's/"num_local_experts": [0-9]*/"num_local_experts": 4611686018427387904/' "$SRC/configs/models/mixtral-8x7b.json" > "$WORK/experts.json"
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$WORK/experts.json"
expect_bad_input "experts.json:"
expect_err "'num_local_experts' 4611686018427387904 is more than xpusim takes (16384)"
sed 's/"num_hidden_layers": [0-9]*/"num_hidden_layers": 1000000000/' "$SRC/configs/models/llama-2-7b.json" > "$WORK/layers.json"
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$WORK/layers.json"
expect_bad_input "'num_hidden_layers' 1000000000 is more than xpusim takes (16384)"

# --- resource limits: refused within a second, located, raisable ---
{
  echo 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'
  prev=a
  for n in b c d e f g h; do echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"; prev=$n; done
} > "$WORK/bomb.yaml"
xp run --chip "$WORK/bomb.yaml" --workload "$WL"
expect_bad_input "bomb.yaml:"
expect_err "nodes (YAML aliases repeat what they name)"
printf 'chip: {name: x, main_memory: m}\ncomponents:\n  - name: m\n    type: memory/dram\n    base: /dev/zero\n' > "$WORK/zero.yaml"
xp run --chip "$WORK/zero.yaml" --workload "$WL"
expect_bad_input "zero.yaml:5:"
expect_err "cannot read file '/dev/zero': not a regular file"
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nDP1, 8, 8, 3, 3, 100000000, 1, 1,\n' > "$WORK/dp.csv"
xp run --chip "$FIX/toy_chip.yaml" --workload "$WORK/dp.csv"
expect_bad_input "dp.csv:2:"
expect_err "splits into 100000000 ops"
xp run --chip "$SRC/configs/chips/h100-sxm.yaml" --workload "$SRC/configs/workloads/llama-2-7b-decode.yaml" --wset batch=1000000000
expect_bad_input "tiles (lower batch, context or sizes)"
XPUSIM_MAX_INPUT_BYTES=100 xp run --chip "$FIX/toy_chip.yaml" --workload "$WL"
expect_bad_input "an input file may have (the environment variable XPUSIM_MAX_INPUT_BYTES=N raises the limit)"

# --- describe ---
xp describe
expect_bad_input "missing --workload FILE"
xp describe --workload "$SRC/configs/workloads/sdxl.yaml" --format csv
expect_bad_input "--format expects table or json, got 'csv'"
xp describe --workload "$SRC/configs/workloads/sdxl.yaml" --rows many
expect_bad_input "--rows expects a whole number, got 'many'"
xp describe --workload "$SRC/configs/workloads/sdxl.yaml" --wset deepcache_interval=0 --export-trace "$WORK/t.json"
expect_bad_input "'deepcache_interval'"
expect_no_file "$WORK/t.json"
printf '{"xpusim_trace": 1, "name": "x", "ops": [{"name": "a", "kind": "gemmm", "dtype": "bf16", "shape": {}}]}' >"$WORK/bad.json"
xp describe --workload "$WORK/bad.json"
expect_bad_input "bad.json:1:"
expect_err "unknown op kind 'gemmm' (did you mean 'gemm'?)"

finish
