"""End-to-end tests of the limits of API.md's "Limits and abuse": the per-user rate limit, the
registration throttle, throttled password checks, the live-stream quota, and no emails in
PostgreSQL's log.

Limits are tested at a low configured value on an identity instance of the test's own (see
process_test.IdentityProcess), or spent on purpose on the shared stack, whose raised values
scripts/test exports (TODO_RATE_PER_USER, TODO_RATE_BURST). Requests go straight to the
services' ports with an X-Forwarded-For address of the test's own (trusted from 127.0.0.1).
"""

import os
import socket
import threading
import unittest
import uuid

from process_test import STACK_DIR, IdentityProcess
from support import (GATEWAY, IDENTITY, assert_problem, fake_client_address, login, register,
                     register_user, request, strong_password, unique_email, wait_until)

TASKS = os.environ.get("TODO_TASKS_URL", "http://127.0.0.1:8082").rstrip("/")
PROGRESS = os.environ.get("TODO_PROGRESS_URL", "http://127.0.0.1:8083").rstrip("/")
RATE = float(os.environ.get("TODO_RATE_PER_USER", "50"))
BURST = int(os.environ.get("TODO_RATE_BURST", "500"))


def assert_retry_after(test, resp, at_most=None):
    value = resp.headers.get("retry-after", "")
    test.assertRegex(value, r"^[1-9][0-9]*$", f"Retry-After is not whole seconds >= 1: {resp!r}")
    if at_most is not None:
        test.assertLessEqual(int(value), at_most, resp)


def port_of(base):
    return int(base.rsplit(":", 1)[1])


def pipelined_statuses(base, path, token, count):
    """Sends `count` GETs pipelined on one connection (so they reach the service far faster than
    any refill) and returns the statuses and the first 429's raw head, in order."""
    head = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Accept: application/json\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port_of(base)), timeout=30)
    sender = threading.Thread(target=lambda: sock.sendall(head * count), daemon=True)
    sender.start()
    reader = sock.makefile("rb")
    statuses, first_429 = [], None
    try:
        while len(statuses) < count:
            status_line = reader.readline()
            if not status_line:
                break
            status = int(status_line.split()[1])
            headers = {}
            while True:
                line = reader.readline().decode("latin-1").strip()
                if not line:
                    break
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = reader.read(int(headers.get("content-length", "0")))
            statuses.append(status)
            if status == 429 and first_429 is None:
                first_429 = (headers, body)
    finally:
        sender.join(timeout=30)
        reader.close()
        sock.close()
    return statuses, first_429


class PerUserRateLimitTest(unittest.TestCase):
    """TODO_RATE_PER_USER / TODO_RATE_BURST: 429 rate-limited with Retry-After beyond them."""

    def test_identity_answers_429_after_the_burst_and_other_users_go_on(self):
        second = IdentityProcess(self, TODO_RATE_PER_USER=1, TODO_RATE_BURST=3).wait_ready()
        client = {"X-Forwarded-For": fake_client_address()}
        alice = register_user(base=second.url)
        for i in range(3):
            got = request("GET", "/v1/users/me", token=alice.access, base=second.url,
                          headers=client)
            self.assertEqual(got.status, 200, f"request {i}: {got!r}")
        refused = request("GET", "/v1/users/me", token=alice.access, base=second.url)
        assert_problem(self, refused, 429, "rate-limited")
        assert_retry_after(self, refused, at_most=1)
        bob = register_user(base=second.url)
        self.assertEqual(request("GET", "/v1/users/me", token=bob.access, base=second.url).status,
                         200)
        # A token comes back after a second: the limited user is served again.
        self.assertTrue(wait_until(
            lambda: request("GET", "/v1/users/me", token=alice.access,
                            base=second.url).status == 200, timeout=3.0))

    def test_unauthenticated_requests_are_not_limited_per_user(self):
        second = IdentityProcess(self, TODO_RATE_PER_USER=1, TODO_RATE_BURST=1).wait_ready()
        for _ in range(5):
            self.assertEqual(request("GET", "/.well-known/jwks.json", base=second.url).status, 200)

    def assert_limited(self, base, path, token):
        count = BURST + 1000
        statuses, first_429 = pipelined_statuses(base, path, token, count)
        self.assertEqual(len(statuses), count, "the connection ended early")
        self.assertEqual(set(statuses) - {200, 429}, set(), statuses[:20])
        served = statuses.count(200)
        self.assertIn(429, statuses, f"{served} of {count} served: the limit never applied")
        # The burst, and what refilled while the requests arrived, are served; nothing more.
        self.assertGreaterEqual(served, BURST)
        self.assertLess(served, count)
        headers, body = first_429
        self.assertTrue(headers.get("content-type", "").startswith("application/problem+json"))
        self.assertIn(b"/problems/rate-limited", body)
        self.assertRegex(headers.get("retry-after", ""), r"^[1-9][0-9]*$")

    def test_tasks_limits_each_user_on_the_cached_get(self):
        user = register_user()
        created = request("POST", "/v1/tasks", {"title": "hammered"}, token=user.access,
                          base=TASKS)
        self.assertEqual(created.status, 201, created)
        self.assert_limited(TASKS, f"/v1/tasks/{created.body['id']}", user.access)
        other = register_user()
        self.assertEqual(request("GET", "/v1/tasks", token=other.access, base=TASKS).status, 200)

    def test_progress_limits_each_user(self):
        user = register_user()
        self.assert_limited(PROGRESS, "/v1/activity?limit=1", user.access)
        other = register_user()
        self.assertEqual(request("GET", "/v1/progress", token=other.access,
                                 base=PROGRESS).status, 200)


