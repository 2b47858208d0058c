"""`q` with no match at a person's task count: rows read, buffers and the API's p50.

bench/scale's own minimal version of the step (bench/lib/search.* replaces it once it exists):
seeds N tasks for a fresh owner by SQL, runs the tasks service's own list statement
(services/tasks/infra/pg/queries/list_created_desc.sql) under EXPLAIN (ANALYZE, BUFFERS) with a
pattern nothing matches, and times GET /v1/tasks?q=... on the tasks port.
"""

import json
import os
import re
import statistics
import subprocess
import time
import uuid

NO_MATCH = "zq9xv-nothing-matches"


def psql(port, db, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                           "-p", str(port), "-U", "todo", "-d", db, "-f", "-"],
                          input=sql, check=True, capture_output=True, text=True).stdout.strip()


def seed(pg_port, owner, n):
    psql(pg_port, "todo_tasks", """
      INSERT INTO tasks (id, owner_id, title, description, status, progress, priority,
        priority_rank, labels, checklist, on_expire, created_at, updated_at, version)
      SELECT gen_random_uuid(), '%s', 'seeded task ' || g || ' buy milk and bread',
        'searchable text ' || md5(g::text), 'todo', 0, 'none', 0, '{}', '[]', 'keep',
        now() - g * interval '1 ms', now() - g * interval '1 ms', 1
      FROM generate_series(1, %d) g""" % (owner, n))
    psql(pg_port, "todo_tasks", "ANALYZE tasks")


def _scan_rows(node):
    """Rows the plan's scans produced or threw away, over all loops."""
    rows = 0
    # A bitmap index scan's rows are the heap rows its bitmap heap scan counts.
    if "Scan" in node.get("Node Type", "") and node["Node Type"] != "Bitmap Index Scan":
        loops = node.get("Actual Loops", 1)
        rows += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                 + node.get("Rows Removed by Index Recheck", 0)) * loops
    for child in node.get("Plans", []):
        rows += _scan_rows(child)
    return rows


def explain(root, pg_port, owner):
    """(rows read, shared buffers, plan's first scan nodes) of the service's list statement."""
    path = os.path.join(root, "services/tasks/infra/pg/queries/list_created_desc.sql")
    sql = "\n".join(l for l in open(path).read().splitlines() if not l.lstrip().startswith("--"))
    count = max(int(m) for m in re.findall(r"\$(\d+)", sql))
    args = ["NULL"] * count
    args[0] = "'%s'" % owner
    args[4] = "'%%%s%%'" % NO_MATCH
    args[-1] = "51"
    # Six runs: the sixth may use the generic plan, as the service's prepared statement does.
    script = "PREPARE q AS %s;\n" % sql
    for _ in range(6):
        script += "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE q(%s);\n" % ", ".join(args)
    out = psql(pg_port, "todo_tasks", script)
    plans = re.findall(r"^\[.*?^\]", out, re.S | re.M)
    plan = json.loads(plans[-1])[0]["Plan"]
    buffers = plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
    kinds = []
    def walk(n):
        if "Scan" in n.get("Node Type", ""):
            kinds.append(n["Node Type"] + (" " + n["Index Name"] if "Index Name" in n else ""))
        for c in n.get("Plans", []):
            walk(c)
    walk(plan)
    return _scan_rows(plan), buffers, ", ".join(kinds)


def api_p50(http_get, token, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.monotonic()
        # A new text each time: the service caches list pages.
        status, _ = http_get("/v1/tasks?limit=50&q=%s-%s" % (NO_MATCH, uuid.uuid4().hex[:8]), token)
        if status != 200:
            return None
        times.append((time.monotonic() - t0) * 1000.0)
    return statistics.median(times)
