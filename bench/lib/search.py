#!/usr/bin/env python3
"""The cost of `GET /v1/tasks?q=...` in PostgreSQL, at any number of tasks of one person.

Given a tasks database (the schema the tasks service migrates), seeds N tasks for a fresh owner
with one INSERT ... SELECT generate_series (titles and descriptions from a small vocabulary,
statuses, priorities and times spread), plus --others tasks of other people beside them (whose
descriptions end with "errands", the default q: it matches nothing of the owner's), runs
ANALYZE, then runs the service's own list statement (services/tasks/infra/pg/queries/
list_created_desc.sql by default: no filter but q, no cursor, LIMIT 51) as the service does
(a prepared statement, plan_cache_mode = force_custom_plan) and prints one line:

  owner=... tasks=N q='...' returned=K rows_read=R buffers_hit=H buffers_read=D p50_ms=T p90_ms=U plan=...

rows_read: rows the scans on tasks fetched (returned plus removed by filters or rechecks) in
EXPLAIN (ANALYZE, BUFFERS); buffers: shared buffers hit and read by that execution; p50/p90:
the statement's time as a client sees it (psql's \\timing) over --runs executions. The seeded
tasks are deleted afterwards unless --keep. Needs only psql on PATH.

  bench/lib/search.py --port 55432 --db todo_tasks --tasks 1000000
  bench/lib/search.py --port 55432 --db todo_tasks --tasks 100000 --q ab   # a short q
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
QUERIES = ROOT / "services/tasks/infra/pg/queries"

WORDS = ("buy milk call mom write report fix bike read book plan trip pay rent clean garage "
         "review code water plants book dentist send invoice renew passport bake bread walk "
         "dog learn piano tadarus juz prepare slides").split()


def seed_sql(owner, count, extra=""):
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    n = len(WORDS)
    return f"""
INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, priority_rank,
                   labels, checklist, due_at, expires_at, on_expire, created_at, updated_at,
                   version)
SELECT gen_random_uuid(), '{owner}'::uuid,
       w[1 + i % {n}] || ' ' || w[1 + (i / {n}) % {n}] || ' ' || i,
       CASE WHEN i % 3 = 0 THEN 'notes: ' || w[1 + (i / 7) % {n}] || ' ' || w[1 + (i / 11) % {n}]
            ELSE '' END || '{extra}',
       (ARRAY['todo','in_progress','done','expired'])[1 + i % 4], (i % 5) * 25,
       (ARRAY['none','low','medium','high','urgent'])[1 + i % 5], i % 5,
       CASE WHEN i % 7 = 0 THEN ARRAY['home'] ELSE '{{}}' END, '[]',
       CASE WHEN i % 4 = 0 THEN NULL ELSE now() + i * interval '1 minute' END,
       NULL, 'keep', now() - i * interval '1 second', now() - i * interval '1 second', 1
FROM (SELECT {words} AS w) v, generate_series(1, {count}) i;
"""


def psql(args, script):
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", args.host, "-p",
           str(args.port), "-U", args.user, "-d", args.db]
    done = subprocess.run(cmd, input=script, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"psql failed: {done.stderr.strip()}")
    return done.stdout


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def like_pattern(q):  # as PgTaskRepository::List builds it
    return "%" + "".join("\\" + c if c in "%_\\" else c for c in q) + "%"


def scans_on_tasks(node, found):
    if node.get("Relation Name") == "tasks":
        found.append(node)
    for child in node.get("Plans", []):
        scans_on_tasks(child, found)
    return found


def shape(node, depth=0):
    name = node["Node Type"] + (f" using {node['Index Name']}" if "Index Name" in node else "")
    parts = [name]
    for child in node.get("Plans", []):
        parts.append(shape(child, depth + 1))
    return parts[0] if len(parts) == 1 else f"{parts[0]} <- " + ", ".join(parts[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="todo")
    parser.add_argument("--db", default="todo_tasks")
    parser.add_argument("--tasks", type=int, required=True, help="tasks of the fresh owner")
    parser.add_argument("--others", type=int, default=10000,
                        help="tasks of 100 other fresh owners, seeded beside (default 10000)")
    parser.add_argument("--q", default="errands",
                        help="the search text (default: a word only the other people's tasks "
                        "have, so it matches nothing of the owner's)")
    parser.add_argument("--query", default="list_created_desc", help="a list_*.sql statement")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="leave the seeded tasks in place")
    parser.add_argument("--owner", help="measure this existing owner instead of seeding one")
    args = parser.parse_args()

    owner = args.owner or str(uuid.uuid4())
    if not args.owner:
        others = [str(uuid.uuid4()) for _ in range(100 if args.others >= 100 else 0)]
        psql(args, seed_sql(owner, args.tasks)
             + "".join(seed_sql(other, args.others // 100, " errands") for other in others)
             + "ANALYZE tasks;")

    statement = (QUERIES / f"{args.query}.sql").read_text()
    params = [literal(owner), "NULL", "NULL", "NULL", literal(like_pattern(args.q)), "NULL",
              "NULL", "NULL", "NULL", "NULL", "NULL", "51"]
    execute = f"EXECUTE list({', '.join(params)});\n"
    prelude = ("SET plan_cache_mode = force_custom_plan;\n"
               f"PREPARE list AS {statement.rstrip().rstrip(';')};\n")
    explained = psql(args, prelude + "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + execute)
    plan = json.loads(explained)[0]["Plan"]
    timed = psql(args, prelude + execute + "\\timing on\n" + execute * args.runs)
    times = sorted(float(line.split()[1]) for line in timed.splitlines()
                   if line.startswith("Time: "))

    scans = scans_on_tasks(plan, [])
    # Per-loop averages (parallel workers are loops): times the loops.
    rows_read = sum((s["Actual Rows"] + s.get("Rows Removed by Filter", 0)
                     + s.get("Rows Removed by Index Recheck", 0)) * s.get("Actual Loops", 1)
                    for s in scans)
    print(f"owner={owner} tasks={args.tasks} q={args.q!r} returned={plan['Actual Rows']} "
          f"rows_read={rows_read:.0f} "
          f"buffers_hit={plan.get('Shared Hit Blocks', 0)} "
          f"buffers_read={plan.get('Shared Read Blocks', 0)} "
          f"p50_ms={statistics.median(times):.3f} "
          f"p90_ms={times[min(len(times) - 1, int(len(times) * 0.9))]:.3f} plan={shape(plan)!r}")

    if not args.owner and not args.keep:
        owners = ", ".join(literal(o) for o in [owner] + others)
        psql(args, f"DELETE FROM tasks WHERE owner_id IN ({owners});")


if __name__ == "__main__":
    main()
