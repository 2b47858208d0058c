"""End-to-end tests of revocation as events: a revoked session stays refused at identity, tasks
and progress whatever happens to Redis, and a service started later knows it from the stream.

Run against the stack scripts/test starts (it exports STACK_DIR and the TODO_* ports). Some tests
kill the stack's Redis and start a fresh, empty one (as scripts/lib/stack.sh does), then wait
until every service reports its cache ready again, so later tests find the stack as it was.
Others start their own identity, tasks and progress processes with a private, empty Redis;
every child process is killed in cleanup.
"""

import datetime
import os
import signal
import subprocess
import tempfile
import time
import unittest

from nats_client import NatsClient
from process_test import IdentityProcess, connection_refused, free_port
from support import (GATEWAY, assert_unauthorized, fake_client_address, login, me, refresh,
                     register_user, request, wait_until)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build", "release")
STACK_DIR = os.environ.get("STACK_DIR") or os.path.join(ROOT, ".stack")
PG_PORT = os.environ.get("TODO_PG_PORT", "55432")
REDIS_PORT = int(os.environ.get("TODO_REDIS_PORT", "56379"))
NATS_PORT = os.environ.get("TODO_NATS_PORT", "54222")
SERVICE_URLS = {
    "identity": os.environ.get("TODO_IDENTITY_URL", "http://127.0.0.1:8081"),
    "tasks": os.environ.get("TODO_TASKS_URL", "http://127.0.0.1:8082"),
    "progress": os.environ.get("TODO_PROGRESS_URL", "http://127.0.0.1:8083"),
}
# One authenticated read per service.
PROBES = {"identity": "/v1/users/me", "tasks": "/v1/tasks?limit=1", "progress": "/v1/progress"}
PORT_VARIABLES = {"identity": "TODO_IDENTITY_PORT", "tasks": "TODO_TASKS_PORT",
                  "progress": "TODO_PROGRESS_PORT"}
ACCESS_TTL_SECONDS = 900  # the stack's default TODO_ACCESS_TTL_SECONDS


def statuses(token, bases=None):
    """The status each service answers an authenticated read with this token."""
    bases = bases or {name: GATEWAY for name in PROBES}
    return {name: request("GET", PROBES[name], token=token, base=bases[name]).status
            for name in PROBES}


def everywhere(status):
    return {name: status for name in PROBES}


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def services_ready():
    def ready(url):
        try:
            return request("GET", "/readyz", base=url, timeout=2).status == 200
        except OSError:
            return False
    return all(ready(url) for url in SERVICE_URLS.values())


class StackDaemon:
    """One of the stack's daemons: killed with SIGKILL and started again the way stack.sh does
    (Redis comes back empty; NATS with its stream on disk)."""

    def __init__(self, name, port, start_function):
        self.pidfile = os.path.join(STACK_DIR, name, f"{name}.pid")
        self.port = int(port)
        self.start_function = start_function

    def kill(self, test):
        with open(self.pidfile) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, signal.SIGKILL)
        test.assertTrue(wait_until(lambda: connection_refused(self.port), timeout=10.0),
                        f"{self.pidfile}: still accepting connections after SIGKILL")
        # A killed daemon may linger as a zombie that stack.sh would take for a running one.
        os.remove(self.pidfile)

    def start(self, test):
        done = subprocess.run(["bash", "-c", f'source "$1/scripts/lib/stack.sh" && '
                               f'{self.start_function}', self.start_function, ROOT],
                              env=os.environ, capture_output=True, timeout=60)
        test.assertEqual(done.returncode, 0, done.stderr)

    def start_and_wait_for_services(self, test):
        self.start(test)
        test.assertTrue(wait_until(services_ready, timeout=30.0),
                        f"the services did not report ready after {self.start_function}")


STACK_REDIS = StackDaemon("redis", REDIS_PORT, "start_redis")
STACK_NATS = StackDaemon("nats", NATS_PORT, "start_nats")


