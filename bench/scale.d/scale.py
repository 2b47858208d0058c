"""bench/scale's measurements, against the stack bench/scale started (see its header).

    scale.py main STATE_FILE        steps 1-5 and the first half of 6 (sizes after the writes)
    scale.py retention STATE_FILE   the second half of 6, after a restart with short retention

Prints the report's lines on stdout; progress notes go to stderr. What the build under test
cannot show is "n/a" with the reason, never a crash.
"""

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import natsinfo  # noqa: E402
import search  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
QUICK = os.environ.get("BENCH_SCALE_QUICK") == "1"


def setting(name, full, quick):
    return os.environ.get(name, quick if QUICK else full)


PIPELINE_TASKS = int(setting("BENCH_SCALE_PIPELINE_TASKS", "20000", "2000"))
BURST_TASKS = int(setting("BENCH_SCALE_BURST_TASKS", "10000", "1000"))
IDLE_STREAMS = [int(x) for x in setting("BENCH_SCALE_IDLE_STREAMS", "1000,10000", "100,1000").split(",")]
IDLE_SECONDS = float(setting("BENCH_SCALE_IDLE_SECONDS", "30", "5"))
FANOUT_STREAMS = int(setting("BENCH_SCALE_FANOUT_STREAMS", "3000", "300"))
FANOUT_WRITES = int(setting("BENCH_SCALE_FANOUT_WRITES", "20", "5"))
Q_SIZES = [int(x) for x in setting("BENCH_SCALE_Q_SIZES", "1000,100000,1000000", "1000,10000").split(",")]
Q_REPEAT = int(setting("BENCH_SCALE_Q_REPEAT", "11", "5"))
DISK_TASKS = int(setting("BENCH_SCALE_DISK_TASKS", "100000", "5000"))
RETENTION_DEADLINE_S = float(setting("BENCH_SCALE_RETENTION_DEADLINE_S", "180", "90"))
OPEN_DEADLINE_S = int(setting("BENCH_SCALE_OPEN_DEADLINE_S", "120", "60"))
LEAD_S = float(setting("BENCH_SCALE_LEAD_S", "8", "4"))  # from seeding a burst to its instant

PORTS = {k: int(os.environ[v]) for k, v in {
    "http": "TODO_HTTP_PORT", "tasks": "TODO_TASKS_PORT", "progress": "TODO_PROGRESS_PORT",
    "pg": "TODO_PG_PORT", "nats": "TODO_NATS_PORT"}.items()}
STACK_DIR = os.environ["STACK_DIR"]
PROBE = os.environ["BENCH_PROBE"]
WORK = os.environ["BENCH_WORK"]


def note(text):
    print("-- " + text, file=sys.stderr, flush=True)


def out(text=""):
    print(text, flush=True)


def psql(db, sql):
    return search.psql(PORTS["pg"], db, sql)


def pct(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered))) - 1))]


class Http:
    """One keep-alive connection to one port."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, None if body is None else json.dumps(body), headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    raise

    def json(self, method, path, body=None, token=None):
        status, data = self.call(method, path, body, token)
        return status, (json.loads(data) if data else None)


GATEWAY = Http(PORTS["http"])
TASKS = Http(PORTS["tasks"])
PROGRESS = Http(PORTS["progress"])


def await_streams_open(n, timeout=30.0):
    """Waits until progress reports `n` open streams (progress_streams_open), each poll on a
    connection of its own that is closed at once (no socket of this script stays open). A build
    without the gauge gets the fixed settling time the earlier benchmark used."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        conn = http.client.HTTPConnection("127.0.0.1", PORTS["progress"], timeout=5)
        try:
            conn.request("GET", "/metrics", headers={"Connection": "close"})
            text = conn.getresponse().read().decode()
        except OSError:
            text = ""
        finally:
            conn.close()
        m = re.search(r"^progress_streams_open (\S+)$", text, re.M)
        if m is None:
            time.sleep(2.0)
            return False
        if float(m.group(1)) >= n:
            return True
        time.sleep(0.05)  # the poll interval
    return False


