#!/usr/bin/env bash
# Tests of scripts/lib/stack.sh: pid_alive (zombies, reused pids, bad pid files), start_redis
# restarting a Redis killed with -9 whose zombie is not reaped yet, and the gateway's limits as
# the template receives them. Starts only what it stops (its own Redis, on a free port, under a
# temporary STACK_DIR). Prints "ok N - name" / "not ok N - name" per test and a summary line:
# "stack tests: P passed, F failed". Exit status 0 when every test passed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
export STACK_DIR=$WORK/stack
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/stack.sh
source "$ROOT/scripts/lib/stack.sh"

cleanup_pids=()
cleanup() {
  for pid in "${cleanup_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  stop_pidfile "$STACK_DIR/redis/redis.pid" redis-server
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=lib/check.sh
source "$ROOT/tests/scripts/lib/check.sh"

# Waits (at most 10 s) until `$@` succeeds.
await() {
  for _ in $(seq 200); do "$@" && return 0; sleep 0.05; done
  return 1
}

state_of() { local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; stat=${stat##*) }; echo "${stat:0:1}"; }
is_zombie() { [ "$(state_of "$1")" = Z ]; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A zombie: the child exits at once, its parent (exec'd into sleep) never reaps it.
zombie_pid=""
make_zombie() {
  bash -c 'sleep 0.01 & echo $! >"$1"; exec sleep 30' _ "$WORK/zombie.pid" &
  cleanup_pids+=($!)
  await test -s "$WORK/zombie.pid" || return 1
  zombie_pid=$(cat "$WORK/zombie.pid")
  await is_zombie "$zombie_pid"
}

test_zombie_is_not_alive() {
  make_zombie || { echo "# could not make a zombie"; return 1; }
  kill -0 "$zombie_pid" 2>/dev/null || { echo "# kill -0 fails on the zombie: nothing to test"; return 1; }
  ! pid_alive "$WORK/zombie.pid" && ! pid_alive "$WORK/zombie.pid" sleep && ! pid_running "$zombie_pid"
}

test_running_process_is_alive() {
  sleep 30 &
  local pid=$!
  cleanup_pids+=("$pid")
  echo "$pid" >"$WORK/sleep.pid"
  pid_alive "$WORK/sleep.pid" && pid_alive "$WORK/sleep.pid" sleep
}

test_other_program_on_the_pid_is_not_alive() {
  # The pid file names a running process, but not the program it was written for.
  sleep 30 &
  local pid=$!
  cleanup_pids+=("$pid")
  echo "$pid" >"$WORK/redis-lookalike.pid"
  ! pid_alive "$WORK/redis-lookalike.pid" redis-server
}

test_process_younger_than_its_pid_file_is_not_alive() {
  # A pid file last written before its process started names a pid that was reused.
  sleep 30 &
  local pid=$!
  cleanup_pids+=("$pid")
  echo "$pid" >"$WORK/old.pid"
  touch -d '1 minute ago' "$WORK/old.pid"
  ! pid_alive "$WORK/old.pid"
}

test_bad_pid_files_are_not_alive() {
  printf 'not a pid\n' >"$WORK/garbage.pid"
  : >"$WORK/empty.pid"
  printf '%s\n' "-1" >"$WORK/negative.pid"
  printf '0\n' >"$WORK/zero.pid"
  ! pid_alive "$WORK/garbage.pid" && ! pid_alive "$WORK/empty.pid" && ! pid_alive "$WORK/negative.pid" &&
    ! pid_alive "$WORK/zero.pid" && ! pid_alive "$WORK/missing.pid"
}

test_stop_pidfile_does_not_wait_for_a_zombie() {
  make_zombie || return 1
  local started=$SECONDS
  stop_pidfile "$WORK/zombie.pid"
  [ ! -e "$WORK/zombie.pid" ] && [ $((SECONDS - started)) -lt 5 ]
}

redis_answers() { [ "$(redis-cli -p "$TODO_REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

test_start_redis_restarts_a_redis_killed_with_9() {
  export TODO_REDIS_PORT
  TODO_REDIS_PORT=$(free_port)
  mkdir -p "$STACK_DIR/logs"
  (start_redis) || return 1
  redis_answers || { echo "# redis did not start"; return 1; }
  local old
  old=$(head -n 1 "$STACK_DIR/redis/redis.pid")
  kill -KILL "$old"
  # Redis daemonizes: its parent is PID 1, which may reap it late.
  await bash -c "! kill -0 $old 2>/dev/null || [ \"\$(cut -d' ' -f3 /proc/$old/stat 2>/dev/null)\" = Z ]"
  echo "# killed Redis $old: $(is_zombie "$old" && echo "a zombie, not reaped yet" || echo "already reaped")"
  (start_redis) || return 1
  redis_answers && [ "$(head -n 1 "$STACK_DIR/redis/redis.pid")" != "$old" ]
}

limits_of() { TODO_GATEWAY_RATE=$1 TODO_GATEWAY_CONN=$2 gateway_limits "$3"; }

test_gateway_limits_follow_the_settings() {
  local ok=0
  [ "$(limits_of 500 100 directives)" = "limit_req zone=per_address burst=1000 nodelay; limit_conn connections_per_address 100; " ] || ok=1
  [[ "$(limits_of 500 100 zones)" == *"rate=500r/s;"* ]] || ok=1
  [ "$(unset TODO_GATEWAY_RATE TODO_GATEWAY_CONN; gateway_limits directives)" = "$(limits_of 500 100 directives)" ] || ok=1
  [ "$(limits_of 0 0 directives)" = "" ] && [ "$(limits_of 0 0 zones)" = "" ] || ok=1
  [ "$(limits_of 0 7 directives)" = "limit_conn connections_per_address 7; " ] || ok=1
  [ "$(limits_of 3 0 directives)" = "limit_req zone=per_address burst=6 nodelay; " ] || ok=1
  (limits_of fast 0 zones) >/dev/null 2>&1 && ok=1 # not a number: start-up stops
  (limits_of 5 -1 zones) >/dev/null 2>&1 && ok=1
  return $ok
}

check "a zombie is not alive (kill -0 says it is)" test_zombie_is_not_alive
check "a running process is alive" test_running_process_is_alive
check "a pid file naming another program is not alive" test_other_program_on_the_pid_is_not_alive
check "a process started after its pid file was written is not alive" test_process_younger_than_its_pid_file_is_not_alive
check "garbage, empty and missing pid files are not alive" test_bad_pid_files_are_not_alive
check "stop_pidfile does not wait for a zombie" test_stop_pidfile_does_not_wait_for_a_zombie
check "start_redis restarts a Redis killed with -9" test_start_redis_restarts_a_redis_killed_with_9
check "the gateway's limits follow TODO_GATEWAY_RATE and TODO_GATEWAY_CONN" test_gateway_limits_follow_the_settings

summary "stack tests"
