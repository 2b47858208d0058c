"""End-to-end tests of the identity service (users and sessions), through the gateway.

Run from the repository's root: /usr/bin/python3 -m unittest discover -s tests/e2e -p '*_test.py' -v

Every test registers its own users (unique emails) and depends on no other test.

A note on failed logins: the identity service limits failed logins to 100 per client address in
15 minutes, and through the gateway every test shares one client address (the gateway's).
Tests that need many failed logins therefore talk to the identity service directly with an
X-Forwarded-For address of their own (the service trusts that header from loopback), so that the
suite can be run repeatedly without tripping the per-address limit.
"""

import base64
import calendar
import concurrent.futures
import hashlib
import hmac
import json
import time
import unittest
import uuid

from support import (GATEWAY, IDENTITY, TIMESTAMP_RE, UUID7_RE, assert_problem,
                     assert_unauthorized, b64url_decode, b64url_encode, decode_jwt,
                     error_fields, fake_client_address, login, me, median_seconds, refresh,
                     register, register_user, request, strong_password, unique_email,
                     wait_for_status)


def parse_timestamp(value):
    return calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")) + int(value[20:23]) / 1000


class RegistrationTest(unittest.TestCase):

    def test_register_returns_201_with_user_tokens_and_location(self):
        email, password = unique_email(), strong_password()
        resp = register(email, password, "Alice Example")
        self.assertEqual(resp.status, 201, resp)
        self.assertTrue(resp.headers.get("content-type", "").startswith("application/json"), resp)
        self.assertTrue(resp.headers.get("location", "").endswith("/v1/users/me"), resp.headers)
        self.assertEqual(set(resp.body), {"user", "tokens"})
        user, tokens = resp.body["user"], resp.body["tokens"]
        self.assertEqual(set(user), {"id", "email", "name", "timezone", "default_task_ttl_seconds",
                                     "created_at", "updated_at", "version"})
        self.assertEqual(user["email"], email)
        self.assertEqual(user["name"], "Alice Example")
        self.assertEqual(user["timezone"], "UTC")
        self.assertIsNone(user["default_task_ttl_seconds"])
        self.assertEqual(user["version"], 1)
        self.assertEqual(set(tokens), {"access_token", "refresh_token", "token_type", "expires_in"})
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertEqual(tokens["expires_in"], 900)
        self.assertTrue(tokens["access_token"])
        self.assertTrue(tokens["refresh_token"])
        self.assertNotEqual(tokens["access_token"], tokens["refresh_token"])

    def test_registered_user_id_is_a_fresh_uuidv7(self):
        before = int(time.time() * 1000)
        account = register_user()
        after = int(time.time() * 1000)
        self.assertRegex(account.id, UUID7_RE)
        millis = int(account.id.replace("-", "")[:12], 16)
        self.assertGreaterEqual(millis, before - 5000)
        self.assertLessEqual(millis, after + 5000)
        self.assertNotEqual(account.id, register_user().id)

    def test_registered_user_times_are_rfc3339_utc_with_milliseconds(self):
        before = time.time()
        user = register_user().user
        after = time.time()
        for key in ("created_at", "updated_at"):
            self.assertRegex(user[key], TIMESTAMP_RE)
            self.assertGreaterEqual(parse_timestamp(user[key]), before - 5)
            self.assertLessEqual(parse_timestamp(user[key]), after + 5)

    def test_register_trims_and_lower_cases_email(self):
        local = f"Alice-{uuid.uuid4().hex}"
        resp = register(f"  {local}@Example.COM ", strong_password())
        self.assertEqual(resp.status, 201, resp)
        self.assertEqual(resp.body["user"]["email"], f"{local.lower()}@example.com")

    def test_register_same_email_twice_in_any_case_is_conflict(self):
        local = f"dup-{uuid.uuid4().hex}"
        self.assertEqual(register(f"{local}@example.com", strong_password()).status, 201)
        assert_problem(self, register(f"{local}@example.com", strong_password()), 409, "conflict")
        assert_problem(self, register(f" {local.upper()}@EXAMPLE.com ", strong_password()), 409,
                       "conflict")

    def test_concurrent_registrations_of_one_email_create_exactly_one_user(self):
        email = unique_email()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: register(email, strong_password()), range(8)))
        statuses = sorted(a.status for a in answers)
        self.assertEqual(statuses.count(201), 1, answers)
        for answer in answers:
            if answer.status != 201:
                assert_problem(self, answer, 409, "conflict")

    def test_conflicting_registration_does_not_change_the_existing_account(self):
        account = register_user()
        assert_problem(self, register(account.email, strong_password(), "Intruder"), 409,
                       "conflict")
        resp = login(account.email, account.password)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body["user"]["name"], account.name)

    def test_password_of_7_characters_is_rejected(self):
        assert_problem(self, register(unique_email(), "aB3$xY7"), 400, "validation", "password")

    def test_passwords_of_8_64_and_128_characters_are_accepted(self):
        for length in (8, 64, 128):
            with self.subTest(length=length):
                password = (uuid.uuid4().hex * 5)[:length]
                resp = register(unique_email(), password)
                self.assertEqual(resp.status, 201, resp)

    def test_password_of_129_characters_is_rejected(self):
        password = (uuid.uuid4().hex * 5)[:129]
        assert_problem(self, register(unique_email(), password), 400, "validation", "password")

    def test_password_length_counts_unicode_code_points_not_bytes(self):
        # 7 code points, 28 bytes: too short.
        assert_problem(self, register(unique_email(), "\U0001F511" * 7), 400, "validation",
                       "password")
        # 8 code points, 16 bytes: long enough.
        self.assertEqual(register(unique_email(), "ключ" + uuid.uuid4().hex[:4]).status, 201)
        # 128 code points, 256 bytes: allowed; 129: too long.
        base = "ж" * 120
        self.assertEqual(register(unique_email(), base + uuid.uuid4().hex[:8]).status, 201)
        assert_problem(self, register(unique_email(), base + uuid.uuid4().hex[:9]), 400,
                       "validation", "password")

    def test_common_passwords_are_rejected_saying_so(self):
        for password in ("password1", "qwertyuiop"):
            with self.subTest(password=password):
                body = assert_problem(self, register(unique_email(), password), 400, "validation",
                                      "password")
                messages = " ".join(e["message"] for e in body["errors"]
                                    if e["field"] == "password") + " " + body["detail"]
                self.assertIn("common", messages.lower())

    def test_empty_or_blank_name_is_rejected(self):
        for name in ("", "   "):
            with self.subTest(name=name):
                assert_problem(self, register(unique_email(), strong_password(), name), 400,
                               "validation", "name")

    def test_name_of_100_characters_is_accepted_and_101_rejected(self):
        resp = register(unique_email(), strong_password(), "é" * 100)
        self.assertEqual(resp.status, 201, resp)
        self.assertEqual(resp.body["user"]["name"], "é" * 100)
        assert_problem(self, register(unique_email(), strong_password(), "n" * 101), 400,
                       "validation", "name")

    def test_invalid_email_is_rejected(self):
        for email in ("", "not-an-email", f"{uuid.uuid4().hex}@", "@example.com"):
            with self.subTest(email=email):
                assert_problem(self, register(email, strong_password()), 400, "validation",
                               "email")

    def test_register_with_missing_fields_names_them(self):
        resp = request("POST", "/v1/auth/register", {"email": unique_email()})
        body = assert_problem(self, resp, 400, "validation")
        self.assertTrue({"password", "name"} & set(error_fields(body)), resp)

    def test_rejected_registration_creates_no_account(self):
        email, password = unique_email(), strong_password()
        assert_problem(self, register(email, password, "x" * 101), 400, "validation", "name")
        # The address is still free and the password never worked.
        assert_problem(self, login(email, password), 401, "unauthorized")
        self.assertEqual(register(email, password).status, 201)


