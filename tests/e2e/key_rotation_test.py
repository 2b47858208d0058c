"""End-to-end tests of signing-key rotation (`identity rotate-key`, README "Rotating the signing
key"): a planned rotation logs nobody out at two identity replicas sharing a key directory and at
a tasks process verifying with their JWKS; an emergency rotation (`--now`) makes the old key's
tokens 401; a malformed keyring.json stops a start and leaves a running instance as it was.

Run from the repository's root: /usr/bin/python3 -m unittest discover -s tests/e2e -p '*_test.py' -v

These tests start their OWN identity and tasks processes ($BUILD_DIR/services/...) on free ports
against the stack's PostgreSQL, Redis and NATS, with key directories of their own (temporary
directories), so the stack's key is never rotated. Every child process is killed in cleanup.

The planned rotation takes about 65 s: a tasks process fetches the JWKS every 60 s (the
platform's fixed refresh interval), and a key that signed before every verifier had fetched it
would log people out. The test sets the activation delay so that the new key signs 3 s after
that fetch, and checks every token at every process meanwhile instead of sleeping.
"""

import calendar
import json
import os
import shutil
import stat
import tempfile
import time
import unittest

from process_test import IdentityProcess, free_port, identity_env, run_identity
from revocation_test import ServiceProcess
from support import (Account, assert_unauthorized, decode_jwt, fake_client_address, me, refresh,
                     register, request, strong_password, unique_email, wait_until)

REDIS_PORT = os.environ.get("TODO_REDIS_PORT", "56379")
# How often a verifier (tasks, progress) fetches the JWKS: platform::service::LoadAccessTokenKeys.
VERIFIER_REFRESH_SECONDS = 60
ACCESS_TTL_SECONDS = 900  # TODO_ACCESS_TTL_SECONDS's default, which these processes use
RETIRE_MARGIN_SECONDS = 60  # domain::kRetireMarginSeconds
RELOAD = {"TODO_KEY_RELOAD_SECONDS": "1"}


def key_directory(test):
    path = tempfile.mkdtemp(prefix="todo-keys-")
    test.addCleanup(shutil.rmtree, path, True)
    return path


def jwks_kids(base):
    resp = request("GET", "/.well-known/jwks.json", base=base)
    assert resp.status == 200, resp
    return sorted(key["kid"] for key in resp.body["keys"])


def file_kids(key_dir):
    try:
        with open(os.path.join(key_dir, "jwks.json"), encoding="utf-8") as f:
            return sorted(key["kid"] for key in json.load(f)["keys"])
    except (OSError, ValueError):
        return None


def read_ring(key_dir):
    with open(os.path.join(key_dir, "keyring.json"), encoding="utf-8") as f:
        return json.load(f)


def unix(text):
    """Unix seconds of a ring time (2026-05-01T10:05:00.000Z)."""
    return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def rotate(test, key_dir, *flags, delay=300):
    env = identity_env(TODO_KEY_DIR=key_dir, TODO_KEY_ACTIVATION_DELAY_SECONDS=delay)
    done, _ = run_identity(env, "rotate-key", *flags)
    out = done.stdout.decode("utf-8", errors="replace")
    test.assertEqual(done.returncode, 0, f"rotate-key failed: {done.stderr!r} {out!r}")
    test.assertIn("new signing key ", out)
    return out


def new_account(base):
    email, password = unique_email("rotation"), strong_password()
    resp = register(email, password, "Key Rotation", base=base,
                    headers={"X-Forwarded-For": fake_client_address()})
    assert resp.status == 201, resp
    return Account(email, password, "Key Rotation", resp)


def kid_of(token):
    return decode_jwt(token)[0]["kid"]


class TasksProcess(ServiceProcess):
    """A tasks process of one test's own, verifying access tokens with `jwks_source` (an
    identity's JWKS URL or a jwks.json file), against the stack's database and NATS."""

    def __init__(self, test, jwks_source):
        super().__init__(test, "tasks", REDIS_PORT,
                         TODO_KEY_DIR=key_directory(test),  # its cursor key only
                         TODO_JWKS_SOURCE=jwks_source)


def status_at(token, name, base):
    path = "/v1/tasks?limit=1" if name == "tasks" else "/v1/users/me"
    return request("GET", path, token=token, base=base).status


