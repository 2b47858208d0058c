#!/usr/bin/env python3
"""The fault-injection suite: a stack of its own (tests/fault/stack-ctl), several careful clients
writing through the gateway, and six faults in a row under that load: kill -9 of identity, tasks,
progress, NATS and Redis, and PostgreSQL stopped with `-m immediate`, each restarted with the
stack functions. After each fault it measures the recovery time (from the kill until every
service's /readyz is 200 and a write through the gateway succeeds), sends again the last creates
each client had acknowledged before the kill (as a client whose answer was lost does: each must
answer the same task), presents every revoked token to every service, and ends one more session.
When the load has stopped and the system has settled it counts, as NATS's chaos tests do, what
must be 0: acknowledged writes lost, duplicate tasks, read models that disagree with the tasks
service, expiries missed, revoked tokens that work again. It prints the counts and the recovery
times and exits 1 when a count is not 0 or a fault was not recovered from (2: the run broke).

Run: tests/fault/run.py   (builds nothing: needs build/release; settings: TODO_FAULT_* below)
"""

import os
import signal
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.join(ROOT, "tests", "e2e")]

import checks  # noqa: E402
from load import Client, Worker  # noqa: E402
from revocation import Revocations, register_carefully  # noqa: E402
from stack import SERVICES, Stack, StackError  # noqa: E402

FAULTS = {
    "identity": "identity: kill -9",
    "tasks": "tasks: kill -9",
    "progress": "progress: kill -9",
    "nats": "NATS: kill -9",
    "redis": "Redis: kill -9",
    "postgres": "PostgreSQL: stop -m immediate",
}
REPLAYS_PER_CLIENT = 2


def setting(name, default, kind=int):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SystemExit(f"error: {name}={raw!r} is not a {kind.__name__}") from None
    if value <= 0:
        raise SystemExit(f"error: {name}={raw!r} must be above 0")
    return value


HELP = """Settings (environment variables, default in brackets):
  TODO_FAULT_CLIENTS              client threads, one user each [6]
  TODO_FAULT_RATE                 operations per second offered by each client [15]
  TODO_FAULT_DOWN_SECONDS         how long a killed part stays down before its restart [2]
  TODO_FAULT_WRITES_BETWEEN       acknowledged writes per client before each fault [10]
  TODO_FAULT_OP_DEADLINE_SECONDS  how long a careful client retries one operation [30]
  TODO_FAULT_RECOVERY_SECONDS     how long a fault may take to recover from [60]
  TODO_FAULT_SETTLE_SECONDS       how long the system may take to settle at the end [60]
  TODO_FAULT_FAULTS               the faults, in order [identity,tasks,progress,nats,redis,postgres]
  TODO_FAULT_STACK_DIR            the stack's data and logs [.stack/fault]
  TODO_FAULT_HTTP_PORT, _IDENTITY_PORT, _TASKS_PORT, _PROGRESS_PORT
                                  [TODO_TEST_HTTP_PORT (8180) + 4, 5, 6, 7]
  TODO_FAULT_PG_PORT, _REDIS_PORT, _NATS_PORT
                                  [TODO_TEST_PG_PORT (55532), _REDIS_PORT (56479),
                                   _NATS_PORT (54322), each + 50 - 30000]
"""


class Config:
    """The suite's settings, each a TODO_FAULT_* environment variable (see HELP)."""

    def __init__(self):
        self.clients = setting("TODO_FAULT_CLIENTS", 6)
        self.rate = setting("TODO_FAULT_RATE", 15.0, float)
        self.down = setting("TODO_FAULT_DOWN_SECONDS", 2.0, float)
        self.writes_between = setting("TODO_FAULT_WRITES_BETWEEN", 10)
        self.op_deadline = setting("TODO_FAULT_OP_DEADLINE_SECONDS", 30.0, float)
        self.recovery_deadline = setting("TODO_FAULT_RECOVERY_SECONDS", 60.0, float)
        self.settle_deadline = setting("TODO_FAULT_SETTLE_SECONDS", 60.0, float)
        names = os.environ.get("TODO_FAULT_FAULTS") or ",".join(FAULTS)
        self.faults = [n.strip() for n in names.split(",") if n.strip()]
        unknown = [n for n in self.faults if n not in FAULTS]
        if unknown:
            raise SystemExit(f"error: TODO_FAULT_FAULTS names unknown faults {unknown} "
                             f"(known: {', '.join(FAULTS)})")