class LoginTest(unittest.TestCase):

    def test_login_returns_user_and_fresh_tokens(self):
        account = register_user()
        resp = login(account.email, account.password)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(set(resp.body), {"user", "tokens"})
        self.assertEqual(resp.body["user"], account.user)
        tokens = resp.body["tokens"]
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertEqual(tokens["expires_in"], 900)
        self.assertNotEqual(tokens["refresh_token"], account.refresh)
        self.assertNotEqual(tokens["access_token"], account.access)
        self.assertEqual(me(tokens["access_token"]).body["id"], account.id)

    def test_login_normalises_email(self):
        account = register_user()
        resp = login(f"  {account.email.upper()} ", account.password)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body["user"]["id"], account.id)

    def test_wrong_password_and_unknown_email_give_the_same_401(self):
        account = register_user()
        wrong = login(account.email, account.password + "x")
        unknown = login(unique_email(), account.password)
        a = assert_problem(self, wrong, 401, "unauthorized")
        b = assert_problem(self, unknown, 401, "unauthorized")
        self.assertEqual((a["type"], a["title"], a["detail"], a.get("errors")),
                         (b["type"], b["title"], b["detail"], b.get("errors")))
        self.assertNotIn("tokens", a)

    def test_wrong_password_and_unknown_email_take_about_the_same_time(self):
        # Directly against the service with an address of its own (see the module docstring).
        headers = {"X-Forwarded-For": fake_client_address()}
        account = register_user(base=IDENTITY)
        wrong = lambda: login(account.email, "wrong-" + account.password, IDENTITY, headers)
        unknown = lambda: login(unique_email(), "wrong-" + account.password, IDENTITY, headers)
        # Warm up both paths, then measure interleaved medians (at most 9 failures per email).
        self.assertEqual(wrong().status, 401)
        self.assertEqual(unknown().status, 401)
        wrong_times, unknown_times = [], []
        for _ in range(5):
            wrong_times.append(median_seconds(wrong, 1))
            unknown_times.append(median_seconds(unknown, 1))
        wrong_median = sorted(wrong_times)[2]
        unknown_median = sorted(unknown_times)[2]
        ratio = unknown_median / wrong_median
        self.assertTrue(0.5 <= ratio <= 2.0,
                        f"unknown email {unknown_median * 1000:.1f} ms vs wrong password "
                        f"{wrong_median * 1000:.1f} ms (ratio {ratio:.2f})")

    def test_128_character_password_logs_in_and_is_not_truncated(self):
        password = (uuid.uuid4().hex * 4)[:128]
        account = register_user(password=password)
        self.assertEqual(login(account.email, password).status, 200)
        altered = password[:99] + ("A" if password[99] != "A" else "B") + password[100:]
        self.assertEqual(len(altered), 128)
        assert_problem(self, login(account.email, altered), 401, "unauthorized")
        # A prefix of the real password is not accepted either.
        assert_problem(self, login(account.email, password[:72]), 401, "unauthorized")

    def test_login_with_missing_password_is_validation_error(self):
        resp = request("POST", "/v1/auth/login", {"email": unique_email()})
        assert_problem(self, resp, 400, "validation", "password")


