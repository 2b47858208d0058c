"""End-to-end: an Idempotency-Key outlives Redis. A retried POST /v1/tasks after a Redis restart
(Redis keeps no data), or while Redis is down, returns the first response and creates nothing.

These tests start their OWN tasks process ($BUILD_DIR/services/tasks/tasks) on a free port with
a redis-server of its own, so that restarting Redis disturbs no other test; PostgreSQL, NATS and
the key directory are the stack's (a second replica of the tasks service, as in production).
Users and their tokens come from the stack's identity service through the gateway.

Run: python3 -m unittest tests/e2e/idempotency_test.py (against a running stack).
"""

import os
import socket
import time
import unittest
import uuid

from support import Child, assert_problem, register_user, request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build", "release")
STACK_DIR = os.environ.get("STACK_DIR") or os.path.join(ROOT, ".stack")
TASKS_BINARY = os.path.join(BUILD_DIR, "services", "tasks", "tasks")
PG_PORT = os.environ.get("TODO_PG_PORT", "55432")
NATS_PORT = os.environ.get("TODO_NATS_PORT", "54222")
START_TIMEOUT = 30.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(probe, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} not within {timeout} s")


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class IdempotencyAcrossRedisRestartTest(unittest.TestCase):

    def start_redis(self):
        self.redis = Child(self, ["redis-server", "--port", str(self.redis_port), "--bind",
                                  "127.0.0.1", "--save", "", "--appendonly", "no"])
        wait_for(lambda: redis_answers(self.redis_port), 10, "redis-server answering PING")

    def stop_redis(self):
        self.redis.kill()
        wait_for(lambda: not redis_answers(self.redis_port), 10, "redis-server gone")

    def setUp(self):
        # A missing binary is a failure, not a skip: scripts/test always builds it.
        self.assertTrue(os.access(TASKS_BINARY, os.X_OK), f"{TASKS_BINARY} is not built")
        self.redis_port = free_port()
        self.start_redis()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TODO_")}
        env.update({
            "TODO_TASKS_PORT": str(port),
            "TODO_PG": f"host=127.0.0.1 port={PG_PORT} user=todo dbname=todo_tasks",
            "TODO_REDIS_PORT": str(self.redis_port),
            "TODO_NATS_URL": f"nats://127.0.0.1:{NATS_PORT}",
            "TODO_KEY_DIR": os.path.join(STACK_DIR, "keys"),
            "TODO_ACCESS_LOG": "false",
        })
        self.tasks = Child(self, [TASKS_BINARY], env=env)
        wait_for(self.ready, START_TIMEOUT, f"tasks on {self.url} ready")
        self.user = register_user(name="Idempotency E2E")

    def ready(self):
        if self.tasks.proc.poll() is not None:
            raise AssertionError(f"tasks exited during start-up:\n{self.tasks.output()}")
        try:
            return request("GET", "/readyz", base=self.url, timeout=2).status == 200
        except OSError:
            return False

    def create(self, body, key):
        return request("POST", "/v1/tasks", body, token=self.user.access, base=self.url,
                       headers={"Idempotency-Key": key})

    def task_ids(self):
        resp = request("GET", "/v1/tasks", token=self.user.access, base=self.url)
        self.assertEqual(resp.status, 200, resp)
        return [t["id"] for t in resp.body["items"]]

    def assert_replay(self, again, first):
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.body, first.body)
        self.assertEqual(again.headers.get("location"), first.headers.get("location"))
        self.assertEqual(again.headers.get("etag"), first.headers.get("etag"))
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")

    def test_retry_after_a_redis_restart_returns_the_first_task(self):
        key = f"e2e-restart-{uuid.uuid4().hex}"
        body = {"title": "once, whatever Redis does", "labels": ["idempotent"]}
        first = self.create(body, key)
        self.assertEqual(first.status, 201, first)
        self.stop_redis()
        self.start_redis()
        # The service reconnects by itself; its readiness says when it has.
        wait_for(self.ready, 10, "tasks ready again after the Redis restart")
        self.assert_replay(self.create(body, key), first)
        self.assertEqual(self.task_ids(), [first.body["id"]])
        # Another body under the key is still refused, from PostgreSQL's record.
        other = self.create({"title": "another body"}, key)
        assert_problem(self, other, 422, "conflict")
        self.assertEqual(self.task_ids(), [first.body["id"]])

    def test_retry_while_redis_is_down_returns_the_first_task(self):
        key = f"e2e-down-{uuid.uuid4().hex}"
        body = {"title": "once, even without Redis"}
        first = self.create(body, key)
        self.assertEqual(first.status, 201, first)
        self.stop_redis()
        self.assert_replay(self.create(body, key), first)
        self.start_redis()
        wait_for(self.ready, 10, "tasks ready again after Redis came back")
        self.assertEqual(self.task_ids(), [first.body["id"]])


if __name__ == "__main__":
    unittest.main()
