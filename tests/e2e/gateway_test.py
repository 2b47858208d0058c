"""End-to-end tests of the cross-cutting HTTP conventions, through the gateway (and, where the
behaviour belongs to the service itself, directly against the identity service).

Run from the repository's root: /usr/bin/python3 -m unittest discover -s tests/e2e -p '*_test.py' -v
"""

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

from support import (GATEWAY, IDENTITY, PROBLEM_SLUGS, Response, assert_problem,
                     assert_unauthorized, register_user, request, unique_email, wait_until)

SANE_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
BASES = (("gateway", GATEWAY), ("identity", IDENTITY))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STACK_SH = os.path.join(ROOT, "scripts", "lib", "stack.sh")


class RequestIdTest(unittest.TestCase):

    def test_sane_request_id_is_echoed(self):
        for label, base in BASES:
            with self.subTest(via=label):
                rid = f"e2e-test-{uuid.uuid4().hex}"
                resp = request("GET", "/.well-known/jwks.json", base=base,
                               headers={"X-Request-Id": rid})
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(resp.headers.get("x-request-id"), rid)

    def test_sane_request_id_is_echoed_on_error_responses(self):
        for label, base in BASES:
            for method, path in (("GET", "/v1/users/me"), ("POST", "/v1/auth/login"),
                                 ("GET", "/v1/auth/nothing-here")):
                with self.subTest(via=label, method=method, path=path):
                    rid = f"e2e-test-{uuid.uuid4().hex}"
                    resp = request(method, path, base=base, headers={"X-Request-Id": rid},
                                   raw_body="{" if method == "POST" else None)
                    self.assertGreaterEqual(resp.status, 400, resp)
                    self.assertEqual(resp.headers.get("x-request-id"), rid, resp.headers)

    def test_insane_request_id_is_replaced_by_a_generated_one(self):
        for label, base in BASES:
            for rid in ("x" * 300, "has spaces in it", "quote\"and;semicolon", "new\tline"):
                with self.subTest(via=label, request_id=rid[:20]):
                    resp = request("GET", "/.well-known/jwks.json", base=base,
                                   headers={"X-Request-Id": rid})
                    self.assertEqual(resp.status, 200, resp)
                    got = resp.headers.get("x-request-id", "")
                    self.assertNotEqual(got, rid)
                    self.assertRegex(got, SANE_ID_RE)

    def test_missing_request_id_is_generated_and_unique(self):
        for label, base in BASES:
            with self.subTest(via=label):
                ids = {request("GET", "/.well-known/jwks.json", base=base)
                       .headers.get("x-request-id") for _ in range(5)}
                self.assertNotIn(None, ids)
                self.assertEqual(len(ids), 5, ids)
                for rid in ids:
                    self.assertRegex(rid, SANE_ID_RE)

    def test_every_identity_route_answers_with_request_id(self):
        account = register_user()
        calls = [
            ("GET", "/v1/users/me", account.access, None),
            ("PATCH", "/v1/users/me", account.access, {"name": "Changed"}),
            ("POST", "/v1/auth/refresh", None, {"refresh_token": "nope"}),
            ("POST", "/v1/auth/login", None, {"email": account.email}),
            ("POST", "/v1/auth/register", None, {}),
            ("PUT", "/v1/users/me/password", account.access, {}),
            ("DELETE", "/v1/users/me", account.access, {}),
        ]
        for method, path, token, body in calls:
            with self.subTest(method=method, path=path):
                resp = request(method, path, body, token=token)
                self.assertRegex(resp.headers.get("x-request-id", ""), SANE_ID_RE, resp)

    def test_gateway_own_answers_carry_request_id(self):
        # Answers that the gateway produces itself (unknown /v1 path, its health check) are
        # responses too: the contract says every response carries X-Request-Id.
        for path in ("/v1/no-such-thing", "/healthz"):
            with self.subTest(path=path):
                resp = request("GET", path)
                self.assertRegex(resp.headers.get("x-request-id", ""), SANE_ID_RE, resp.headers)


