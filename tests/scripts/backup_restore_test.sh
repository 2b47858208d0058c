#!/usr/bin/env bash
# scripts/backup then scripts/restore (into *_check databases, beside the live ones) on the
# running stack: every table of every service's database comes back with the same rows, and
# the backup holds the signing keys. Run by scripts/test against the end-to-end stack, after
# the end-to-end tests have written to it. Prints "ok N - name" / "not ok N - name" and
# "backup tests: P passed, F failed"; exit status 0 when every test passed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/stack.sh
source "$ROOT/scripts/lib/stack.sh"
WORK=$(mktemp -d)
pg="host=127.0.0.1 port=$TODO_PG_PORT user=todo"
cleanup() {
  for db in todo_identity todo_tasks todo_progress; do
    psql -q "$pg dbname=postgres" -c "DROP DATABASE IF EXISTS ${db}_check WITH (FORCE)" >/dev/null 2>&1
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=lib/check.sh
source "$ROOT/tests/scripts/lib/check.sh"

# Each table's rows as one digest (rows sorted by their text), and the row count beside it.
# The outbox's tables are left out: the relay's retention deletes from them on its own clock.
digest() { # digest DB: "table count md5" per table of the public schema
  local db=$1 table
  for table in $(psql -tA "$pg dbname=$db" -c \
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'outbox%' ORDER BY 1"); do
    psql -tA "$pg dbname=$db" -c \
      "SELECT '$table', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"$table\" t"
  done
}

# The live databases' digests just before the backup and just after the restore: the stack may
# still be applying the last events of the tests before, so a round whose live data changed
# meanwhile is taken again (at most 5 times), and the restored copy is compared with the
# digests of a quiet round.
declare -A before
backed_up_and_restored() {
  local round db after quiet
  for round in 1 2 3 4 5; do
    for db in todo_identity todo_tasks todo_progress; do before[$db]=$(digest "$db"); done
    "$ROOT/scripts/backup" "$WORK/backup" >/dev/null || return 1
    TODO_RESTORE_SUFFIX=_check "$ROOT/scripts/restore" "$WORK/backup" >/dev/null || return 1
    quiet=1
    for db in todo_identity todo_tasks todo_progress; do
      after=$(digest "$db")
      [ "$after" = "${before[$db]}" ] || quiet=0
    done
    [ "$quiet" = 1 ] && return 0
    echo "# round $round: the live data changed meanwhile; again" >&2
  done
  return 1
}
same_rows() { # same_rows DB
  local copy
  copy=$(digest "$1_check") || return 1
  [ -n "${before[$1]}" ] && [ "${before[$1]}" = "$copy" ] ||
    { diff <(echo "${before[$1]}") <(echo "$copy") >&2; return 1; }
}
has_rows() { [ "$(psql -tA "$pg dbname=$1_check" -c "SELECT count(*) FROM $2")" -gt 0 ]; }
keys_kept() { [ -n "$(tar -tzf "$WORK/backup/keys.tar.gz")" ] && [ "$(stat -c %a "$WORK/backup")" = 700 ]; }

# In this shell (not check's subshell): the digests are kept for the comparisons below.
check_here "scripts/backup dumps each database and scripts/restore restores them beside the live ones" \
  backed_up_and_restored
for db in todo_identity todo_tasks todo_progress; do
  check "$db comes back with the same rows in every table" same_rows "$db"
done
# Not an empty stack: the end-to-end tests wrote people, tasks and activity.
check "the restored copy holds the people, tasks and activity" \
  bash -c "$(declare -f has_rows); pg='$pg'; has_rows todo_identity users && has_rows todo_tasks tasks && has_rows todo_progress activity"
check "the backup holds the signing keys, readable by its owner only" keys_kept
summary "backup tests"
