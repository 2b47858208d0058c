# The shell tests' counting (sourced): "ok N - name" / "not ok N - name" per test and a summary
# line that scripts/test reads ("<what>: P passed, F failed").
# shellcheck shell=bash

passed=0
failed=0
n=0

# check_here NAME COMMAND...: one test, passed when COMMAND succeeds; run in this shell, so
# what COMMAND sets is kept for later tests.
check_here() {
  local name=$1
  shift
  n=$((n + 1))
  if "$@"; then
    echo "ok $n - $name"
    passed=$((passed + 1))
  else
    echo "not ok $n - $name"
    failed=$((failed + 1))
  fi
}

# check NAME COMMAND...: the same in a subshell, so a test cannot disturb the next one.
check() {
  local name=$1
  shift
  check_here "$name" in_subshell "$@"
}
in_subshell() { ("$@"); }

# summary WHAT: the summary line; the exit status says whether every test passed.
summary() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