class RoutingTest(unittest.TestCase):

    def test_unknown_path_under_v1_is_404_problem(self):
        for label, base in BASES:
            for path in ("/v1/no-such-thing", "/v1/auth/no-such-thing", "/v1/users/someone-else",
                         "/v1/users/me/nothing"):
                with self.subTest(via=label, path=path):
                    resp = request("GET", path, base=base)
                    assert_problem(self, resp, 404, "not-found")

    def test_unknown_path_with_valid_token_is_still_404(self):
        account = register_user()
        assert_problem(self, request("GET", "/v1/users/" + account.id, token=account.access),
                       404, "not-found")

    def test_wrong_method_on_known_path_is_405_problem(self):
        account = register_user()
        for label, base in BASES:
            for method, path in (("GET", "/v1/auth/login"), ("GET", "/v1/auth/register"),
                                 ("DELETE", "/v1/auth/refresh"), ("POST", "/v1/users/me"),
                                 ("GET", "/v1/users/me/password"),
                                 ("POST", "/.well-known/jwks.json")):
                with self.subTest(via=label, method=method, path=path):
                    resp = request(method, path, base=base, token=account.access)
                    self.assertEqual(resp.status, 405, resp)
                    self.assertTrue(resp.headers.get("content-type", "")
                                    .startswith("application/problem+json"), resp)
                    self.assertEqual(resp.body["status"], 405)
                    slug = resp.body["type"].rsplit("/", 1)[-1]
                    self.assertIn(slug, PROBLEM_SLUGS)
                    self.assertTrue(resp.body["type"].startswith("/problems/"), resp)

    def test_405_lists_allowed_methods(self):
        # RFC 9110 section 15.5.6: a 405 response MUST carry Allow.
        for label, base in BASES:
            with self.subTest(via=label):
                resp = request("GET", "/v1/auth/login", base=base)
                self.assertEqual(resp.status, 405, resp)
                self.assertIn("POST", resp.headers.get("allow", ""), resp.headers)

    def test_gateway_healthz_is_200(self):
        resp = request("GET", "/healthz")
        self.assertEqual(resp.status, 200, resp)


class ErrorFormatTest(unittest.TestCase):

    def test_errors_never_leak_internals(self):
        account = register_user()
        answers = [
            request("POST", "/v1/auth/login", raw_body="{\"email\": \"x' OR 1=1 --\""),
            request("POST", "/v1/auth/login", {"email": "x' OR 1=1 --", "password": "p" * 10}),
            request("PATCH", "/v1/users/me", {"timezone": "../../../../etc/passwd"},
                    token=account.access),
            request("GET", "/v1/users/me", headers={"Authorization": "Bearer " + "A" * 4000}),
        ]
        for resp in answers:
            with self.subTest(status=resp.status):
                self.assertLess(resp.status, 500, resp)
                text = resp.raw.lower()
                for leak in ("select ", "insert ", "postgres", "sqlstate", "pq", "exception",
                             "stack", "what():", "127.0.0.1", "localhost", "/work/", ".cpp"):
                    self.assertNotIn(leak, text, resp)

    def test_problem_bodies_use_the_documented_shape_through_gateway(self):
        account = register_user()
        cases = [
            (request("POST", "/v1/auth/register", {}), 400, "validation"),
            (request("GET", "/v1/users/me"), 401, "unauthorized"),
            (request("POST", "/v1/auth/register",
                     {"email": account.email, "password": "another-" + account.password,
                      "name": "Dup"}), 409, "conflict"),
            (request("GET", "/v1/nope"), 404, "not-found"),
            (request("POST", "/v1/auth/register", raw_body='"' + "x" * (70 * 1024) + '"'),
             413, "payload-too-large"),
        ]
        for resp, status, slug in cases:
            with self.subTest(status=status):
                body = assert_problem(self, resp, status, slug)
                self.assertEqual(set(body) - {"type", "title", "status", "detail", "errors",
                                              "instance"}, set(), body)

    def test_unauthorized_answers_carry_bearer_challenge_through_gateway(self):
        for method, path in (("GET", "/v1/users/me"), ("PATCH", "/v1/users/me"),
                             ("PUT", "/v1/users/me/password"), ("DELETE", "/v1/users/me"),
                             ("POST", "/v1/auth/logout")):
            with self.subTest(method=method, path=path):
                assert_unauthorized(self, request(method, path, {}))

    def test_success_bodies_are_json(self):
        email = unique_email()
        account = register_user(email=email)
        for resp in (request("GET", "/v1/users/me", token=account.access),
                     request("GET", "/.well-known/jwks.json")):
            self.assertTrue(resp.headers.get("content-type", "").startswith("application/json"),
                            resp.headers)
            self.assertIsInstance(resp.body, dict)


