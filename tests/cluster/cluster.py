#!/usr/bin/env python3
"""scripts/test-cluster's driver: the system on more than one of everything, on loopback.

A 3-node NATS cluster (streams at replicas 3), PostgreSQL with a synchronous hot standby, Redis
with a replica and three Sentinels, two replicas of each service behind the gateway. Clients
create tasks (some expiring during the run) and retry every failure with the same
Idempotency-Key while, one after the other: the NATS stream leader is killed (-9), a replica of
each service is killed (-9), the PostgreSQL primary is stopped and the standby promoted, and
the Redis master is killed (-9) so the Sentinels fail over. Then it prints acknowledged writes
lost, duplicates, read models that disagree, expiries missed (each must be 0), the time each
fault took to heal, and the throughput of POST /v1/tasks and of a cached GET with one replica
of each service against two. Exit status 1 when a count is not 0 or a fault did not heal.

Environment: CLUSTER_DIR (the data, deleted at the end unless CLUSTER_KEEP=1), BUILD_DIR,
ROOT, CLUSTER_PORT_BASE (default 23000: ports base+0 .. base+99), CLUSTER_LOAD_S (seconds of
load between faults, default 6), CLUSTER_CLIENTS (default 6), CLUSTER_WRK_S (default 8).
"""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

ROOT = os.environ["ROOT"]
BUILD = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build", "release"))
DIR = os.environ["CLUSTER_DIR"]
BASE = int(os.environ.get("CLUSTER_PORT_BASE", "23000"))
LOAD_S = float(os.environ.get("CLUSTER_LOAD_S", "6"))
CLIENTS = int(os.environ.get("CLUSTER_CLIENTS", "6"))
WRK_S = int(os.environ.get("CLUSTER_WRK_S", "8"))
PG_BIN = "/usr/lib/postgresql/15/bin"
PG_USER = os.environ.get("PG_OS_USER", "todo-stack")
HEAL_DEADLINE_S = 60

PORT = {
    "http": BASE + 80,
    "pg": [BASE + 32, BASE + 33],
    "redis": [BASE + 79, BASE + 78],
    "sentinel": [BASE + 90, BASE + 91, BASE + 92],
    "nats": [BASE + 22, BASE + 23, BASE + 24],
    "nats_cluster": [BASE + 42, BASE + 43, BASE + 44],
    "nats_monitor": [BASE + 52, BASE + 53, BASE + 54],
    "identity": [BASE + 1, BASE + 11],
    "tasks": [BASE + 2, BASE + 12],
    "progress": [BASE + 3, BASE + 13],
}
SERVICES = ("identity", "tasks", "progress")
PROCS = {}  # name -> Popen (services, NATS, Redis, Sentinels)


def log(text):
    print("-- " + text, file=sys.stderr, flush=True)


def out(text=""):
    print(text, flush=True)


def wait_until(what, condition, deadline_s=30.0, every=0.05):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            if condition():
                return
        except (OSError, http.client.HTTPException, ValueError, subprocess.CalledProcessError):
            pass
        time.sleep(every)
    raise RuntimeError("timed out waiting for " + what)


def port_open(port):
    import socket
    s = socket.socket()
    s.settimeout(0.2)
    try:
        return s.connect_ex(("127.0.0.1", port)) == 0
    finally:
        s.close()


def spawn(name, argv, env=None, logname=None):
    logf = open(os.path.join(DIR, "logs", (logname or name) + ".log"), "ab")
    PROCS[name] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                   env=env, start_new_session=True)
    return PROCS[name]


def kill9(name):
    p = PROCS.pop(name)
    p.send_signal(signal.SIGKILL)
    p.wait()


def stop_all():
    for name, p in list(PROCS.items()):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for name, p in list(PROCS.items()):
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    PROCS.clear()
    for i in (0, 1):
        data = os.path.join(DIR, "pg%d" % i)
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            as_pg([PG_BIN + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], check=False)
    subprocess.run(["nginx", "-p", os.path.join(DIR, "nginx"), "-c", "nginx.conf", "-s", "quit"],
                   stderr=subprocess.DEVNULL, check=False)


def as_pg(argv, check=True):
    if os.getuid() == 0:
        argv = ["runuser", "-u", PG_USER, "--"] + argv
    r = subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(argv), r.stderr.strip()))
    return r


