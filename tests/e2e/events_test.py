"""End-to-end tests of the identity service's events: what reaches NATS when users change.

Run from the repository's root: /usr/bin/python3 -m unittest discover -s tests/e2e -p '*_test.py' -v

Each test subscribes to `todo.user.>` on the stack's NATS (127.0.0.1:$TODO_NATS_PORT) with a
plain core subscription before it acts, then drives the API through the gateway and waits (with
a deadline, never a fixed sleep) for the events of its own user. Other tests run at the same
time, so messages are filtered by the user id (the CloudEvents `subject`).

The envelope (ARCHITECTURE.md, Events): CloudEvents 1.0 JSON `{specversion, id, source, type,
subject, time, datacontenttype, data}` plus `entityversion`, and `requestid` when the change was
caused by a request; `id` is a UUIDv7 and is also the `Nats-Msg-Id` header.
"""

import calendar
import json
import time
import unittest
import uuid

from nats_client import NatsClient
from support import TIMESTAMP_RE, UUID7_RE, register, request, unique_email, strong_password

EVENT_TIMEOUT = 5.0
ENVELOPE_KEYS = {"specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                 "entityversion", "data"}


def parse_timestamp(value):
    return calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")) + int(value[20:23]) / 1000


def new_request_id():
    return f"e2e-events-{uuid.uuid4().hex}"


def envelope_of(msg):
    """The message's JSON envelope, or None when it is not a JSON object."""
    try:
        value = json.loads(msg.data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def keys_anywhere(value):
    """Every object key in a JSON value, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_anywhere(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_anywhere(item)


class UserEventsTest(unittest.TestCase):

    def setUp(self):
        self.nats = NatsClient.connect()
        self.addCleanup(self.nats.close)
        # subscribe() returns after a PING/PONG round trip: the subscription is live before the
        # test causes any event.
        self.nats.subscribe("todo.user.>")

    # -- helpers --------------------------------------------------------------------------------

    def next_event(self, user_id, timeout=EVENT_TIMEOUT):
        """The next message about this user (envelope subject or data.id), as (msg, envelope);
        fails when none arrives in time."""
        def about_user(msg):
            env = envelope_of(msg)
            if env is None:
                return False
            data = env.get("data")
            return env.get("subject") == user_id or (isinstance(data, dict)
                                                     and data.get("id") == user_id)
        msg = self.nats.wait_for(about_user, timeout)
        self.assertIsNotNone(msg, f"no event about user {user_id} within {timeout} s")
        return msg, envelope_of(msg)

    def await_event(self, user_id, event_type, timeout=EVENT_TIMEOUT):
        """The next event of this type about this user (other types for the user are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            self.assertGreater(remaining, 0, f"no {event_type} event for {user_id} in {timeout} s")
            msg, env = self.next_event(user_id, remaining)
            if msg.subject == event_type or env.get("type") == event_type:
                return msg, env

    def check_envelope(self, msg, env, event_type, user_id, request_id, before, after):
        self.assertEqual(msg.subject, event_type, msg)
        missing = ENVELOPE_KEYS - set(env)
        self.assertFalse(missing, f"envelope lacks {missing}: {msg!r}")
        self.assertEqual(env["specversion"], "1.0", msg)
        self.assertEqual(env["type"], event_type, msg)
        self.assertEqual(env["source"], "/identity", msg)
        self.assertEqual(env["subject"], user_id, msg)
        self.assertEqual(env["datacontenttype"], "application/json", msg)
        self.assertIsInstance(env["id"], str, msg)
        self.assertRegex(env["id"], UUID7_RE)
        id_millis = int(env["id"].replace("-", "")[:12], 16)
        self.assertGreaterEqual(id_millis, int(before * 1000) - 5000, msg)
        self.assertLessEqual(id_millis, int(after * 1000) + 5000, msg)
        self.assertIsInstance(env["time"], str, msg)
        self.assertRegex(env["time"], TIMESTAMP_RE)
        self.assertGreaterEqual(parse_timestamp(env["time"]), before - 5, msg)
        self.assertLessEqual(parse_timestamp(env["time"]), after + 5, msg)
        self.assertIsInstance(env["entityversion"], int, msg)
        self.assertNotIsInstance(env["entityversion"], bool, msg)
        self.assertEqual(msg.header("Nats-Msg-Id"), env["id"],
                         f"Nats-Msg-Id header is not the envelope id: {msg!r}")
        self.assertEqual(env.get("requestid"), request_id, msg)
        self.assertIsInstance(env["data"], dict, msg)

    def assert_no_secrets(self, msg, password):
        env = envelope_of(msg)
        keys = [k.lower() for k in keys_anywhere(env)]
        self.assertFalse([k for k in keys if "password" in k or "hash" in k],
                         f"event carries password fields: {msg!r}")
        raw = msg.data.decode("utf-8")
        self.assertNotIn(password, raw, "event carries the plain password")
        self.assertNotIn("$argon2", raw, "event carries a password hash")
        self.assertNotIn("password", raw.lower(), f"event mentions a password: {msg!r}")

    def register(self, name="Event User"):
        email, password = unique_email("e2e-events"), strong_password()
        request_id = new_request_id()
        before = time.time()
        resp = register(email, password, name, headers={"X-Request-Id": request_id})
        after = time.time()
        self.assertEqual(resp.status, 201, resp)
        self.assertEqual(resp.headers.get("x-request-id"), request_id, resp.headers)
        return resp.body["user"], resp.body["tokens"], password, request_id, before, after

    def patch_me(self, token, body, request_id=None):
        headers = {"X-Request-Id": request_id} if request_id else None
        return request("PATCH", "/v1/users/me", body, token=token, headers=headers)

    def delete_me(self, token, password, request_id=None):
        headers = {"X-Request-Id": request_id} if request_id else None
        return request("DELETE", "/v1/users/me", {"password": password}, token=token,
                       headers=headers)

    # -- tests ----------------------------------------------------------------------------------

    def test_register_publishes_user_created_cloudevent(self):
        user, _, _, request_id, before, after = self.register("Created Person")
        msg, env = self.await_event(user["id"], "todo.user.created")
        self.check_envelope(msg, env, "todo.user.created", user["id"], request_id, before, after)
        self.assertEqual(env["entityversion"], 1)
        self.assertEqual(env["data"], user, "data is not the user the API returned")

    def test_user_created_event_carries_no_password_or_hash(self):
        user, _, password, _, _, _ = self.register()
        msg, _ = self.await_event(user["id"], "todo.user.created")
        self.assert_no_secrets(msg, password)

    def test_patch_publishes_user_updated_with_version_2_and_new_name(self):
        user, tokens, password, _, _, _ = self.register("Before Rename")
        self.await_event(user["id"], "todo.user.created")
        request_id = new_request_id()
        before = time.time()
        resp = self.patch_me(tokens["access_token"], {"name": "After Rename"}, request_id)
        after = time.time()
        self.assertEqual(resp.status, 200, resp)
        msg, env = self.await_event(user["id"], "todo.user.updated")
        self.check_envelope(msg, env, "todo.user.updated", user["id"], request_id, before, after)
        self.assertEqual(env["entityversion"], 2)
        self.assertEqual(env["data"]["name"], "After Rename")
        self.assertEqual(env["data"]["version"], 2)
        self.assertEqual(env["data"], resp.body, "data is not the user the API returned")
        self.assert_no_secrets(msg, password)

    def test_delete_publishes_user_deleted_with_id_and_final_version(self):
        user, tokens, password, _, _, _ = self.register()
        _, created = self.await_event(user["id"], "todo.user.created")
        resp = self.patch_me(tokens["access_token"], {"timezone": "Asia/Jakarta"})
        self.assertEqual(resp.status, 200, resp)
        _, updated = self.await_event(user["id"], "todo.user.updated")
        self.assertGreater(updated["entityversion"], created["entityversion"])
        request_id = new_request_id()
        before = time.time()
        resp = self.delete_me(tokens["access_token"], password, request_id)
        after = time.time()
        self.assertEqual(resp.status, 204, resp)
        msg, env = self.await_event(user["id"], "todo.user.deleted")
        self.check_envelope(msg, env, "todo.user.deleted", user["id"], request_id, before, after)
        self.assertEqual(set(env["data"]), {"id", "version"}, msg)
        self.assertEqual(env["data"]["id"], user["id"])
        self.assertGreater(env["entityversion"], updated["entityversion"], msg)
        self.assertEqual(env["data"]["version"], env["entityversion"], msg)
        self.assert_no_secrets(msg, password)

    def test_user_lifecycle_events_arrive_once_each_in_order_with_distinct_ids(self):
        user, tokens, password, _, _, _ = self.register()
        self.assertEqual(self.patch_me(tokens["access_token"], {"name": "Second"}).status, 200)
        self.assertEqual(self.patch_me(tokens["access_token"], {"name": "Third"}).status, 200)
        self.assertEqual(self.delete_me(tokens["access_token"], password).status, 204)
        seen = []
        while not seen or seen[-1][1]["type"] != "todo.user.deleted":
            seen.append(self.next_event(user["id"]))
        self.assertEqual([m.subject for m, _ in seen],
                         ["todo.user.created", "todo.user.updated", "todo.user.updated",
                          "todo.user.deleted"], seen)
        self.assertEqual([e["entityversion"] for _, e in seen], [1, 2, 3, 4], seen)
        self.assertEqual([e["data"].get("name") for _, e in seen[1:3]], ["Second", "Third"])
        ids = [e["id"] for _, e in seen]
        self.assertEqual(len(set(ids)), len(ids), f"event ids repeat: {ids}")
        self.assertEqual(ids, sorted(ids), f"event ids are not time-ordered: {ids}")
        for msg, env in seen:
            self.assertEqual(msg.header("Nats-Msg-Id"), env["id"], msg)

    def test_rejected_changes_publish_nothing(self):
        user, tokens, password, _, _, _ = self.register()
        self.await_event(user["id"], "todo.user.created")
        rejected = self.patch_me(tokens["access_token"], {"name": ""})
        self.assertEqual(rejected.status, 400, rejected)
        wrong = self.delete_me(tokens["access_token"], password + "-wrong")
        self.assertEqual(wrong.status, 400, wrong)
        accepted = self.patch_me(tokens["access_token"], {"name": "Accepted"})
        self.assertEqual(accepted.status, 200, accepted)
        # Events of one entity are published in order, so anything the rejected requests had
        # published would arrive before the accepted change's event.
        msg, env = self.next_event(user["id"])
        self.assertEqual(msg.subject, "todo.user.updated", msg)
        self.assertEqual(env["entityversion"], 2, msg)
        self.assertEqual(env["data"]["name"], "Accepted", msg)

    def test_generated_request_id_is_the_one_in_the_event(self):
        email, password = unique_email("e2e-events"), strong_password()
        resp = register(email, password, "No Request Id")
        self.assertEqual(resp.status, 201, resp)
        generated = resp.headers.get("x-request-id")
        self.assertTrue(generated, resp.headers)
        _, env = self.await_event(resp.body["user"]["id"], "todo.user.created")
        self.assertEqual(env.get("requestid"), generated, env)


if __name__ == "__main__":
    unittest.main()
