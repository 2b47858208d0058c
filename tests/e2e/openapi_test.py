"""docs/openapi.yaml against the running system.

Run from the repository's root: python3 -m unittest tests/e2e/openapi_test.py -v
(TODO_GATEWAY_URL names the stack, default http://127.0.0.1:8080;
scripts/test runs it with the other end-to-end tests against its throwaway stack.)

What it checks:
- the document is structurally valid OpenAPI 3.0/3.1 (version, operations with responses, every
  $ref resolves, every path parameter declared, unique operationIds, known security schemes);
- every endpoint docs/api.md lists and every route the services register is in the document;
- the walk: every operation of the document, on every server it names (the gateway, or each
  service directly for /healthz, /readyz, /metrics), is called with a fresh user: its documented
  success plus probes derived from the document itself (no token -> 401, an unknown query
  parameter or body field -> 400, an out-of-range integer or a tampered cursor -> 400, ids that
  name nothing -> 404, a stale If-Match -> 412, an expired task -> 409, the ETag in
  If-None-Match -> 304). Each answer's status must be one the operation documents, its media
  type one the response documents, its JSON body must match the documented schema, and the
  headers documented as required must be there. Then every operation x server of the document
  must have been exercised (the reverse direction: the set is collected from the document as
  the walk goes, never from a list kept here).

Services reached directly: TODO_<SERVICE>_URL (TODO_IDENTITY_URL, TODO_TASKS_URL,
TODO_PROGRESS_URL) when set, else the server's port in the document shifted by as much as
TODO_GATEWAY_URL's port is shifted from the document's gateway (8080 -> 8180 gives 8183).
"""

import http.client
import json
import os
import re
import socket
import sys
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import yaml  # noqa: E402  (Debian's python3-yaml, installed by scripts/bootstrap)

from support import GATEWAY, Response, login, register_user, request, strong_password  # noqa: E402
from tasks_support import TaskClient, random_task_id  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC_PATH = os.path.join(ROOT, "docs", "openapi.yaml")
API_MD = os.path.join(ROOT, "docs", "api.md")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STREAM_WAIT = 5.0
UNKNOWN = "openapi_walk_unknown"
PRIMARY = "documented success"  # the label of the call that exercises an operation

_NO_BODY = object()


# --- the document ---------------------------------------------------------------------------