def metrics(conn):
    """{name: summed value} of a service's /metrics, or {} when it does not answer."""
    try:
        status, data = conn.call("GET", "/metrics")
    except OSError:
        return {}
    if status != 200:
        return {}
    values = {}
    for line in data.decode().splitlines():
        if not line or line[0] == "#":
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if m:
            values[m.group(1)] = values.get(m.group(1), 0.0) + float(m.group(3))
    return values


def register(label):
    email = "bench-scale-%s-%s@example.com" % (label, uuid.uuid4().hex[:10])
    status, body = GATEWAY.json("POST", "/v1/auth/register",
                                {"email": email, "password": "bench scale password", "name": label})
    if status != 201:
        raise RuntimeError("register answered %s" % status)
    return body["user"]["id"], body["tokens"]["access_token"]


def pid_of(service):
    with open(os.path.join(STACK_DIR, "run", service + ".pid")) as f:
        return int(f.readline())


def cpu_ticks(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_sockets(port):
    """Connections the progress port still holds (established, or closed by the peer only)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if int(parts[1].split(":")[1], 16) == port and parts[3] in ("01", "08"):
                count += 1
    return count


class Probe:
    """The C++ stream probe (bench/scale.d/probe.cpp), driven over its stdin."""

    def __init__(self, tokens):
        path = os.path.join(WORK, "tokens-%s" % uuid.uuid4().hex[:8])
        with open(path, "w") as f:
            f.write("\n".join(tokens) + "\n")
        self.proc = subprocess.Popen([PROBE, "stream", "127.0.0.1", str(PORTS["progress"]), path],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().split()

    def open(self, n, connecting=200):
        t0 = time.monotonic()
        reply = self.ask("open %d %d %d" % (n, connecting, OPEN_DEADLINE_S))
        return int(reply[1]), int(reply[2]), time.monotonic() - t0

    def stat(self):
        """(open, ended by the server, failed to open) streams."""
        reply = self.ask("stat")
        return int(reply[1]), int(reply[2]), int(reply[3])

    def count(self):
        return int(self.ask("count")[1])

    def wait_count(self, n, deadline_s):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.count() >= n:
                return True
            time.sleep(0.005)
        return False

    def dump(self):
        path = os.path.join(WORK, "events-%s" % uuid.uuid4().hex[:8])
        self.ask("dump " + path)
        events = []
        for line in open(path):
            stream, kind, task_id, at_ns = line.split()
            events.append((int(stream), kind, task_id, int(at_ns) / 1e9))
        os.unlink(path)
        return events

    def stop(self):
        try:
            self.ask("close")
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except (OSError, IndexError):
            pass
        self.proc.wait(timeout=30)


def seed_expiring(owner, n):
    """n tasks of owner expiring at one instant LEAD_S from now; the instant in Unix seconds."""
    instant = psql("todo_tasks", "SELECT date_trunc('milliseconds', clock_timestamp()) + "
                   "interval '%f seconds'" % LEAD_S)
    psql("todo_tasks", """
      INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, priority_rank,
        labels, checklist, expires_at, on_expire, created_at, updated_at, version)
      SELECT gen_random_uuid(), '%s', 'burst task ' || g, '', 'todo', 0, 'none', 0, '{}', '[]',
        '%s', 'keep', date_trunc('milliseconds', now()), date_trunc('milliseconds', now()), 1
      FROM generate_series(1, %d) g""" % (owner, instant, n))
    margin = float(psql("todo_tasks", "SELECT extract(epoch FROM '%s'::timestamptz - clock_timestamp())" % instant))
    epoch = float(psql("todo_tasks", "SELECT extract(epoch FROM '%s'::timestamptz)" % instant))
    return epoch, margin


def first_reaching(samples, key, target):
    for sample in samples:
        if sample.get(key) is not None and sample[key] >= target:
            return sample["t"]
    return None


def settle():
    """Waits until progress has applied what came before (a registration's user event)."""
    last, stable_since, end = None, time.monotonic(), time.monotonic() + 10
    while time.monotonic() < end:
        now = metrics(PROGRESS).get("progress_events_applied_total")
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= 0.5:
            return
        time.sleep(0.05)


def step_pipeline():
    n = PIPELINE_TASKS
    out("1. Pipeline, end to end: %d tasks of one person expiring at one instant" % n)
    out("   [before: about 2,000 events/s; target >= 10,000 events/s]")
    owner, token = register("pipeline")
    settle()
    note("pipeline: seeding %d tasks expiring together" % n)
    instant, margin = seed_expiring(owner, n)
    base_t, base_p = metrics(TASKS), metrics(PROGRESS)
    samples, shown = [], None
    deadline = instant + 120
    last_summary = 0.0
    while time.time() < deadline:
        t = time.time()
        mt, mp = metrics(TASKS), metrics(PROGRESS)
        sample = {"t": t}
        for key, source, base in (("expired", mt, base_t), ("published", mt, base_t),
                                  ("applied", mp, base_p)):
            name = {"expired": "tasks_expired_total", "published": "outbox_published_total",
                    "applied": "progress_events_applied_total"}[key]
            sample[key] = source[name] - base.get(name, 0.0) if name in source else None
        sample["backlog"] = mt.get("outbox_backlog")
        samples.append(sample)
        if t >= instant and shown is None and t - last_summary >= 0.05:
            last_summary = t
            status, summary = GATEWAY.json("GET", "/v1/progress", None, token)
            if status == 200 and summary["by_status"]["expired"] >= n:
                shown = time.time()
        if shown is not None and (sample["applied"] is None or sample["applied"] >= n):
            break
        time.sleep(max(0.0, 0.01 - (time.time() - t)))
    row = psql("todo_tasks", """SELECT count(*), extract(epoch FROM min(pg_xact_commit_timestamp(xmin))),
                 extract(epoch FROM max(pg_xact_commit_timestamp(xmin)))
               FROM tasks WHERE owner_id = '%s' AND status = 'expired'""" % owner).split("|")
    expired_rows = int(row[0])
    first_commit = float(row[1]) if row[1] else None
    last_commit = float(row[2]) if row[2] else None

    def rel(t):
        return "n/a" if t is None else "%+.3f s" % (t - instant)

    def rate(t0, t1):
        return "n/a" if t0 is None or t1 is None or t1 <= t0 else "%.0f events/s" % (n / (t1 - t0))

    hops = {}
    for key in ("expired", "published", "applied"):
        hops[key] = (first_reaching(samples, key, 1), first_reaching(samples, key, n))
    out("   seeded %.1f s before the instant; %d of %d expired in the table" % (margin, expired_rows, n))
    out("   times after the instant (first -> all %d), from /metrics polled every 10 ms:" % n)
    out("     scheduler expired (tasks_expired_total)        %s -> %s   %s" % (
        rel(hops["expired"][0]), rel(hops["expired"][1]), rate(*hops["expired"])))
    out("     committed (pg_xact_commit_timestamp)           %s -> %s   %s" % (
        rel(first_commit), rel(last_commit), rate(first_commit, last_commit)))
    out("     relay published (outbox_published_total)       %s -> %s   %s" % (
        rel(hops["published"][0]), rel(hops["published"][1]), rate(*hops["published"])))
    out("     progress applied (progress_events_applied_total) %s -> %s   %s" % (
        rel(hops["applied"][0]), rel(hops["applied"][1]), rate(*hops["applied"])))
    out("     GET /v1/progress shows all %d expired           %s" % (n, rel(shown)))
    peak = max((s["backlog"] for s in samples if s.get("backlog") is not None), default=None)
    out("   outbox backlog peak (outbox_backlog gauge): %s" % ("n/a" if peak is None else "%.0f" % peak))
    out("   END TO END (first event committed -> last applied): %s;  -> GET shows all: %s" % (
        rate(first_commit, hops["applied"][1]), rate(first_commit, shown)))
    out()


def step_burst():
    n = BURST_TASKS
    out("2. Expiry burst to the live stream: %d tasks of one person expiring at one instant," % n)
    out("   one probe on GET /v1/stream (progress port); lag = arrival - the instant")
    out("   [before: p50 1.07 s, p99 1.88 s, 9,050 of 10,000 within 3 s; target p99 < 500 ms]")
    owner, token = register("burst")
    probe = Probe([token])
    try:
        connected, failed, _ = probe.open(1, 1)
        if connected != 1:
            out("   n/a: the stream did not open (failed %d)" % failed)
            out()
            return
        note("burst: seeding %d tasks expiring together" % n)
        instant, margin = seed_expiring(owner, n)
        complete = probe.wait_count(n, instant - time.time() + 60)
        waited = time.time() - instant
        events = probe.dump()
        lags = [at - instant for _, kind, _, at in events if kind == "expired"]
        stored = int(psql("todo_progress", "SELECT count(*) FROM activity WHERE owner_id = '%s' "
                          "AND kind = 'expired'" % owner))
    finally:
        probe.stop()
    if not lags:
        out("   n/a: no expired event arrived within 60 s of the instant")
    else:
        out("   received %d of %d expired events (seeded %.1f s ahead; %s %.1f s after the instant;"
            " progress's activity holds %d)" % (len(lags), n, margin,
                                               "all in" if complete else "gave up", waited, stored))
        if len(lags) < stored:
            out("   (the stream skipped %d events its person's activity holds)" % (stored - len(lags)))
        out("   STREAM LAG p50 %.0f ms  p99 %.0f ms  max %.0f ms  min %.0f ms;  within 3 s: %d of %d" % (
            pct(lags, 0.5) * 1000, pct(lags, 0.99) * 1000, max(lags) * 1000, min(lags) * 1000,
            sum(1 for x in lags if x <= 3.0), n))
    out()


def step_fanout():
    n = FANOUT_STREAMS
    out("4. Fan-out: %d streams of one person; %d task writes (POST /v1/tasks through the gateway)" % (
        n, FANOUT_WRITES))
    out("   lag = the event's arrival on each stream - the write's response")
    out("   [before: p99 485 ms to 3,000 streams; target p99 < 100 ms]")
    owner, token = register("fanout")
    probe = Probe([token])
    try:
        connected, failed, took = probe.open(n)
        out("   streams open: %d (failed %d) in %.1f s" % (connected, failed, took))
        if connected == 0:
            out("   n/a")
            out()
            return
        await_streams_open(connected)
        written = {}
        missing = 0
        for i in range(FANOUT_WRITES):
            status, body = GATEWAY.json("POST", "/v1/tasks", {"title": "fan-out %d" % i}, token)
            done = time.time()
            if status != 201:
                out("   write %d answered %s" % (i, status))
                continue
            written[body["id"]] = done
            if not probe.wait_count(connected * len(written), 10):
                missing += 1
            time.sleep(0.2)
        events = probe.dump()
    finally:
        probe.stop()
    lags = [at - written[task] for _, kind, task, at in events if kind == "created" and task in written]
    expected = connected * len(written)
    if not lags:
        out("   n/a: no event arrived")
    else:
        out("   arrivals %d of %d (writes not seen by every stream within 10 s: %d)" % (
            len(lags), expected, missing))
        out("   FAN-OUT LAG p50 %.1f ms  p99 %.1f ms  max %.1f ms" % (
            pct(lags, 0.5) * 1000, pct(lags, 0.99) * 1000, max(lags) * 1000))
    out()


def step_idle():
    out("3. Idle streams: the progress process's CPU over %.0f s and its RSS" % IDLE_SECONDS)
    out("   [before: 1,000 streams 4.3% of a core, 3,000 18%; target 10,000 under 2% of a core, 200 MiB]")
    pid = pid_of("progress")
    hz = os.sysconf("SC_CLK_TCK")
    _, token = register("idle")
    out("   RSS before any stream: %.1f MiB" % (rss_kib(pid) / 1024))
    PROGRESS.conn = None  # this script's own connection is not a stream's
    baseline_sockets = server_sockets(PORTS["progress"])
    probe = Probe([token])
    try:
        open_total = 0
        for target in IDLE_STREAMS:
            connected, failed, took = probe.open(target - open_total)
            open_total = target
            await_streams_open(connected)
            t0, c0 = time.monotonic(), cpu_ticks(pid)
            time.sleep(IDLE_SECONDS)
            t1, c1 = time.monotonic(), cpu_ticks(pid)
            cpu = (c1 - c0) / hz / (t1 - t0) * 100
            still, ended, _ = probe.stat()
            out("   %6d streams (open %d, failed %d, opened in %.1f s; at the window's end open %d,"
                " ended by the server %d):" % (target, connected, failed, took, still, ended))
            out("          CPU %.1f%% of a core, RSS %.1f MiB" % (cpu, rss_kib(pid) / 1024))
        probe.ask("close")
    finally:
        probe.stop()
    end = time.monotonic() + 60
    while server_sockets(PORTS["progress"]) > baseline_sockets and time.monotonic() < end:
        time.sleep(0.2)
    left = server_sockets(PORTS["progress"]) - baseline_sockets
    waited = 60 - (end - time.monotonic())
    out("   all closed: RSS %.1f MiB (%.1f s after the close; server sockets left: %d)" % (
        rss_kib(pid) / 1024, waited, left))
    out()


def step_search():
    out("5. q with no match (GET /v1/tasks?q=%s&limit=50, tasks port)" % search.NO_MATCH)
    out("   [before: 10,017 rows and 50 ms p50 at 10,000 tasks]")
    helper = None
    for name in ("search.sh", "search.py"):
        if os.access(os.path.join(ROOT, "bench/lib", name), os.X_OK):
            helper = os.path.join(ROOT, "bench/lib", name)
    for n in Q_SIZES:
        owner, token = register("search")
        note("search: seeding %d tasks" % n)
        search.seed(PORTS["pg"], owner, n)
        try:
            rows, buffers, scans = search.explain(ROOT, PORTS["pg"], owner)
            plan = "%d rows read, %d buffers (%s)" % (rows, buffers, scans)
        except (subprocess.CalledProcessError, ValueError, KeyError, IndexError) as e:
            plan = "n/a (EXPLAIN failed: %s)" % str(e).splitlines()[0][:80]
        p50 = search.api_p50(lambda path, tok: TASKS.call("GET", path, None, tok), token, Q_REPEAT)
        out("   %8d tasks: %s; API p50 %s" % (n, plan, "n/a" if p50 is None else "%.1f ms" % p50))
    if helper:
        out("   (bench/lib's %s exists: the integrator reconciles the two)" % os.path.basename(helper))
    out()


def relation_sizes():
    sizes = {}
    for db, table in (("todo_tasks", "tasks"), ("todo_tasks", "outbox"),
                      ("todo_progress", "activity"), ("todo_progress", "task_state")):
        try:
            size, rows = psql(db, "SELECT pg_total_relation_size('%s'), (SELECT count(*) FROM %s)" % (
                table, table)).split("|")
            sizes[table] = (int(size), int(rows))
        except subprocess.CalledProcessError:
            sizes[table] = None
    try:
        for name, (msgs, size, first, last) in natsinfo.stream_sizes(PORTS["nats"]).items():
            sizes["stream " + name] = (size, msgs)
    except (OSError, ValueError) as e:
        note("JetStream stream info failed: %s" % e)
    root = os.path.join(STACK_DIR, "nats", "js")
    for dirpath, dirnames, _ in os.walk(root):
        if os.path.basename(dirpath) == "streams":
            for name in dirnames:
                du = subprocess.run(["du", "-sb", os.path.join(dirpath, name)], capture_output=True,
                                    text=True).stdout.split()
                if du:
                    sizes["store " + name] = (int(du[0]), None)
    return sizes


def print_sizes(title, sizes, before=None, change="written"):
    out("   " + title)
    for key in sorted(sizes):
        value = sizes[key]
        if value is None:
            out("     %-22s n/a" % key)
            continue
        size, rows = value
        line = "     %-22s %9.1f MB" % (key, size / 1e6)
        if rows is not None:
            line += "  %9d %s" % (rows, "messages" if key.startswith("stream") else "rows")
        if before is not None and before.get(key):
            line += "   (%s: %+.1f MB)" % (change, (size - before[key][0]) / 1e6)
        out(line)


def step_disk_write(state):
    out("6. Disk per %d tasks written once (POST /v1/tasks on the tasks port, 32 connections)" % DISK_TASKS)
    out("   [before: outbox kept 522,000 rows = 543 MB; stream 421 MB, no limits]")
    before = relation_sizes()
    owner, token = register("disk")
    body = os.path.join(WORK, "disk-body.json")
    with open(body, "w") as f:
        json.dump({"title": "disk task", "description": "written once by bench/scale",
                   "labels": ["bench"]}, f)
    note("disk: %d POSTs" % DISK_TASKS)
    posted = subprocess.run([PROBE, "post", "127.0.0.1", str(PORTS["tasks"]), str(DISK_TASKS), "32",
                             token, body], capture_output=True, text=True).stdout.split()
    ok, other, errors, seconds = int(posted[1]), int(posted[2]), int(posted[3]), float(posted[4])
    out("   written: %d (non-2xx %d, errors %d) in %.1f s = %.0f/s" % (ok, other, errors, seconds,
                                                                      ok / seconds if seconds else 0))
    end = time.monotonic() + 180
    while time.monotonic() < end:
        applied = int(psql("todo_progress", "SELECT count(*) FROM task_state WHERE owner_id = '%s'" % owner))
        backlog = int(psql("todo_tasks", "SELECT count(*) FROM outbox WHERE sent_at IS NULL"))
        if applied >= ok and backlog == 0:
            break
        time.sleep(0.5)
    after = relation_sizes()
    print_sizes("after the writes (all published and applied), kept as is:", after, before)
    state["before"], state["after"] = before, after
    out()


def step_disk_retention(state):
    out("6b. The same after retention has run (services restarted with TODO_OUTBOX_RETENTION_SECONDS=5")
    out("    TODO_EVENTS_MAX_BYTES=33554432, i.e. 32 MiB of history; waited for the outbox to empty, at most %.0f s)" % RETENTION_DEADLINE_S)
    t0 = time.monotonic()
    end = t0 + RETENTION_DEADLINE_S
    rows = None
    while time.monotonic() < end:
        rows = int(psql("todo_tasks", "SELECT count(*) FROM outbox"))
        history = natsinfo_messages("TODO")
        if rows == 0:
            break
        time.sleep(1.0)
    waited = time.monotonic() - t0
    if rows:
        out("    n/a: the outbox still holds %d rows after %.0f s (no outbox retention in this build)" % (rows, waited))
    else:
        out("    outbox empty after %.0f s" % waited)
    psql("todo_tasks", "VACUUM outbox")
    print_sizes("after retention (and a plain VACUUM of the outbox):", relation_sizes(), state.get("after"),
                "since the writes")
    out()


def natsinfo_messages(name):
    try:
        info = natsinfo.stream_sizes(PORTS["nats"]).get(name)
    except (OSError, ValueError):
        return None
    return None if info is None else info[0]


def main():
    phase, state_file = sys.argv[1], sys.argv[2]
    steps = [s.strip() for s in os.environ.get("BENCH_SCALE_STEPS", "1,2,4,3,5,6").split(",")]
    state = {}
    if phase == "main":
        for step, run in (("1", step_pipeline), ("2", step_burst), ("4", step_fanout),
                          ("3", step_idle), ("5", step_search)):
            if step in steps:
                try:
                    run()
                except Exception as e:  # a step that breaks is reported, the others still run
                    out("   n/a: the step failed: %s: %s" % (type(e).__name__, e))
                    out()
        if "6" in steps:
            try:
                step_disk_write(state)
            except Exception as e:
                out("   n/a: the step failed: %s: %s" % (type(e).__name__, e))
        with open(state_file, "w") as f:
            json.dump(state, f)
    else:
        state = json.load(open(state_file))
        try:
            step_disk_retention(state)
        except Exception as e:
            out("   n/a: the step failed: %s: %s" % (type(e).__name__, e))


if __name__ == "__main__":
    main()
