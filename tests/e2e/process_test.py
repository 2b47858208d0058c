"""End-to-end tests of the identity service as a process: shutdown, load shedding, configuration
and a second instance sharing the stack.

Run from the repository's root: /usr/bin/python3 -m unittest discover -s tests/e2e -p '*_test.py' -v

These tests start their OWN identity process ($BUILD_DIR/services/identity/identity) on a free
port, against the stack's PostgreSQL, Redis and NATS (TODO_PG_PORT, TODO_REDIS_PORT,
TODO_NATS_PORT) and with the stack's key directory ($STACK_DIR/keys), so it signs and verifies
with the same key as the stack's instance. Every child process is killed in cleanup.
"""

import concurrent.futures
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from support import (Child, assert_problem, assert_unauthorized, fake_client_address, login, me,
                     register_user, request, wait_until)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build", "release")
STACK_DIR = os.environ.get("STACK_DIR") or os.path.join(ROOT, ".stack")
IDENTITY_BINARY = os.path.join(BUILD_DIR, "services", "identity", "identity")
PG_PORT = os.environ.get("TODO_PG_PORT", "55432")
REDIS_PORT = os.environ.get("TODO_REDIS_PORT", "56379")
NATS_PORT = os.environ.get("TODO_NATS_PORT", "54222")
START_TIMEOUT = 30.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connection_refused(port):
    """True when a TCP connection to 127.0.0.1:port is refused."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def identity_env(port=None, **overrides):
    """The environment of a second identity instance: the parent's, minus every TODO_* variable
    (the stack's own instance settings must not leak in), plus the stack's addresses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TODO_")}
    env.update({
        "TODO_PG": f"host=127.0.0.1 port={PG_PORT} user=todo dbname=todo_identity",
        "TODO_REDIS_PORT": str(REDIS_PORT),
        "TODO_NATS_URL": f"nats://127.0.0.1:{NATS_PORT}",
        "TODO_KEY_DIR": os.path.join(STACK_DIR, "keys"),
        "TODO_ACCESS_LOG": "false",
    })
    # The shared stack's raised limits (scripts/test): its suites' registrations from 127.0.0.1
    # are counted in the shared Redis, which a second instance reads too.
    for name in ("TODO_REGISTER_PER_HOUR", "TODO_RATE_PER_USER", "TODO_RATE_BURST",
                 "TODO_TRUSTED_PROXIES"):
        if name in os.environ:
            env[name] = os.environ[name]
    # The tests stand in for the gateway on loopback: like the stack's instance, a second one
    # believes X-Forwarded-For from 127.0.0.1, so each test can be a client address of its own.
    env.setdefault("TODO_TRUSTED_PROXIES", "127.0.0.1")
    if port is not None:
        env["TODO_IDENTITY_PORT"] = str(port)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class IdentityProcess(Child):
    """A second identity instance owned by one test."""

    def __init__(self, test, **overrides):
        # A missing binary is a failure, not a skip: scripts/test always builds it.
        test.assertTrue(os.access(IDENTITY_BINARY, os.X_OK), f"{IDENTITY_BINARY} is not built")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(test, [IDENTITY_BINARY], env=identity_env(self.port, **overrides))

    def wait_ready(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"identity exited with {self.proc.returncode} during "
                                     f"start-up:\n{self.output()}")
            try:
                last = request("GET", "/readyz", base=self.url, timeout=2)
                if last.status == 200:
                    return self
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise AssertionError(f"identity on port {self.port} not ready in {timeout} s (last: "
                             f"{last!r}):\n{self.output()}")


def run_identity(env, *args, timeout=10):
    """Runs the binary to completion; returns (CompletedProcess, seconds taken)."""
    assert os.access(IDENTITY_BINARY, os.X_OK), f"{IDENTITY_BINARY} is not built"
    started = time.monotonic()
    try:
        done = subprocess.run([IDENTITY_BINARY, *args], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"identity {args} still running after {timeout} s: "
                             f"{(e.stderr or b'')[-2000:]!r}") from None
    return done, time.monotonic() - started


class GracefulShutdownTest(unittest.TestCase):

    def test_sigterm_lets_in_flight_logins_finish_then_exits_0_and_refuses_connections(self):
        # One hash worker: the 8 logins queue behind each other, so most are still in flight
        # when SIGTERM arrives.
        instance = IdentityProcess(self, TODO_HASH_WORKERS=1).wait_ready()
        account = register_user(base=instance.url)
        # A client address of its own: the stack's per-address failure counter (shared through
        # Redis with other tests) must not turn these logins into 429s.
        client = {"X-Forwarded-For": fake_client_address()}
        results = [None] * 8
        finished_at = [None] * 8
        first_done = threading.Event()
        start = threading.Barrier(len(results) + 1)

        def one_login(i):
            start.wait()
            try:
                results[i] = login(account.email, account.password, base=instance.url,
                                   headers=client)
            except Exception as e:  # noqa: BLE001 - any failure is a result to report
                results[i] = e
            finished_at[i] = time.monotonic()
            first_done.set()

        threads = [threading.Thread(target=one_login, args=(i,), daemon=True)
                   for i in range(len(results))]
        for t in threads:
            t.start()
        start.wait()
        # The first answer means every request (all sent at once) has reached the server and the
        # rest are queued for the hash worker: they are in flight now.
        self.assertTrue(first_done.wait(10), "no login finished within 10 s")
        terminated_at = time.monotonic()
        instance.proc.send_signal(signal.SIGTERM)

        # The listener closes at once, while in-flight logins are still being served.
        self.assertTrue(wait_until(lambda: connection_refused(instance.port), timeout=2.0),
                        "new connections still accepted 2 s after SIGTERM")
        for t in threads:
            t.join(15)
        try:
            code = instance.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.fail(f"identity did not exit within 10 s of SIGTERM:\n{instance.output()}")
        self.assertEqual(code, 0, f"exit code {code}:\n{instance.output()}")

        for i, resp in enumerate(results):
            self.assertNotIsInstance(resp, Exception, f"login {i} failed: {resp!r}")
            self.assertIsNotNone(resp, f"login {i} did not finish")
            self.assertEqual(resp.status, 200, f"login {i}: {resp!r}")
            self.assertEqual(resp.body["user"]["id"], account.id)
            self.assertTrue(resp.body["tokens"]["access_token"])
        late = [t for t in finished_at if t is not None and t > terminated_at]
        self.assertTrue(late, "every login finished before SIGTERM: nothing was in flight")
        self.assertTrue(connection_refused(instance.port),
                        "port still accepts connections after the process exited")
        # The tokens issued while draining are good at the stack's own instance.
        self.assertEqual(me(results[-1].body["tokens"]["access_token"]).status, 200)

    def test_sigterm_on_an_idle_instance_exits_0_promptly(self):
        instance = IdentityProcess(self).wait_ready()
        # A keep-alive connection that sends nothing must not hold the shutdown up.
        idle = socket.create_connection(("127.0.0.1", instance.port), timeout=5)
        self.addCleanup(idle.close)
        started = time.monotonic()
        instance.proc.send_signal(signal.SIGTERM)
        try:
            code = instance.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.fail(f"identity did not exit within 10 s of SIGTERM:\n{instance.output()}")
        self.assertEqual(code, 0, instance.output())
        self.assertLess(time.monotonic() - started, 5.0, "an idle connection delayed shutdown")
        self.assertTrue(connection_refused(instance.port))


class LoadSheddingTest(unittest.TestCase):

    def test_login_flood_is_shed_with_503_and_retry_after(self):
        instance = IdentityProcess(self, TODO_HASH_WORKERS=1, TODO_HASH_QUEUE=2).wait_ready()
        account = register_user(base=instance.url)
        client = {"X-Forwarded-For": fake_client_address()}
        count = 40
        start = threading.Barrier(count)

        def one_login(_):
            start.wait(10)
            try:
                return login(account.email, account.password, base=instance.url,
                             headers=client)
            except Exception as e:  # noqa: BLE001
                return e

        with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
            responses = list(pool.map(one_login, range(count)))

        errors = [r for r in responses if isinstance(r, Exception)]
        self.assertFalse(errors, f"{len(errors)} logins failed at the transport: {errors[:3]}")
        statuses = sorted(r.status for r in responses)
        self.assertTrue(set(statuses) <= {200, 503}, f"statuses: {statuses}")
        shed = [r for r in responses if r.status == 503]
        served = [r for r in responses if r.status == 200]
        self.assertTrue(shed, f"nothing was shed with 1 worker and a queue of 2: {statuses}")
        self.assertTrue(served, f"no login succeeded: {statuses}")
        for resp in shed:
            assert_problem(self, resp, 503, "unavailable")
            retry_after = resp.headers.get("retry-after", "")
            self.assertRegex(retry_after, r"^[1-9][0-9]*$", f"Retry-After in {resp!r}")
        for resp in served:
            self.assertEqual(resp.body["user"]["id"], account.id)

        # Shedding leaves no trace: the slots are all released and nothing counted as a failure.
        for _ in range(4):
            resp = login(account.email, account.password, base=instance.url, headers=client)
            self.assertEqual(resp.status, 200, f"login after the flood: {resp!r}")
        wrong = login(account.email, account.password + "x", base=instance.url, headers=client)
        self.assertEqual(wrong.status, 401, wrong)


class ConfigurationTest(unittest.TestCase):

    def assert_refused_config(self, name, value):
        done, seconds = run_identity(identity_env(free_port(), **{name: value}))
        stderr = done.stderr.decode("utf-8", errors="replace")
        self.assertNotEqual(done.returncode, 0, f"{name}={value!r} was accepted: {stderr}")
        self.assertIn(name, stderr, f"stderr does not name {name}: {stderr!r}")
        self.assertLess(seconds, 5.0, f"{name}={value!r} took {seconds:.1f} s to be refused")
        return stderr

    def test_non_numeric_port_stops_start_up_naming_the_variable(self):
        stderr = self.assert_refused_config("TODO_IDENTITY_PORT", "notaport")
        self.assertIn("notaport", stderr)

    def test_out_of_range_values_stop_start_up_naming_the_variable(self):
        self.assert_refused_config("TODO_IDENTITY_PORT", "70000")
        self.assert_refused_config("TODO_HASH_WORKERS", "0")
        self.assert_refused_config("TODO_ACCESS_LOG", "maybe")

    def test_help_exits_0_and_lists_the_configuration(self):
        done, seconds = run_identity(identity_env(free_port()), "--help")
        stdout = done.stdout.decode("utf-8", errors="replace")
        self.assertEqual(done.returncode, 0, done)
        for name in ("TODO_PG", "TODO_IDENTITY_PORT", "TODO_NATS_URL", "TODO_KEY_DIR",
                     "TODO_HASH_WORKERS", "TODO_HASH_QUEUE"):
            self.assertRegex(stdout, rf"(?m)^\s*{name}\s", f"--help does not list {name}")
        self.assertLess(seconds, 5.0)

    def test_unknown_argument_stops_start_up(self):
        done, _ = run_identity(identity_env(free_port()), "--no-such-flag")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("--no-such-flag", done.stderr.decode("utf-8", errors="replace"))


class SecondInstanceTest(unittest.TestCase):

    def setUp(self):
        self.second = IdentityProcess(self).wait_ready()

    def test_both_instances_publish_the_same_signing_key(self):
        here = request("GET", "/.well-known/jwks.json", base=self.second.url)
        there = request("GET", "/.well-known/jwks.json")
        self.assertEqual(here.status, 200, here)
        self.assertEqual(there.status, 200, there)
        self.assertTrue(here.body.get("keys"), here)
        self.assertEqual(here.body, there.body)

    def test_tokens_of_either_instance_are_accepted_by_the_other(self):
        account = register_user()  # through the gateway: the stack's instance
        got = me(account.access, base=self.second.url)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.body["id"], account.id)
        other = login(account.email, account.password, base=self.second.url,
                      headers={"X-Forwarded-For": fake_client_address()})
        self.assertEqual(other.status, 200, other)
        back = me(other.body["tokens"]["access_token"])
        self.assertEqual(back.status, 200, back)
        self.assertEqual(back.body["id"], account.id)

    def test_logout_on_the_main_instance_revokes_the_token_at_the_second_within_1_s(self):
        account = register_user()
        self.assertEqual(me(account.access, base=self.second.url).status, 200)
        out = request("POST", "/v1/auth/logout", {"refresh_token": account.refresh},
                      token=account.access)
        logged_out_at = time.monotonic()
        self.assertEqual(out.status, 204, out)
        last = wait_until(lambda: (lambda r: r if r.status == 401 else None)(
            me(account.access, base=self.second.url)), timeout=1.0)
        elapsed = time.monotonic() - logged_out_at
        self.assertIsNotNone(last, "the second instance still accepts the token 1 s after logout")
        self.assertLessEqual(elapsed, 1.5)
        assert_unauthorized(self, last)
        # The refresh token is dead at the second instance too.
        again = request("POST", "/v1/auth/refresh", {"refresh_token": account.refresh},
                        base=self.second.url)
        assert_unauthorized(self, again)

    def test_second_instance_serves_while_sharing_the_database(self):
        # Registered at one, visible and changeable at the other.
        account = register_user(base=self.second.url)
        patched = request("PATCH", "/v1/users/me", {"name": "Changed Elsewhere"},
                          token=account.access)
        self.assertEqual(patched.status, 200, patched)
        seen = me(account.access, base=self.second.url)
        self.assertEqual(seen.status, 200, seen)
        self.assertEqual(seen.body["name"], "Changed Elsewhere")
        self.assertEqual(seen.body["version"], 2)
        self.assertTrue(re.match(r"^[0-9a-f-]{36}$", seen.body["id"]))