class RegistrationThrottleTest(unittest.TestCase):
    """TODO_REGISTER_PER_HOUR registrations per client address per hour, then 429."""

    def test_registrations_beyond_the_limit_per_address_are_429(self):
        second = IdentityProcess(self, TODO_REGISTER_PER_HOUR=3).wait_ready()
        address = {"X-Forwarded-For": fake_client_address()}
        for i in range(3):
            got = register(unique_email(), strong_password(), base=second.url, headers=address)
            self.assertEqual(got.status, 201, f"registration {i}: {got!r}")
        email = unique_email()
        refused = register(email, strong_password(), base=second.url, headers=address)
        assert_problem(self, refused, 429, "rate-limited")
        assert_retry_after(self, refused, at_most=3600)
        self.assertEqual(login(email, "whatever it is", base=second.url,
                               headers={"X-Forwarded-For": fake_client_address()}).status, 401)
        other = {"X-Forwarded-For": fake_client_address()}
        while other == address:
            other = {"X-Forwarded-For": fake_client_address()}
        self.assertEqual(register(unique_email(), strong_password(), base=second.url,
                                  headers=other).status, 201)


class PasswordCheckThrottleTest(unittest.TestCase):
    """Failed password checks of password change and account deletion count like failed logins:
    10 per account or 100 per address in 15 minutes, then 429 without checking."""

    def test_failed_password_changes_lock_the_account_like_failed_logins(self):
        user = register_user()
        client = {"X-Forwarded-For": fake_client_address()}
        for i in range(10):
            wrong = request("PUT", "/v1/users/me/password",
                            {"current_password": f"wrong {i} password", "new_password":
                             strong_password()}, token=user.access, base=IDENTITY, headers=client)
            self.assertEqual(wrong.status, 400, f"attempt {i}: {wrong!r}")
        right = request("PUT", "/v1/users/me/password",
                        {"current_password": user.password, "new_password": strong_password()},
                        token=user.access, base=IDENTITY, headers=client)
        assert_problem(self, right, 429, "rate-limited")
        assert_retry_after(self, right, at_most=15 * 60)
        # The same counter as login's: the account's logins are throttled too, from anywhere.
        again = login(user.email, user.password, base=IDENTITY,
                      headers={"X-Forwarded-For": fake_client_address()})
        assert_problem(self, again, 429, "rate-limited")
        # Nothing changed: the deletion check is refused as well, and the account is still there.
        gone = request("DELETE", "/v1/users/me", {"password": user.password}, token=user.access,
                       base=IDENTITY, headers=client)
        assert_problem(self, gone, 429, "rate-limited")
        self.assertEqual(request("GET", "/v1/users/me", token=user.access,
                                 base=IDENTITY).status, 200)

    def test_failed_deletion_checks_count_per_address(self):
        second = IdentityProcess(self, TODO_LOGIN_MAX_PER_CLIENT=3).wait_ready()
        client = {"X-Forwarded-For": fake_client_address()}
        users = [register_user(base=second.url) for _ in range(4)]
        for i, user in enumerate(users[:3]):
            wrong = request("DELETE", "/v1/users/me", {"password": "not the password"},
                            token=user.access, base=second.url, headers=client)
            self.assertEqual(wrong.status, 400, f"attempt {i}: {wrong!r}")
        refused = request("DELETE", "/v1/users/me", {"password": users[3].password},
                          token=users[3].access, base=second.url, headers=client)
        assert_problem(self, refused, 429, "rate-limited")
        assert_retry_after(self, refused)
        elsewhere = request("DELETE", "/v1/users/me", {"password": users[3].password},
                            token=users[3].access, base=second.url,
                            headers={"X-Forwarded-For": fake_client_address()})
        self.assertEqual(elsewhere.status, 204, elsewhere)