class LoginThrottlingTest(unittest.TestCase):
    """Directly against the identity service with a fake client address per test (see the module
    docstring): the per-address limit must not leak between tests or runs."""

    def test_eleventh_login_after_ten_failures_for_an_email_is_429_even_with_right_password(self):
        headers = {"X-Forwarded-For": fake_client_address()}
        account = register_user(base=IDENTITY)
        for attempt in range(10):
            resp = login(account.email, f"wrong-{attempt}-{account.password}", IDENTITY, headers)
            assert_problem(self, resp, 401, "unauthorized")
        resp = login(account.email, account.password, IDENTITY, headers)
        assert_problem(self, resp, 429, "rate-limited")
        retry_after = resp.headers.get("retry-after", "")
        self.assertTrue(retry_after.isdigit(), resp.headers)
        self.assertGreater(int(retry_after), 0)
        self.assertLessEqual(int(retry_after), 15 * 60)
        self.assertNotIn("tokens", resp.body)

    def test_email_limit_applies_from_any_client_address(self):
        account = register_user(base=IDENTITY)
        for attempt in range(10):
            headers = {"X-Forwarded-For": fake_client_address()}
            resp = login(account.email, f"wrong-{attempt}", IDENTITY, headers)
            assert_problem(self, resp, 401, "unauthorized")
        resp = login(account.email, account.password, IDENTITY,
                     {"X-Forwarded-For": fake_client_address()})
        assert_problem(self, resp, 429, "rate-limited")

    def test_email_limit_does_not_affect_other_accounts(self):
        headers = {"X-Forwarded-For": fake_client_address()}
        victim, other = register_user(base=IDENTITY), register_user(base=IDENTITY)
        for attempt in range(10):
            login(victim.email, f"wrong-{attempt}", IDENTITY, headers)
        assert_problem(self, login(victim.email, victim.password, IDENTITY, headers), 429,
                       "rate-limited")
        self.assertEqual(login(other.email, other.password, IDENTITY, headers).status, 200)

    def test_nine_failures_do_not_lock_the_account(self):
        headers = {"X-Forwarded-For": fake_client_address()}
        account = register_user(base=IDENTITY)
        for attempt in range(9):
            assert_problem(self, login(account.email, f"wrong-{attempt}", IDENTITY, headers), 401,
                           "unauthorized")
        self.assertEqual(login(account.email, account.password, IDENTITY, headers).status, 200)

    def test_hundred_and_first_login_after_100_failures_from_one_address_is_429(self):
        address = fake_client_address()
        headers = {"X-Forwarded-For": address}
        account = register_user(base=IDENTITY)
        emails = [unique_email("throttle") for _ in range(20)]  # 5 failures each

        def fail(i):
            return login(emails[i % len(emails)], f"wrong-{i}-password", IDENTITY, headers)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(fail, range(100)))
        self.assertEqual([a.status for a in answers], [401] * 100,
                         [a for a in answers if a.status != 401][:3])
        # The next attempt from that address is refused, even for another, correct, account.
        resp = login(account.email, account.password, IDENTITY, headers)
        assert_problem(self, resp, 429, "rate-limited")
        retry_after = resp.headers.get("retry-after", "")
        self.assertTrue(retry_after.isdigit() and int(retry_after) > 0, resp.headers)
        resp = login(unique_email(), "another-wrong-password", IDENTITY, headers)
        assert_problem(self, resp, 429, "rate-limited")
        # Another address is not affected.
        other = {"X-Forwarded-For": fake_client_address()}
        while other["X-Forwarded-For"] == address:
            other = {"X-Forwarded-For": fake_client_address()}
        self.assertEqual(login(account.email, account.password, IDENTITY, other).status, 200)


