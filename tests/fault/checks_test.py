"""Unit tests of the fault suite's counting (no stack): each count finds what it counts and
nothing else, so that a 0 at the end of a run means something."""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "e2e")]

import checks  # noqa: E402
from careful_client import Outcome  # noqa: E402
from load import Ledger, TaskRecord  # noqa: E402
from revocation import Revocations  # noqa: E402
from support import Response  # noqa: E402
from tasks_support import iso  # noqa: E402

NOW = time.time()


def task(n, **fields):
    body = {"id": f"id-{n}", "title": f"t{n}", "description": "", "status": "todo",
            "progress": 0, "expires_at": None, "expired_at": None, "version": 1}
    body.update(fields)
    return body


class FakeClient:
    """A client whose GET /v1/tasks/{id} answers from `reads` (the task caches' view)."""

    def __init__(self, name="c"):
        self.name = name
        self.ledger = Ledger()
        self.reads = {}
        self.name_expected = None
        self.name_uncertain = False

    def send(self, method, path, body=None, headers=None, also_retry=()):
        task_id = path.rsplit("/", 1)[-1]
        return Outcome(Response(200, {}, self.reads[task_id], ""), 1, None)

    def acknowledge(self, body, last_write_at=0.0):
        record = TaskRecord(body["title"], "key", {"title": body["title"]}, body,
                            last_write_at, last_write_at)
        self.ledger.add_task(record)
        return record


def summary(total, todo=0, in_progress=0, done=0, expired=0):
    return {"total": total, "by_status": {"todo": todo, "in_progress": in_progress, "done": done,
                                          "expired": expired}}


def counted(views, kills=()):
    counts = checks.Counts()
    checks.count(views, counts)
    checks.count_stale_reads(views, list(kills), counts)
    return counts.values


class CountTest(unittest.TestCase):

    def test_a_run_where_everything_holds_counts_0_everywhere(self):
        client = FakeClient()
        tasks = [task(1), task(2, status="expired", expires_at=iso(NOW - 5),
                              expired_at=iso(NOW - 5))]
        for t in tasks:
            client.acknowledge(t)
        view = checks.UserView(client, tasks, summary(2, todo=1, expired=1), NOW)
        self.assertEqual(set(counted([view]).values()), {0})

    def test_an_acknowledged_task_that_is_gone_is_lost_with_its_updates(self):
        client = FakeClient()
        record = client.acknowledge(task(1))
        record.updates = 2
        view = checks.UserView(client, [], summary(0), NOW)
        self.assertEqual(counted([view])[checks.LOST], 3)

    def test_an_acknowledged_update_that_is_undone_is_lost(self):
        client = FakeClient()
        record = client.acknowledge(task(1))
        record.expect.update({"description": "rev 2", "progress": 40, "status": "in_progress"})
        now = task(1, description="rev 1", progress=40, status="in_progress")
        view = checks.UserView(client, [now], summary(1, in_progress=1), NOW)
        self.assertEqual(counted([view])[checks.LOST], 1)

    def test_an_acknowledged_rename_that_is_undone_is_lost_unless_uncertain(self):
        client = FakeClient()
        client.name_expected = "rev 2"
        view = checks.UserView(client, [], summary(0), NOW, name="rev 1")
        self.assertEqual(counted([view])[checks.LOST], 1)
        client.name_uncertain = True
        self.assertEqual(counted([view])[checks.LOST], 0)

    def test_an_uncertain_update_is_not_held_against_the_system(self):
        client = FakeClient()
        record = client.acknowledge(task(1))
        record.expect.update({"description": "rev 2"})
        record.uncertain = True
        client.reads["id-1"] = task(1, description="rev 1")
        view = checks.UserView(client, [task(1, description="rev 1")], summary(1, todo=1), NOW)
        self.assertEqual(counted([view])[checks.LOST], 0)

    def test_two_tasks_of_one_logical_create_are_a_duplicate(self):
        client = FakeClient()
        client.acknowledge(task(1))
        tasks = [task(1), task(2, title="t1"), task(3, title="t1"), task(4)]
        view = checks.UserView(client, tasks, summary(4, todo=4), NOW)
        self.assertEqual(counted([view])[checks.DUPLICATES], 2)

    def test_progress_that_differs_from_the_tasks_service_disagrees(self):
        client = FakeClient()
        client.acknowledge(task(1))
        tasks = [task(1), task(2, status="done", progress=100)]
        for wrong in (summary(1, todo=1), summary(2, todo=2), None):
            view = checks.UserView(client, tasks, wrong, NOW)
            self.assertEqual(counted([view])[checks.DISAGREE], 1, wrong)
        view = checks.UserView(client, tasks, summary(2, todo=1, done=1), NOW)
        self.assertEqual(counted([view])[checks.DISAGREE], 0)

    def test_an_open_task_whose_expiry_passed_is_a_missed_expiry(self):
        client = FakeClient()
        tasks = [task(1, expires_at=iso(NOW - 3)),  # missed
                 task(2, expires_at=iso(NOW + 30)),  # not yet due
                 task(3, status="done", progress=100, expires_at=iso(NOW - 3)),  # done: never
                 task(4, status="in_progress", progress=5, expires_at=iso(NOW - 0.2))]  # due now
        view = checks.UserView(client, tasks, summary(4, todo=2, in_progress=1, done=1), NOW)
        self.assertEqual(counted([view])[checks.MISSED], 1)
        self.assertEqual(len(view.pending_expiries()), 3)  # what settle() waits for

    def test_a_cached_read_older_than_the_database_is_stale(self):
        client = FakeClient()
        client.acknowledge(task(1), last_write_at=100.0)  # written just before the kill at 100.5
        client.acknowledge(task(2), last_write_at=50.0)  # long before: not read again
        client.reads["id-1"] = task(1)
        listed = [task(1, description="rev 1", version=2), task(2)]
        view = checks.UserView(client, listed, summary(2, todo=2), NOW)
        self.assertEqual(counted([view], kills=[100.5])[checks.STALE], 1)
        client.reads["id-1"] = listed[0]
        self.assertEqual(counted([view], kills=[100.5])[checks.STALE], 0)


class RevivedTokenTest(unittest.TestCase):

    def test_a_revoked_token_counts_once_however_often_it_is_accepted(self):
        answers = {("a", "identity"): 401, ("a", "tasks"): 200, ("a", "progress"): 200,
                   ("b", "identity"): 401, ("b", "tasks"): 503, ("b", "progress"): None}
        revocations = Revocations(stack=None, op_deadline=1)
        revocations.status_at = lambda service, token: answers[(token, service)]
        revocations.tokens = [("first", "a"), ("second", "b")]
        revocations.probe("after x", ["identity", "tasks", "progress"])
        revocations.probe("after y", ["tasks"])
        self.assertEqual(revocations.revived(), 1)  # b: refused or not answered, never let in
        self.assertEqual(revocations.examples(), [
            "token revoked first: accepted after x at tasks 200, progress 200; "
            "after y at tasks 200"])


if __name__ == "__main__":
    unittest.main()