def psql(port, db, sql):
    r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "todo", "-d", db,
                        "-tAc", sql], capture_output=True, text=True, check=True)
    return r.stdout.strip()


# --- the parts -----------------------------------------------------------------------------

def start_postgres():
    """Primary, then a standby from its base backup; commits wait for the standby's flush."""
    if os.getuid() == 0:
        subprocess.run(["id", PG_USER], capture_output=True, check=False).returncode == 0 or \
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                            "/usr/sbin/nologin", PG_USER], check=True)
    primary, standby = os.path.join(DIR, "pg0"), os.path.join(DIR, "pg1")
    logs = os.path.join(DIR, "pg-logs")
    for d in (primary, standby, logs):
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o700)
        if os.getuid() == 0:
            shutil.chown(d, PG_USER)
    as_pg([PG_BIN + "/initdb", "-D", primary, "-U", "todo", "--auth=trust", "-E", "UTF8",
           "--no-locale"])
    opts = ("-c listen_addresses=127.0.0.1 -k '' -c max_connections=300 -c shared_buffers=128MB "
            "-c track_commit_timestamp=on -c wal_level=replica -c hot_standby=on "
            "-c wal_keep_size=256MB")
    as_pg([PG_BIN + "/pg_ctl", "-D", primary, "-l", os.path.join(logs, "pg0.log"), "-w", "-o",
           "-p %d %s" % (PORT["pg"][0], opts), "start"])
    for db in ("todo_identity", "todo_tasks", "todo_progress"):
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(PORT["pg"][0]), "-U", "todo", db],
                       check=True)
    as_pg([PG_BIN + "/pg_basebackup", "-h", "127.0.0.1", "-p", str(PORT["pg"][0]), "-U", "todo",
           "-D", standby, "-R", "-X", "stream", "-c", "fast"])
    as_pg([PG_BIN + "/pg_ctl", "-D", standby, "-l", os.path.join(logs, "pg1.log"), "-w", "-o",
           "-p %d %s" % (PORT["pg"][1], opts), "start"])
    # Synchronous only once the standby is there: until then every commit would wait for it.
    psql(PORT["pg"][0], "postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'")
    psql(PORT["pg"][0], "postgres", "SELECT pg_reload_conf()")
    wait_until("the standby streaming", lambda: psql(
        PORT["pg"][0], "postgres", "SELECT count(*) FROM pg_stat_replication "
        "WHERE state = 'streaming' AND sync_state = 'sync'") == "1")


def pg_conninfo(db):
    hosts = ",".join("127.0.0.1" for _ in PORT["pg"])
    ports = ",".join(str(p) for p in PORT["pg"])
    return ("host=%s port=%s user=todo dbname=%s target_session_attrs=read-write "
            "connect_timeout=2" % (hosts, ports, db))


def primary_port():
    for port in PORT["pg"]:
        try:
            if psql(port, "postgres", "SELECT pg_is_in_recovery()") == "f":
                return port
        except subprocess.CalledProcessError:
            continue
    raise RuntimeError("no PostgreSQL primary")