# ---------------------------------------------------------------------------------------------
# Raw HTTP: requests that http.client will not send (bad request lines, huge headers), and
# pipelined ones (many requests in one write, faster than any rate limit refills).

def _host_port(base):
    url = urllib.parse.urlsplit(base)
    return url.hostname, url.port


def _parse_one(data):
    """The first HTTP response in data as (Response, the bytes after it), or None if incomplete."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = data[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ")[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    length = int(headers.get("content-length", "0"))
    if len(data) < end + 4 + length:
        return None
    raw = data[end + 4:end + 4 + length].decode("utf-8", errors="replace")
    body = raw
    if "json" in headers.get("content-type", "") and raw:
        try:
            body = json.loads(raw)
        except ValueError:
            pass
    return Response(status, headers, body, raw), data[end + 4 + length:]


def raw_exchange(data, base=GATEWAY, count=1, timeout=30):
    """Sends the bytes as they are and returns the first `count` responses (Response objects)."""
    sock = socket.create_connection(_host_port(base), timeout=timeout)
    answers, buffer = [], b""
    try:
        sock.sendall(data)
        while len(answers) < count:
            parsed = _parse_one(buffer)
            if parsed:
                answer, buffer = parsed
                answers.append(answer)
                continue
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            buffer += chunk
    finally:
        sock.close()
    return answers


def raw_one(data, base=GATEWAY):
    answers = raw_exchange(data, base)
    if not answers:
        raise AssertionError(f"no answer to {data[:80]!r}")
    return answers[0]


def pipelined_gets(count, base=GATEWAY, path="/favicon.svg"):
    """Sends `count` GETs of a static file of the web app, pipelined: in batches of 500 in one
    write per connection (nginx closes a connection after 1000 requests). Returns (statuses,
    seconds). /healthz would not do: a fixed answer (`return`) comes before the limits."""
    one = f"GET {path} HTTP/1.1\r\nHost: gateway-test\r\n\r\n".encode()
    started = time.monotonic()
    statuses = []
    while len(statuses) < count:
        batch = min(500, count - len(statuses))
        statuses += [a.status for a in raw_exchange(one * batch, base, count=batch)]
    return statuses, time.monotonic() - started


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# A gateway of the test's own, and a stand-in service behind it

class FakeService:
    """An HTTP service on a free port that records each request's headers and answers 200 {}.
    GET /v1/stream answers its headers and then holds the response open until release()."""

    def __init__(self):
        self.seen = []
        self.open_streams = 0
        self.lock = threading.Lock()
        self.released = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with fake.lock:
                    fake.seen.append((self.path, self.headers))
                if self.path.startswith("/v1/stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.write(b"b\r\n: connected\r\n")
                    self.wfile.flush()
                    with fake.lock:
                        fake.open_streams += 1
                    fake.released.wait(60)
                    with fake.lock:
                        fake.open_streams -= 1
                    self.wfile.write(b"0\r\n\r\n")
                    return
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # the listen backlog: every held stream connects at once

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def streams(self):
        with self.lock:
            return self.open_streams

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


class OwnGateway:
    """A gateway of the test's own: scripts/lib/stack.sh's start_gateway on the project's
    template, on a free port, its files in a temporary directory, in front of the given service
    ports. `settings` are environment variables (TODO_GATEWAY_RATE...); unset ones take their
    defaults, whatever the shared stack was started with."""

    def __init__(self, identity_port, tasks_port, progress_port, **settings):
        self.dir = tempfile.mkdtemp(prefix="gateway-test-")
        os.chmod(self.dir, 0o755)  # nginx's workers (another user when run as root) work in it
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TODO_GATEWAY_")}
        self.env.update(STACK_DIR=self.dir, TODO_HTTP_PORT=str(self.port),
                        TODO_IDENTITY_PORT=str(identity_port), TODO_TASKS_PORT=str(tasks_port),
                        TODO_PROGRESS_PORT=str(progress_port), **settings)
        started = self._shell('mkdir -p "$STACK_DIR/logs" && start_gateway && echo "$RUN_DIR"')
        if started.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise AssertionError(f"the gateway did not start: {started.stderr}")
        run_dir = started.stdout.strip().splitlines()[-1]
        with open(os.path.join(run_dir, "nginx", "nginx.conf")) as f:
            self.config = f.read()

    def _shell(self, script):
        return subprocess.run(["bash", "-c", f'source "$1"; {script}', "gateway-test", STACK_SH],
                              env=self.env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    def close(self):
        self._shell('stop_gateway; [ "$RUN_DIR" = "$STACK_DIR" ] || rm -rf "$RUN_DIR"')
        shutil.rmtree(self.dir, ignore_errors=True)


def closed_port():
    """A port nothing listens on (a service that is down)."""
    return free_port()


# ---------------------------------------------------------------------------------------------

CSP_REQUIRED = {
    "default-src": {"'self'"}, "object-src": {"'none'"}, "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"}, "form-action": {"'self'"}, "connect-src": {"'self'"},
}


def csp_directives(value):
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = set(words[1:])
    return out


def app_script_path():
    """The path of the web app's script, as index.html names it."""
    index = request("GET", "/", headers={"Accept": "text/html"})
    found = re.search(r'<script[^>]+src="(/assets/[^"]+\.js)"', index.raw)
    if not found:
        raise AssertionError(f"index.html names no script: {index!r}")
    return found.group(1)


