"""Runs the end-to-end suite (tests/e2e) against the compose stack of scripts/test-deploy.

What scripts/test does (`python3 -m unittest discover -s tests/e2e -p '*_test.py'`), less the
tests that need what only the source stack (scripts/lib/stack.sh) has: the programs of
build/release started as processes of their own beside the stack with its key directory
(.stack/.../keys), the stack's processes stopped and started by their pid files, its nginx
started on the host, or its PostgreSQL's log file. Those are left out, each with its reason, and
counted. Everything else talks to the gateway, to the services' ports, to NATS or to PostgreSQL,
which the stack publishes on loopback (tests/deploy/compose.test.yaml).
Usage: python3 tests/deploy/run_e2e.py   (from the repository's root; the TODO_* URLs set)
"""

import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
E2E = os.path.join(ROOT, "tests", "e2e")

OWN_PROCESSES = "starts build/release programs beside the stack, with the stack's key directory"
SKIPPED = {  # test id prefix -> why the compose stack cannot give it what it needs
    "process_test.": OWN_PROCESSES,
    "key_rotation_test.": OWN_PROCESSES + " and a private one it rotates",
    "idempotency_test.": OWN_PROCESSES + ", and restarts a Redis of its own",
    "revocation_test.": OWN_PROCESSES + ", and Redis processes of its own",
    "limits_test.PerUserRateLimitTest.": OWN_PROCESSES + " (identity with low limits)",
    "limits_test.RegistrationThrottleTest.": OWN_PROCESSES + " (identity with low limits)",
    "limits_test.PasswordCheckThrottleTest.": OWN_PROCESSES + " (identity with low limits)",
    "limits_test.NoEmailInDatabaseLogTest.": "reads the stack's PostgreSQL log file ($STACK_DIR/logs)",
    "gateway_test.OwnGatewayTest.": "starts nginx on the host with scripts/lib/stack.sh's start_gateway",
    "gateway_test.StackPostgresLogTest.": "reads the stack's PostgreSQL log file and its todo_test database",
    "progress_test.StackOutageTest.": "stops and starts the stack's processes by their pid files",
    "rebuild_test.": "scripts/progress-rebuild stops the stack's progress by its pid file and runs build/release's",
}


def flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from flatten(item)
        else:
            yield item


def main():
    sys.path.insert(0, E2E)
    loaded = unittest.defaultTestLoader.discover(E2E, pattern="*_test.py", top_level_dir=E2E)
    kept, skipped = unittest.TestSuite(), {}
    for test in flatten(loaded):
        reason = next((why for prefix, why in SKIPPED.items() if test.id().startswith(prefix)), None)
        if reason is None:
            kept.addTest(test)
        else:
            skipped.setdefault(reason, []).append(test.id())
    # A discovery that failed (an import error) is a test that fails: it stays in the run.
    count = sum(len(ids) for ids in skipped.values())
    print(f"e2e: {count} tests skipped (they need the source stack):")
    for reason, ids in skipped.items():
        groups = sorted({".".join(i.split(".")[:2]) for i in ids})
        print(f"  {len(ids):3d}  {', '.join(groups)}: {reason}")
    print(f"e2e: running {kept.countTestCases()} tests", flush=True)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(kept)
    bad = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print(f"e2e: {result.testsRun - bad - len(result.skipped)} passed, {bad} failed, "
          f"{len(result.skipped)} skipped by the tests themselves, {count} skipped here")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