class RefreshTest(unittest.TestCase):

    def test_refresh_rotates_the_refresh_token_and_issues_a_working_access_token(self):
        account = register_user()
        resp = refresh(account.refresh)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(set(resp.body), {"tokens"})
        tokens = resp.body["tokens"]
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertEqual(tokens["expires_in"], 900)
        self.assertNotEqual(tokens["refresh_token"], account.refresh)
        self.assertNotEqual(tokens["access_token"], account.access)
        got = me(tokens["access_token"])
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.body["id"], account.id)
        # The rotated token can be rotated again.
        again = refresh(tokens["refresh_token"])
        self.assertEqual(again.status, 200, again)

    def test_reusing_a_refresh_token_revokes_its_whole_family(self):
        account = register_user()
        first = refresh(account.refresh)
        self.assertEqual(first.status, 200, first)
        newest = first.body["tokens"]
        assert_problem(self, refresh(account.refresh), 401, "unauthorized")
        assert_problem(self, refresh(newest["refresh_token"]), 401, "unauthorized")
        for token in (newest["access_token"], account.access):
            resp = wait_for_status(lambda: me(token), 401, timeout=1.0)
            assert_unauthorized(self, resp)

    def test_reuse_in_one_family_leaves_other_sessions_working(self):
        account = register_user()
        other = login(account.email, account.password).body["tokens"]
        self.assertEqual(refresh(account.refresh).status, 200)
        self.assertEqual(refresh(account.refresh).status, 401)
        self.assertEqual(me(other["access_token"]).status, 200)
        self.assertEqual(refresh(other["refresh_token"]).status, 200)

    def test_concurrent_use_of_one_refresh_token_succeeds_at_most_once(self):
        account = register_user()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: refresh(account.refresh), range(6)))
        statuses = [a.status for a in answers]
        self.assertLessEqual(statuses.count(200), 1, answers)
        self.assertEqual(statuses.count(200) + statuses.count(401), 6, answers)

    def test_unknown_or_garbage_refresh_token_is_401(self):
        for token in ("garbage", uuid.uuid4().hex * 2, register_user().access):
            with self.subTest(token=token[:20]):
                assert_problem(self, refresh(token), 401, "unauthorized")

    def test_refresh_without_token_is_validation_error(self):
        assert_problem(self, request("POST", "/v1/auth/refresh", {}), 400, "validation",
                       "refresh_token")


class LogoutTest(unittest.TestCase):

    def test_logout_revokes_access_and_refresh_tokens(self):
        account = register_user()
        self.assertEqual(me(account.access).status, 200)
        resp = request("POST", "/v1/auth/logout", {"refresh_token": account.refresh},
                       token=account.access)
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.raw, "")
        assert_unauthorized(self, wait_for_status(lambda: me(account.access), 401, timeout=1.0))
        assert_problem(self, refresh(account.refresh), 401, "unauthorized")

    def test_logout_revokes_tokens_rotated_from_the_same_login(self):
        account = register_user()
        rotated = refresh(account.refresh).body["tokens"]
        resp = request("POST", "/v1/auth/logout", {"refresh_token": rotated["refresh_token"]},
                       token=rotated["access_token"])
        self.assertEqual(resp.status, 204, resp)
        assert_unauthorized(self, wait_for_status(lambda: me(rotated["access_token"]), 401))
        assert_unauthorized(self, wait_for_status(lambda: me(account.access), 401))
        assert_problem(self, refresh(rotated["refresh_token"]), 401, "unauthorized")

    def test_logout_leaves_other_sessions_working(self):
        account = register_user()
        other = login(account.email, account.password).body["tokens"]
        resp = request("POST", "/v1/auth/logout", {"refresh_token": account.refresh},
                       token=account.access)
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(wait_for_status(lambda: me(account.access), 401).status, 401)
        self.assertEqual(me(other["access_token"]).status, 200)
        self.assertEqual(refresh(other["refresh_token"]).status, 200)

    def test_logout_without_access_token_is_401(self):
        account = register_user()
        resp = request("POST", "/v1/auth/logout", {"refresh_token": account.refresh})
        assert_unauthorized(self, resp)
        # Nothing was revoked.
        self.assertEqual(refresh(account.refresh).status, 200)

    def test_logout_with_another_users_refresh_token_does_not_revoke_their_session(self):
        alice, bob = register_user(), register_user()
        request("POST", "/v1/auth/logout", {"refresh_token": bob.refresh}, token=alice.access)
        self.assertEqual(me(bob.access).status, 200)
        self.assertEqual(refresh(bob.refresh).status, 200)