def load_spec():
    with open(SPEC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve_ref(spec, ref):
    """The node a local JSON pointer ($ref "#/a/b") names; KeyError when it names nothing."""
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise KeyError(f"{ref!r} is not a local reference")
    node = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(f"{ref} does not resolve")
    return node


def deref(spec, node):
    for _ in range(32):
        if not (isinstance(node, dict) and "$ref" in node):
            return node
        node = resolve_ref(spec, node["$ref"])
    raise KeyError("a $ref cycle")


def refs_in(node, where="#"):
    """Every ($where, $ref) in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield where, value
            else:
                yield from refs_in(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from refs_in(value, f"{where}/{i}")


def operations(spec):
    """(path, method, path item, operation) for every operation, in document order."""
    for path, item in (spec.get("paths") or {}).items():
        item = deref(spec, item)
        for method in METHODS:
            if isinstance(item, dict) and method in item:
                yield path, method, item, item[method]


def parameters_of(spec, item, op):
    """The operation's parameters (resolved), operation-level ones overriding path-level ones."""
    params = {}
    for p in list(item.get("parameters") or []) + list(op.get("parameters") or []):
        p = deref(spec, p)
        params[(p.get("name"), p.get("in"))] = p
    return list(params.values())


def servers_of(spec, item, op):
    return op.get("servers") or item.get("servers") or spec.get("servers") or [{"url": "/"}]


def media_base(content_type):
    return (content_type or "").split(";")[0].strip().lower()


def structural_problems(spec):
    """What makes the document invalid (empty when it is fine)."""
    problems = []
    version = str(spec.get("openapi", ""))
    if not re.match(r"^3\.[01]\.\d+$", version):
        problems.append(f"openapi is {version!r}, not 3.0.x or 3.1.x")
    info = spec.get("info") or {}
    if not isinstance(info.get("title"), str) or not isinstance(info.get("version"), str):
        problems.append("info needs a title and a version (strings)")
    if not spec.get("paths"):
        problems.append("no paths")
    unresolved = []
    for where, ref in refs_in(spec):
        try:
            resolve_ref(spec, ref)
        except KeyError as e:
            unresolved.append(f"{where}: {e}")
    if unresolved:
        return problems + unresolved  # the rest needs resolvable references
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    seen_ids = {}
    for path, item in (spec.get("paths") or {}).items():
        if not path.startswith("/"):
            problems.append(f"{path}: does not start with /")
        item = deref(spec, item)
        if not any(m in item for m in METHODS):
            problems.append(f"{path}: no operations")
        for server in item.get("servers") or []:
            if "url" not in server or "x-service" not in server:
                problems.append(f"{path}: a path-level server needs url and x-service")
    for path, method, item, op in operations(spec):
        name = f"{method.upper()} {path}"
        op_id = op.get("operationId")
        if not op_id:
            problems.append(f"{name}: no operationId")
        elif op_id in seen_ids:
            problems.append(f"{name}: operationId {op_id} also used by {seen_ids[op_id]}")
        else:
            seen_ids[op_id] = name
        responses = op.get("responses") or {}
        if not responses:
            problems.append(f"{name}: no responses")
        for code, response in responses.items():
            if not re.match(r"^([1-5]\d\d|[1-5]XX|default)$", str(code)):
                problems.append(f"{name}: response key {code!r} is not a status")
            response = deref(spec, response)
            if not isinstance(response.get("description"), str):
                problems.append(f"{name} {code}: no description")
            for media, body in (response.get("content") or {}).items():
                if "schema" not in (body or {}):
                    problems.append(f"{name} {code} {media}: no schema")
        params = parameters_of(spec, item, op)
        for p in params:
            if p.get("in") not in ("query", "header", "path", "cookie") or not p.get("name"):
                problems.append(f"{name}: parameter {p!r} needs a name and a valid `in`")
            if "schema" not in p and "content" not in p:
                problems.append(f"{name}: parameter {p.get('name')} has no schema")
        template = set(re.findall(r"\{([^}]+)\}", path))
        declared = {p["name"] for p in params if p.get("in") == "path"}
        for missing in sorted(template - declared):
            problems.append(f"{name}: path parameter {missing} is not declared")
        for extra in sorted(declared - template):
            problems.append(f"{name}: declared path parameter {extra} is not in the path")
        for p in params:
            if p.get("in") == "path" and p.get("required") is not True:
                problems.append(f"{name}: path parameter {p.get('name')} must be required")
        if "requestBody" in op:
            body = deref(spec, op["requestBody"])
            if not body.get("content"):
                problems.append(f"{name}: requestBody without content")
        security = op.get("security", spec.get("security")) or []
        for requirement in security:
            for scheme in requirement:
                if scheme not in schemes:
                    problems.append(f"{name}: unknown security scheme {scheme}")
    return problems


# --- JSON schema (the subset OpenAPI 3.0 uses) ------------------------------------------------

def _type_ok(kind, value):
    return {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }.get(kind, True)


def schema_errors(spec, schema, value, where="$"):
    """Why `value` does not match `schema` (empty when it does)."""
    schema = deref(spec, schema)
    if not isinstance(schema, dict):
        return []
    if value is None and schema.get("nullable"):
        return []
    errors = []
    for sub in schema.get("allOf") or []:
        errors += schema_errors(spec, sub, value, where)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            matching = [s for s in schema[key] if not schema_errors(spec, s, value, where)]
            if not matching or (key == "oneOf" and len(matching) > 1):
                errors.append(f"{where}: {value!r} matches {len(matching)} of {key}")
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else ([kind] if kind else [])
    if kinds and not any(_type_ok(k, value) for k in kinds):
        return errors + [f"{where}: {value!r} is not of type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if _type_ok("number", value):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{where}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, element in enumerate(value):
                errors += schema_errors(spec, schema["items"], element, f"{where}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required") or []:
            if key not in value:
                errors.append(f"{where}: lacks {key}")
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties", True)
        for key, element in value.items():
            if key in properties:
                errors += schema_errors(spec, properties[key], element, f"{where}.{key}")
            elif extra is False:
                errors.append(f"{where}: has undocumented {key}")
            elif isinstance(extra, dict):
                errors += schema_errors(spec, extra, element, f"{where}.{key}")
    return errors


# --- the walk -------------------------------------------------------------------------------

class Call:
    """One request of the walk and what it must answer (expect None: a documented 2xx)."""

    def __init__(self, label, token=None, params=None, query=None, headers=None, body=_NO_BODY,
                 expect=None, after=None):
        self.label = label
        self.token = token
        self.params = dict(params or {})
        self.query = list(query or [])
        self.headers = dict(headers or {})
        self.body = body
        self.expect = expect
        self.after = after  # called with the Response when the call answered as expected

    def variant(self, label, expect, **changes):
        """A probe derived from this call: same token, ids and body, no extra headers."""
        probe = Call(label, token=self.token, params=self.params, query=self.query,
                     body=self.body, expect=expect)
        for key, value in changes.items():
            setattr(probe, key, value)
        return probe


class Target:
    """One operation of the document on one of its servers."""

    def __init__(self, walker, path, method, item, op, server):
        self.walker = walker
        self.path = path
        self.method = method
        self.op = op
        self.server = server
        self.service = server.get("x-service", "gateway")
        self.params = parameters_of(walker.spec, item, op)
        self.responses = {str(k): deref(walker.spec, v) for k, v in op["responses"].items()}
        self.secured = bool(op.get("security", walker.spec.get("security")))
        self.key = (method.upper(), path, self.service)

    @property
    def op_id(self):
        return self.op.get("operationId", "")

    def documents(self, status):
        return any(str(code) in self.responses for code in (status, f"{status // 100}XX"))

    def param(self, name, where):
        return next((p for p in self.params if p.get("name") == name and p.get("in") == where),
                    None)

    def streams(self):
        return any("text/event-stream" in (r.get("content") or {})
                   for code, r in self.responses.items() if code.startswith("2"))

    def __str__(self):
        return f"{self.method.upper()} {self.path} @{self.service}"


class Walker:
    """Calls every operation of the document as a fresh user and checks every answer."""

    # The order of the walk (operations not named here run at 50): what creates comes before
    # what reads, what ends a session or deletes the user comes last.
    ORDER = {
        "register": 1, "logIn": 2, "refreshTokens": 3, "getJwks": 4, "getMe": 5, "updateMe": 6,
        "createTask": 20, "getTask": 21, "updateTask": 22, "addChecklistItem": 23,
        "updateChecklistItem": 24, "deleteChecklistItem": 25, "completeTask": 26,
        "reopenTask": 27, "listTasks": 28, "getProgress": 30, "getDailyProgress": 31,
        "listActivity": 32, "streamEvents": 33, "deleteTask": 80, "changePassword": 85,
        "logOut": 86, "deleteMe": 99,
    }

    def __init__(self, test, spec):
        self.test = test
        self.spec = spec
        self.exercised = set()
        self.main = register_user(name="OpenAPI Walker")
        self.doomed = register_user(name="OpenAPI Doomed")  # for DELETE /v1/users/me, last
        self.tasks = TaskClient(self.main)
        # An expired task (with a checklist item) for the 409 probes; it expires while the walk
        # goes on.
        resp = self.tasks.create({"title": "openapi walk: expires", "ttl_seconds": 1,
                                  "checklist": [{"text": "never done"}]})
        test.assertEqual(resp.status, 201, resp)
        self.expired_task = resp.body
        self.ctx = {}  # ids the walk learns: path parameter name -> value
        self._expired_ready = False

    # - the targets

    def targets(self):
        found = []
        for path, method, item, op in operations(self.spec):
            for server in servers_of(self.spec, item, op):
                found.append(Target(self, path, method, item, op, server))
        return found

    def ordered_targets(self):
        targets = self.targets()
        position = {id(t): i for i, t in enumerate(targets)}
        return sorted(targets, key=lambda t: (self.ORDER.get(t.op_id, 50), position[id(t)]))

    def base_url(self, server):
        service = server.get("x-service", "gateway")
        if service == "gateway":
            return GATEWAY
        env = os.environ.get(f"TODO_{service.upper()}_URL")
        if env:
            return env.rstrip("/")
        spec_gateway = urllib.parse.urlsplit(self.spec["servers"][0]["url"])
        gateway = urllib.parse.urlsplit(GATEWAY)
        port = urllib.parse.urlsplit(server["url"]).port + (gateway.port - spec_gateway.port)
        return f"{gateway.scheme}://{gateway.hostname}:{port}"

    # - the calls for one target

    def plan(self, target):
        """The calls of the target in order; the one labelled PRIMARY (else the first) is its
        documented success, from which the probes are derived."""
        build = getattr(self, f"plan_{target.op_id}", None)
        if build is not None:
            return build(target)
        return [self.default_call(target)]

    def default_call(self, target, label=PRIMARY):
        params = {p["name"]: self.ctx.get(p["name"]) for p in target.params if p["in"] == "path"}
        query = [(p["name"], p["example"]) for p in target.params
                 if p["in"] == "query" and "example" in p and p.get("required")]
        body = _NO_BODY
        request_body = deref(self.spec, target.op.get("requestBody") or {})
        if request_body.get("required"):
            media = (request_body.get("content") or {}).get("application/json") or {}
            body = media.get("example", {})
        return Call(label, token=self.main.access if target.secured else None, params=params,
                    query=query, body=body)

    def probes(self, target, call):
        """Error answers the document promises, provoked from the primary call."""
        probes = []
        if target.secured and target.documents(401):
            probes.append(call.variant("without a token", 401, token=None))
        if target.documents(400):
            for p in target.params:
                if p["in"] != "query":
                    continue
                schema = deref(self.spec, p.get("schema") or {})
                if schema.get("type") == "integer":
                    for bound, step in (("minimum", -1), ("maximum", 1)):
                        if bound in schema:
                            value = schema[bound] + step
                            probes.append(call.variant(
                                f"{p['name']}={value} (out of range)", 400,
                                query=call.query + [(p["name"], value)]))
                if p["name"] == "cursor":
                    probes.append(call.variant("a tampered cursor", 400,
                                               query=call.query + [("cursor", "tampered" * 4)]))
            if target.method == "get":
                probes.append(call.variant("an unknown query parameter", 400,
                                           query=call.query + [(UNKNOWN, "1")]))
            if target.op.get("requestBody"):
                probes.append(call.variant("an unknown body field", 400, body={UNKNOWN: True}))
        path_params = [p["name"] for p in target.params if p["in"] == "path"]
        if path_params and target.documents(404):
            probes.append(call.variant("ids that name nothing", 404,
                                       params={n: random_task_id() for n in path_params}))
        if target.param("If-Match", "header") and target.documents(412):
            probes.append(call.variant("a stale If-Match", 412,
                                       headers={"If-Match": '"999999"'}))
        if "id" in path_params and target.documents(409):
            probes.append(call.variant("an expired task", 409, params=self.expired_params()))
        return probes

    def expired_params(self):
        if not self._expired_ready:
            resp = self.tasks.wait_for(self.expired_task["id"],
                                       lambda r: r.status == 200 and r.body["status"] == "expired",
                                       timeout=5.0)
            self.test.assertEqual(resp.body["status"], "expired", resp)
            self._expired_ready = True
        return {"id": self.expired_task["id"], "item_id": self.expired_task["checklist"][0]["id"]}

    # - plans of the operations that need more than the document's example

    def plan_register(self, target):
        email = f"openapi-{uuid.uuid4().hex}@example.test"
        body = {"email": email, "password": strong_password(), "name": "OpenAPI Registered"}
        return [Call(PRIMARY, body=body, expect=201),
                Call("the same email again", body=dict(body, name="Again"), expect=409)]

    def plan_logIn(self, target):
        return [Call(PRIMARY, expect=200,
                     body={"email": self.main.email, "password": self.main.password}),
                Call("a wrong password", expect=401,
                     body={"email": self.main.email, "password": strong_password()})]

    def plan_refreshTokens(self, target):
        # A session of its own: the main session's refresh token is never replayed.
        session = self.login_session()
        return [Call(PRIMARY, expect=200,
                     body={"refresh_token": session["refresh_token"]}),
                Call("an unknown refresh token", expect=401,
                     body={"refresh_token": uuid.uuid4().hex})]

    def plan_logOut(self, target):
        session = self.login_session()
        return [Call(PRIMARY, token=session["access_token"], expect=204,
                     body={"refresh_token": session["refresh_token"]})]

    def plan_updateMe(self, target):
        return [Call(PRIMARY, token=self.main.access, expect=200,
                     body={"name": "OpenAPI Walker", "timezone": "Asia/Jakarta"})]

    def plan_changePassword(self, target):
        new_password = strong_password()

        def changed(resp):
            self.main.password = new_password

        return [Call("a wrong current_password", token=self.main.access, expect=400,
                     body={"current_password": strong_password(), "new_password": new_password}),
                Call(PRIMARY, token=self.main.access, expect=204,
                     body={"current_password": self.main.password, "new_password": new_password},
                     after=changed)]

    def plan_deleteMe(self, target):
        return [Call("a wrong password", token=self.doomed.access, expect=400,
                     body={"password": strong_password()}),
                Call(PRIMARY, token=self.doomed.access, expect=204,
                     body={"password": self.doomed.password})]

    def plan_createTask(self, target):
        key = f"openapi-{uuid.uuid4().hex}"
        body = {"title": "openapi walk", "labels": ["openapi"], "priority": "high",
                "ttl_seconds": 3600, "checklist": [{"text": "first"}, {"text": "second"}]}

        def created(resp):
            self.ctx["id"] = resp.body["id"]
            self.ctx["item_id"] = resp.body["checklist"][0]["id"]
            self.test.assertEqual(resp.headers.get("location"), f"/v1/tasks/{resp.body['id']}")

        def replayed(resp):
            self.test.assertEqual(resp.headers.get("idempotent-replayed"), "true", resp.headers)
            self.test.assertEqual(resp.body["id"], self.ctx.get("id"), resp)

        return [Call(PRIMARY, token=self.main.access, expect=201, body=body,
                     headers={"Idempotency-Key": key}, after=created),
                Call("a replay of the same Idempotency-Key", token=self.main.access, expect=201,
                     body=body, headers={"Idempotency-Key": key}, after=replayed),
                Call("the same Idempotency-Key with another body", token=self.main.access,
                     expect=422, body=dict(body, title="another"),
                     headers={"Idempotency-Key": key})]

    def plan_updateTask(self, target):
        return [Call(PRIMARY, token=self.main.access, params={"id": self.ctx["id"]},
                     body={"description": "walked by openapi_test", "priority": "low"},
                     expect=200)]

    def plan_listTasks(self, target):
        return [Call(PRIMARY, token=self.main.access, expect=200,
                     query=[("status", "todo,in_progress,done"), ("sort", "-priority"),
                            ("limit", 10)])]

    def plan_getDailyProgress(self, target):
        def seven_days(resp):
            self.test.assertEqual(len(resp.body["days"]), 7, resp)

        return [Call(PRIMARY, token=self.main.access, expect=200,
                     query=[("days", 7)], after=seven_days)]

    def plan_listActivity(self, target):
        return [Call(PRIMARY, token=self.main.access, expect=200,
                     query=[("limit", 5)])]

    def plan_streamEvents(self, target):
        return [Call(PRIMARY, token=self.main.access, expect=200),
                Call("resuming after Last-Event-ID 1", token=self.main.access, expect=200,
                     headers={"Last-Event-ID": "1"}),
                Call("a Last-Event-ID it never sent", token=self.main.access, expect=400,
                     headers={"Last-Event-ID": "not-an-id"})]

    def login_session(self):
        resp = login(self.main.email, self.main.password)
        self.test.assertEqual(resp.status, 200, resp)
        return resp.body["tokens"]

    # - sending and checking

    def send(self, target, call):
        path = target.path
        for name, value in call.params.items():
            if value is None:
                raise AssertionError(f"the walk has no value for {{{name}}} yet")
            path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        if call.query:
            path += "?" + urllib.parse.urlencode(call.query)
        base = self.base_url(target.server)
        if target.streams():
            return self.send_stream(base, path, call)
        kwargs = {"token": call.token, "headers": call.headers, "base": base}
        if call.body is not _NO_BODY:
            kwargs["body"] = call.body
        return request(target.method.upper(), path, **kwargs)

    def send_stream(self, base, path, call):
        """GET of an event stream: the status and headers, then the first line (or nothing after
        STREAM_WAIT seconds); the connection is closed either way."""
        url = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=STREAM_WAIT)
        headers = {"Accept": "text/event-stream", **call.headers}
        if call.token:
            headers["Authorization"] = f"Bearer {call.token}"
        try:
            conn.request("GET", (url.path or "").rstrip("/") + path, headers=headers)
            resp = conn.getresponse()
            got = {name.lower(): value for name, value in resp.getheaders()}
            if media_base(got.get("content-type")) == "text/event-stream":
                try:
                    raw = resp.readline().decode("utf-8", errors="replace")
                except (socket.timeout, TimeoutError):
                    raw = ""
                return Response(resp.status, got, raw, raw)
            raw = resp.read().decode("utf-8", errors="replace")
        finally:
            conn.close()
        body = raw
        if "json" in got.get("content-type", "") and raw:
            try:
                body = json.loads(raw)
            except ValueError:
                pass
        return Response(resp.status, got, body, raw)

    def check(self, target, call, resp):
        """The answer is one the document promises for this operation."""
        t = self.test
        documented = sorted(target.responses)
        t.assertTrue(target.documents(resp.status),
                     f"{target} ({call.label}) answered {resp.status}, documented: {documented}; "
                     f"{resp!r}")
        if call.expect is None:
            t.assertTrue(200 <= resp.status < 300, f"{target} ({call.label}): {resp!r}")
        else:
            t.assertEqual(resp.status, call.expect, f"{target} ({call.label}): {resp!r}")
        response = target.responses.get(str(resp.status)) or \
            target.responses[f"{resp.status // 100}XX"]
        for name, header in (response.get("headers") or {}).items():
            header = deref(self.spec, header)
            value = resp.headers.get(name.lower())
            if value is None:
                t.assertFalse(header.get("required"),
                              f"{target} ({call.label}) {resp.status} lacks header {name}: "
                              f"{resp.headers}")
                continue
            errors = schema_errors(self.spec, header.get("schema") or {}, value, name)
            t.assertFalse(errors, f"{target} ({call.label}) header: {errors}")
        content = response.get("content") or {}
        media = media_base(resp.headers.get("content-type"))
        if not content:
            t.assertEqual(resp.raw, "", f"{target} ({call.label}) {resp.status} documents no "
                                        f"body: {resp!r}")
            return
        documented_media = {media_base(m): m for m in content}
        t.assertIn(media, documented_media,
                   f"{target} ({call.label}) {resp.status} has Content-Type "
                   f"{resp.headers.get('content-type')!r}, documented: {list(content)}")
        if media.endswith("json"):
            t.assertIsInstance(resp.body, (dict, list), f"{target}: not JSON: {resp!r}")
            schema = content[documented_media[media]].get("schema") or {}
            errors = schema_errors(self.spec, schema, resp.body)
            t.assertFalse(errors, f"{target} ({call.label}) body does not match the schema: "
                                  f"{errors[:10]}; {resp!r}")
        elif media == "text/event-stream" and resp.raw:
            t.assertRegex(resp.raw, r"^(:|id:|event:|data:|retry:|\r?\n$)",
                          f"{target}: the first line is not Server-Sent Events: {resp.raw!r}")
        else:
            schema = content[documented_media[media]].get("schema") or {}
            errors = schema_errors(self.spec, schema, resp.raw)
            t.assertFalse(errors, f"{target} ({call.label}): {errors}")

    def run_call(self, target, call, primary=False):
        """Sends one call and checks the answer (failures are reported as a subtest and the walk
        goes on); returns the Response, or None when there was none."""
        answer = None
        with self.test.subTest(f"{target}: {call.label}"):
            answer = self.send(target, call)
            if primary:
                self.exercised.add(target.key)
            self.check(target, call, answer)
        wanted = answer is not None and (answer.status == call.expect if call.expect
                                         else 200 <= answer.status < 300)
        if call.after is not None and wanted:
            with self.test.subTest(f"{target}: {call.label}: what the walk learns from it"):
                call.after(answer)
        return answer

    def walk(self, target):
        calls, probes = None, []
        with self.test.subTest(f"{target}: plan"):
            calls = self.plan(target)
            primary = next((c for c in calls if c.label == PRIMARY), calls[0])
            probes = self.probes(target, primary)
        if calls is None:
            return
        for probe in probes:
            self.run_call(target, probe)
        first = None
        for call in calls:
            resp = self.run_call(target, call, primary=call is primary)
            if call is primary:
                first = resp
        etag = first.headers.get("etag") if first is not None else None
        if etag and target.param("If-None-Match", "header") and target.documents(304):
            self.run_call(target, primary.variant("If-None-Match with the current ETag", 304,
                                                  headers={"If-None-Match": etag}))

    def run(self):
        for target in self.ordered_targets():
            self.walk(target)


class OpenApiDocumentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = load_spec()

    def test_document_is_structurally_valid(self):
        problems = structural_problems(self.spec)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_every_endpoint_of_api_md_is_documented(self):
        with open(API_MD, encoding="utf-8") as f:
            text = f.read()
        listed = set(re.findall(r"^\|\s*(GET|POST|PUT|PATCH|DELETE)\s+(/[^\s|?]*)", text, re.M))
        listed |= set(re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^\s`?]*)", text))
        self.assertGreater(len(listed), 20, "docs/api.md's endpoints were not found")
        documented = {(m.upper(), p) for p, m, _, _ in operations(self.spec)}
        self.assertEqual(sorted(listed - documented), [], "in docs/api.md, not in docs/openapi.yaml")

    def test_every_route_the_services_register_is_documented(self):
        registered = set()
        pattern = re.compile(r'\.Add\(\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"')
        for top in ("services", os.path.join("libs", "platform")):
            for folder, _, files in os.walk(os.path.join(ROOT, top)):
                if os.sep + "tests" in folder:
                    continue
                for name in files:
                    if name.endswith(".cpp"):
                        with open(os.path.join(folder, name), encoding="utf-8") as f:
                            registered |= set(pattern.findall(f.read()))
        self.assertGreater(len(registered), 15, "no route registrations found")
        documented = {(m.upper(), p) for p, m, _, _ in operations(self.spec)}
        self.assertEqual(sorted(registered - documented), [],
                         "registered by a service, not in docs/openapi.yaml")

    def test_every_operation_answers_as_documented(self):
        walker = Walker(self, self.spec)
        walker.run()
        every = {t.key for t in walker.targets()}
        missing = sorted(every - walker.exercised)
        self.assertEqual(missing, [], "operations of docs/openapi.yaml the walk did not exercise "
                                      "(no answer, or no plan could be built)")


if __name__ == "__main__":
    unittest.main()