class RevokedSessions:
    """Tokens whose sessions ended in each of the four ways identity ends sessions."""

    def __init__(self, test):
        # logout
        self.logged_out = register_user()
        out = request("POST", "/v1/auth/logout", {"refresh_token": self.logged_out.refresh},
                      token=self.logged_out.access)
        test.assertEqual(out.status, 204, out)
        # a refresh token presented twice ends its whole family
        self.reused = register_user()
        test.assertEqual(refresh(self.reused.refresh).status, 200)
        assert_unauthorized(test, refresh(self.reused.refresh))
        # a password change ends every other session of the account
        self.changed = register_user()
        other = login(self.changed.email, self.changed.password, headers={"X-Forwarded-For": fake_client_address()})
        test.assertEqual(other.status, 200, other)
        self.changed_other_access = other.body["tokens"]["access_token"]
        changed = request("PUT", "/v1/users/me/password",
                          {"current_password": self.changed.password,
                           "new_password": self.changed.password + "-new"},
                          token=self.changed.access)
        test.assertEqual(changed.status, 204, changed)
        # account deletion ends them all
        self.deleted = register_user()
        gone = request("DELETE", "/v1/users/me", {"password": self.deleted.password},
                       token=self.deleted.access)
        test.assertEqual(gone.status, 204, gone)

    def tokens(self):
        return {"logout": self.logged_out.access, "refresh-token reuse": self.reused.access,
                "password change": self.changed_other_access,
                "account deletion": self.deleted.access}


class ServiceProcess(IdentityProcess):
    """An extra instance of any service, owned by one test, against the stack's database and
    NATS (output, kill and wait_ready as for process_test's extra identity); `settings` add to
    or replace its TODO_* variables."""

    def __init__(self, test, name, redis_port, **settings):  # pylint: disable=super-init-not-called
        binary = os.path.join(BUILD_DIR, "services", name, name)
        test.assertTrue(os.access(binary, os.X_OK), f"{binary} is not built")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TODO_")}
        env.update({
            "TODO_PG": f"host=127.0.0.1 port={PG_PORT} user=todo dbname=todo_{name}",
            "TODO_REDIS_PORT": str(redis_port),
            "TODO_NATS_URL": f"nats://127.0.0.1:{NATS_PORT}",
            "TODO_KEY_DIR": os.path.join(STACK_DIR, "keys"),
            "TODO_ACCESS_LOG": "false",
            PORT_VARIABLES[name]: str(self.port),
        })
        env.update(settings)
        self.log = tempfile.TemporaryFile()
        test.addCleanup(self.log.close)
        self.proc = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        test.addCleanup(self.kill)


class PrivateRedis:
    """A redis-server of one test's own: empty, as after a restart."""

    def __init__(self, test):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        test.addCleanup(self.kill)
        test.assertTrue(wait_until(lambda: not connection_refused(self.port), timeout=10.0),
                        "the private redis-server did not start")

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


class LogoutReachesEveryServiceTest(unittest.TestCase):

    def test_logout_makes_the_access_token_401_at_tasks_and_progress_within_1_s(self):
        account = register_user()
        self.assertEqual(statuses(account.access), everywhere(200))
        out = request("POST", "/v1/auth/logout", {"refresh_token": account.refresh},
                      token=account.access)
        logged_out_at = time.monotonic()
        self.assertEqual(out.status, 204, out)
        # identity applied it before answering
        assert_unauthorized(self, me(account.access))
        for name in ("tasks", "progress"):
            def refused(name=name):
                return request("GET", PROBES[name], token=account.access).status == 401
            self.assertTrue(wait_until(refused, timeout=1.0),
                            f"{name} still accepts the token 1 s after logout")
        self.assertLess(time.monotonic() - logged_out_at, 1.5)
        assert_unauthorized(self, request("GET", PROBES["tasks"], token=account.access))
        assert_unauthorized(self, request("GET", PROBES["progress"], token=account.access))

    def test_every_ended_session_publishes_todo_session_revoked(self):
        with NatsClient.connect() as nats:
            nats.subscribe("todo.session.revoked")
            started = time.time()
            revoked = RevokedSessions(self)
            sessions = {}
            deadline = time.monotonic() + 5.0
            users = {revoked.logged_out.id, revoked.reused.id, revoked.changed.id,
                     revoked.deleted.id}
            while users - {data["user_id"] for data in sessions.values()}:
                msg = nats.next_message(deadline)
                self.assertIsNotNone(msg, f"no revocation event for {users} within 5 s")
                env = msg.json()
                self.assertEqual(env["type"], "todo.session.revoked", env)
                self.assertEqual(env["source"], "/identity", env)
                data = env["data"]
                self.assertEqual(set(data), {"session_id", "user_id", "revoked_at", "until"}, env)
                self.assertEqual(env["subject"], data["session_id"], env)
                sessions[data["session_id"]] = data
        for data in sessions.values():
            revoked_at, until = parse_time(data["revoked_at"]), parse_time(data["until"])
            # until: when the session's last access token expires (plus the 60 s margin)
            self.assertAlmostEqual(until - revoked_at, ACCESS_TTL_SECONDS + 60, delta=0.002,
                                   msg=data)
            self.assertLess(abs(revoked_at - started), 30, data)


