"""The load of the fault-injection suite: client threads, each one user, creating tasks (some that
expire within seconds), updating and completing them through the gateway as careful clients, and
writing down every write the system acknowledged, so that the end can check none was lost."""

import random
import threading
import time
import uuid

import careful_client

# A logical create is acknowledged by its first 201 (or the 200 of a replay).
CREATED = (200, 201)
# What an acknowledged update fixes: the fields it changes or derives.
ACKED_FIELDS = ("description", "progress", "status")


class TaskRecord:
    """One acknowledged create and what the task must look like now: its id, its unique title,
    the exact request (body and Idempotency-Key, for replays) and the last acknowledged update."""

    def __init__(self, title, key, body, task, started_at, acked_at):
        self.title = title
        self.key = key
        self.body = body
        self.id = task["id"]
        self.version = task["version"]
        self.acked_at = acked_at
        self.last_write_at = started_at  # when the last write to it (answered or not) began
        self.expect = {"title": title}
        self.updates = 0
        # An update that ended without an answer may still apply: the task is left alone from
        # then on, and only its create is checked.
        self.uncertain = False


class Ledger:
    """Every acknowledged write of one user, and what went wrong on the way (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tasks = []
        self.acked_creates = 0
        self.acked_updates = 0
        self.retried = 0
        self.gave_up = []
        self.unexpected = []

    def add_task(self, record):
        with self.lock:
            self.tasks.append(record)
            self.acked_creates += 1

    def acked_writes(self):
        with self.lock:
            return self.acked_creates + self.acked_updates

    def note(self, outcome, what):
        """Records retries and, for an answer that is no acknowledgement, why."""
        with self.lock:
            self.retried += outcome.attempts - 1
            if outcome.response is None:
                self.gave_up.append(f"{what}: {outcome!r}")
            elif outcome.status not in (200, 201):
                self.unexpected.append(f"{what}: {outcome!r}")

    def created_before(self, instant, count):
        """The last `count` acknowledged creates acknowledged before `instant` (monotonic)."""
        with self.lock:
            earlier = [t for t in self.tasks if t.acked_at < instant]
        return earlier[-count:]


class Client:
    """One user as a careful client of the tasks API through the gateway."""

    def __init__(self, name, account, gateway, op_deadline, seed):
        self.name = name
        self.account = account
        self.gateway = gateway
        self.op_deadline = op_deadline
        self.rng = random.Random(seed)
        self.ledger = Ledger()
        self.creates = 0
        self.renames = 0
        self.name_expected = None  # the last acknowledged profile name (None: not renamed)
        self.name_uncertain = False  # a rename ended without an answer: it may apply or not
        # Identity has no If-Match: once a rename needed a retry, a late copy of an attempt may
        # still land after a newer rename, so there is no newer rename.
        self.renaming = True

    @property
    def token(self):
        return self.account.access

    def send(self, method, path, body=None, headers=None, also_retry=()):
        return careful_client.send(method, path, body, token=self.token, base=self.gateway,
                                   headers=headers, deadline=self.op_deadline,
                                   also_retry=also_retry, rng=self.rng)

    def create(self, ttl_seconds=None):
        """One logical create: a unique title and Idempotency-Key, retried until acknowledged."""
        self.creates += 1
        title = f"{self.name} #{self.creates} {uuid.uuid4().hex[:8]}"
        body = {"title": title}
        if ttl_seconds is not None:
            body["ttl_seconds"] = ttl_seconds
        key = uuid.uuid4().hex
        return self.create_with(title, key, body)

    def create_with(self, title, key, body):
        """Sends a create (again, for a replay) as is; 409 is "the first one still runs"."""
        started_at = time.monotonic()
        outcome = self.send("POST", "/v1/tasks", body, headers={"Idempotency-Key": key},
                            also_retry=(409,))
        self.ledger.note(outcome, f"create {title!r}")
        if outcome.status not in CREATED:
            return None, outcome
        record = TaskRecord(title, key, body, outcome.response.body, started_at,
                            time.monotonic())
        return record, outcome

    def update(self, record):
        """A PATCH bound to the version last seen (If-Match), so that a retry, or a late copy of an
        earlier attempt, can never apply an old change over a newer one."""
        rev = record.updates + 1
        change = {"description": f"rev {rev}", "progress": self.rng.randint(0, 99)}
        record.last_write_at = time.monotonic()
        outcome = self.send("PATCH", f"/v1/tasks/{record.id}", change,
                            headers={"If-Match": f'"{record.version}"'})
        what = f"update {record.title!r} to {change!r}"
        if outcome.status == 412:
            # An earlier attempt may have applied and lost its answer: then the task shows it.
            seen = self.send("GET", f"/v1/tasks/{record.id}")
            if seen.status == 200 and all(seen.response.body.get(k) == v
                                          for k, v in change.items()):
                outcome = seen
            else:
                with self.ledger.lock:
                    self.ledger.unexpected.append(f"{what}: 412 without the change: {seen!r}")
                record.uncertain = True
                return
        self.ledger.note(outcome, what)
        if outcome.status != 200:
            record.uncertain = True
            return
        self.acknowledge(record, outcome.response.body)

    def complete(self, record):
        """complete changes nothing on a done task, so a plain retry is safe."""
        record.last_write_at = time.monotonic()
        outcome = self.send("POST", f"/v1/tasks/{record.id}/complete")
        self.ledger.note(outcome, f"complete {record.title!r}")
        if outcome.status != 200:
            record.uncertain = True
            return
        self.acknowledge(record, outcome.response.body)

    def rename(self):
        """A profile change at identity (its database, outbox and events)."""
        self.renames += 1
        name = f"Fault {self.name} rev {self.renames}"
        outcome = self.send("PATCH", "/v1/users/me", {"name": name})
        self.ledger.note(outcome, f"rename to {name!r}")
        self.renaming = outcome.status == 200 and outcome.attempts == 1
        if outcome.status != 200:
            self.name_uncertain = True
        else:
            with self.ledger.lock:
                self.name_expected = name
                self.ledger.acked_updates += 1

    def acknowledge(self, record, task):
        """The task as the acknowledging answer showed it is what it must look like at the end."""
        with self.ledger.lock:
            record.version = task["version"]
            record.expect.update({k: task[k] for k in ACKED_FIELDS})
            record.updates += 1
            self.ledger.acked_updates += 1


class Worker(threading.Thread):
    """Drives one Client at about `rate` operations per second until told to stop: mostly
    creates (a quarter with a TTL of 2-5 s), some updates and completions of its own tasks that
    have no expiry (an expiring task is left alone so that it must expire), a few renames."""

    def __init__(self, client, rate, stop):
        super().__init__(name=client.name, daemon=True)
        self.client = client
        self.interval = 1.0 / rate
        self.stop = stop
        self.error = None

    def run(self):
        try:
            self.loop()
        except Exception as e:  # noqa: BLE001 - reported by the suite, not lost in a thread
            self.error = e

    def loop(self):
        client, rng = self.client, self.client.rng
        open_tasks = []  # acknowledged, without expiry, not done: the ones that may change
        next_at = time.monotonic()
        while not self.stop.is_set():
            roll = rng.random()
            if open_tasks and roll < 0.25:
                record = rng.choice(open_tasks)
                client.update(record)
                if record.uncertain:
                    open_tasks.remove(record)
            elif open_tasks and roll < 0.32:
                record = open_tasks.pop(rng.randrange(len(open_tasks)))
                client.complete(record)
            elif roll < 0.35 and client.renaming:
                client.rename()
            else:
                ttl = rng.randint(2, 5) if rng.random() < 0.25 else None
                record, _ = client.create(ttl)
                if record is not None:
                    client.ledger.add_task(record)
                    if ttl is None:
                        open_tasks.append(record)
            # Pacing, not synchronisation: a steady offered load instead of a busy loop.
            next_at += self.interval
            pause = next_at - time.monotonic()
            if pause > 0:
                self.stop.wait(pause)
            else:
                next_at = time.monotonic()
