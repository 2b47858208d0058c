"""End-to-end tests of the progress service (the read model built only from events), through the
gateway: the summary, the daily buckets in the user's time zone, the activity feed and its pages,
the live stream (Server-Sent Events, Last-Event-ID), the write-to-summary latency, account
deletion, and the service answering while the tasks and identity services are down.

Run from the repository's root: /usr/bin/python3 -m unittest discover -s tests/e2e -p '*_test.py' -v

The read model is eventually consistent: every check waits (with a deadline, polling) until it
reflects the writes the test made, never sleeps a fixed time. Each test uses users of its own.

StackOutageTest stops the stack's tasks and identity services with their pid files
($STACK_DIR/run/<name>.pid, the stack's own stop_pidfile) and starts them again with the stack's
start_service (scripts/lib/stack.sh), also in cleanup, so later tests find them running.
Account deletion revokes every token of the user, so what the services still hold about the user
is looked up in their databases (psql on 127.0.0.1:$TODO_PG_PORT, as the stack's user `todo`).
"""

import datetime
import http.client
import json
import math
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import zoneinfo

# Also runnable as a file (python3 -m unittest tests/e2e/progress_test.py), not only discovered.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support import (GATEWAY, TIMESTAMP_RE, UUID7_RE, assert_problem,  # noqa: E402
                     assert_unauthorized, login, me, register, register_user, request,
                     wait_for_status, wait_until)
from tasks_support import TASK_KEYS, TaskClient, in_seconds, parse_ts  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build", "release")
STACK_DIR = os.environ.get("STACK_DIR") or os.path.join(ROOT, ".stack")
STACK_SH = os.path.join(ROOT, "scripts", "lib", "stack.sh")
PROGRESS = os.environ.get("TODO_PROGRESS_URL", "http://127.0.0.1:8083").rstrip("/")
TASKS = os.environ.get("TODO_TASKS_URL", "http://127.0.0.1:8082").rstrip("/")
IDENTITY = os.environ.get("TODO_IDENTITY_URL", "http://127.0.0.1:8081").rstrip("/")
PG_PORT = os.environ.get("TODO_PG_PORT", "55432")

# How long the read model may take to reflect a write before a test gives up.
CONSISTENCY_TIMEOUT = 10.0
# The latency test asserts each write is reflected within this (it reports p50/p99).
REFLECT_TIMEOUT = 5.0
SUMMARY_KEYS = {"total", "by_status", "completion_rate", "average_progress", "overdue",
                "expiring_within_24h", "completed_today", "streak_days", "as_of"}
STATUSES = ("todo", "in_progress", "done", "expired")
EVENT_TYPES = {"created", "updated", "completed", "reopened", "expired", "deleted"}
ITEM_KEYS = {"id", "type", "task_id", "title", "at"}
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d$")


# --- reading the read model -----------------------------------------------------------------


def summary(token, base=GATEWAY, query=""):
    return request("GET", "/v1/progress" + query, token=token, base=base)


def daily(token, params=None, base=GATEWAY):
    query = "?" + urllib.parse.urlencode(params) if params else ""
    return request("GET", "/v1/progress/daily" + query, token=token, base=base)


def activity(token, params=None, base=GATEWAY):
    query = "?" + urllib.parse.urlencode(params) if params else ""
    return request("GET", "/v1/activity" + query, token=token, base=base)


def activity_pages(test, token, limit=None, base=GATEWAY):
    """Every page of the caller's activity, walking next_cursor; asserts each page is 200."""
    pages = []
    params = {} if limit is None else {"limit": limit}
    for _ in range(1000):
        resp = activity(token, params, base=base)
        test.assertEqual(resp.status, 200, resp)
        pages.append(resp.body)
        if resp.body["next_cursor"] is None:
            return pages
        params = dict(params, cursor=resp.body["next_cursor"])
    test.fail("activity did not end within 1000 pages")


def all_activity(test, token, limit=100, base=GATEWAY):
    return [item for page in activity_pages(test, token, limit, base) for item in page["items"]]


def await_value(test, probe, what, timeout=CONSISTENCY_TIMEOUT, interval=0.02):
    """Polls probe() -> (done, value) until done or the deadline; fails naming `what` and the
    last value seen. Returns the value."""
    last = [None]

    def check():
        done, last[0] = probe()
        return done

    if not wait_until(check, timeout=timeout, interval=interval):
        test.fail(f"{what} not reflected within {timeout} s; last seen: {last[0]!r}")
    return last[0]


def round_half_up(value, decimals):
    scale = 10 ** decimals
    return math.floor(value * scale + 0.5) / scale


def local_today(zone_name):
    return datetime.datetime.now(zoneinfo.ZoneInfo(zone_name)).date().isoformat()


def counts_only(body):
    """The parts of a summary that do not move with the clock (as_of aside)."""
    return {k: v for k, v in body.items() if k != "as_of"} if isinstance(body, dict) else body