class DegradedCacheTest(unittest.TestCase):
    """Redis is a cache: with it unreachable, identity still serves and says so in /readyz."""

    def setUp(self):
        # A port nothing listens on stands in for a Redis that is down.
        self.second = IdentityProcess(self, TODO_REDIS_PORT=free_port())

        def healthy():
            try:
                return request("GET", "/healthz", base=self.second.url, timeout=2).status == 200
            except OSError:
                return False
        self.assertTrue(wait_until(healthy, timeout=START_TIMEOUT), self.second.output())

    def test_readyz_is_503_naming_the_cache(self):
        ready = request("GET", "/readyz", base=self.second.url)
        self.assertEqual(ready.status, 503, ready)
        self.assertEqual(ready.body["checks"]["cache"], "unavailable", ready)
        self.assertEqual(ready.body["checks"]["database"], "ok", ready)
        self.assertEqual(ready.body["checks"]["broker"], "ok", ready)
        self.assertIn("cache", ready.body["detail"])

    def test_register_login_and_profile_still_work_without_redis(self):
        account = register_user(base=self.second.url)
        again = login(account.email, account.password, base=self.second.url,
                      headers={"X-Forwarded-For": fake_client_address()})
        self.assertEqual(again.status, 200, again)
        got = me(again.body["tokens"]["access_token"], base=self.second.url)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.body["id"], account.id)


if __name__ == "__main__":
    unittest.main()