class PlannedRotationTest(unittest.TestCase):

    def test_tokens_of_the_old_and_the_new_key_work_everywhere_throughout(self):
        key_dir = key_directory(self)
        one = IdentityProcess(self, TODO_KEY_DIR=key_dir, **RELOAD).wait_ready()
        two = IdentityProcess(self, TODO_KEY_DIR=key_dir, **RELOAD).wait_ready()
        # A new directory is what it was before rings: one key, no keyring.json.
        self.assertTrue(os.path.exists(os.path.join(key_dir, "identity-ed25519.pem")))
        self.assertFalse(os.path.exists(os.path.join(key_dir, "keyring.json")))
        old = jwks_kids(one.url)
        self.assertEqual(len(old), 1)
        self.assertEqual(jwks_kids(two.url), old)
        self.assertEqual(file_kids(key_dir), old)
        old_kid = old[0]

        tasks = TasksProcess(self, f"{one.url}/.well-known/jwks.json").wait_ready()
        tasks_ready = time.time()
        processes = {"identity one": one.url, "identity two": two.url, "tasks": tasks.url}
        account = new_account(one.url)
        first = account.access
        self.assertEqual(kid_of(first), old_kid)
        for name, base in processes.items():
            self.assertEqual(status_at(first, name.split()[0], base), 200, name)

        # The new key signs 3 s after tasks has fetched the JWKS (60 s after its start).
        delay = max(1, round(tasks_ready + VERIFIER_REFRESH_SECONDS + 3 - time.time()))
        rotated_at = time.time()
        out = rotate(self, key_dir, delay=delay)
        ring = read_ring(key_dir)
        self.assertEqual(ring["version"], 1)
        by_kid = {key["kid"]: key for key in ring["keys"]}
        self.assertEqual(len(by_kid), 2, ring)
        new_kid = next(kid for kid in by_kid if kid != old_kid)
        self.assertIn(new_kid, out)
        activate_at = unix(by_kid[new_kid]["activate_at"])
        self.assertIsNone(by_kid[new_kid]["retire_at"])
        self.assertAlmostEqual(activate_at, rotated_at + delay, delta=2)
        self.assertEqual(unix(by_kid[old_kid]["activate_at"]), 0)
        self.assertEqual(unix(by_kid[old_kid]["retire_at"]),
                         activate_at + ACCESS_TTL_SECONDS + RETIRE_MARGIN_SECONDS)
        self.assertEqual(by_kid[old_kid]["file"], "identity-ed25519.pem")
        self.assertEqual(mode(os.path.join(key_dir, "keyring.json")), 0o600)
        self.assertEqual(mode(os.path.join(key_dir, by_kid[new_kid]["file"])), 0o600)

        # Both replicas publish both keys by themselves (they re-read the directory every second).
        both = sorted([old_kid, new_kid])
        self.assertTrue(wait_until(lambda: jwks_kids(one.url) == both and
                                   jwks_kids(two.url) == both and file_kids(key_dir) == both,
                                   timeout=5.0),
                        f"JWKS one {jwks_kids(one.url)}, two {jwks_kids(two.url)}, file "
                        f"{file_kids(key_dir)}; expected {both}")

        # Until 5 s after the activation: new tokens from either replica (refreshed, as clients
        # do), and each must work at every process, as must the very first one.
        refresh_token = account.refresh
        minted = []  # (iat, kid, token)
        refused = []
        replicas = [one.url, two.url]
        while time.time() < activate_at + 5:
            got = refresh(refresh_token, base=replicas[len(minted) % 2])
            self.assertEqual(got.status, 200, got)
            refresh_token = got.body["tokens"]["refresh_token"]
            token = got.body["tokens"]["access_token"]
            header, claims, _ = decode_jwt(token)
            minted.append((claims["iat"], header["kid"], token))
            for checked in {first, token}:
                for name, base in processes.items():
                    status = status_at(checked, name.split()[0], base)
                    if status != 200:
                        refused.append((name, kid_of(checked), status, round(time.time())))
            time.sleep(0.5)  # the pace of the checks; nothing waits on it

        self.assertEqual(refused, [], "a token was refused during the rotation")
        wrong = [(iat, kid) for iat, kid, _ in minted
                 if kid != (new_kid if iat >= activate_at else old_kid)]
        self.assertEqual(wrong, [], f"tokens signed by the wrong key (activation {activate_at})")
        kids = {kid for _, kid, _ in minted}
        self.assertEqual(kids, {old_kid, new_kid}, "tokens of both keys were minted")
        last_old = [token for _, kid, token in minted if kid == old_kid][-1]
        for name, base in processes.items():
            self.assertEqual(status_at(last_old, name.split()[0], base), 200, name)


