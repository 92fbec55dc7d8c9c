# SPDX-License-Identifier: MIT
# Helpers shared by the CLI test scripts: run xpusim, check exit code, stdout and stderr.
# Sourced with XPUSIM (the binary) and SRC (the source tree) set; failures are counted, not fatal.

failures=0
checks=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# xp ARGS...: runs xpusim; sets $code and leaves stdout/stderr in $WORK/out and $WORK/err.
xp() {
  "$XPUSIM" "$@" >"$WORK/out" 2>"$WORK/err"
  code=$?
  last_cmd="xpusim $*"
}

fail() {
  failures=$((failures + 1))
  echo "FAIL: $1"
  echo "  command: $last_cmd (exit $code)"
  echo "  stdout: $(head -c 600 "$WORK/out")"
  echo "  stderr: $(head -c 600 "$WORK/err")"
}

ok() { checks=$((checks + 1)); }

# expect_code N: the last command exited with N.
expect_code() {
  if [ "$code" -eq "$1" ]; then ok; else fail "expected exit $1"; fi
}

# expect_err TEXT: stderr of the last command contains TEXT (fixed string).
expect_err() {
  if grep -qF -- "$1" "$WORK/err"; then ok; else fail "stderr lacks: $1"; fi
}

# expect_out TEXT: stdout of the last command contains TEXT (fixed string).
expect_out() {
  if grep -qF -- "$1" "$WORK/out"; then ok; else fail "stdout lacks: $1"; fi
}

# expect_bad_input TEXT: exit 2, every stderr line carries the prefix, TEXT is named, stdout is empty.
expect_bad_input() {
  expect_code 2
  expect_err "xpusim: error: "
  expect_err "$1"
  if [ -s "$WORK/out" ]; then fail "stdout not empty after an error"; else ok; fi
}

# expect_no_file PATH: nothing was written at PATH, nor any temporary beside it.
expect_no_file() {
  if [ -e "$1" ]; then fail "output file $1 exists after a failure"; else ok; fi
  local leftovers
  leftovers=$(find "$(dirname "$1")" -maxdepth 1 -name ".$(basename "$1").tmp-*" | head -1)
  if [ -n "$leftovers" ]; then fail "temporary file left behind: $leftovers"; else ok; fi
}

finish() {
  echo "$checks checks passed, $failures failed"
  [ "$failures" -eq 0 ]
}
