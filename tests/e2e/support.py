"""Helpers shared by the end-to-end tests (standard library only).

The tests talk to a running stack: the gateway (TODO_GATEWAY_URL) and, where a test needs to
reach the identity service without the gateway in between, the service itself
(TODO_IDENTITY_URL).
"""

import base64
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import uuid

GATEWAY = os.environ.get("TODO_GATEWAY_URL", "http://127.0.0.1:8080").rstrip("/")
IDENTITY = os.environ.get("TODO_IDENTITY_URL", "http://127.0.0.1:8081").rstrip("/")

TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID7_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
PROBLEM_SLUGS = {
    "validation", "unauthorized", "forbidden", "not-found", "conflict", "precondition-failed",
    "rate-limited", "payload-too-large", "unavailable", "internal", "unsupported-media-type",
}

_UNSET = object()


class Response:
    """One HTTP answer: status, headers (lower-case names), body (parsed JSON or text)."""

    def __init__(self, status, headers, body, raw):
        self.status = status
        self.headers = headers
        self.body = body
        self.raw = raw

    def __iter__(self):  # allows: status, headers, body = request(...)
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        return f"<{self.status} {self.headers.get('content-type')} {self.raw[:500]!r}>"


def request(method, path, body=_UNSET, token=None, headers=None, base=GATEWAY, raw_body=None,
            timeout=30):
    """Sends one request and returns a Response (iterable as (status, headers, body)).

    body: a Python value sent as JSON (None sends JSON null). raw_body: bytes or str sent as is
    (with Content-Type: application/json unless headers say otherwise). token: a bearer token.
    """
    url = urllib.parse.urlsplit(base)
    conn_cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(url.hostname, url.port, timeout=timeout)
    send_headers = {"Accept": "application/json"}
    data = None
    if raw_body is not None:
        data = raw_body.encode("utf-8") if isinstance(raw_body, str) else raw_body
    elif body is not _UNSET:
        data = json.dumps(body).encode("utf-8")
    if data is not None:
        send_headers["Content-Type"] = "application/json"
    if token is not None:
        send_headers["Authorization"] = f"Bearer {token}"
    for name, value in (headers or {}).items():
        # Replace case-insensitively so callers can override defaults.
        for existing in list(send_headers):
            if existing.lower() == name.lower():
                del send_headers[existing]
        if value is not None:
            send_headers[name] = value
    full_path = (url.path.rstrip("/") if url.path else "") + path
    try:
        conn.request(method, full_path, body=data, headers=send_headers)
        resp = conn.getresponse()
        raw = resp.read()
        got = {}
        for name, value in resp.getheaders():
            key = name.lower()
            got[key] = f"{got[key]}, {value}" if key in got else value
    finally:
        conn.close()
    text = raw.decode("utf-8", errors="replace")
    parsed = text
    if "json" in got.get("content-type", "") and raw:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
    return Response(resp.status, got, parsed, text)


def unique_email(prefix="e2e"):
    return f"{prefix}-{uuid.uuid4().hex}@example.test"


def strong_password():
    """A password unique to this call: long enough and never on a common-passwords list."""
    return f"e2e-{uuid.uuid4().hex[:20]}"


def fake_client_address():
    """A client address (TEST-NET / benchmarking ranges) unlikely to repeat between runs."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


class Account:
    """A registered user: its credentials and the answer to the registration."""

    def __init__(self, email, password, name, response):
        self.email = email
        self.password = password
        self.name = name
        self.response = response
        self.user = response.body["user"]
        self.tokens = response.body["tokens"]

    @property
    def id(self):
        return self.user["id"]

    @property
    def access(self):
        return self.tokens["access_token"]

    @property
    def refresh(self):
        return self.tokens["refresh_token"]


def register(email, password, name="E2E User", base=GATEWAY, headers=None):
    return request("POST", "/v1/auth/register",
                   {"email": email, "password": password, "name": name},
                   base=base, headers=headers)


def register_user(name="E2E User", email=None, password=None, base=GATEWAY):
    """Registers a fresh user and returns an Account; fails loudly when registration fails."""
    email = email or unique_email()
    password = password or strong_password()
    resp = register(email, password, name, base=base)
    if resp.status != 201:
        raise AssertionError(f"registration of {email} failed: {resp!r}")
    return Account(email, password, name, resp)


def login(email, password, base=GATEWAY, headers=None):
    return request("POST", "/v1/auth/login", {"email": email, "password": password},
                   base=base, headers=headers)


def refresh(refresh_token, base=GATEWAY):
    return request("POST", "/v1/auth/refresh", {"refresh_token": refresh_token}, base=base)


def me(token, base=GATEWAY):
    return request("GET", "/v1/users/me", token=token, base=base)


def wait_until(probe, timeout=1.0, interval=0.02):
    """Calls probe() until it returns a truthy value or the deadline passes; returns the last
    value (falsy on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def wait_for_status(send, status, timeout=1.0):
    """Repeats send() (returning a Response) until it answers `status` or time runs out; returns
    the last Response."""
    last = [None]

    def probe():
        last[0] = send()
        return last[0].status == status

    wait_until(probe, timeout)
    return last[0]


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_encode(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_jwt(token):
    """Returns (header, payload, signature bytes) without verifying anything."""
    header, payload, signature = token.split(".")
    return (json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)),
            b64url_decode(signature))


def median_seconds(fn, times):
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def error_fields(body):
    if not isinstance(body, dict):
        return []
    return [e.get("field") for e in body.get("errors") or [] if isinstance(e, dict)]


def assert_problem(test, resp, status, slug, field=None):
    """Asserts that resp is an RFC 9457 problem with this status and type slug and, when field is
    given, that its errors name that field."""
    test.assertEqual(resp.status, status, f"expected {status}, got {resp!r}")
    content_type = resp.headers.get("content-type", "")
    test.assertTrue(content_type.startswith("application/problem+json"),
                    f"content type {content_type!r} in {resp!r}")
    body = resp.body
    test.assertIsInstance(body, dict, f"problem body is not a JSON object: {resp!r}")
    for key in ("type", "title", "status", "detail"):
        test.assertIn(key, body, f"problem lacks {key}: {resp!r}")
    test.assertIn(slug, PROBLEM_SLUGS)
    test.assertTrue(str(body["type"]).endswith(f"/problems/{slug}"),
                    f"type {body['type']!r} is not {slug}: {resp!r}")
    test.assertEqual(body["status"], status)
    test.assertIsInstance(body["title"], str)
    test.assertIsInstance(body["detail"], str)
    if "errors" in body:
        test.assertIsInstance(body["errors"], list)
        for item in body["errors"]:
            test.assertIn("field", item)
            test.assertIn("message", item)
    if field is not None:
        test.assertIn(field, error_fields(body), f"errors do not name {field!r}: {resp!r}")
    return body


def assert_unauthorized(test, resp):
    """A 401 problem that carries a Bearer challenge."""
    assert_problem(test, resp, 401, "unauthorized")
    challenge = resp.headers.get("www-authenticate", "")
    test.assertTrue(challenge.lower().startswith("bearer"),
                    f"WWW-Authenticate {challenge!r} in {resp!r}")


class Child:
    """A child process owned by one test: its output kept in a temporary file, killed in cleanup."""

    def __init__(self, test, argv, env=None):
        self.log = tempfile.TemporaryFile()
        test.addCleanup(self.log.close)
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        test.addCleanup(self.kill)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", errors="replace")[-4000:]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