class EmergencyRotationTest(unittest.TestCase):

    def test_the_old_keys_tokens_are_refused_and_new_ones_work(self):
        key_dir = key_directory(self)
        one = IdentityProcess(self, TODO_KEY_DIR=key_dir, **RELOAD).wait_ready()
        account = new_account(one.url)
        old_token = account.access
        old_kid = kid_of(old_token)
        self.assertEqual(me(old_token, base=one.url).status, 200)

        rotate(self, key_dir, "--now")
        ring = read_ring(key_dir)
        self.assertEqual(len(ring["keys"]), 1, ring)
        new_kid = ring["keys"][0]["kid"]
        self.assertNotEqual(new_kid, old_kid)
        self.assertFalse(os.path.exists(os.path.join(key_dir, "identity-ed25519.pem")))
        self.assertEqual(file_kids(key_dir), [new_kid])

        # The running replica drops the old key at its next read: its token is 401.
        self.assertTrue(wait_until(lambda: jwks_kids(one.url) == [new_kid], timeout=5.0),
                        jwks_kids(one.url))
        assert_unauthorized(self, me(old_token, base=one.url))
        got = refresh(account.refresh, base=one.url)
        self.assertEqual(got.status, 200, got)
        new_token = got.body["tokens"]["access_token"]
        self.assertEqual(kid_of(new_token), new_kid)
        self.assertEqual(me(new_token, base=one.url).status, 200)

        # A verifier reading the directory's jwks.json knows only the new key.
        tasks = TasksProcess(self, os.path.join(key_dir, "jwks.json")).wait_ready()
        assert_unauthorized(self, request("GET", "/v1/tasks?limit=1", token=old_token,
                                          base=tasks.url))
        self.assertEqual(status_at(new_token, "tasks", tasks.url), 200)


class KeyDirectoryErrorsTest(unittest.TestCase):

    def test_a_malformed_ring_stops_a_start_and_a_running_instance_keeps_its_keys(self):
        key_dir = key_directory(self)
        one = IdentityProcess(self, TODO_KEY_DIR=key_dir, **RELOAD).wait_ready()
        rotate(self, key_dir)
        self.assertTrue(wait_until(lambda: len(jwks_kids(one.url)) == 2, timeout=5.0))
        published = jwks_kids(one.url)
        account = new_account(one.url)

        with open(os.path.join(key_dir, "keyring.json"), "w", encoding="utf-8") as f:
            f.write('{"version": 1, "keys": [{"kid": "x"}]}')
        self.assertTrue(wait_until(lambda: "cannot read the key directory" in one.output(),
                                   timeout=5.0), one.output())
        self.assertIn("keys[0].file is required", one.output())
        self.assertEqual(jwks_kids(one.url), published)
        self.assertEqual(me(account.access, base=one.url).status, 200)
        got = refresh(account.refresh, base=one.url)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(me(got.body["tokens"]["access_token"], base=one.url).status, 200)

        done, _ = run_identity(identity_env(free_port(), TODO_KEY_DIR=key_dir), timeout=30)
        self.assertEqual(done.returncode, 1, done)
        stderr = done.stderr.decode("utf-8", errors="replace")
        self.assertIn(os.path.join(key_dir, "keyring.json"), stderr)
        self.assertIn("keys[0].file is required", stderr)

    def test_rotate_key_lists_its_settings_and_refuses_unknown_arguments(self):
        env = identity_env(TODO_KEY_DIR=key_directory(self))
        done, _ = run_identity(env, "rotate-key", "--help")
        self.assertEqual(done.returncode, 0, done)
        text = done.stdout.decode()
        for name in ("TODO_KEY_ACTIVATION_DELAY_SECONDS", "TODO_KEY_RELOAD_SECONDS",
                     "TODO_ACCESS_TTL_SECONDS", "TODO_KEY_DIR", "rotate-key"):
            self.assertIn(name, text)
        done, _ = run_identity(env, "rotate-key", "--later")
        self.assertEqual(done.returncode, 1, done)
        self.assertIn("unknown argument '--later'", done.stderr.decode())
        self.assertFalse(os.path.exists(os.path.join(env["TODO_KEY_DIR"], "keyring.json")))


if __name__ == "__main__":
    unittest.main()