def start_redis():
    master, replica = PORT["redis"]
    spawn("redis0", ["redis-server", "--port", str(master), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", os.path.join(DIR, "redis")])
    spawn("redis1", ["redis-server", "--port", str(replica), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", os.path.join(DIR, "redis"),
                     "--replicaof", "127.0.0.1", str(master)])
    for i, port in enumerate(PORT["sentinel"]):
        conf = os.path.join(DIR, "redis", "sentinel%d.conf" % i)
        with open(conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\n"
                    "sentinel monitor todo 127.0.0.1 %d 2\n"
                    "sentinel down-after-milliseconds todo 1000\n"
                    "sentinel failover-timeout todo 5000\n"
                    "sentinel parallel-syncs todo 1\n" % (port, os.path.join(DIR, "redis"), master))
        spawn("sentinel%d" % i, ["redis-server", conf, "--sentinel"])
    for port in [master, replica] + PORT["sentinel"]:
        wait_until("redis on %d" % port, lambda: port_open(port))


def redis_master():
    r = subprocess.run(["redis-cli", "-p", str(PORT["sentinel"][0]), "SENTINEL",
                        "get-master-addr-by-name", "todo"], capture_output=True, text=True)
    lines = r.stdout.split()
    return int(lines[1]) if len(lines) == 2 else None


def start_nats(i):
    routes = ",".join("nats://127.0.0.1:%d" % p for j, p in enumerate(PORT["nats_cluster"])
                      if j != i)
    spawn("nats%d" % i, ["nats-server", "-n", "n%d" % i, "-a", "127.0.0.1",
                         "-p", str(PORT["nats"][i]), "-m", str(PORT["nats_monitor"][i]),
                         "-js", "-sd", os.path.join(DIR, "nats%d" % i),
                         "--cluster_name", "todo",
                         "--cluster", "nats://127.0.0.1:%d" % PORT["nats_cluster"][i],
                         "--routes", routes])


def nats_url():
    return ",".join("nats://127.0.0.1:%d" % p for p in PORT["nats"])


def stream_leader(stream="TODO"):
    """The server name leading `stream`, as a cluster member's monitoring port reports it."""
    for port in PORT["nats_monitor"]:
        try:
            data = get_json(port, "/jsz?accounts=true&streams=true")
        except (OSError, ValueError, http.client.HTTPException):
            continue
        for account in data.get("account_details") or []:
            for s in account.get("stream_detail") or []:
                leader = (s.get("cluster") or {}).get("leader")
                if s.get("name") == stream and leader:
                    return leader
    return None


def service_env(name, replica):
    env = dict(os.environ)
    env.update({
        "TODO_PG": pg_conninfo("todo_" + name),
        "TODO_REDIS_SENTINELS": ",".join("127.0.0.1:%d" % p for p in PORT["sentinel"]),
        "TODO_REDIS_MASTER": "todo",
        "TODO_NATS_URL": nats_url(),
        "TODO_EVENTS_REPLICAS": "3",
        "TODO_KEY_DIR": os.path.join(DIR, "keys"),
        "TODO_TRUSTED_PROXIES": "127.0.0.1",
        "TODO_%s_PORT" % name.upper(): str(PORT[name][replica]),
        "TODO_RATE_PER_USER": "0",
        "TODO_ACCESS_TTL_SECONDS": "3600",
        "TODO_REGISTER_PER_HOUR": "1000000",
        "TODO_QUOTA_TASKS": "1000000",
    })
    return env


def start_service(name, replica):
    key = "%s%d" % (name, replica)
    spawn(key, [os.path.join(BUILD, "services", name, name)], env=service_env(name, replica))
    wait_until(key + " ready", lambda: get_status(PORT[name][replica], "/readyz") == 200, 60)


def start_gateway(replicas=2, reload=False):
    os.makedirs(os.path.join(DIR, "nginx", "logs"), exist_ok=True)
    with open(os.path.join(ROOT, "deploy", "nginx.conf.template")) as f:
        conf = f.read()
    for name in SERVICES:
        servers = "".join("server 127.0.0.1:%d max_fails=1 fail_timeout=2s;\n    " % p
                          for p in PORT[name][:replicas])
        conf = conf.replace("server 127.0.0.1:@%s_PORT@;\n    " % name.upper(), servers)
    web = os.path.join(DIR, "web")
    os.makedirs(web, exist_ok=True)
    for k, v in {"@HTTP_PORT@": str(PORT["http"]), "@STACK_DIR@": DIR, "@RUN_DIR@": DIR,
                 "@ROOT@": ROOT, "@WEB_ROOT@": web, "@LIMIT_ZONES@": "", "@LIMITS@": ""}.items():
        conf = conf.replace(k, v)
    if "@" in re.sub(r"#.*", "", conf).replace("$request_id", ""):
        leftover = re.findall(r"@[A-Z_]+@", conf)
        if leftover:
            raise RuntimeError("unfilled gateway template fields: %s" % leftover)
    with open(os.path.join(DIR, "nginx", "nginx.conf"), "w") as f:
        f.write(conf)
    argv = ["nginx", "-p", os.path.join(DIR, "nginx"), "-c", "nginx.conf"]
    subprocess.run(argv + (["-s", "reload"] if reload else []), check=True,
                   stderr=subprocess.DEVNULL if reload else None)
    wait_until("the gateway", lambda: port_open(PORT["http"]))


# --- HTTP ----------------------------------------------------------------------------------

def request(port, method, path, body=None, token=None, headers=None, timeout=10):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, None if body is None else json.dumps(body), h)
        r = conn.getresponse()
        data = r.read()
        return r.status, (json.loads(data) if data and data[:1] in b"{[" else None)
    finally:
        conn.close()


def get_status(port, path):
    return request(port, "GET", path)[0]


def get_json(port, path):
    return request(port, "GET", path)[1]


def register(label):
    email = "cluster-%s-%s@example.com" % (label, uuid.uuid4().hex[:10])
    status, body = request(PORT["http"], "POST", "/v1/auth/register",
                           {"email": email, "password": "cluster test password", "name": label})
    if status != 201:
        raise RuntimeError("register answered %s: %s" % (status, body))
    return body["user"]["id"], body["tokens"]["access_token"]


# --- load ----------------------------------------------------------------------------------

class Client(threading.Thread):
    """Creates tasks one after the other; retries each with its Idempotency-Key until 201."""

    def __init__(self, n, token, owner):
        super().__init__(daemon=True)
        self.n, self.token, self.owner = n, token, owner
        self.acked = []  # (task id, key, expires_at or None)
        self.attempts = self.failures = 0
        self.ack_times = []  # monotonic time of each acknowledgement
        self.stopping = False

    def run(self):
        i = 0
        while not self.stopping:
            i += 1
            key = "c%d-%d-%s" % (self.n, i, uuid.uuid4().hex[:8])
            body = {"title": "cluster task " + key}
            expires = None
            if i % 4 == 0:  # every 4th expires a few seconds later, during the faults
                expires = time.time() + 3 + (i % 7)
                body["expires_at"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(expires)) + \
                    ".%03dZ" % int((expires % 1) * 1000)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                self.attempts += 1
                try:
                    status, reply = request(PORT["http"], "POST", "/v1/tasks", body, self.token,
                                            {"Idempotency-Key": key}, timeout=5)
                except (OSError, http.client.HTTPException):
                    status, reply = None, None
                if status == 201:
                    self.acked.append((reply["id"], key, expires))
                    self.ack_times.append(time.monotonic())
                    break
                self.failures += 1
                time.sleep(0.1)
            else:
                raise RuntimeError("a create was never acknowledged in 120 s")


def heal_time(fault_at, token):
    """Seconds from the fault until a task created after it is acknowledged and its event has
    reached progress's read model (end to end through the surviving parts)."""
    key = "probe-" + uuid.uuid4().hex
    while True:
        if time.monotonic() - fault_at > HEAL_DEADLINE_S:
            return None
        try:
            status, reply = request(PORT["http"], "POST", "/v1/tasks", {"title": key}, token,
                                    {"Idempotency-Key": key}, timeout=3)
        except (OSError, http.client.HTTPException):
            status = None
        if status == 201:
            task_id = reply["id"]
            break
        time.sleep(0.05)
    while time.monotonic() - fault_at <= HEAL_DEADLINE_S:
        try:
            status, feed = request(PORT["http"], "GET", "/v1/activity?limit=5", None, token,
                                   timeout=3)
            if status == 200 and any(item.get("task_id") == task_id
                                     for item in feed.get("items", [])):
                return time.monotonic() - fault_at
        except (OSError, http.client.HTTPException, ValueError, AttributeError):
            pass
        time.sleep(0.05)
    return None


def wrk(path, script, token, seconds):
    env = dict(os.environ, BENCH_TOKEN=token)
    r = subprocess.run(["wrk", "-t2", "-c16", "-d%ds" % seconds, "-s", script,
                        "http://127.0.0.1:%d%s" % (PORT["http"], path)],
                       capture_output=True, text=True, env=env, check=True)
    m = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    return float(m.group(1)), int(non2xx.group(1)) if non2xx else 0


# --- the run -------------------------------------------------------------------------------

def main():
    for sub in ("logs", "redis", "keys"):
        os.makedirs(os.path.join(DIR, sub), exist_ok=True)
    log("PostgreSQL primary and synchronous standby")
    start_postgres()
    log("Redis master, replica and three Sentinels")
    start_redis()
    log("NATS: three servers in one cluster")
    for i in range(3):
        start_nats(i)
    wait_until("the NATS cluster's JetStream", lambda: all(
        get_status(p, "/healthz?js-enabled-only=true") == 200 for p in PORT["nats_monitor"]), 60)
    log("two replicas of each service, then the gateway")
    for name in SERVICES:
        for replica in (0, 1):
            start_service(name, replica)
    start_gateway()
    wait_until("the TODO stream at replicas 3", lambda: stream_leader() is not None, 30)

    owners = [register("load%d" % i) for i in range(CLIENTS)]
    _, probe_token = register("probe")
    clients = [Client(i, token, owner) for i, (owner, token) in enumerate(owners)]
    for c in clients:
        c.start()
    time.sleep(LOAD_S)  # load before the first fault (a duration of load, not a synchronisation)

    heals = []

    def fault(name, action):
        log("fault: " + name)
        at = time.monotonic()
        detail = action()
        healed = heal_time(at, probe_token)
        heals.append((name, detail, healed))
        log("  healed in %s" % ("NOT WITHIN %d s" % HEAL_DEADLINE_S if healed is None
                                else "%.2f s" % healed))
        time.sleep(LOAD_S)

    def kill_nats_leader():
        leader = stream_leader()
        index = int(leader[1:])
        kill9("nats%d" % index)
        return "leader %s" % leader

    def restart_nats():
        for i in range(3):
            if "nats%d" % i not in PROCS:
                start_nats(i)
        wait_until("the NATS cluster whole again", lambda: all(
            get_status(p, "/healthz?js-enabled-only=true") == 200
            for p in PORT["nats_monitor"]), 60)

    def kill_replicas():
        for name in SERVICES:
            kill9(name + "1")
        return "identity, tasks and progress replica 1"

    def fail_over_postgres():
        old = primary_port()
        data = os.path.join(DIR, "pg%d" % PORT["pg"].index(old))
        new = [p for p in PORT["pg"] if p != old][0]
        as_pg([PG_BIN + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
        as_pg([PG_BIN + "/pg_ctl", "-D", os.path.join(DIR, "pg%d" % PORT["pg"].index(new)),
               "-w", "promote"])
        return "primary %d stopped, %d promoted" % (old, new)

    def kill_redis_master():
        port = redis_master()
        name = "redis%d" % PORT["redis"].index(port)
        kill9(name)
        wait_until("a Sentinel failover", lambda: redis_master() not in (None, port), 30)
        return "master %d killed, %d promoted" % (port, redis_master())

    fault("NATS stream leader killed (-9)", kill_nats_leader)
    restart_nats()
    fault("a replica of each service killed (-9)", kill_replicas)
    for name in SERVICES:
        start_service(name, 1)
    fault("PostgreSQL primary stopped, standby promoted", fail_over_postgres)
    fault("Redis master killed (-9), Sentinel failover", kill_redis_master)

    for c in clients:
        c.stopping = True
    for c in clients:
        c.join(130)
    acked = [a for c in clients for a in c.acked]
    attempts = sum(c.attempts for c in clients)
    failures = sum(c.failures for c in clients)
    log("load stopped: %d creates acknowledged (%d attempts, %d retried)" %
        (len(acked), attempts, failures))

    # Quiescence: every expiry due has passed and progress has caught up (read model equal),
    # awaited up to a deadline.
    pg = primary_port()
    owner_ids = [o for o, _ in owners]
    latest_expiry = max((e for _, _, e in acked if e), default=time.time())
    wait_until("the last expiry", lambda: time.time() > latest_expiry + 1, 60, 0.2)

    def counts_in_db(owner):
        rows = psql(pg, "todo_tasks", "SELECT status, count(*) FROM tasks WHERE owner_id = '%s' "
                    "GROUP BY status" % owner)
        got = {"todo": 0, "in_progress": 0, "done": 0, "expired": 0}
        for line in rows.splitlines():
            status, n = line.split("|")
            got[status] = int(n)
        return got

    def disagreeing():
        bad = 0
        for owner, token in owners:
            status, summary = request(PORT["http"], "GET", "/v1/progress", None, token)
            if status != 200 or summary["by_status"] != counts_in_db(owner):
                bad += 1
        return bad

    try:
        wait_until("the read models to agree", lambda: disagreeing() == 0, 60, 0.5)
    except RuntimeError:
        pass
    read_models_disagreeing = disagreeing()

    ids_in_db = set(psql(pg, "todo_tasks", "SELECT id FROM tasks WHERE owner_id IN (%s)" %
                         ",".join("'%s'" % o for o in owner_ids)).split())
    lost = sum(1 for task_id, _, _ in acked if task_id not in ids_in_db)
    duplicates = int(psql(pg, "todo_tasks", "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) "
                          "AS n FROM tasks WHERE owner_id IN (%s) GROUP BY title) t WHERE n > 1" %
                          ",".join("'%s'" % o for o in owner_ids)))
    missed = int(psql(pg, "todo_tasks", "SELECT count(*) FROM tasks WHERE owner_id IN (%s) AND "
                      "expires_at < now() - interval '1 second' AND status <> 'expired'" %
                      ",".join("'%s'" % o for o in owner_ids)))
    expiring = sum(1 for _, _, e in acked if e)

    out("scripts/test-cluster: 3 NATS servers (streams at replicas 3), PostgreSQL primary + "
        "synchronous standby,")
    out("  Redis master + replica + 3 Sentinels, 2 replicas of each service behind the gateway; "
        "%d clients retrying with the same Idempotency-Key" % CLIENTS)
    out("  creates acknowledged: %d (%d attempts; %d failed and were retried); %d of them expiring"
        % (len(acked), attempts, failures, expiring))
    out("  acknowledged writes lost:   %d" % lost)
    out("  duplicates:                 %d" % duplicates)
    out("  read models that disagree:  %d (of %d people)" % (read_models_disagreeing, len(owners)))
    out("  expiries missed:            %d (of %d)" % (missed, expiring))
    out("  heal times (fault -> a create acknowledged and its event in the read model):")
    for name, detail, healed in heals:
        out("    %-48s %-8s (%s)" % (name, "FAILED" if healed is None else "%.2f s" % healed,
                                     detail))

    # Throughput: two replicas of each service, then one (the second ones stopped).
    _, bench_token = register("wrk")
    status, task = request(PORT["http"], "POST", "/v1/tasks", {"title": "cached"}, bench_token)
    get_path = "/v1/tasks/" + task["id"]
    create_lua = os.path.join(ROOT, "bench", "task_create.lua")
    get_lua = os.path.join(ROOT, "bench", "task_get.lua")
    two = (wrk("/v1/tasks", create_lua, bench_token, WRK_S), wrk(get_path, get_lua, bench_token, WRK_S))
    # One replica: the gateway is told first, then the second replicas stop (and are awaited).
    start_gateway(replicas=1, reload=True)
    for name in SERVICES:
        p = PROCS.pop(name + "1")
        p.terminate()
        p.wait(30)
    wait_until("the gateway on one replica", lambda: all(
        request(PORT["http"], "GET", get_path, None, bench_token)[0] == 200 for _ in range(20)))
    one = (wrk("/v1/tasks", create_lua, bench_token, WRK_S), wrk(get_path, get_lua, bench_token, WRK_S))
    out("  throughput through the gateway (wrk -t2 -c16 -d%ds), one replica of each service "
        "-> two:" % WRK_S)
    out("    POST /v1/tasks      %8.0f -> %8.0f req/s   ratio %.2f   (non-2xx %d, %d)" %
        (one[0][0], two[0][0], two[0][0] / one[0][0], one[0][1], two[0][1]))
    out("    GET /v1/tasks/{id}  %8.0f -> %8.0f req/s   ratio %.2f   (non-2xx %d, %d)" %
        (one[1][0], two[1][0], two[1][0] / one[1][0], one[1][1], two[1][1]))
    out("    (%d cores: the replicas share them, so the ratio shows the cost of the second "
        "replica, not the gain of a second machine)" % os.cpu_count())

    ok = lost == 0 and duplicates == 0 and read_models_disagreeing == 0 and missed == 0 and \
        all(h is not None for _, _, h in heals) and len(acked) > 0
    out("RESULT: %s" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    code = 1
    try:
        code = main()
    finally:
        stop_all()
    sys.exit(code)