class AccessTokenTest(unittest.TestCase):

    def test_me_returns_the_user_with_etag(self):
        account = register_user()
        resp = me(account.access)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body, account.user)
        self.assertEqual(resp.headers.get("etag"), '"1"')

    def test_me_without_token_is_401_with_bearer_challenge(self):
        assert_unauthorized(self, request("GET", "/v1/users/me"))

    def test_malformed_tokens_are_401(self):
        for value in ("Bearer abc", "Bearer ", "Bearer a.b.c", "Bearer", "bearer"):
            with self.subTest(authorization=value):
                assert_unauthorized(self, request("GET", "/v1/users/me",
                                                  headers={"Authorization": value}))

    def test_wrong_authorization_scheme_is_401(self):
        account = register_user()
        basic = base64.b64encode(f"{account.email}:{account.password}".encode()).decode()
        assert_unauthorized(self, request("GET", "/v1/users/me",
                                          headers={"Authorization": f"Basic {basic}"}))
        assert_unauthorized(self, request("GET", "/v1/users/me",
                                          headers={"Authorization": f"Token {account.access}"}))

    def test_token_with_alg_none_is_401(self):
        account = register_user()
        _, payload, _ = decode_jwt(account.access)
        for alg in ("none", "None", "NONE"):
            with self.subTest(alg=alg):
                header = b64url_encode(json.dumps({"alg": alg, "typ": "at+jwt"}))
                forged = f"{header}.{b64url_encode(json.dumps(payload))}."
                assert_unauthorized(self, me(forged))

    def test_token_with_tampered_payload_is_401(self):
        victim, attacker = register_user(), register_user()
        header, payload, signature = attacker.access.split(".")
        claims = json.loads(b64url_decode(payload))
        claims["sub"] = victim.id
        forged = f"{header}.{b64url_encode(json.dumps(claims, separators=(',', ':')))}.{signature}"
        assert_unauthorized(self, me(forged))
        claims = json.loads(b64url_decode(payload))
        claims["exp"] += 3600
        forged = f"{header}.{b64url_encode(json.dumps(claims, separators=(',', ':')))}.{signature}"
        assert_unauthorized(self, me(forged))

    def test_token_with_tampered_signature_is_401(self):
        account = register_user()
        header, payload, signature = account.access.split(".")
        raw = bytearray(b64url_decode(signature))
        raw[0] ^= 0x01
        assert_unauthorized(self, me(f"{header}.{payload}.{b64url_encode(bytes(raw))}"))
        assert_unauthorized(self, me(f"{header}.{payload}."))

    def test_hs256_token_signed_with_the_public_key_is_401(self):
        account = register_user()
        jwk = request("GET", "/.well-known/jwks.json").body["keys"][0]
        _, claims, _ = decode_jwt(account.access)
        header = b64url_encode(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": jwk["kid"]}))
        payload = b64url_encode(json.dumps(claims))
        for secret in (b64url_decode(jwk["x"]), jwk["x"].encode(), json.dumps(jwk).encode()):
            mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            assert_unauthorized(self, me(f"{header}.{payload}.{b64url_encode(mac)}"))

    def test_access_token_header_and_claims(self):
        account = register_user()
        header, claims, signature = decode_jwt(account.access)
        self.assertEqual(header.get("alg"), "EdDSA")
        self.assertEqual(header.get("typ"), "at+jwt")
        self.assertEqual(len(signature), 64)
        for claim in ("iss", "aud", "sub", "jti", "iat", "exp"):
            self.assertIn(claim, claims)
        self.assertEqual(claims["sub"], account.id)
        self.assertEqual(claims["exp"] - claims["iat"], 900)
        self.assertLessEqual(abs(claims["iat"] - time.time()), 60)
        other = decode_jwt(login(account.email, account.password).body["tokens"]["access_token"])
        self.assertNotEqual(other[1]["jti"], claims["jti"])

    def test_jwks_publishes_the_key_that_signs_access_tokens(self):
        resp = request("GET", "/.well-known/jwks.json")
        self.assertEqual(resp.status, 200, resp)
        self.assertTrue(resp.headers.get("content-type", "").startswith("application/json"))
        keys = resp.body["keys"]
        self.assertGreaterEqual(len(keys), 1)
        for key in keys:
            self.assertEqual(key["kty"], "OKP")
            self.assertEqual(key["crv"], "Ed25519")
            self.assertEqual(key["alg"], "EdDSA")
            self.assertEqual(key["use"], "sig")
            self.assertEqual(len(b64url_decode(key["x"])), 32)
            self.assertTrue(key["kid"])
            self.assertNotIn("d", key)  # never the private part
        header, _, _ = decode_jwt(register_user().access)
        self.assertIn(header.get("kid"), [k["kid"] for k in keys])

    def test_jwks_is_public_and_same_through_gateway_and_directly(self):
        via_gateway = request("GET", "/.well-known/jwks.json")
        direct = request("GET", "/.well-known/jwks.json", base=IDENTITY)
        self.assertEqual(via_gateway.status, 200)
        self.assertEqual(via_gateway.body, direct.body)


class ProfileTest(unittest.TestCase):

    def patch(self, account, body):
        return request("PATCH", "/v1/users/me", body, token=account.access)

    def test_patch_name_returns_updated_user_and_increments_version(self):
        account = register_user()
        resp = self.patch(account, {"name": "Renamed Person"})
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body["name"], "Renamed Person")
        self.assertEqual(resp.body["version"], 2)
        self.assertEqual(resp.body["id"], account.id)
        self.assertEqual(resp.body["email"], account.email)
        self.assertEqual(resp.body["created_at"], account.user["created_at"])
        self.assertRegex(resp.body["updated_at"], TIMESTAMP_RE)
        self.assertGreaterEqual(resp.body["updated_at"], account.user["updated_at"])
        got = me(account.access)
        self.assertEqual(got.body, resp.body)
        self.assertEqual(got.headers.get("etag"), '"2"')

    def test_patch_timezone_accepts_iana_names_and_rejects_others(self):
        account = register_user()
        resp = self.patch(account, {"timezone": "Asia/Jakarta"})
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body["timezone"], "Asia/Jakarta")
        for bad in ("Mars/Olympus", "", "asia/jakarta ", "../../etc/passwd", "+07:00"):
            with self.subTest(timezone=bad):
                assert_problem(self, self.patch(account, {"timezone": bad}), 400, "validation",
                               "timezone")
        self.assertEqual(me(account.access).body["timezone"], "Asia/Jakarta")

    def test_patch_default_task_ttl_bounds_and_null_clears_it(self):
        account = register_user()
        for good in (1, 31622400, 86400):
            with self.subTest(ttl=good):
                resp = self.patch(account, {"default_task_ttl_seconds": good})
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(resp.body["default_task_ttl_seconds"], good)
        for bad in (0, -1, 31622401, 1.5, "60", True):
            with self.subTest(ttl=bad):
                assert_problem(self, self.patch(account, {"default_task_ttl_seconds": bad}), 400,
                               "validation", "default_task_ttl_seconds")
        self.assertEqual(me(account.access).body["default_task_ttl_seconds"], 86400)
        resp = self.patch(account, {"default_task_ttl_seconds": None})
        self.assertEqual(resp.status, 200, resp)
        self.assertIsNone(resp.body["default_task_ttl_seconds"])
        self.assertIsNone(me(account.access).body["default_task_ttl_seconds"])

    def test_patch_rejects_null_empty_long_and_wrongly_typed_names(self):
        account = register_user()
        for bad in (None, "", "   ", "n" * 101, 5, ["x"]):
            with self.subTest(name=bad):
                assert_problem(self, self.patch(account, {"name": bad}), 400, "validation", "name")

    def test_patch_rejects_unknown_fields_naming_them(self):
        account = register_user()
        assert_problem(self, self.patch(account, {"nmae": "Typo"}), 400, "validation", "nmae")
        assert_problem(self, self.patch(account, {"email": unique_email()}), 400, "validation",
                       "email")
        assert_problem(self, self.patch(account, {"version": 7}), 400, "validation", "version")

    def test_patch_with_empty_object_changes_nothing(self):
        account = register_user()
        resp = self.patch(account, {})
        self.assertEqual(resp.status, 200, resp)
        for key in ("id", "email", "name", "timezone", "default_task_ttl_seconds", "created_at"):
            self.assertEqual(resp.body[key], account.user[key])

    def test_rejected_patch_leaves_the_user_unchanged(self):
        account = register_user()
        before = me(account.access)
        for body in ({"name": "Half Applied", "timezone": "Mars/Olympus"},
                     {"timezone": "Asia/Jakarta", "default_task_ttl_seconds": 0},
                     {"name": "Half Applied", "nmae": "x"}):
            with self.subTest(body=body):
                assert_problem(self, self.patch(account, body), 400, "validation")
        after = me(account.access)
        self.assertEqual(after.body, before.body)
        self.assertEqual(after.headers.get("etag"), before.headers.get("etag"))

    def test_patch_requires_a_token(self):
        assert_unauthorized(self, request("PATCH", "/v1/users/me", {"name": "Nobody"}))

    def test_users_only_see_and_change_themselves(self):
        alice, bob = register_user(name="Alice"), register_user(name="Bob")
        self.assertEqual(self.patch(alice, {"name": "Alice Two"}).status, 200)
        self.assertEqual(me(bob.access).body["name"], "Bob")
        self.assertEqual(me(alice.access).body["name"], "Alice Two")