class FaultResult:
    def __init__(self, part, killed_at, down, restart, recovery, replays_wrong):
        self.part = part
        self.killed_at = killed_at
        self.down = down  # kill until the restart began
        self.restart = restart  # the stack function's start of the part
        self.recovery = recovery  # kill until ready and written to; None: not recovered
        self.replays_wrong = replays_wrong


class Run:
    def __init__(self, config, stack):
        self.config = config
        self.stack = stack
        self.stop = threading.Event()
        self.workers = []
        self.clients = []
        self.prober = None
        self.revocations = Revocations(stack, config.op_deadline)
        self.results = []

    def client(self, name, seed):
        account = register_carefully(self.stack.gateway, f"Fault {name}", self.config.op_deadline)
        return Client(name, account, self.stack.gateway, self.config.op_deadline, seed)

    def execute(self):
        cfg = self.config
        self.clients = [self.client(f"client{i}", seed=i) for i in range(cfg.clients)]
        self.prober = self.client("prober", seed=1000)
        self.workers = [Worker(c, cfg.rate, self.stop) for c in self.clients]
        for worker in self.workers:
            worker.start()
        self.revocations.log_out_one("before the faults")
        started = time.monotonic()
        for part in cfg.faults:
            self.await_load()
            self.results.append(self.inject(part))
        self.await_load()
        faults_took = time.monotonic() - started
        self.stop_load()
        views, settled, waited, backlog = checks.settle(self.stack, self.clients + [self.prober],
                                                        cfg.settle_deadline)
        counts = checks.Counts()
        checks.count(views, counts)
        counts.add(checks.REVIVED, self.revocations.revived())
        for example in self.revocations.examples():
            counts.add(checks.REVIVED, 0, example)
        checks.count_stale_reads(views, [r.killed_at for r in self.results], counts)
        latest, expired = checks.expiry_lateness(views)
        print(f"{expired} tasks expired, the latest {latest:.2f} s after its expires_at")
        return self.report(counts, faults_took, settled, waited, backlog)

    def await_load(self):
        """Waits until every client has had `writes_between` more writes acknowledged, so that
        each fault meets writes in flight (a deadline, not a fixed pause)."""
        marks = [c.ledger.acked_writes() + self.config.writes_between for c in self.clients]
        deadline = time.monotonic() + self.config.recovery_deadline
        while not all(c.ledger.acked_writes() >= m for c, m in zip(self.clients, marks)):
            self.check_workers()
            if time.monotonic() > deadline:
                raise RuntimeError("the load made no progress for "
                                   f"{self.config.recovery_deadline:.0f} s")
            time.sleep(0.02)

    def check_workers(self):
        for worker in self.workers:
            if worker.error is not None:
                raise RuntimeError(f"{worker.name} failed: {worker.error!r}") from worker.error

    def inject(self, part):
        print(f"-- {FAULTS[part]}", flush=True)
        killed_at = time.monotonic()
        self.stack.kill(part)
        self.revocations.probe(f"while {part} was down", [s for s in SERVICES if s != part])
        # The outage itself: clients meet it, expiries fall due in it.
        remaining = killed_at + self.config.down - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        restart_at = time.monotonic()
        self.stack.start(part)
        started_at = time.monotonic()
        recovered_at = self.await_recovery()
        replays_wrong = self.replay_before(killed_at)
        self.revocations.probe(f"after {part} restarted", SERVICES)
        self.revocations.log_out_one(f"after {part} restarted")
        return FaultResult(part, killed_at, restart_at - killed_at, started_at - restart_at,
                           None if recovered_at is None else recovered_at - killed_at,
                           replays_wrong)

    def await_recovery(self):
        """The instant every service is ready and a write through the gateway is acknowledged;
        None when that does not happen within the recovery deadline."""
        deadline = time.monotonic() + self.config.recovery_deadline
        while not self.stack.ready():
            self.check_workers()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
        record, _ = self.prober.create()
        if record is None:
            return None
        self.prober.ledger.add_task(record)
        return time.monotonic()

    def replay_before(self, instant):
        """Sends the last creates acknowledged before `instant` again; returns those that did not
        answer with the same task (a second task is also counted as a duplicate at the end)."""
        wrong = []
        for client in self.clients:
            for record in client.ledger.created_before(instant, REPLAYS_PER_CLIENT):
                again, outcome = client.create_with(record.title, record.key, record.body)
                if again is None or again.id != record.id:
                    wrong.append(f"{client.name}: replay of {record.title!r} ({record.id}): "
                                 f"{outcome!r}")
        return wrong

    def stop_load(self):
        self.stop.set()
        for worker in self.workers:
            worker.join(self.config.op_deadline + 10)
            if worker.is_alive():
                raise RuntimeError(f"{worker.name} did not stop")
        self.check_workers()

    def report(self, counts, faults_took, settled, waited, backlog):
        ledgers = [c.ledger for c in self.clients + [self.prober]]
        creates = sum(l.acked_creates for l in ledgers)
        updates = sum(l.acked_updates for l in ledgers)
        print()
        print(f"fault injection: {len(self.clients)} clients, {creates + updates} acknowledged "
              f"writes ({creates} creates, {updates} updates), {sum(l.retried for l in ledgers)}"
              f" retries, {len(self.revocations.tokens)} sessions revoked, "
              f"{faults_took:.1f} s of load and faults")
        print(f"{'fault':32} {'down':>7} {'restart':>8} {'recovered':>10}  replays")
        recovered = 0
        for r in self.results:
            took = "NOT" if r.recovery is None else f"{r.recovery:.2f} s"
            recovered += r.recovery is not None
            replays = "ok" if not r.replays_wrong else f"{len(r.replays_wrong)} wrong"
            print(f"{FAULTS[r.part]:32} {r.down:6.2f}s {r.restart:7.2f}s {took:>10}  {replays}")
        print(f"settled: {'yes' if settled else 'NO'} after {waited:.1f} s; outbox backlog "
              f"{backlog}")
        print(f"{'count (must be 0)':32} {'value':>7}")
        for name, value in counts.values.items():
            print(f"{name:32} {value:7d}")
        for name, examples in counts.examples.items():
            for example in examples:
                print(f"  {name}: {example}")
        for r in self.results:
            for line in r.replays_wrong[:3]:
                print(f"  after {r.part}: {line}")
        gave_up = [g for l in ledgers for g in l.gave_up]
        unexpected = [u for l in ledgers for u in l.unexpected]
        print(f"operations given up at their deadline: {len(gave_up)}; answers that were "
              f"neither an acknowledgement nor a reason to retry: {len(unexpected)}")
        for line in (gave_up[:3] + unexpected[:3]):
            print(f"  {line[:400]}")
        failed = sum(1 for v in counts.values.values() if v != 0)
        failed += recovered != len(self.results)
        passed = len(counts.values) + 1 - failed
        print(f"recovered from every fault: {'yes' if recovered == len(self.results) else 'NO'}")
        print(f"fault checks: {passed} passed, {failed} failed")
        return 0 if failed == 0 else 1


def main():
    if sys.argv[1:] in (["--help"], ["-h"]):
        print(__doc__ + "\n" + HELP)
        return 0
    if sys.argv[1:]:
        raise SystemExit(f"error: unknown arguments {sys.argv[1:]} (see --help)")
    config = Config()

    def terminated(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    stack = Stack(os.path.join(ROOT, "build", "fault", "stack-ctl.log"))
    print(f"fault stack: {stack.stack_dir}, gateway {stack.gateway}, log {stack.log_path}",
          flush=True)
    run = Run(config, stack)
    code = 2
    try:
        stack.up()
        code = run.execute()
    except (StackError, RuntimeError) as e:
        print(f"error: the fault-injection run broke: {e}", flush=True)
    finally:
        run.stop.set()
        try:
            stack.down()
        except StackError as e:
            print(f"error: {e}", flush=True)
            code = code or 2
    return code


if __name__ == "__main__":
    sys.exit(main())