def expected_summary(tasks, now, zone_name="UTC"):
    """What the summary must say about these tasks (GET /v1/tasks items) at `now` (epoch s)."""
    by_status = {s: sum(1 for t in tasks if t["status"] == s) for s in STATUSES}
    total = len(tasks)
    zone = zoneinfo.ZoneInfo(zone_name)
    local_now = datetime.datetime.fromtimestamp(now, zone)
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    open_tasks = [t for t in tasks if t["status"] in ("todo", "in_progress")]
    return {
        "total": total,
        "by_status": by_status,
        "completion_rate": round_half_up(by_status["done"] / total, 4) if total else 0,
        "average_progress":
            round_half_up(sum(t["progress"] for t in tasks) / total, 1) if total else 0,
        "overdue": sum(1 for t in open_tasks if t["due_at"] and parse_ts(t["due_at"]) < now),
        "expiring_within_24h": sum(
            1 for t in open_tasks
            if t["expires_at"] and now < parse_ts(t["expires_at"]) <= now + 86400),
        "completed_today": sum(1 for t in tasks if t["status"] == "done" and t["completed_at"]
                               and parse_ts(t["completed_at"]) >= day_start),
    }


def summary_matches(body, expected):
    if not isinstance(body, dict):
        return False
    for key, value in expected.items():
        got = body.get(key)
        if isinstance(value, float) or isinstance(got, float):
            if not isinstance(got, (int, float)) or abs(got - value) > 1e-9:
                return False
        elif got != value:
            return False
    return True


def psql(db, sql):
    """One statement against a service's database of the stack; returns its text output."""
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "todo", "-d", db, "-X", "-q",
         "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise AssertionError(f"psql {db}: {sql}: {done.stderr.strip()}")
    return done.stdout.strip()


# --- the live stream -------------------------------------------------------------------------


