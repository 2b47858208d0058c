"""The suite's own stack, through tests/fault/stack-ctl (which uses scripts/lib/stack.sh): its
addresses, starting and stopping it, killing and restarting one part, and asking whether every
service is ready."""

import http.client
import os
import subprocess

from support import request

HERE = os.path.dirname(os.path.abspath(__file__))
CTL = os.path.join(HERE, "stack-ctl")
SERVICES = ("identity", "tasks", "progress")


class StackError(Exception):
    """A stack command failed; carries the end of its log."""


class Stack:
    def __init__(self, log_path):
        self.log_path = log_path
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        open(log_path, "wb").close()  # this run's commands only
        done = subprocess.run([CTL, "env"], capture_output=True, text=True, check=True,
                              stdin=subprocess.DEVNULL)
        self.env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
        self.stack_dir = self.env["STACK_DIR"]
        self.gateway = f"http://127.0.0.1:{self.env['TODO_HTTP_PORT']}"
        self.services = {name: f"http://127.0.0.1:{self.env[f'TODO_{name.upper()}_PORT']}"
                         for name in SERVICES}
        self.pg_port = self.env["TODO_PG_PORT"]

    def ctl(self, *args, timeout=120):
        """Runs stack-ctl; its output goes to the log (daemons must not hold a pipe of ours)."""
        with open(self.log_path, "ab") as log:
            log.write(f"$ stack-ctl {' '.join(args)}\n".encode())
            log.flush()
            done = subprocess.run([CTL, *args], stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        if done.returncode != 0:
            raise StackError(f"stack-ctl {' '.join(args)} failed ({done.returncode}):\n"
                             f"{self.log_tail()}")

    def log_tail(self, chars=3000):
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", errors="replace")[-chars:]

    def up(self):
        self.ctl("up", timeout=300)

    def down(self):
        self.ctl("down")

    def kill(self, part):
        self.ctl("kill", part)

    def start(self, part):
        self.ctl("start", part)

    def ready(self):
        """True when every service answers /readyz 200 (its database, cache and broker are up)."""
        for base in self.services.values():
            try:
                if request("GET", "/readyz", base=base, timeout=2).status != 200:
                    return False
            except (OSError, http.client.HTTPException):
                return False
        return True

    def outbox_backlog(self):
        """Outbox rows not yet published, per service database that has an outbox."""
        backlog = {}
        for db in ("todo_identity", "todo_tasks"):
            done = subprocess.run(
                ["psql", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "todo", "-d", db, "-tAc",
                 "SELECT count(*) FROM outbox WHERE sent_at IS NULL"],
                capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
            backlog[db] = int(done.stdout.strip()) if done.returncode == 0 else None
        return backlog