class RedisLossTest(unittest.TestCase):

    def test_revoked_tokens_stay_401_everywhere_after_redis_restarts_empty(self):
        revoked = RevokedSessions(self)
        valid = register_user()
        for why, token in revoked.tokens().items():
            self.assertEqual(statuses(token), everywhere(401), why)
        STACK_REDIS.kill(self)
        self.addCleanup(STACK_REDIS.start_and_wait_for_services, self)
        STACK_REDIS.start(self)
        # A fresh, empty Redis: it knows no revocation; the services' sets still do.
        for why, token in revoked.tokens().items():
            self.assertEqual(statuses(token), everywhere(401), f"{why} after a Redis restart")
        self.assertEqual(statuses(valid.access), everywhere(200))

    def test_with_redis_down_revoked_tokens_are_401_and_valid_ones_still_work(self):
        before = register_user()
        self.assertEqual(request("POST", "/v1/auth/logout", {"refresh_token": before.refresh},
                                 token=before.access).status, 204)
        during = register_user()
        valid = register_user()
        STACK_REDIS.kill(self)
        self.addCleanup(STACK_REDIS.start_and_wait_for_services, self)
        self.assertEqual(statuses(before.access), everywhere(401))
        self.assertEqual(statuses(valid.access), everywhere(200))
        # A logout while Redis is down still works and still reaches every service within 1 s.
        self.assertEqual(statuses(during.access), everywhere(200))
        out = request("POST", "/v1/auth/logout", {"refresh_token": during.refresh},
                      token=during.access)
        self.assertEqual(out.status, 204, out)
        self.assertTrue(wait_until(lambda: statuses(during.access) == everywhere(401),
                                   timeout=1.0),
                        f"after a logout with Redis down: {statuses(during.access)}")
        for name in PROBES:
            assert_unauthorized(self, request("GET", PROBES[name], token=during.access))
        self.assertEqual(statuses(valid.access), everywhere(200))


class LateStartTest(unittest.TestCase):

    def test_services_started_after_the_revocation_with_an_empty_redis_refuse_the_token(self):
        revoked = RevokedSessions(self)
        valid = register_user()
        redis = PrivateRedis(self)
        fresh = {name: ServiceProcess(self, name, redis.port) for name in PROBES}
        for process in fresh.values():
            process.wait_ready()
            ready = request("GET", "/readyz", base=process.url)
            self.assertEqual(ready.body["checks"]["revocations"], "ok", ready)
        bases = {name: process.url for name, process in fresh.items()}
        # Only the replay of the stream can tell them: their Redis is empty.
        for why, token in revoked.tokens().items():
            self.assertEqual(statuses(token, bases), everywhere(401), why)
            assert_unauthorized(self, request("GET", PROBES["tasks"], token=token,
                                              base=bases["tasks"]))
        self.assertEqual(statuses(valid.access, bases), everywhere(200))


    def test_a_revocation_after_nats_restarts_reaches_a_service_whose_redis_knows_nothing(self):
        # A restarted server may have lost the service's ephemeral consumer: the feed must
        # notice and subscribe again, or later revocations would never reach the set.
        redis = PrivateRedis(self)
        tasks = ServiceProcess(self, "tasks", redis.port)
        tasks.wait_ready()
        STACK_NATS.kill(self)
        STACK_NATS.start_and_wait_for_services(self)
        account = register_user()
        probe = lambda: request("GET", PROBES["tasks"], token=account.access, base=tasks.url)
        self.assertEqual(probe().status, 200)
        out = request("POST", "/v1/auth/logout", {"refresh_token": account.refresh},
                      token=account.access)
        self.assertEqual(out.status, 204, out)
        self.assertTrue(wait_until(lambda: probe().status == 401, timeout=10.0),
                        f"the revocation never reached tasks after a NATS restart:\n"
                        f"{tasks.output()}")
        assert_unauthorized(self, probe())


if __name__ == "__main__":
    unittest.main()