class PasswordChangeTest(unittest.TestCase):

    def change(self, account, current, new):
        return request("PUT", "/v1/users/me/password",
                       {"current_password": current, "new_password": new}, token=account.access)

    def test_change_password_swaps_credentials(self):
        account = register_user()
        new = strong_password()
        resp = self.change(account, account.password, new)
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.raw, "")
        assert_problem(self, login(account.email, account.password), 401, "unauthorized")
        self.assertEqual(login(account.email, new).status, 200)

    def test_change_password_revokes_other_sessions_but_keeps_the_current_one(self):
        account = register_user()
        other = login(account.email, account.password).body["tokens"]
        self.assertEqual(me(other["access_token"]).status, 200)
        self.assertEqual(self.change(account, account.password, strong_password()).status, 204)
        assert_unauthorized(self, wait_for_status(lambda: me(other["access_token"]), 401))
        assert_problem(self, refresh(other["refresh_token"]), 401, "unauthorized")
        self.assertEqual(me(account.access).status, 200)

    def test_current_session_refresh_token_survives_password_change(self):
        account = register_user()
        self.assertEqual(self.change(account, account.password, strong_password()).status, 204)
        resp = refresh(account.refresh)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(me(resp.body["tokens"]["access_token"]).status, 200)

    def test_wrong_current_password_is_rejected_and_changes_nothing(self):
        account = register_user()
        other = login(account.email, account.password).body["tokens"]
        new = strong_password()
        assert_problem(self, self.change(account, "not-" + account.password, new), 400,
                       "validation", "current_password")
        self.assertEqual(login(account.email, account.password).status, 200)
        assert_problem(self, login(account.email, new), 401, "unauthorized")
        self.assertEqual(me(other["access_token"]).status, 200)

    def test_weak_new_password_is_rejected(self):
        account = register_user()
        for weak in ("short", "password1", "x" * 129):
            with self.subTest(new_password=weak[:20]):
                assert_problem(self, self.change(account, account.password, weak), 400,
                               "validation", "new_password")
        self.assertEqual(login(account.email, account.password).status, 200)

    def test_change_password_requires_a_token(self):
        assert_unauthorized(self, request("PUT", "/v1/users/me/password",
                                          {"current_password": "a" * 10,
                                           "new_password": strong_password()}))


