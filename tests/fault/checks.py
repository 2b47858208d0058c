"""The end of a fault-injection run: waits (with a deadline) until the system has settled, then
counts what must be 0: acknowledged writes lost, duplicate tasks, read models that disagree with
the tasks service, and expiries missed."""

import collections
import time

from tasks_support import parse_ts

OPEN = ("todo", "in_progress")
STATUSES = ("todo", "in_progress", "done", "expired")
# A task whose expiry passed this long before it was read must have been expired by then (the
# scheduler commits an expiry at its instant; this leaves room for a busy machine).
EXPIRY_SLACK = 1.0
POLL_INTERVAL = 0.5


class UserView:
    """What the system says about one user: every task (tasks service) and the progress summary
    (progress service), and when reading began."""

    def __init__(self, client, tasks, summary, read_at, name=None):
        self.client = client
        self.tasks = tasks
        self.summary = summary
        self.read_at = read_at
        self.name = name  # the profile's name at identity

    @classmethod
    def read(cls, client):
        read_at = time.time()
        tasks = list_all(client)
        progress = client.send("GET", "/v1/progress")
        me = client.send("GET", "/v1/users/me")
        return cls(client, tasks, progress.response.body if progress.status == 200 else None,
                   read_at, me.response.body.get("name") if me.status == 200 else None)

    def counts(self):
        by_status = collections.Counter(t["status"] for t in self.tasks)
        return {"total": len(self.tasks), **{s: by_status.get(s, 0) for s in STATUSES}}

    def progress_counts(self):
        if not isinstance(self.summary, dict):
            return None
        by_status = self.summary.get("by_status") or {}
        return {"total": self.summary.get("total"), **{s: by_status.get(s) for s in STATUSES}}

    def disagrees(self):
        return self.progress_counts() != self.counts()

    def pending_expiries(self):
        return [t for t in self.tasks if t["expires_at"] and t["status"] in OPEN]

    def missed_expiries(self):
        return [t for t in self.pending_expiries()
                if parse_ts(t["expires_at"]) <= self.read_at - EXPIRY_SLACK]


def list_all(client):
    """Every task of the client's user, page by page; raises when a page cannot be read."""
    tasks, cursor = [], None
    while True:
        path = "/v1/tasks?limit=200" + (f"&cursor={cursor}" if cursor else "")
        outcome = client.send("GET", path)
        if outcome.status != 200:
            raise RuntimeError(f"{client.name}: listing tasks failed: {outcome!r}")
        tasks.extend(outcome.response.body["items"])
        cursor = outcome.response.body["next_cursor"]
        if not cursor:
            return tasks


def settle(stack, clients, deadline):
    """Polls until every read model agrees, no expiry is pending and both outboxes are drained,
    or `deadline` seconds pass; returns (views, settled, seconds waited, last outbox backlog)."""
    started = time.monotonic()
    while True:
        views = [UserView.read(c) for c in clients]
        backlog = stack.outbox_backlog()
        settled = (not any(v.disagrees() or v.pending_expiries() for v in views)
                   and all(n == 0 for n in backlog.values()))
        waited = time.monotonic() - started
        if settled or waited >= deadline:
            return views, settled, waited, backlog
        time.sleep(POLL_INTERVAL)


class Counts:
    """The counts of one run, each with a few examples of what it counted."""

    def __init__(self):
        self.values = collections.OrderedDict()
        self.examples = collections.defaultdict(list)

    def add(self, name, amount=0, example=None):
        self.values[name] = self.values.get(name, 0) + amount
        if example is not None and len(self.examples[name]) < 5:
            self.examples[name].append(example)


LOST = "acknowledged writes lost"
DUPLICATES = "duplicate tasks"
DISAGREE = "read models that disagree"
MISSED = "expiries missed"
REVIVED = "revoked tokens that work again"
STALE = "stale task reads"
# A write that began this long before a kill may have committed without its cache update.
IN_FLIGHT = 1.0
COMPARED = ("title", "description", "status", "progress", "expires_at", "expired_at", "version")


def count(views, counts):
    """Adds the end-state counts of the views (one per user) to counts."""
    for name in (LOST, DUPLICATES, DISAGREE, MISSED):
        counts.add(name)
    for view in views:
        who = view.client.name
        found = {t["id"]: t for t in view.tasks}
        for record in view.client.ledger.tasks:
            task = found.get(record.id)
            if task is None:
                counts.add(LOST, 1 + record.updates,
                           f"{who}: task {record.id} ({record.title!r}) is gone")
                continue
            expect = {"title": record.title} if record.uncertain else record.expect
            wrong = {k: (v, task.get(k)) for k, v in expect.items() if task.get(k) != v}
            if wrong:
                counts.add(LOST, 1, f"{who}: task {record.id}: acknowledged vs now {wrong}")
        expected = view.client.name_expected
        if expected is not None and not view.client.name_uncertain and view.name != expected:
            counts.add(LOST, 1, f"{who}: profile name {view.name!r}, acknowledged {expected!r}")
        titles = collections.Counter(t["title"] for t in view.tasks)
        for title, n in titles.items():
            if n > 1:
                counts.add(DUPLICATES, n - 1, f"{who}: {n} tasks titled {title!r}")
        if view.disagrees():
            counts.add(DISAGREE, 1, f"{who}: progress {view.progress_counts()} vs tasks "
                                    f"{view.counts()}")
        for task in view.missed_expiries():
            counts.add(MISSED, 1, f"{who}: task {task['id']} expires_at {task['expires_at']} "
                                  f"still {task['status']}")


def count_stale_reads(views, kill_instants, counts):
    """GET /v1/tasks/{id} (served from the task caches) must show what the list (the database)
    shows, also for the tasks whose last write was in flight when a process died: those whose
    write began just before a kill, and those whose write never got an answer."""
    counts.add(STALE)
    for view in views:
        found = {t["id"]: t for t in view.tasks}
        for record in view.client.ledger.tasks:
            near_kill = any(k - IN_FLIGHT <= record.last_write_at <= k for k in kill_instants)
            listed = found.get(record.id)
            if listed is None or not (near_kill or record.uncertain):
                continue
            outcome = view.client.send("GET", f"/v1/tasks/{record.id}")
            if outcome.status != 200:
                counts.add(STALE, 1, f"{view.client.name}: GET {record.id}: {outcome!r}")
                continue
            got = outcome.response.body
            wrong = {k: (listed.get(k), got.get(k)) for k in COMPARED
                     if listed.get(k) != got.get(k)}
            if wrong:
                counts.add(STALE, 1, f"{view.client.name}: task {record.id} listed vs read {wrong}")


def expiry_lateness(views):
    """The largest expired_at - expires_at of the run, in seconds (0.0 without expiries)."""
    late = [parse_ts(t["expired_at"]) - parse_ts(t["expires_at"])
            for v in views for t in v.tasks if t["status"] == "expired"]
    return max(late, default=0.0), len(late)
