"""End-to-end checks of input handling: request framing sent straight to a service, body media
types, times at the ends of the accepted range, cursors bound to the user and the query, and
metrics labels that requests cannot multiply."""

import os
import re
import socket
import time
import unittest
import urllib.parse
import uuid

from support import GATEWAY, assert_problem, register_user, request
from tasks_support import TaskClient

TASKS = os.environ.get("TODO_TASKS_URL", "http://127.0.0.1:8082").rstrip("/")
PROGRESS = os.environ.get("TODO_PROGRESS_URL", "http://127.0.0.1:8083").rstrip("/")


def raw_exchange(base, data, timeout=5.0):
    """Sends raw bytes to a service and returns all it answers until it closes the connection
    (or the timeout passes: then the connection was left open, which the caller checks)."""
    url = urllib.parse.urlsplit(base)
    received = b""
    closed = False
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as conn:
        conn.sendall(data)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    return received.decode("latin-1"), closed


class FramingTest(unittest.TestCase):
    def test_transfer_encoding_other_than_final_chunked_is_refused_without_smuggling(self):
        smuggled = b"GET /v1/tasks/smuggled HTTP/1.1\r\nHost: t\r\n\r\n"
        for coding in (b"chunked, identity", b"identity", b"gzip, chunked"):
            with self.subTest(coding=coding):
                answer, closed = raw_exchange(
                    TASKS, b"POST /v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                    b"\r\nTransfer-Encoding: " + coding + b"\r\n\r\n" + smuggled)
                self.assertTrue(answer.startswith("HTTP/1.1 400"), answer)
                self.assertIn("application/problem+json", answer)
                self.assertTrue(closed, answer)
                self.assertEqual(answer.count("HTTP/1.1 "), 1, answer)

    def test_content_length_with_transfer_encoding_and_missing_host_are_refused(self):
        for head in (b"POST /v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\n\r\n",
                     b"POST /v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                     b"Content-Length: 3\r\n\r\n{}"):
            with self.subTest(head=head):
                answer, closed = raw_exchange(TASKS, head)
                self.assertTrue(answer.startswith("HTTP/1.1 400"), answer)
                self.assertTrue(closed, answer)


class MediaTypeTest(unittest.TestCase):
    def setUp(self):
        self.user = TaskClient()

    def post_task(self, content_type, base=GATEWAY):
        headers = {"Content-Type": content_type}
        return request("POST", "/v1/tasks", raw_body='{"title":"typed"}', token=self.user.token,
                       headers=headers, base=base)

    def test_a_body_that_is_not_json_is_415_and_creates_nothing(self):
        for content_type in ("application/xml", None, "text/plain"):
            with self.subTest(content_type=content_type):
                assert_problem(self, self.post_task(content_type), 415, "unsupported-media-type")
        self.assertEqual(self.user.list().body["items"], [])

    def test_json_with_parameters_in_any_case_is_accepted(self):
        resp = self.post_task("Application/JSON; charset=utf-8")
        self.assertEqual(resp.status, 201, resp)

    def test_identity_refuses_it_too(self):
        resp = request("POST", "/v1/auth/login", raw_body='{"email":"a@b.c","password":"x"}',
                       headers={"Content-Type": "application/xml"})
        assert_problem(self, resp, 415, "unsupported-media-type")

    def test_no_body_where_none_is_needed_is_fine(self):
        task = self.user.create_ok(self)
        resp = request("POST", f"/v1/tasks/{task['id']}/complete", token=self.user.token,
                       headers={"Content-Length": "0"})
        self.assertEqual(resp.status, 200, resp)


class TimeRangeTest(unittest.TestCase):
    def setUp(self):
        self.user = TaskClient()

    def test_times_after_2262_come_back_as_sent(self):
        task = self.user.create_ok(self, due_at="2300-01-01T00:00:00Z")
        self.assertEqual(task["due_at"], "2300-01-01T00:00:00.000Z")
        last = self.user.create_ok(self, due_at="9999-12-31T23:59:59.999Z",
                                   expires_at="9999-12-31T23:59:59.999Z")
        self.assertEqual(last["due_at"], "9999-12-31T23:59:59.999Z")
        self.assertEqual(self.user.get(last["id"]).body["expires_at"], "9999-12-31T23:59:59.999Z")

    def test_times_outside_1970_to_9999_are_400_naming_the_field(self):
        for value in ("10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
                      "9999-12-31T23:00:00-14:00", "1970-01-01T00:00:00+00:01",
                      "2016-12-31T23:59:60Z"):
            for field in ("due_at", "expires_at"):
                with self.subTest(field=field, value=value):
                    resp = self.user.create({"title": "t", field: value})
                    assert_problem(self, resp, 400, "validation", field)
            with self.subTest(filter="due_before", value=value):
                assert_problem(self, self.user.list({"due_before": value}), 400, "validation",
                               "due_before")

    def test_a_patch_past_9999_is_refused(self):
        task = self.user.create_ok(self)
        resp = self.user.patch(task["id"], {"due_at": "9999-12-31T23:59:59-01:00"})
        assert_problem(self, resp, 400, "validation", "due_at")


class CursorTest(unittest.TestCase):
    def setUp(self):
        self.user = TaskClient()

    def first_cursor(self, params):
        resp = self.user.list(dict(params, limit=1))
        self.assertEqual(resp.status, 200, resp)
        self.assertIsNotNone(resp.body["next_cursor"], resp)
        return resp.body["next_cursor"]

    def test_a_cursor_from_another_query_that_decodes_alike_is_400_not_500(self):
        for _ in range(2):
            self.user.create_ok(self, title="a&sort=priority and more")
        cursor = self.first_cursor({"q": "a&sort=priority"})
        resp = request("GET", f"/v1/tasks?q=a&sort=priority&limit=1&cursor={cursor}",
                       token=self.user.token)
        assert_problem(self, resp, 400, "validation", "cursor")

    def test_a_cursor_from_another_user_is_400(self):
        for _ in range(2):
            self.user.create_ok(self)
        cursor = self.first_cursor({})
        other = TaskClient()
        resp = other.list({"cursor": cursor})
        assert_problem(self, resp, 400, "validation", "cursor")
        self.assertEqual(self.user.list({"cursor": cursor}).status, 200)

    def test_text_the_database_cannot_hold_is_400_not_500(self):
        for query in ("q=a%00b", "q=%FF%FE", "label=%00"):
            with self.subTest(query=query):
                resp = request("GET", "/v1/tasks?" + query, token=self.user.token)
                assert_problem(self, resp, 400, "validation")


class MetricsLabelTest(unittest.TestCase):
    SERIES = re.compile(r"^http_request\w*\{", re.M)

    def series(self):
        resp = request("GET", "/metrics", base=TASKS)
        self.assertEqual(resp.status, 200, resp)
        return len(self.SERIES.findall(resp.raw))

    def test_made_up_methods_and_paths_add_no_series(self):
        # One of each kind first: an unknown path (404), a known one with a made-up method (405),
        # and /metrics itself (its own series appear after its first answer).
        self.assertEqual(request("SECPROBE", "/v1/probe/warm", base=TASKS).status, 404)
        self.assertEqual(request("SECPROBE", "/v1/tasks", base=TASKS).status, 405)
        self.series()
        before = self.series()
        for i in range(30):
            request(f"SECPROBEX{i}", f"/v1/probe/{uuid.uuid4()}", base=TASKS)
            request(f"SECPROBEY{i}", "/v1/tasks", base=TASKS)
        self.assertEqual(self.series(), before)
        self.assertNotIn("SECPROBEX", request("GET", "/metrics", base=TASKS).raw)


if __name__ == "__main__":
    unittest.main()