class AccountDeletionTest(unittest.TestCase):

    def delete(self, account, password):
        return request("DELETE", "/v1/users/me", {"password": password}, token=account.access)

    def test_delete_account_removes_login_and_invalidates_tokens(self):
        account = register_user()
        other = login(account.email, account.password).body["tokens"]
        resp = self.delete(account, account.password)
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.raw, "")
        assert_problem(self, login(account.email, account.password), 401, "unauthorized")
        assert_unauthorized(self, wait_for_status(lambda: me(account.access), 401))
        assert_unauthorized(self, wait_for_status(lambda: me(other["access_token"]), 401))
        assert_problem(self, refresh(account.refresh), 401, "unauthorized")
        assert_problem(self, refresh(other["refresh_token"]), 401, "unauthorized")

    def test_delete_with_wrong_password_keeps_the_account(self):
        account = register_user()
        assert_problem(self, self.delete(account, "not-" + account.password), 400, "validation",
                       "password")
        self.assertEqual(me(account.access).status, 200)
        self.assertEqual(login(account.email, account.password).status, 200)

    def test_delete_without_password_is_rejected(self):
        account = register_user()
        assert_problem(self, request("DELETE", "/v1/users/me", {}, token=account.access), 400,
                       "validation", "password")
        assert_problem(self, request("DELETE", "/v1/users/me", token=account.access), 400,
                       "validation")
        self.assertEqual(me(account.access).status, 200)

    def test_delete_requires_a_token(self):
        account = register_user()
        assert_unauthorized(self, request("DELETE", "/v1/users/me", {"password": account.password}))
        self.assertEqual(me(account.access).status, 200)

    def test_deleted_users_email_can_register_again_as_a_new_user(self):
        account = register_user()
        self.assertEqual(self.delete(account, account.password).status, 204)
        again = register_user(email=account.email)
        self.assertNotEqual(again.id, account.id)
        self.assertEqual(again.user["version"], 1)


