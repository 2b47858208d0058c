"""Helpers for the end-to-end tests of the tasks service (standard library only).

A TaskClient is one registered user talking to the tasks API through the gateway.
"""

import calendar
import time
import urllib.parse
import uuid

from support import register_user, request, wait_until

TASK_KEYS = {
    "id", "title", "description", "status", "progress", "priority", "labels", "checklist",
    "due_at", "expires_at", "on_expire", "completed_at", "expired_at", "created_at",
    "updated_at", "version",
}


def parse_ts(value):
    """RFC 3339 UTC timestamp with milliseconds (as the API writes them) -> epoch seconds."""
    base = calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))
    fraction = value[19:].rstrip("Z")
    return base + (float(fraction) if fraction.startswith(".") else 0.0)


def iso(epoch_seconds):
    """Epoch seconds -> RFC 3339 UTC with milliseconds."""
    millis = int(round(epoch_seconds * 1000))
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def in_seconds(seconds):
    return iso(time.time() + seconds)


def random_task_id():
    """A well-formed UUIDv7 that names no task."""
    raw = bytearray(uuid.uuid4().bytes)
    millis = int(time.time() * 1000).to_bytes(6, "big")
    raw[0:6] = millis
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return str(uuid.UUID(bytes=bytes(raw)))


class TaskClient:
    """One user of the tasks API: wraps request() with the user's token."""

    def __init__(self, account=None):
        self.account = account or register_user(name="Tasks E2E")

    @property
    def token(self):
        return self.account.access

    @property
    def id(self):
        return self.account.id

    def create(self, body=None, headers=None):
        if body is None:
            body = {"title": f"task {uuid.uuid4().hex[:8]}"}
        return request("POST", "/v1/tasks", body, token=self.token, headers=headers)

    def create_ok(self, test, body=None, **fields):
        """Creates a task (title defaults to a random one) and returns its JSON; fails unless 201."""
        payload = {"title": f"task {uuid.uuid4().hex[:8]}"}
        payload.update(body or {})
        payload.update(fields)
        resp = self.create(payload)
        test.assertEqual(resp.status, 201, f"create {payload!r}: {resp!r}")
        return resp.body

    def get(self, task_id, headers=None):
        return request("GET", f"/v1/tasks/{task_id}", token=self.token, headers=headers)

    def patch(self, task_id, body, headers=None):
        return request("PATCH", f"/v1/tasks/{task_id}", body, token=self.token, headers=headers)

    def delete(self, task_id, headers=None):
        return request("DELETE", f"/v1/tasks/{task_id}", token=self.token, headers=headers)

    def complete(self, task_id, headers=None):
        return request("POST", f"/v1/tasks/{task_id}/complete", token=self.token, headers=headers)

    def reopen(self, task_id, headers=None):
        return request("POST", f"/v1/tasks/{task_id}/reopen", token=self.token, headers=headers)

    def add_item(self, task_id, body, headers=None):
        return request("POST", f"/v1/tasks/{task_id}/checklist", body, token=self.token,
                       headers=headers)

    def patch_item(self, task_id, item_id, body, headers=None):
        return request("PATCH", f"/v1/tasks/{task_id}/checklist/{item_id}", body,
                       token=self.token, headers=headers)

    def delete_item(self, task_id, item_id, headers=None):
        return request("DELETE", f"/v1/tasks/{task_id}/checklist/{item_id}", token=self.token,
                       headers=headers)

    def list(self, params=None):
        query = ""
        if params:
            query = "?" + urllib.parse.urlencode(params)
        return request("GET", "/v1/tasks" + query, token=self.token)

    def list_all(self, test, params=None):
        """Every item of a list query (walking the cursor), asserting each page is 200."""
        params = dict(params or {})
        params.setdefault("limit", 200)
        items = []
        for _ in range(100):
            resp = self.list(params)
            test.assertEqual(resp.status, 200, resp)
            items.extend(resp.body["items"])
            if resp.body["next_cursor"] is None:
                return items
            params["cursor"] = resp.body["next_cursor"]
        test.fail("list did not end within 100 pages")

    def wait_for(self, task_id, predicate, timeout):
        """Polls GET until predicate(response) holds or the deadline passes; returns the last
        response."""
        last = [None]

        def probe():
            last[0] = self.get(task_id)
            return predicate(last[0])

        wait_until(probe, timeout=timeout, interval=0.05)
        return last[0]

    def expired_task(self, test, **fields):
        """Creates a task with ttl_seconds 1 and waits until the service has expired it."""
        task = self.create_ok(test, ttl_seconds=1, **fields)
        resp = self.wait_for(task["id"], lambda r: r.status == 200
                             and r.body["status"] == "expired", timeout=4.0)
        test.assertEqual(resp.status, 200, resp)
        test.assertEqual(resp.body["status"], "expired", f"not expired in time: {resp!r}")
        return resp.body