class EventStream:
    """GET /v1/stream on its own connection; a thread reads the lines into a queue so that a
    test can wait for the next event with a deadline."""

    def __init__(self, token=None, last_event_id=None, base=GATEWAY, path="/v1/stream",
                 headers=None):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        send = {"Accept": "text/event-stream"}
        if token is not None:
            send["Authorization"] = f"Bearer {token}"
        if last_event_id is not None:
            send["Last-Event-ID"] = str(last_event_id)
        send.update(headers or {})
        self.conn.request("GET", path, headers=send)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.lines = queue.Queue()
        self.closed = False
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.resp.read().decode("utf-8", errors="replace")

    def _read(self):
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                self.lines.put(line.decode("utf-8").rstrip("\r\n"))
        except Exception:  # noqa: BLE001 - closing the connection ends the read any which way
            pass
        self.lines.put(None)

    def problem(self):
        """The refusal as a support.Response, for assert_problem."""
        from support import Response
        parsed = self.body
        try:
            parsed = json.loads(self.body)
        except ValueError:
            pass
        return Response(self.status, self.headers, parsed, self.body)

    def next_line(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line from the stream within {timeout} s") from None
        if line is None:
            raise AssertionError("the stream ended")
        return line

    def preamble(self, timeout=5.0):
        """The lines up to the first blank line (the retry hint and the connected comment)."""
        lines = []
        while True:
            line = self.next_line(timeout)
            if line == "":
                return lines
            lines.append(line)

    def next_event(self, timeout=CONSISTENCY_TIMEOUT):
        """The next event as {"id", "event", "data"} (comments, such as heartbeats, skipped)."""
        deadline = time.monotonic() + timeout
        fields = {}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no event within {timeout} s (partial: {fields!r})")
            line = self.next_line(left)
            if line == "":
                if fields:
                    return fields
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data" and "data" in fields:
                fields["data"] += "\n" + value
            else:
                fields[name] = value

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.conn.sock and self.conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.conn.close()


# --- the stack's processes -------------------------------------------------------------------


def stack_shell(script, timeout=120):
    """Runs `script` in bash with scripts/lib/stack.sh sourced, in the environment the stack's
    scripts give the services (this suite's URL variables left out)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TODO_GATEWAY_URL", "TODO_IDENTITY_URL", "TODO_TASKS_URL",
                        "TODO_PROGRESS_URL")}
    # Shell variables, as scripts/up has them (exported only where the caller exported them).
    prelude = 'STACK_DIR=$2; BUILD_DIR=$3; source "$1"; '
    return subprocess.run(["bash", "-c", prelude + script, "stack-shell", STACK_SH, STACK_DIR,
                           BUILD_DIR],
                          env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def pidfile(name):
    return os.path.join(STACK_DIR, "run", f"{name}.pid")


def service_running(name):
    try:
        with open(pidfile(name)) as f:
            pid = int(f.readline().strip())
        os.kill(pid, 0)
        return True
    except (OSError, ValueError):
        return False


def stop_service(name):
    done = stack_shell(f'stop_pidfile "$STACK_DIR/run/{name}.pid"')
    if done.returncode != 0:
        raise AssertionError(f"stopping {name} failed: {done.stderr}")


SERVICE_PORT_VARS = {"identity": "TODO_IDENTITY_PORT", "tasks": "TODO_TASKS_PORT"}


def start_service(name, attempts=3):
    """start_service as scripts/up and scripts/test call it (it waits for /readyz); a start that
    fails (a binary being relinked by a build) is tried again."""
    port_var = SERVICE_PORT_VARS[name]
    script = f'start_service {name} "${port_var}" "$BUILD_DIR/services/{name}/{name}"'
    errors = []
    for attempt in range(attempts):
        done = stack_shell(script)
        if done.returncode == 0:
            return
        errors.append(done.stderr.strip())
        wait_until(lambda: False, timeout=5.0 * (attempt + 1), interval=0.5)
    raise AssertionError(f"starting {name} failed: {errors}")


def port_refused(base):
    url = urllib.parse.urlsplit(base)
    try:
        with socket.create_connection((url.hostname, url.port), timeout=1.0):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


# --- tests -----------------------------------------------------------------------------------


class ProgressTestCase(unittest.TestCase):

    def setUp(self):
        self.user = TaskClient(register_user(name="Progress E2E"))

    @property
    def token(self):
        return self.user.token

    def create(self, **fields):
        return self.user.create_ok(self, **fields)

    def ok(self, resp, status=200):
        self.assertEqual(resp.status, status, resp)
        return resp.body

    def assert_invalid(self, resp, field):
        return assert_problem(self, resp, 400, "validation", field)

    def tasks_now(self):
        return self.user.list_all(self)

    def await_summary_of_tasks(self, zone_name="UTC"):
        """Waits until the summary agrees with the tasks service's list; returns it."""
        tasks = self.tasks_now()

        def probe():
            resp = summary(self.token)
            expected = expected_summary(tasks, time.time(), zone_name)
            return resp.status == 200 and summary_matches(resp.body, expected), \
                (resp, expected)

        resp, _ = await_value(self, probe, "the tasks in the summary")
        return resp.body

    def await_activity_count(self, count, token=None):
        token = token or self.token

        def probe():
            items = all_activity(self, token)
            return len(items) >= count, items

        items = await_value(self, probe, f"{count} activity items")
        self.assertEqual(len(items), count, items)
        return items


class SummaryDailyActivityTest(ProgressTestCase):
    """One user's mixed history, then the summary, the daily buckets and the feed."""

    def build_history(self):
        """Writes one deterministic history; returns (tasks by name, expected feed oldest first
        as (name, type, title), with the two expiries in either order at positions 2 and 3)."""
        t = {}
        feed = []
        # Two tasks that expire by themselves; nothing else is written until both have, so the
        # feed's order below is fixed.
        t["x1"] = self.create(title="expires one", ttl_seconds=1)
        feed.append(("x1", "created", "expires one"))
        t["x2"] = self.create(title="expires two", ttl_seconds=1, progress=20)
        feed.append(("x2", "created", "expires two"))
        for name in ("x1", "x2"):
            got = self.user.wait_for(t[name]["id"], lambda r: r.status == 200
                                     and r.body["status"] == "expired", timeout=5.0)
            self.assertEqual(got.body["status"], "expired", got)
            t[name] = got.body
        feed.append(("x?", "expired", None))
        feed.append(("x?", "expired", None))

        # A: a checklist of two, one ticked: derived progress 50, in_progress.
        t["a"] = self.create(title="checklist half", checklist=[{"text": "read"},
                                                                {"text": "recite"}])
        feed.append(("a", "created", "checklist half"))
        item = t["a"]["checklist"][0]["id"]
        t["a"] = self.ok(self.user.patch_item(t["a"]["id"], item, {"done": True}))
        self.assertEqual((t["a"]["status"], t["a"]["progress"]), ("in_progress", 50))
        feed.append(("a", "updated", "checklist half"))

        # B: progress set by PATCH.
        t["b"] = self.create(title="patched progress")
        feed.append(("b", "created", "patched progress"))
        t["b"] = self.ok(self.user.patch(t["b"]["id"], {"progress": 30}))
        self.assertEqual(t["b"]["status"], "in_progress")
        feed.append(("b", "updated", "patched progress"))

        # C: completed.
        t["c"] = self.create(title="completed one", expires_at=in_seconds(3 * 3600))
        feed.append(("c", "created", "completed one"))
        t["c"] = self.ok(self.user.complete(t["c"]["id"]))
        self.assertEqual(t["c"]["status"], "done")
        feed.append(("c", "completed", "completed one"))

        # D: completed, then reopened.
        t["d"] = self.create(title="reopened one", progress=10)
        feed.append(("d", "created", "reopened one"))
        self.ok(self.user.complete(t["d"]["id"]))
        feed.append(("d", "completed", "reopened one"))
        t["d"] = self.ok(self.user.reopen(t["d"]["id"]))
        self.assertIn(t["d"]["status"], ("todo", "in_progress"))
        feed.append(("d", "reopened", "reopened one"))

        # E: renamed, then deleted: the deletion shows the last title.
        t["e"] = self.create(title="doomed draft")
        feed.append(("e", "created", "doomed draft"))
        self.ok(self.user.patch(t["e"]["id"], {"title": "doomed final"}))
        feed.append(("e", "updated", "doomed final"))
        self.ok(self.user.delete(t["e"]["id"]), 204)
        feed.append(("e", "deleted", "doomed final"))

        # F: overdue (due an hour ago). G: expires within 24 h. H: expires in two days.
        t["f"] = self.create(title="overdue one", due_at=in_seconds(-3600))
        feed.append(("f", "created", "overdue one"))
        t["g"] = self.create(title="expiring soon", expires_at=in_seconds(2 * 3600),
                             due_at=in_seconds(3600))
        feed.append(("g", "created", "expiring soon"))
        t["h"] = self.create(title="expiring later", ttl_seconds=2 * 86400)
        feed.append(("h", "created", "expiring later"))
        return t, feed

    def test_summary_daily_and_activity_reflect_a_mixed_history(self):
        tasks, feed = self.build_history()

        # --- the feed, once every event is applied ---
        items = self.await_activity_count(len(feed))
        ids = {name: task["id"] for name, task in tasks.items()}
        names = {v: k for k, v in ids.items()}
        oldest_first = list(reversed(items))
        for item in items:
            self.assertEqual(set(item), ITEM_KEYS, item)
            self.assertRegex(item["id"], UUID7_RE)
            self.assertIn(item["type"], EVENT_TYPES)
            self.assertRegex(item["at"], TIMESTAMP_RE)
            self.assertIn(item["task_id"], names, f"a task this user does not have: {item}")
        self.assertEqual(len({i["id"] for i in items}), len(items), "duplicate activity ids")
        got = [(names[i["task_id"]], i["type"], i["title"]) for i in oldest_first]
        # The two expiries come third and fourth, in either order; everything else in the
        # order it was written.
        self.assertEqual(sorted(got[2:4]), [("x1", "expired", "expires one"),
                                            ("x2", "expired", "expires two")], got)
        self.assertEqual(got[:2] + got[4:], feed[:2] + feed[4:], "the feed, oldest first")
        # Newest first: the times never go up along the list.
        stamps = [parse_ts(i["at"]) for i in items]
        self.assertEqual(stamps, sorted(stamps, reverse=True), "activity not newest first")

        # --- the summary agrees with the tasks service ---
        live = self.tasks_now()
        self.assertEqual(len(live), 9)
        body = self.await_summary_of_tasks()
        self.assertEqual(set(body), SUMMARY_KEYS, body)
        self.assertEqual(body["total"], 9)
        self.assertEqual(body["by_status"]["expired"], 2)
        self.assertEqual(body["by_status"]["done"], 1)
        self.assertEqual(body["overdue"], 1)  # F (G is due in an hour; expired ones do not count)
        # Open with an expiry inside 24 h: G only (C is done, H is two days away).
        self.assertEqual(body["expiring_within_24h"], 1)
        self.assertEqual(body["completed_today"], 1)
        self.assertEqual(body["streak_days"], 1)
        self.assertAlmostEqual(body["completion_rate"], round_half_up(1 / 9, 4))
        self.assertRegex(body["as_of"], TIMESTAMP_RE)
        self.assertLess(abs(parse_ts(body["as_of"]) - time.time()), 5.0, body)

        # --- daily buckets: 30 by default, oldest first, ending today (UTC for this user) ---
        before = local_today("UTC")
        resp = daily(self.token)
        after = local_today("UTC")
        days = self.ok(resp)["days"]
        self.assertEqual(set(resp.body), {"days"})
        self.assertEqual(len(days), 30, days)
        for day in days:
            self.assertEqual(set(day), {"date", "created", "completed", "expired"}, day)
            self.assertRegex(day["date"], DATE_RE)
        dates = [datetime.date.fromisoformat(d["date"]) for d in days]
        self.assertEqual(dates, [dates[0] + datetime.timedelta(days=i) for i in range(30)],
                         "dates are not 30 consecutive days, oldest first")
        self.assertIn(days[-1]["date"], (before, after))
        today = days[-1]
        # Created: every task of the day, the deleted one too; completed: C and D (D reopened
        # after); expired: X1 and X2.
        self.assertEqual((today["created"], today["completed"], today["expired"]), (10, 2, 2),
                         today)
        for day in days[:-1]:
            self.assertEqual((day["created"], day["completed"], day["expired"]), (0, 0, 0), day)

        one = self.ok(daily(self.token, {"days": 1}))["days"]
        self.assertEqual(one, [today])
        self.assertEqual(len(self.ok(daily(self.token, {"days": 365}))["days"]), 365)
        self.assertEqual(self.ok(daily(self.token, {"days": 7}))["days"], days[-7:])


class DailyAndActivityInputTest(ProgressTestCase):

    def test_days_out_of_range_or_not_a_number_is_400_naming_days(self):
        for bad in ("0", "366", "abc", "-1", "1.5", "", " 3", "+3", "99999999999"):
            with self.subTest(days=bad):
                self.assert_invalid(daily(self.token, {"days": bad}), "days")

    def test_days_bounds_are_accepted(self):
        for good, count in (("1", 1), ("365", 365), ("30", 30)):
            with self.subTest(days=good):
                self.assertEqual(len(self.ok(daily(self.token, {"days": good}))["days"]), count)

    def test_unknown_parameters_are_400_naming_them(self):
        self.assert_invalid(daily(self.token, {"day": "3"}), "day")
        self.assert_invalid(activity(self.token, {"limt": "3"}), "limt")
        self.assert_invalid(summary(self.token, query="?verbose=1"), "verbose")

    def test_bad_limit_is_400_naming_limit(self):
        for bad in ("0", "101", "abc", "-1", "", "2.5"):
            with self.subTest(limit=bad):
                self.assert_invalid(activity(self.token, {"limit": bad}), "limit")
        self.assertEqual(self.ok(activity(self.token, {"limit": "100"}))["items"], [])

    def test_bad_cursor_is_400_naming_cursor(self):
        for bad in ("abc", "0", "-5", "", "1.5", "%%%", "e30"):
            with self.subTest(cursor=bad):
                self.assert_invalid(activity(self.token, {"cursor": bad}), "cursor")

    def test_tampered_cursor_is_refused(self):
        """API.md: "A tampered cursor: 400" (as the tasks service does for its lists)."""
        for _ in range(3):
            self.create()
        self.await_activity_count(3)
        cursor = self.ok(activity(self.token, {"limit": 1}))["next_cursor"]
        self.assertTrue(cursor)
        flipped = ("1" if cursor[0] != "1" else "2") + cursor[1:]
        for bad in (flipped, cursor[:-1], cursor + "0"):
            with self.subTest(cursor=bad):
                self.assert_invalid(activity(self.token, {"limit": 1, "cursor": bad}), "cursor")

    def test_a_new_user_has_an_empty_read_model(self):
        body = self.ok(summary(self.token))
        self.assertEqual(counts_only(body), {
            "total": 0, "by_status": {s: 0 for s in STATUSES}, "completion_rate": 0,
            "average_progress": 0, "overdue": 0, "expiring_within_24h": 0,
            "completed_today": 0, "streak_days": 0})
        self.assertEqual(self.ok(activity(self.token)), {"items": [], "next_cursor": None})

    def test_without_a_token_every_read_is_401(self):
        for path in ("/v1/progress", "/v1/progress/daily", "/v1/activity", "/v1/stream"):
            with self.subTest(path=path):
                assert_unauthorized(self, request("GET", path))
                assert_unauthorized(self, request("GET", path, token="not.a.token"))


class ActivityPagingTest(ProgressTestCase):

    def test_pages_cover_the_feed_without_duplicates_or_gaps(self):
        for i in range(23):
            self.create(title=f"page item {i:02d}")
        everything = self.await_activity_count(23)
        self.assertEqual([i["title"] for i in everything],
                         [f"page item {i:02d}" for i in reversed(range(23))])

        default = self.ok(activity(self.token))
        self.assertEqual(len(default["items"]), 20, "the default limit is 20")
        self.assertIsNotNone(default["next_cursor"])
        self.assertEqual(default["items"], everything[:20])

        for limit in (1, 5, 7, 22, 23, 100):
            with self.subTest(limit=limit):
                pages = activity_pages(self, self.token, limit)
                walked = [item for page in pages for item in page["items"]]
                self.assertEqual(walked, everything, f"pages of {limit}")
                self.assertEqual(len(pages), max(1, math.ceil(23 / limit)))
                for page in pages[:-1]:
                    self.assertEqual(len(page["items"]), limit)
                    self.assertIsInstance(page["next_cursor"], str)
                self.assertIsNone(pages[-1]["next_cursor"])

    def test_new_events_do_not_shift_a_walk_in_progress(self):
        for i in range(6):
            self.create(title=f"before {i}")
        everything = self.await_activity_count(6)
        first = self.ok(activity(self.token, {"limit": 3}))
        # Newer events arrive between two pages: the next page goes on where the first ended.
        self.create(title="after")
        self.await_activity_count(7)
        second = self.ok(activity(self.token, {"limit": 3, "cursor": first["next_cursor"]}))
        self.assertEqual(first["items"] + second["items"], everything)


class CompletionWithoutCompleteTest(ProgressTestCase):
    """events.md: a task made done by PATCH progress 100 or its last checklist item is
    todo.task.updated, and consumers read status and completed_at from data."""

    def test_done_by_progress_counts_as_completed_in_daily_and_streak(self):
        for how in ("patch progress 100", "last checklist item", "created done"):
            with self.subTest(how=how):
                user = TaskClient(register_user(name="Progress E2E"))
                if how == "patch progress 100":
                    task = user.create_ok(self)
                    done = self.ok(user.patch(task["id"], {"progress": 100}))
                elif how == "last checklist item":
                    task = user.create_ok(self, checklist=[{"text": "only"}])
                    done = self.ok(user.patch_item(task["id"], task["checklist"][0]["id"],
                                                   {"done": True}))
                else:
                    done = user.create_ok(self, progress=100)
                self.assertEqual(done["status"], "done")
                self.assertIsNotNone(done["completed_at"])

                def probe():
                    resp = summary(user.token)
                    return resp.status == 200 and resp.body["by_status"]["done"] == 1, resp

                body = await_value(self, probe, "the done task").body
                self.assertEqual(body["completed_today"], 1, body)
                today = self.ok(daily(user.token, {"days": 1}))["days"][0]
                self.assertEqual(today["completed"], 1,
                                 f"a task completed today ({how}) is not in today's bucket: "
                                 f"{today}; summary {body}")
                self.assertEqual(body["streak_days"], 1,
                                 f"a completion today ({how}) does not start a streak: {body}")


class TimeZoneTest(ProgressTestCase):

    def await_last_day(self, zone_name, created):
        def probe():
            before = local_today(zone_name)
            resp = daily(self.token, {"days": 3})
            after = local_today(zone_name)
            if resp.status != 200:
                return False, resp
            last = resp.body["days"][-1]
            return last["date"] in (before, after) and last["created"] == created, resp.body

        return await_value(self, probe, f"today in {zone_name} as the last bucket")

    def test_daily_buckets_follow_the_users_time_zone(self):
        # UTC+14 and UTC-11 are 25 hours apart: their dates always differ, and at least one of
        # them differs from UTC's at any moment.
        utc_today = local_today("UTC")
        self.assertNotEqual(local_today("Pacific/Kiritimati"), local_today("Pacific/Pago_Pago"))
        self.assertTrue(utc_today != local_today("Pacific/Kiritimati")
                        or utc_today != local_today("Pacific/Pago_Pago"))
        self.await_last_day("UTC", 0)

        for zone_name in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            with self.subTest(zone=zone_name):
                changed = request("PATCH", "/v1/users/me", {"timezone": zone_name},
                                  token=self.token)
                self.assertEqual(changed.status, 200, changed)
                self.assertEqual(changed.body["timezone"], zone_name)
                days = self.await_last_day(zone_name, 0 if zone_name.endswith("Kiritimati")
                                           else 1)["days"]
                dates = [datetime.date.fromisoformat(d["date"]) for d in days]
                self.assertEqual(dates[2] - dates[0], datetime.timedelta(days=2))
                if zone_name.endswith("Kiritimati"):
                    # A task created now is counted on today's local date in this zone.
                    self.create(title="made in Kiritimati")
                    self.await_last_day(zone_name, 1)
                # Under Pago Pago (a day or two behind Kiritimati) the same task falls on
                # Pago Pago's today, the last bucket again (the created=1 awaited above).

    def test_completed_today_and_streak_use_the_local_day(self):
        changed = request("PATCH", "/v1/users/me", {"timezone": "Pacific/Kiritimati"},
                          token=self.token)
        self.assertEqual(changed.status, 200, changed)
        self.await_last_day("Pacific/Kiritimati", 0)
        task = self.create()
        self.ok(self.user.complete(task["id"]))
        body = self.await_summary_of_tasks("Pacific/Kiritimati")
        self.assertEqual(body["completed_today"], 1, body)
        self.assertEqual(body["streak_days"], 1, body)


class StreamTest(ProgressTestCase):

    def open(self, token=None, last_event_id=None, **kw):
        stream = EventStream(token if token is not None else self.token, last_event_id, **kw)
        self.addCleanup(stream.close)
        return stream

    def assert_opened(self, stream):
        self.assertEqual(stream.status, 200, getattr(stream, "body", ""))
        self.assertTrue(stream.headers.get("content-type", "").startswith("text/event-stream"),
                        stream.headers)
        self.assertEqual(stream.headers.get("cache-control"), "no-cache", stream.headers)
        self.assertTrue(stream.headers.get("x-request-id"), stream.headers)
        self.assertEqual(stream.preamble(), ["retry: 2000", ": connected"])

    def assert_event(self, event, kind, task_id, title):
        self.assertEqual(set(event), {"id", "event", "data"}, event)
        self.assertRegex(event["id"], r"^[1-9][0-9]*$")
        self.assertEqual(event["event"], kind, event)
        data = json.loads(event["data"])
        self.assertEqual(set(data), ITEM_KEYS | {"task"}, data)
        self.assertEqual(data["type"], kind)
        self.assertRegex(data["id"], UUID7_RE)
        self.assertEqual(data["task_id"], task_id)
        self.assertEqual(data["title"], title)
        self.assertRegex(data["at"], TIMESTAMP_RE)
        if kind == "deleted":
            self.assertIsNone(data["task"])
        else:
            self.assertIsInstance(data["task"], dict)
            self.assertTrue(TASK_KEYS <= set(data["task"]), data["task"])
            self.assertEqual(data["task"]["id"], task_id)
            self.assertEqual(data["task"]["title"], title)
        return data

    def test_live_events_then_replay_after_last_event_id(self):
        stream = self.open()
        self.assert_opened(stream)
        other = TaskClient(register_user(name="Progress E2E other"))
        other_stream = self.open(other.token)
        self.assert_opened(other_stream)

        task = self.create(title="streamed")
        first = stream.next_event()
        created = self.assert_event(first, "created", task["id"], "streamed")
        self.assertEqual(created["task"]["status"], "todo")
        self.assertEqual(created["task"]["version"], 1)

        done = self.ok(self.user.complete(task["id"]))
        second = stream.next_event()
        completed = self.assert_event(second, "completed", task["id"], "streamed")
        self.assertEqual(completed["task"]["status"], "done")
        self.assertEqual(completed["task"]["completed_at"], done["completed_at"])

        self.ok(self.user.patch(task["id"], {"title": "streamed, renamed"}), 200)
        third = stream.next_event()
        self.assert_event(third, "updated", task["id"], "streamed, renamed")
        self.ok(self.user.delete(task["id"]), 204)
        fourth = stream.next_event()
        self.assert_event(fourth, "deleted", task["id"], "streamed, renamed")
        sent = [first, second, third, fourth]
        seqs = [int(e["id"]) for e in sent]
        self.assertEqual(seqs, sorted(set(seqs)), "event ids do not increase")

        # The stream's items are the feed's.
        feed = self.await_activity_count(4)
        self.assertEqual([json.loads(e["data"])["id"] for e in reversed(sent)],
                         [i["id"] for i in feed])

        # Another user's stream shows only their own events: its first is its own task.
        mine = other.create_ok(self, title="the other user's")
        seen = other_stream.next_event()
        self.assert_event(seen, "created", mine["id"], "the other user's")
        self.assertNotIn(int(seen["id"]), seqs)

        # Reconnecting after the first event replays the rest in order, then goes on live.
        again = self.open(last_event_id=first["id"])
        self.assert_opened(again)
        replayed = [again.next_event(timeout=5.0) for _ in range(3)]
        self.assertEqual(replayed, sent[1:])
        later = self.create(title="after the replay")
        self.assert_event(again.next_event(), "created", later["id"], "after the replay")
        # The first stream sees it too.
        self.assert_event(stream.next_event(), "created", later["id"], "after the replay")

        # Resuming from the last event sent replays nothing and goes on live.
        latest = self.open(last_event_id=sent[-1]["id"])
        self.assert_opened(latest)
        self.assert_event(latest.next_event(timeout=5.0), "created", later["id"],
                          "after the replay")

    def test_another_users_last_event_id_replays_nothing_of_theirs(self):
        other = TaskClient(register_user(name="Progress E2E other"))
        theirs = other.create_ok(self, title="private")
        other_stream = self.open(other.token, last_event_id=1)
        self.assert_opened(other_stream)
        theirs_event = other_stream.next_event()
        self.assert_event(theirs_event, "created", theirs["id"], "private")
        # This user asks for everything after a position before the other user's event.
        before = int(theirs_event["id"]) - 1
        stream = self.open(last_event_id=before)
        self.assert_opened(stream)
        mine = self.create(title="mine only")
        self.assert_event(stream.next_event(), "created", mine["id"], "mine only")

    def test_refusals(self):
        no_token = EventStream(None)
        self.addCleanup(no_token.close)
        assert_unauthorized(self, no_token.problem())
        for bad in ("abc", "0", "-1", "1.5"):
            with self.subTest(last_event_id=bad):
                refused = self.open(last_event_id=bad)
                assert_problem(self, refused.problem(), 400, "validation")
        extra = self.open(path="/v1/stream?since=1")
        assert_problem(self, extra.problem(), 400, "validation", "since")


class StreamSessionTest(ProgressTestCase):

    def test_logging_out_ends_an_open_stream(self):
        stream = EventStream(self.token)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        self.assertEqual(stream.preamble(), ["retry: 2000", ": connected"])
        account = self.user.account
        out = request("POST", "/v1/auth/logout", {"refresh_token": account.refresh},
                      token=account.access)
        self.assertEqual(out.status, 204, out)
        # The revocation reaches the stream as an event (no poll): it ends within API.md's 1 s.
        logged_out = time.monotonic()
        deadline = logged_out + 5.0
        ended = False
        while time.monotonic() < deadline and not ended:
            try:
                line = stream.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            ended = line is None
        self.assertTrue(ended, "the stream outlived the session by more than 5 s")
        self.assertLess(time.monotonic() - logged_out, 1.0, "the stream outlived the session by 1 s")


class LatencyTest(ProgressTestCase):
    """How soon after a write's response the summary reflects it (reported, not asserted
    against a target; each must be within REFLECT_TIMEOUT)."""

    WRITES = 50

    def test_write_to_summary_latency(self):
        counts = {s: 0 for s in STATUSES}
        samples = []
        open_tasks = []
        for i in range(self.WRITES):
            step = i % 3
            if step == 0 or not open_tasks:
                task = self.create(title=f"latency {i}")
                open_tasks.append(task["id"])
                counts["todo"] += 1
            elif step == 1:
                self.ok(self.user.patch(open_tasks[-1], {"progress": 50}))
                counts["todo"] -= 1
                counts["in_progress"] += 1
            else:
                self.ok(self.user.complete(open_tasks.pop()))
                counts["in_progress"] -= 1
                counts["done"] += 1
            written = time.monotonic()
            expected = {"total": sum(counts.values()), "by_status": dict(counts)}
            last = None
            while True:
                last = summary(self.token)
                if last.status == 200 and summary_matches(last.body, expected):
                    samples.append((time.monotonic() - written) * 1000)
                    break
                if time.monotonic() - written > REFLECT_TIMEOUT:
                    self.fail(f"write {i} not in the summary within {REFLECT_TIMEOUT} s: "
                              f"expected {expected}, last {last!r}")
                time.sleep(0.002)
        ordered = sorted(samples)

        def pct(p):
            return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

        print(f"\nprogress write-to-summary latency over {len(samples)} writes: "
              f"p50 {pct(50):.1f} ms, p99 {pct(99):.1f} ms, max {ordered[-1]:.1f} ms, "
              f"min {ordered[0]:.1f} ms", file=sys.stderr, flush=True)
        self.assertEqual(len(samples), self.WRITES)


class AccountDeletionTest(ProgressTestCase):

    def test_every_service_forgets_a_deleted_user(self):
        account = self.user.account
        kept = self.create(title="to be forgotten")
        doing = self.create(title="also forgotten", progress=40)
        self.ok(self.user.complete(kept["id"]))
        self.await_activity_count(3)
        self.await_summary_of_tasks()
        uid = account.id
        self.assertRegex(uid, UUID7_RE)
        self.assertEqual(psql("todo_progress",
                              f"SELECT count(*) FROM task_state WHERE owner_id = '{uid}'"), "2")

        wrong = request("DELETE", "/v1/users/me", {"password": account.password + "x"},
                        token=self.token)
        self.assert_invalid(wrong, "password")
        gone = request("DELETE", "/v1/users/me", {"password": account.password},
                       token=self.token)
        deleted_at = time.monotonic()
        self.assertEqual(gone.status, 204, gone)

        # Identity: no login, no profile; the email is free again (for a new, different user).
        assert_unauthorized(self, login(account.email, account.password))
        assert_unauthorized(self, me(self.token))
        self.assertEqual(psql("todo_identity", f"SELECT count(*) FROM users WHERE id = '{uid}'"),
                         "0")

        # Tasks: the token was revoked with the account (any service answers 401) ...
        listed = self.user.list()
        if listed.status == 200:
            def tasks_gone():
                resp = self.user.list()
                return resp.status == 200 and resp.body["items"] == [], resp
            await_value(self, tasks_gone, "the tasks' erasure")
            for task in (kept, doing):
                assert_problem(self, self.user.get(task["id"]), 404, "not-found")
        else:
            assert_unauthorized(self, listed)
            assert_unauthorized(self, self.user.get(kept["id"]))
        # ... and its tasks are erased once todo.user.deleted is applied.
        await_value(self, lambda: (lambda n: (n == "0", n))(psql(
            "todo_tasks", f"SELECT count(*) FROM tasks WHERE owner_id = '{uid}'")),
            "the erasure of the tasks")

        # Progress: the same token is refused (within the second API.md allows a revocation to
        # take everywhere), and the read model forgets the person.
        for send in (lambda: summary(self.token), lambda: activity(self.token),
                     lambda: daily(self.token), lambda: summary(self.token, base=PROGRESS)):
            left = max(0.0, deleted_at + 1.0 - time.monotonic())
            resp = wait_for_status(send, 401, timeout=left)
            assert_unauthorized(self, resp)

        def progress_forgot():
            rows = psql("todo_progress",
                        "SELECT (SELECT count(*) FROM task_state WHERE owner_id = '{0}') || ',' ||"
                        " (SELECT count(*) FROM activity WHERE owner_id = '{0}') || ',' ||"
                        " (SELECT count(*) FROM person WHERE user_id = '{0}') || ',' ||"
                        " (SELECT count(*) FROM forgotten_person WHERE user_id = '{0}')"
                        .format(uid))
            return rows == "0,0,0,1", rows

        await_value(self, progress_forgot, "the deletion in the progress read model")

        again = register(account.email, account.password, name="Reborn")
        self.assertEqual(again.status, 201, again)
        self.assertNotEqual(again.body["user"]["id"], uid)
        fresh = again.body["tokens"]["access_token"]
        self.assertEqual(self.ok(summary(fresh))["total"], 0)
        self.assertEqual(self.ok(activity(fresh)), {"items": [], "next_cursor": None})


class StackOutageTest(ProgressTestCase):
    """Progress keeps answering while tasks and identity are down, and catches up after."""

    def restart_all(self):
        for name in ("identity", "tasks"):  # the order scripts/up starts them in
            if not service_running(name):
                start_service(name)

    def test_progress_answers_while_tasks_and_identity_are_down_then_catches_up(self):
        for name in ("identity", "tasks"):
            self.assertTrue(service_running(name),
                            f"{pidfile(name)} names no running process (STACK_DIR={STACK_DIR})")
        first = self.create(title="before the outage")
        self.ok(self.user.complete(first["id"]))
        second = self.create(title="open during the outage", progress=25)
        # Expires while tasks is (most likely) down: the scheduler catches up on restart.
        expiring = self.create(title="expires in the outage", expires_at=in_seconds(4))
        items_before = self.await_activity_count(4)
        self.await_summary_of_tasks()
        tasks_before = self.tasks_now()
        daily_before = self.ok(daily(self.token))

        self.addCleanup(self.restart_all)
        stop_service("tasks")
        stop_service("identity")
        self.assertTrue(port_refused(TASKS), "tasks still listening after its stop")
        self.assertTrue(port_refused(IDENTITY), "identity still listening after its stop")
        self.assertNotEqual(self.user.list().status, 200)
        self.assertNotEqual(me(self.token).status, 200)

        # Progress answers from what it has, with the token it verifies locally.
        for base in (GATEWAY, PROGRESS):
            with self.subTest(base=base):
                got = self.ok(summary(self.token, base=base))
                items = self.ok(activity(self.token, base=base))["items"]
                if got["by_status"]["expired"] == 0:
                    # As before the stop, at this moment's clock (the expiring task may have
                    # left the next 24 h without its expired event having arrived).
                    expected = expected_summary(tasks_before, time.time())
                    self.assertTrue(summary_matches(got, expected), (got, expected))
                    self.assertEqual(items, items_before)
                    self.assertEqual(self.ok(daily(self.token, base=base)), daily_before)
                else:  # the stop took long enough for the expiry to happen before it
                    self.assertEqual(items[1:], items_before)
                    self.assertEqual(items[0]["type"], "expired")
        assert_unauthorized(self, summary("not.a.token"))

        # The expiry instant passes while tasks is down.
        wait_until(lambda: time.time() > parse_ts(expiring["expires_at"]) + 0.5,
                   timeout=10.0, interval=0.1)
        self.restart_all()
        for name in ("identity", "tasks"):
            self.assertTrue(service_running(name))
        self.assertEqual(me(self.token).status, 200)
        self.assertEqual(self.user.get(second["id"]).status, 200)

        # A change after the restart, and the overdue expiry: both arrive, once each.
        self.ok(self.user.complete(second["id"]))
        third = self.create(title="after the outage")
        got = self.user.wait_for(expiring["id"], lambda r: r.status == 200
                                 and r.body["status"] == "expired", timeout=10.0)
        self.assertEqual(got.body["status"], "expired", got)
        items = self.await_activity_count(7)
        body = self.await_summary_of_tasks()
        self.assertEqual(body["total"], 4)
        self.assertEqual(body["by_status"], {"todo": 1, "in_progress": 0, "done": 2,
                                             "expired": 1})
        self.assertEqual(len({i["id"] for i in items}), len(items), "duplicate activity ids")
        pairs = sorted((i["task_id"], i["type"]) for i in items)
        self.assertEqual(pairs, sorted([
            (first["id"], "created"), (first["id"], "completed"),
            (second["id"], "created"), (second["id"], "completed"),
            (expiring["id"], "created"), (expiring["id"], "expired"),
            (third["id"], "created")]))
        self.assertEqual(items[len(items) - 4:], items_before, "the older feed changed")


if __name__ == "__main__":
    unittest.main()