class BadInputTest(unittest.TestCase):
    """Every endpoint that takes a body rejects bad bodies with a validation problem and changes
    nothing."""

    def endpoints(self):
        """(name, method, path, token, valid body) for each endpoint that takes a JSON body."""
        account = register_user()
        return account, [
            ("register", "POST", "/v1/auth/register", None,
             {"email": unique_email(), "password": strong_password(), "name": "N"}),
            ("login", "POST", "/v1/auth/login", None,
             {"email": account.email, "password": account.password}),
            ("refresh", "POST", "/v1/auth/refresh", None, {"refresh_token": account.refresh}),
            ("logout", "POST", "/v1/auth/logout", account.access,
             {"refresh_token": account.refresh}),
            ("patch me", "PATCH", "/v1/users/me", account.access, {"name": "Changed"}),
            ("change password", "PUT", "/v1/users/me/password", account.access,
             {"current_password": account.password, "new_password": strong_password()}),
            ("delete me", "DELETE", "/v1/users/me", account.access,
             {"password": account.password}),
        ]

    def assert_account_untouched(self, account):
        resp = me(account.access)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body, account.user)
        self.assertEqual(refresh(account.refresh).status, 200)

    def test_malformed_json_is_rejected(self):
        account, endpoints = self.endpoints()
        for name, method, path, token, _ in endpoints:
            for raw in ("{", '{"a":', "nul", "", "\xff"):
                with self.subTest(endpoint=name, body=raw):
                    resp = request(method, path, token=token, raw_body=raw.encode("latin-1"))
                    assert_problem(self, resp, 400, "validation")
        self.assert_account_untouched(account)

    def test_non_object_json_is_rejected(self):
        account, endpoints = self.endpoints()
        for name, method, path, token, valid in endpoints:
            for body in ([valid], "text", 42, None, True):
                with self.subTest(endpoint=name, body=body):
                    resp = request(method, path, body, token=token)
                    assert_problem(self, resp, 400, "validation")
        self.assert_account_untouched(account)

    def test_unknown_fields_are_rejected_and_named(self):
        account, endpoints = self.endpoints()
        for name, method, path, token, valid in endpoints:
            with self.subTest(endpoint=name):
                resp = request(method, path, dict(valid, titel="typo"), token=token)
                assert_problem(self, resp, 400, "validation", "titel")
        self.assert_account_untouched(account)

    def test_wrongly_typed_fields_are_rejected_and_named(self):
        account, endpoints = self.endpoints()
        for name, method, path, token, valid in endpoints:
            for field in valid:
                for wrong in (5, None, ["x"], {"x": 1}):
                    if name == "patch me" and wrong is None:
                        continue  # name: null is covered in ProfileTest
                    with self.subTest(endpoint=name, field=field, value=wrong):
                        resp = request(method, path, dict(valid, **{field: wrong}), token=token)
                        assert_problem(self, resp, 400, "validation", field)
        self.assert_account_untouched(account)

    def test_duplicate_keys_are_rejected(self):
        account, endpoints = self.endpoints()
        for name, method, path, token, valid in endpoints:
            field, value = next(iter(valid.items()))
            raw = json.dumps(valid)[:-1] + f", {json.dumps(field)}: {json.dumps(value)}}}"
            with self.subTest(endpoint=name, body=raw):
                resp = request(method, path, token=token, raw_body=raw)
                assert_problem(self, resp, 400, "validation")
        self.assert_account_untouched(account)

    def test_body_over_64_kib_is_413(self):
        account, endpoints = self.endpoints()
        for base in (GATEWAY, IDENTITY):
            for name, method, path, token, valid in endpoints:
                field = next(iter(valid))
                body = dict(valid, **{field: "x" * (70 * 1024)})
                with self.subTest(endpoint=name, base=base):
                    resp = request(method, path, body, token=token, base=base)
                    assert_problem(self, resp, 413, "payload-too-large")
        self.assert_account_untouched(account)

    def test_body_just_under_64_kib_is_not_413(self):
        account = register_user()
        body = {"name": "n" * (60 * 1024)}
        resp = request("PATCH", "/v1/users/me", body, token=account.access)
        assert_problem(self, resp, 400, "validation", "name")

    def test_register_with_big_bodies_does_not_create_users(self):
        email = unique_email()
        body = {"email": email, "password": strong_password(), "name": "N" + " " * (70 * 1024)}
        assert_problem(self, request("POST", "/v1/auth/register", body), 413, "payload-too-large")
        self.assertEqual(register(email, strong_password()).status, 201)


class HealthTest(unittest.TestCase):

    def test_healthz_is_200(self):
        resp = request("GET", "/healthz", base=IDENTITY)
        self.assertEqual(resp.status, 200, resp)

    def test_readyz_reports_every_dependency_ok(self):
        resp = request("GET", "/readyz", base=IDENTITY)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body, {"status": "ready",
                                     "checks": {"database": "ok", "cache": "ok", "broker": "ok",
                                                "revocations": "ok"}})

    def test_metrics_count_requests_in_prometheus_format(self):
        register_user(base=IDENTITY)
        resp = request("GET", "/metrics", base=IDENTITY)
        self.assertEqual(resp.status, 200, resp)
        self.assertTrue(resp.headers.get("content-type", "").startswith("text/plain"), resp.headers)
        self.assertIn("http_requests_total", resp.raw)
        self.assertIn("# TYPE http_requests_total counter", resp.raw)
        lines = [line for line in resp.raw.splitlines()
                 if line.startswith("http_requests_total{")]
        self.assertTrue(lines)
        self.assertTrue(any('status="201"' in line for line in lines), lines[:10])


if __name__ == "__main__":
    unittest.main()