class StreamQuotaTest(unittest.TestCase):
    """TODO_QUOTA_STREAMS (5) open GET /v1/stream per user and process; the 6th is 429."""

    def open_stream(self, token):
        """Opens a stream and reads its head; returns (status, socket, head text)."""
        sock = socket.create_connection(("127.0.0.1", port_of(PROGRESS)), timeout=10)
        sock.sendall((f"GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      f"{token}\r\nAccept: text/event-stream\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        text = head.decode("latin-1")
        status = int(text.split(" ", 2)[1]) if text.startswith("HTTP/") else 0
        return status, sock, text

    def close_now(self, sock):
        # A reset, so the service's next write on the stream fails at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()

    def test_sixth_stream_is_429_and_closing_one_frees_a_slot(self):
        user = register_user()
        streams = []
        self.addCleanup(lambda: [s.close() for s in streams])
        for i in range(5):
            status, sock, head = self.open_stream(user.access)
            streams.append(sock)
            self.assertEqual(status, 200, f"stream {i}: {head}")
        sixth = request("GET", "/v1/stream", token=user.access, base=PROGRESS)
        assert_problem(self, sixth, 429, "rate-limited")
        assert_retry_after(self, sixth)
        self.assertIn("5", sixth.body["detail"])
        other = register_user()
        status, sock, head = self.open_stream(other.access)
        streams.append(sock)
        self.assertEqual(status, 200, f"another user's stream: {head}")

        self.close_now(streams.pop(0))
        # The service notices the closed stream at once (it watches the connection), without a
        # write to it: no event is needed to free the slot.
        def reopened():
            status, sock, _ = self.open_stream(user.access)
            if status == 200:
                streams.append(sock)
                return True
            sock.close()
            return False
        self.assertTrue(wait_until(reopened, timeout=2.0, interval=0.1),
                        "closing a stream did not free its slot within 2 s")


class NoEmailInDatabaseLogTest(unittest.TestCase):
    """A duplicate registration raises no unique violation, so PostgreSQL logs no email."""

    def test_duplicate_registration_leaves_the_email_out_of_postgresqls_log(self):
        log_path = os.path.join(STACK_DIR, "logs", "postgres.log")
        self.assertTrue(os.path.exists(log_path), f"{log_path} is missing")
        email = f"log-probe-{uuid.uuid4().hex}@example.test"
        first = register(email, strong_password())
        self.assertEqual(first.status, 201, first)
        second = register(email, strong_password())
        assert_problem(self, second, 409, "conflict")
        # Registrations that arrive together all pass the check before hashing and meet at the
        # insert: one wins, the others are 409 too, and none raises an error in PostgreSQL.
        racing = f"log-race-{uuid.uuid4().hex}@example.test"
        statuses = []
        threads = [threading.Thread(target=lambda: statuses.append(
            register(racing, strong_password()).status)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(statuses), [201] + [409] * 5)
        with open(log_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        self.assertNotIn(email, text)
        self.assertNotIn(racing, text)


if __name__ == "__main__":
    unittest.main()
