"""End-to-end tests of the cross-cutting HTTP conventions, through the gateway (and, where the
behaviour belongs to the service itself, directly against the identity service).

Run from the repository's root: /usr/bin/python3 -m unittest discover -s tests/e2e -p '*_test.py' -v
"""

import re
import unittest
import uuid

from support import (GATEWAY, IDENTITY, PROBLEM_SLUGS, assert_problem, assert_unauthorized,
                     register_user, request, unique_email)

SANE_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
BASES = (("gateway", GATEWAY), ("identity", IDENTITY))


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


if __name__ == "__main__":
    unittest.main()
