"""The README's curl walkthrough, pasted into a shell: it works on a fresh stack and again.

Run from the repository's root: /usr/bin/python3 -m unittest tests/e2e/walkthrough_test.py -v
(TODO_GATEWAY_URL names the stack, default http://127.0.0.1:8080; scripts/test runs it with the
other end-to-end tests against its throwaway stack).

The ```sh blocks under the README's "Walkthrough" heading are joined in order and run by
`bash -euo pipefail` with `API` set to the gateway, twice in a row: a failing `curl -f` or `jq`,
or a step whose status check fails, fails the run. Each run's output must then show what the
README says each step shows (statuses, derived progress, the replayed Idempotency-Key, the
expired task, the live event).
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support import GATEWAY  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")
RUN_TIMEOUT = 120  # a run takes about 16 s (it waits 1 + 3 s and holds two streams 5 + 2 s)

# What every run prints, one line each (jq -c output and curl -w lines of the README).
EXPECTED_LINES = [
    '{"email":"siti@example.com","name":"Siti"}',
    '{"timezone":"Asia/Jakarta","default_task_ttl_seconds":null}',
    '{"token_type":"Bearer","expires_in":900}',
    "logout: HTTP 204",
    '{"status":401,"type":"/problems/unauthorized"}',
    '{"kty":"OKP","crv":"Ed25519","alg":"EdDSA"}',
    # a new task on every run (a fixed Idempotency-Key would replay an old one at version 3+)
    '{"status":"todo","progress":0,"priority":"high","version":1}',
    "Idempotent-Replayed: true",
    '{"status":"in_progress","progress":50,"version":2}',
    '{"description":"after tarawih","version":3}',
    "stale If-Match: HTTP 412",
    '{"status":"expired","on_time":true}',
    '{"status":"done","progress":100,"done":true}',
    ": connected",
]


def walkthrough_script(text):
    """The ```sh blocks between the "## Walkthrough" heading and the next "## " heading."""
    start = re.search(r"^## Walkthrough\b.*$", text, re.M)
    if start is None:
        return []
    rest = text[start.end():]
    end = re.search(r"^## ", rest, re.M)
    section = rest[:end.start()] if end else rest
    return re.findall(r"^```sh\n(.*?)^```\s*$", section, re.S | re.M)


class ReadmeWalkthroughTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(README, encoding="utf-8") as f:
            cls.blocks = walkthrough_script(f.read())

    def run_walkthrough(self):
        env = dict(os.environ, API=GATEWAY)
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(self.blocks)],
                              env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT)
        output = done.stdout
        self.assertEqual(done.returncode, 0,
                         f"the walkthrough failed (exit {done.returncode})\n--- stdout\n{output}"
                         f"\n--- stderr\n{done.stderr}")
        lines = [line.strip() for line in output.splitlines()]
        for expected in EXPECTED_LINES:
            self.assertIn(expected, lines, f"missing {expected!r} in\n{output}")
        return output, lines

    def test_the_readme_has_the_three_walkthrough_blocks(self):
        self.assertEqual(len(self.blocks), 3, "account, tasks and progress blocks")
        script = "\n".join(self.blocks)
        self.assertIn("${API:-", script, "API must default so that a test can point it elsewhere")
        self.assertNotRegex(script, r"Idempotency-Key: [0-9a-f]{4,}",
                            "a fixed Idempotency-Key replays an old task on a second run")
        self.assertNotRegex(script, r"curl -sN (?!--max-time)",
                            "a stream command must end by itself (--max-time)")

    def test_the_walkthrough_runs_twice_in_a_row(self):
        first, first_lines = self.run_walkthrough()
        register = [line for line in first_lines if line.startswith("register: HTTP ")]
        self.assertEqual(len(register), 1, first)
        self.assertIn(register[0], ("register: HTTP 201", "register: HTTP 409"), first)
        # The reopen made while the stream was open arrives live or, at the latest, in the
        # resumed stream (Last-Event-ID) two seconds later.
        self.assertIn("event: reopened", first_lines, first)

        second, second_lines = self.run_walkthrough()
        # The email is taken now: register says so, and the login after it still works.
        self.assertIn("register: HTTP 409", second_lines, second)
        self.assertIn("event: reopened", second_lines, second)


if __name__ == "__main__":
    unittest.main()