class SecurityHeadersTest(unittest.TestCase):

    def answers(self):
        account = register_user()
        return {
            "index.html": request("GET", "/", headers={"Accept": "text/html"}),
            "app route": request("GET", "/tasks/anything", headers={"Accept": "text/html"}),
            "asset": request("GET", app_script_path()),
            "api 200": request("GET", "/v1/users/me", token=account.access),
            "api 401": request("GET", "/v1/users/me"),
            "gateway 404": request("GET", "/v1/no-such-thing"),
            "gateway 400": raw_one(b"GET / HTTP/1.1 trailing-junk\r\nHost: x\r\n\r\n"),
            "jwks": request("GET", "/.well-known/jwks.json"),
            "healthz": request("GET", "/healthz"),
        }

    def test_every_answer_carries_the_security_headers(self):
        for label, resp in self.answers().items():
            with self.subTest(answer=label):
                csp = resp.headers.get("content-security-policy", "")
                directives = csp_directives(csp)
                for name, sources in CSP_REQUIRED.items():
                    self.assertEqual(directives.get(name), sources, f"{name} in {csp!r}")
                # Scripts only from the origin: nothing inline, no eval.
                self.assertEqual(directives.get("script-src", directives["default-src"]),
                                 {"'self'"}, csp)
                self.assertNotIn("unsafe", csp)
                self.assertEqual(resp.headers.get("x-content-type-options"), "nosniff")
                self.assertIn(resp.headers.get("referrer-policy"),
                              ("no-referrer", "strict-origin-when-cross-origin"))
                permissions = resp.headers.get("permissions-policy", "")
                for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
                    self.assertIn(f"{feature}=()", permissions)
                self.assertRegex(resp.headers.get("x-request-id", ""), SANE_ID_RE)

    def test_api_answers_are_not_stored_and_assets_are(self):
        account = register_user()
        task = request("POST", "/v1/tasks", {"title": "Not to be cached"}, token=account.access)
        self.assertEqual(task.status, 201, task)
        private = {
            "me": request("GET", "/v1/users/me", token=account.access),
            "login": request("POST", "/v1/auth/login",
                             {"email": account.email, "password": account.password}),
            "tasks": request("GET", "/v1/tasks", token=account.access),
            "task": request("GET", f"/v1/tasks/{task.body['id']}", token=account.access),
            "progress": request("GET", "/v1/progress", token=account.access),
            "activity": request("GET", "/v1/activity", token=account.access),
            "unauthorized": request("GET", "/v1/tasks"),
            "not found": request("GET", "/v1/no-such-thing"),
        }
        for label, resp in private.items():
            with self.subTest(answer=label):
                self.assertLess(resp.status, 500, resp)
                # Exactly one header: a service's own must not be doubled by the gateway's.
                self.assertEqual(resp.headers.get("cache-control"), "no-store", resp.headers)
        jwks = request("GET", "/.well-known/jwks.json").headers.get("cache-control", "")
        self.assertIn("max-age=", jwks)
        self.assertNotIn("no-store", jwks)
        asset = request("GET", app_script_path())
        self.assertEqual(asset.status, 200, asset)
        self.assertIn("immutable", asset.headers.get("cache-control", ""))
        index = request("GET", "/", headers={"Accept": "text/html"})
        self.assertEqual(index.headers.get("cache-control"), "no-cache")
        missing = request("GET", "/assets/no-such-asset.js")
        assert_problem(self, missing, 404, "not-found")
        self.assertEqual(missing.headers.get("cache-control"), "no-store", "a 404 is not kept")

    def test_source_maps_are_not_served(self):
        script = app_script_path()
        self.assertNotIn("sourceMappingURL", request("GET", script).raw)
        # Any other path is the app's index.html (200): a map is refused, wherever it is asked for.
        for path in (script + ".map", "/index.js.map", "/src/main.ts.map", "/tasks/x.map"):
            with self.subTest(path=path):
                assert_problem(self, request("GET", path), 404, "not-found")


