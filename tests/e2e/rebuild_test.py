"""Rebuilding the progress read model (scripts/progress-rebuild) on real data: the service is
stopped, its tables emptied and its consumer position forgotten, then it replays every event of
the stream; afterwards every answer equals what it was before."""

import os
import subprocess
import unittest

from support import request, wait_until
from tasks_support import TaskClient, in_seconds

ROOT_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# 7 creates, 2 completes, a reopen, 2 updates, a delete and an expiry.
EVENTS_PER_PERSON = 14


def answers(client):
    """Everything progress says about one person (as_of aside, which is the request's instant)."""
    summary = request("GET", "/v1/progress", token=client.token)
    daily = request("GET", "/v1/progress/daily?days=7", token=client.token)
    items, cursor = [], None
    while True:
        path = "/v1/activity?limit=7" + (f"&cursor={cursor}" if cursor else "")
        page = request("GET", path, token=client.token)
        assert page.status == 200, page
        items += page.body["items"]
        cursor = page.body["next_cursor"]
        if not cursor:
            break
    assert summary.status == 200 and daily.status == 200, (summary, daily)
    body = dict(summary.body)
    body.pop("as_of")
    return {"summary": body, "daily": daily.body, "activity": items}


class ProgressRebuildTest(unittest.TestCase):
    def test_a_rebuild_replays_the_stream_into_the_same_answers(self):
        people = [TaskClient(), TaskClient()]
        for n, person in enumerate(people):
            ids = [person.create_ok(self, title=f"rebuild {n}-{i}")["id"] for i in range(6)]
            self.assertEqual(person.complete(ids[0]).status, 200)
            self.assertEqual(person.complete(ids[1]).status, 200)
            self.assertEqual(person.reopen(ids[1]).status, 200)
            self.assertEqual(person.patch(ids[2], {"progress": 40}).status, 200)
            self.assertEqual(person.patch(ids[3], {"due_at": in_seconds(-3600)}).status, 200)
            self.assertEqual(person.delete(ids[4]).status, 204)
            person.create_ok(self, title=f"soon gone {n}", ttl_seconds=1)
        # Wait until progress has every event, the expiry included.
        for person in people:
            def settled(person=person):
                now = answers(person)
                return now if len(now["activity"]) == EVENTS_PER_PERSON and now["summary"]["by_status"]["expired"] == 1 else None
            self.assertTrue(wait_until(settled, timeout=15), answers(person))
        before = [answers(person) for person in people]

        env = dict(os.environ)
        done = subprocess.run([os.path.join(ROOT_DIR, "scripts", "progress-rebuild")], env=env,
                              capture_output=True, text=True, timeout=180)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

        after = [answers(person) for person in people]
        for was, now in zip(before, after):
            self.assertEqual(now, was)
            self.assertEqual(len(now["activity"]), EVENTS_PER_PERSON)


if __name__ == "__main__":
    unittest.main()