class GatewayErrorTest(unittest.TestCase):
    """nginx's own errors are problem+json like the services', with the same headers."""

    def assert_gateway_problem(self, resp, status, slug):
        body = assert_problem(self, resp, status, slug)
        self.assertEqual(set(body), {"type", "title", "status", "detail"}, body)
        self.assertRegex(resp.headers.get("x-request-id", ""), SANE_ID_RE)
        self.assertEqual(resp.headers.get("cache-control"), "no-store")
        self.assertIn("frame-ancestors 'none'", resp.headers.get("content-security-policy", ""))
        return body

    def test_malformed_request_line_is_400(self):
        for data in (b"GET / HTTP/1.1 trailing-junk\r\nHost: x\r\n\r\n",
                     b"get /v1/tasks HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"\x16\x03\x01 not http\r\n\r\n"):
            with self.subTest(request=data[:24]):
                self.assert_gateway_problem(raw_one(data), 400, "validation")

    def test_bad_request_keeps_a_sane_request_id(self):
        # HTTP/1.1 without Host: the headers were read, so the client's request id is kept.
        rid = f"e2e-test-{uuid.uuid4().hex}"
        resp = raw_one(f"GET /v1/tasks HTTP/1.1\r\nX-Request-Id: {rid}\r\n\r\n".encode())
        self.assert_gateway_problem(resp, 400, "validation")
        self.assertEqual(resp.headers.get("x-request-id"), rid)

    def test_huge_uri_is_414(self):
        resp = raw_one(b"GET /v1/tasks?q=" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assert_gateway_problem(resp, 414, "payload-too-large")

    def test_huge_header_is_431(self):
        resp = raw_one(b"GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 +
                       b"\r\n\r\n")
        self.assert_gateway_problem(resp, 431, "payload-too-large")

    def test_unknown_transfer_coding_is_501(self):
        resp = raw_one(b"POST /v1/tasks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                       b"Content-Type: application/json\r\n\r\n")
        self.assert_gateway_problem(resp, 501, "validation")

    def test_body_over_the_gateway_limit_is_413(self):
        resp = raw_one(b"POST /v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                       b"\r\nContent-Length: 2000000\r\n\r\n")
        self.assert_gateway_problem(resp, 413, "payload-too-large")

    def test_unknown_method_on_the_web_app_is_405_with_allow(self):
        for method in ("POST", "SECPROBEX", "DELETE"):
            with self.subTest(method=method):
                resp = request(method, "/", raw_body="{}")
                self.assert_gateway_problem(resp, 405, "not-found")
                self.assertEqual(resp.headers.get("allow"), "GET, HEAD")

    def test_unknown_api_path_is_404(self):
        self.assert_gateway_problem(request("GET", "/v1/no-such-thing"), 404, "not-found")
        self.assert_gateway_problem(request("GET", "/.gateway/404"), 404, "not-found")


class OwnGatewayTest(unittest.TestCase):
    """What needs a gateway of its own: a service that records what it was sent, one that is
    down, and limits set low (or left at their defaults) without touching the shared gateway."""

    def setUp(self):
        self.service = FakeService()
        self.addCleanup(self.service.close)

    def gateway(self, **settings):
        gw = OwnGateway(self.service.port, closed_port(), self.service.port, **settings)
        self.addCleanup(gw.close)
        return gw

    def test_x_forwarded_for_is_the_peer_address_not_what_the_client_claims(self):
        gw = self.gateway(TODO_GATEWAY_RATE="0")
        for claimed in ("203.0.113.7", "203.0.113.7, 198.51.100.1", None):
            with self.subTest(claimed=claimed):
                self.service.seen.clear()
                resp = request("GET", "/v1/users/me", base=gw.base,
                               headers={"X-Forwarded-For": claimed})
                self.assertEqual(resp.status, 200, resp)
                (_, headers), = self.service.seen
                self.assertEqual(headers.get_all("X-Forwarded-For"), ["127.0.0.1"])

    def test_service_down_is_502_problem_with_retry_after(self):
        gw = self.gateway(TODO_GATEWAY_RATE="0")
        rid = f"e2e-test-{uuid.uuid4().hex}"
        resp = request("GET", "/v1/tasks", base=gw.base, headers={"X-Request-Id": rid})
        body = assert_problem(self, resp, 502, "unavailable")
        self.assertNotIn("127.0.0.1", resp.raw)
        self.assertEqual(set(body), {"type", "title", "status", "detail"})
        self.assertEqual(resp.headers.get("x-request-id"), rid)
        self.assertEqual(resp.headers.get("retry-after"), "1")
        # A service's own answer gets no Retry-After from the gateway.
        self.assertNotIn("retry-after", request("GET", "/v1/users/me", base=gw.base).headers)

    def assert_rate_limited(self, resp):
        assert_problem(self, resp, 429, "rate-limited")
        self.assertEqual(resp.headers.get("retry-after"), "1")
        self.assertRegex(resp.headers.get("x-request-id", ""), SANE_ID_RE)

    def test_low_rate_limits_an_address_and_lets_it_in_again(self):
        gw = self.gateway(TODO_GATEWAY_RATE="5")  # burst 10
        self.assertIn("limit_req zone=per_address burst=10 nodelay;", gw.config)
        statuses, seconds = pipelined_gets(40, gw.base)
        self.assertEqual(set(statuses), {200, 429}, statuses)
        allowed = statuses.count(200)
        # The burst, plus what 5/s refilled meanwhile (and the request that opened the bucket).
        self.assertGreaterEqual(allowed, 10, statuses)
        self.assertLessEqual(allowed, 11 + int(5 * seconds) + 1, (statuses, seconds))
        self.assert_rate_limited(request("GET", "/v1/users/me", base=gw.base))
        # The API is limited as well as the probe; after a moment the address is let in again.
        again = wait_until(lambda: request("GET", "/v1/users/me", base=gw.base).status == 200,
                           timeout=5)
        self.assertTrue(again, "the address was not let in again")

    def test_default_rate_is_500_per_second_with_a_burst_of_1000(self):
        gw = self.gateway()
        self.assertIn("rate=500r/s;", gw.config)
        self.assertIn("burst=1000 nodelay;", gw.config)
        statuses, seconds = pipelined_gets(4000, gw.base)
        self.assertEqual(len(statuses), 4000)
        allowed = statuses.count(200)
        self.assertGreaterEqual(allowed, 1000, f"the burst of 1000 passes ({seconds:.2f} s)")
        self.assertLessEqual(allowed, 1001 + int(500 * seconds) + 10, f"{allowed} in {seconds:.2f} s")
        self.assertIn(429, statuses, f"{allowed} passed in {seconds:.2f} s")

    def test_rate_and_connection_limits_set_to_0_are_off(self):
        gw = self.gateway(TODO_GATEWAY_RATE="0", TODO_GATEWAY_CONN="0")
        for directive in ("limit_req_zone", "limit_req zone", "limit_conn_zone",
                          "limit_conn connections"):
            self.assertNotIn(directive, gw.config)
        statuses, _ = pipelined_gets(3000, gw.base)
        self.assertEqual(statuses, [200] * 3000)

    def hold_streams(self, gw, count):
        """Opens `count` live streams through the gateway, each held open by the fake service."""
        socks = []
        for _ in range(count):
            sock = socket.create_connection(_host_port(gw.base), timeout=30)
            self.addCleanup(sock.close)
            sock.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n")
            socks.append(sock)
        held = wait_until(lambda: self.service.streams() == count, timeout=20)
        self.assertTrue(held, f"{self.service.streams()} of {count} streams are open")
        return socks

    def test_connections_per_address_are_limited(self):
        gw = self.gateway(TODO_GATEWAY_RATE="0", TODO_GATEWAY_CONN="3")
        self.hold_streams(gw, 3)
        self.assert_rate_limited(request("GET", "/v1/users/me", base=gw.base))
        self.service.released.set()
        again = wait_until(lambda: request("GET", "/v1/users/me", base=gw.base).status == 200,
                           timeout=5)
        self.assertTrue(again, "a connection was let in once the others closed")

    def test_default_connection_limit_is_100(self):
        gw = self.gateway(TODO_GATEWAY_RATE="0")
        self.assertIn("limit_conn connections_per_address 100;", gw.config)
        self.hold_streams(gw, 100)  # all 100 reach the service
        self.assert_rate_limited(request("GET", "/v1/users/me", base=gw.base))


class UpstreamKeepaliveTest(unittest.TestCase):
    SERVICE_IDLE_TIMEOUT_S = 30  # platform::http::ServerOptions::idle_timeout

    def test_gateway_closes_idle_service_connections_before_the_services_do(self):
        # Otherwise a request can go out on a connection the service is closing: a 502, and a
        # POST is not retried.
        with open(os.path.join(ROOT, "deploy", "nginx.conf.template")) as f:
            template = f.read()
        upstreams = re.findall(r"upstream (\w+) \{([^}]*)\}", template)
        self.assertEqual({name for name, _ in upstreams}, {"identity", "tasks", "progress"})
        for name, block in upstreams:
            with self.subTest(upstream=name):
                self.assertIn("keepalive ", block)
                found = re.search(r"keepalive_timeout (\d+)s;", block)
                self.assertTrue(found, f"{name} keeps nginx's default of 60 s")
                self.assertLess(int(found.group(1)), self.SERVICE_IDLE_TIMEOUT_S)


class StackPostgresLogTest(unittest.TestCase):
    """The stack's PostgreSQL logs errors tersely: no DETAIL line, which would carry values
    (a unique violation's DETAIL names the duplicate key, such as an email)."""

    def test_unique_violation_leaves_its_value_out_of_the_log(self):
        stack_dir = os.environ.get("STACK_DIR") or os.path.join(ROOT, ".stack")
        log = os.path.join(stack_dir, "logs", "postgres.log")
        pg = ["psql", "-h", "127.0.0.1", "-p", os.environ.get("TODO_PG_PORT", "55432"),
              "-U", "todo", "-d", "todo_test", "-X", "-q", "-tA"]
        # The value is made in the server: the failing statement's own text does not hold it.
        constraint = f"log_probe_{uuid.uuid4().hex[:12]}"
        out = subprocess.run(pg + [
            "-c", "CREATE TEMP TABLE src AS SELECT 'secret-' || md5(random()::text) AS v",
            "-c", "SELECT v FROM src",
            "-c", f"CREATE TEMP TABLE t (v text CONSTRAINT {constraint} UNIQUE)",
            "-c", "INSERT INTO t SELECT v FROM src",
            "-c", "INSERT INTO t SELECT v FROM src"],
            capture_output=True, text=True, timeout=30)
        secret = out.stdout.strip().splitlines()[0]
        self.assertTrue(secret.startswith("secret-"), out)
        self.assertIn(constraint, out.stderr, "the duplicate was refused")

        def logged():
            with open(log, errors="replace") as f:
                return constraint in f.read()
        self.assertTrue(wait_until(logged, timeout=10), f"the error is not in {log}")
        with open(log, errors="replace") as f:
            self.assertNotIn(secret, f.read())


if __name__ == "__main__":
    unittest.main()
