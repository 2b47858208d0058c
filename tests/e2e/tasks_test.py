"""End-to-end tests of the tasks service, through the gateway.

Run from the repository's tests/e2e: /usr/bin/python3 -m unittest tasks_test -v
(TODO_GATEWAY_URL / TODO_IDENTITY_URL name the stack; scripts/test sets them in CI.)

Every test registers its own user(s) and depends on no other test. Nothing waits a fixed time:
asynchronous effects (expiry, the user replica fed by events) are polled with deadlines.
"""

import concurrent.futures
import time
import unittest
import uuid

from support import (TIMESTAMP_RE, UUID7_RE, assert_problem, assert_unauthorized, error_fields,
                     request, wait_until)
from tasks_support import TASK_KEYS, TaskClient, in_seconds, iso, parse_ts, random_task_id

HOUR = 3600
DAY = 24 * HOUR
MAX_TTL = 366 * DAY


def has_status(status):
    """A predicate for TaskClient.wait_for: the task exists and has this status."""
    return lambda r: r.status == 200 and isinstance(r.body, dict) and r.body["status"] == status


class TasksTestCase(unittest.TestCase):
    """Gives each test a fresh user (self.user)."""

    def setUp(self):
        self.user = TaskClient()

    def create(self, **fields):
        return self.user.create_ok(self, **fields)

    def assert_invalid(self, resp, field):
        return assert_problem(self, resp, 400, "validation", field)

    def assert_not_found(self, resp):
        return assert_problem(self, resp, 404, "not-found")

    def assert_task(self, resp, status=200):
        self.assertEqual(resp.status, status, resp)
        self.assertTrue(resp.headers.get("content-type", "").startswith("application/json"),
                        resp)
        self.assertEqual(set(resp.body), TASK_KEYS, resp)
        self.assertEqual(resp.headers.get("etag"), f'"{resp.body["version"]}"', resp.headers)
        return resp.body

    def tick(self, task):
        """Waits until the clock has left the millisecond of the task's last change, so that the
        next write gets a later timestamp (the service and the tests share the host's clock)."""
        stamp = parse_ts(task["updated_at"])
        wait_until(lambda: time.time() > stamp + 0.002, timeout=1.0, interval=0.001)
        return task

    def assert_unchanged(self, task):
        """The owner still sees `task` exactly as it was."""
        resp = self.user.get(task["id"])
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body, task)


# --- create -------------------------------------------------------------------------------


class CreateTest(TasksTestCase):

    def test_create_returns_201_location_etag_and_defaults(self):
        before = time.time()
        resp = self.user.create({"title": "Tadarus juz 5"})
        after = time.time()
        task = self.assert_task(resp, 201)
        self.assertRegex(task["id"], UUID7_RE)
        self.assertEqual(resp.headers.get("location"), f"/v1/tasks/{task['id']}")
        self.assertEqual(resp.headers.get("etag"), '"1"')
        self.assertEqual(task["title"], "Tadarus juz 5")
        self.assertEqual(task["description"], "")
        self.assertEqual(task["status"], "todo")
        self.assertEqual(task["progress"], 0)
        self.assertEqual(task["priority"], "none")
        self.assertEqual(task["labels"], [])
        self.assertEqual(task["checklist"], [])
        self.assertEqual(task["on_expire"], "keep")
        for key in ("due_at", "expires_at", "completed_at", "expired_at"):
            self.assertIsNone(task[key], key)
        self.assertEqual(task["version"], 1)
        for key in ("created_at", "updated_at"):
            self.assertRegex(task[key], TIMESTAMP_RE)
            self.assertGreaterEqual(parse_ts(task[key]), before - 2)
            self.assertLessEqual(parse_ts(task[key]), after + 2)
        self.assertEqual(task["created_at"], task["updated_at"])

    def test_created_task_is_readable_at_its_location(self):
        created = self.user.create({"title": "read me"})
        self.assertEqual(created.status, 201, created)
        resp = request("GET", created.headers["location"], token=self.user.token)
        self.assertEqual(self.assert_task(resp), created.body)

    def test_create_with_every_field(self):
        due = in_seconds(2 * DAY)
        expires = in_seconds(3 * DAY)
        task = self.assert_task(self.user.create({
            "title": "  Full task  ", "description": "  indented\nnotes\n", "priority": "high",
            "labels": [" home ", "ramadhan"], "due_at": due, "expires_at": expires,
            "on_expire": "delete",
            "checklist": [{"text": " step one "}, {"text": "step two", "done": True}],
        }), 201)
        self.assertEqual(task["title"], "Full task")
        self.assertEqual(task["description"], "  indented\nnotes\n")
        self.assertEqual(task["priority"], "high")
        self.assertEqual(task["labels"], ["home", "ramadhan"])
        self.assertEqual(task["due_at"], due)
        self.assertEqual(task["expires_at"], expires)
        self.assertEqual(task["on_expire"], "delete")
        self.assertEqual([(i["text"], i["done"]) for i in task["checklist"]],
                         [("step one", False), ("step two", True)])
        for item in task["checklist"]:
            self.assertEqual(set(item), {"id", "text", "done"})
            self.assertRegex(item["id"], UUID7_RE)
        self.assertNotEqual(task["checklist"][0]["id"], task["checklist"][1]["id"])
        self.assertEqual(task["progress"], 50)
        self.assertEqual(task["status"], "in_progress")

    def test_times_accept_any_offset_and_come_back_in_utc_with_milliseconds(self):
        task = self.create(due_at="2031-01-01T07:00:00+07:00",
                           expires_at="2031-06-01T12:30:15.5-02:00")
        self.assertEqual(task["due_at"], "2031-01-01T00:00:00.000Z")
        self.assertEqual(task["expires_at"], "2031-06-01T14:30:15.500Z")

    def test_bad_times_are_refused(self):
        for field in ("due_at", "expires_at"):
            for value in ("tomorrow", "2031-13-01T00:00:00Z", "2031-01-01", 1767225600, ""):
                with self.subTest(field=field, value=value):
                    self.assert_invalid(self.user.create({"title": "t", field: value}), field)

    def test_title_length_limits_in_characters(self):
        for title in ("x" * 200, "é" * 200, "😀" * 200, "ع" * 200, "a"):
            with self.subTest(title=title[:3], length=len(title)):
                task = self.assert_task(self.user.create({"title": title}), 201)
                self.assertEqual(task["title"], title)
        for title in ("x" * 201, "é" * 201, "😀" * 201):
            with self.subTest(title=title[:3], length=len(title)):
                self.assert_invalid(self.user.create({"title": title}), "title")

    def test_title_is_trimmed_before_the_length_check(self):
        task = self.create(title="   " + "y" * 200 + "   ")
        self.assertEqual(task["title"], "y" * 200)

    def test_empty_blank_and_control_character_titles_are_refused(self):
        for title in ("", " ", "     ", "\t \t", "\u0007", "bell\u0007", "new\nline",
                      "tab\there", "nul\u0000x", "del\u007fx"):
            with self.subTest(title=title):
                self.assert_invalid(self.user.create({"title": title}), "title")

    def test_missing_null_or_non_string_title_is_refused(self):
        for body in ({}, {"title": None}, {"title": 5}, {"title": ["a"]}, {"title": True},
                     {"description": "no title"}):
            with self.subTest(body=body):
                self.assert_invalid(self.user.create(body), "title")

    def test_description_length_limit(self):
        for description in ("d" * 10000, "é" * 10000):
            with self.subTest(first=description[0]):
                task = self.assert_task(self.user.create({"title": "t",
                                                          "description": description}), 201)
                self.assertEqual(task["description"], description)
        self.assert_invalid(self.user.create({"title": "t", "description": "d" * 10001}),
                            "description")
        self.assert_invalid(self.user.create({"title": "t", "description": "é" * 10001}),
                            "description")

    def test_description_refuses_control_characters_other_than_line_breaks_and_tabs(self):
        task = self.create(description="a\nb\r\nc\td")
        self.assertEqual(task["description"], "a\nb\r\nc\td")
        self.assert_invalid(self.user.create({"title": "t", "description": "bell\u0007"}),
                            "description")

    def test_priority_enum(self):
        for priority in ("none", "low", "medium", "high", "urgent"):
            with self.subTest(priority=priority):
                self.assertEqual(self.create(priority=priority)["priority"], priority)
        for priority in ("HIGH", "critical", "", " high", 3, ["high"]):
            with self.subTest(priority=priority):
                self.assert_invalid(self.user.create({"title": "t", "priority": priority}),
                                    "priority")

    def test_label_count_limit(self):
        labels = [f"label-{i}" for i in range(20)]
        self.assertEqual(self.create(labels=labels)["labels"], labels)
        self.assert_invalid(
            self.user.create({"title": "t", "labels": [f"label-{i}" for i in range(21)]}),
            "labels")

    def test_label_length_limit(self):
        for label in ("l" * 50, "é" * 50):
            with self.subTest(label=label[:2]):
                self.assertEqual(self.create(labels=[label])["labels"], [label])
        for label in ("l" * 51, "é" * 51, "", "   ", "bad\u0007"):
            with self.subTest(label=label[:3]):
                resp = self.user.create({"title": "t", "labels": ["ok", label]})
                self.assert_invalid(resp, "labels[1]")

    def test_duplicate_labels_are_refused(self):
        self.assert_invalid(self.user.create({"title": "t", "labels": ["a", " a"]}), "labels[1]")

    def test_checklist_item_count_limit(self):
        items = [{"text": f"step {i}"} for i in range(100)]
        task = self.create(checklist=items)
        self.assertEqual(len(task["checklist"]), 100)
        self.assertEqual(len({i["id"] for i in task["checklist"]}), 100)
        self.assert_invalid(
            self.user.create({"title": "t", "checklist": [{"text": f"s{i}"} for i in range(101)]}),
            "checklist")

    def test_checklist_item_text_limit(self):
        for text in ("s" * 500, "é" * 500):
            with self.subTest(text=text[:2]):
                task = self.create(checklist=[{"text": text}])
                self.assertEqual(task["checklist"][0]["text"], text)
        for text in ("s" * 501, "é" * 501, "", "   ", "bell\u0007"):
            with self.subTest(text=text[:3]):
                resp = self.user.create({"title": "t",
                                         "checklist": [{"text": "ok"}, {"text": text}]})
                self.assert_invalid(resp, "checklist[1].text")

    def test_checklist_items_of_the_wrong_shape_are_refused(self):
        for checklist in ([{"txt": "typo"}], [{}], [{"text": 5}], [{"text": "a", "done": "yes"}],
                          ["plain string"], {"text": "not an array"}, "text"):
            with self.subTest(checklist=checklist):
                resp = self.user.create({"title": "t", "checklist": checklist})
                body = self.assert_invalid(resp, None)
                self.assertTrue(any(f.startswith("checklist") for f in error_fields(body)), resp)

    def test_progress_with_a_checklist_is_refused(self):
        for progress in (0, 50):
            with self.subTest(progress=progress):
                resp = self.user.create({"title": "t", "progress": progress,
                                         "checklist": [{"text": "a"}]})
                self.assert_invalid(resp, "progress")

    def test_progress_range(self):
        for progress in (-1, 101, 1000):
            with self.subTest(progress=progress):
                self.assert_invalid(self.user.create({"title": "t", "progress": progress}),
                                    "progress")
        for progress in (50.5, "50", True, [50]):
            with self.subTest(progress=progress):
                self.assert_invalid(self.user.create({"title": "t", "progress": progress}),
                                    "progress")

    def test_progress_sets_the_status(self):
        task = self.create(progress=0)
        self.assertEqual((task["status"], task["progress"]), ("todo", 0))
        self.assertIsNone(task["completed_at"])
        for progress in (1, 50, 99):
            with self.subTest(progress=progress):
                task = self.create(progress=progress)
                self.assertEqual((task["status"], task["progress"]), ("in_progress", progress))
                self.assertIsNone(task["completed_at"])
        before = time.time()
        task = self.create(progress=100)
        self.assertEqual((task["status"], task["progress"]), ("done", 100))
        self.assertRegex(task["completed_at"], TIMESTAMP_RE)
        self.assertGreaterEqual(parse_ts(task["completed_at"]), before - 2)
        self.assertLessEqual(parse_ts(task["completed_at"]), time.time() + 2)

    def test_checklist_on_create_derives_progress_rounded(self):
        task = self.create(checklist=[{"text": "a", "done": True}, {"text": "b"}, {"text": "c"}])
        self.assertEqual((task["progress"], task["status"]), (33, "in_progress"))
        task = self.create(checklist=[{"text": "a", "done": True}, {"text": "b", "done": True},
                                      {"text": "c"}])
        self.assertEqual(task["progress"], 67)
        task = self.create(checklist=[{"text": "a", "done": True}])
        self.assertEqual((task["progress"], task["status"]), (100, "done"))
        self.assertIsNotNone(task["completed_at"])
        task = self.create(checklist=[{"text": "a"}])
        self.assertEqual((task["progress"], task["status"]), (0, "todo"))

    def test_on_expire_enum(self):
        for value in ("keep", "delete"):
            self.assertEqual(self.create(on_expire=value)["on_expire"], value)
        for value in ("remove", "", "KEEP", 1):
            with self.subTest(value=value):
                self.assert_invalid(self.user.create({"title": "t", "on_expire": value}),
                                    "on_expire")

    def test_read_only_fields_are_refused_on_create(self):
        for field, value in (("status", "done"), ("id", random_task_id()), ("version", 7),
                             ("created_at", in_seconds(0)), ("updated_at", in_seconds(0)),
                             ("completed_at", in_seconds(0)), ("expired_at", in_seconds(0)),
                             ("owner_id", str(uuid.uuid4()))):
            with self.subTest(field=field):
                self.assert_invalid(self.user.create({"title": "t", field: value}), field)
        self.assertEqual(self.user.list().body["items"], [])

    def test_unknown_field_is_refused_naming_it(self):
        body = self.assert_invalid(self.user.create({"titel": "typo"}), "titel")
        self.assertIn("title", error_fields(body))  # and the real title is still missing
        self.assert_invalid(self.user.create({"title": "t", "colour": "red"}), "colour")
        self.assertEqual(self.user.list().body["items"], [])

    def test_wrong_types_are_refused_naming_the_field(self):
        for field, value in (("description", 5), ("description", ["x"]), ("priority", 1),
                             ("labels", "home"), ("labels", [1]), ("labels", {"a": 1}),
                             ("progress", "10"), ("checklist", "a"), ("due_at", 5),
                             ("expires_at", True), ("ttl_seconds", "60"), ("ttl_seconds", 1.5),
                             ("on_expire", False)):
            with self.subTest(field=field, value=value):
                self.assert_invalid(self.user.create({"title": "t", field: value}), field)

    def test_every_invalid_field_is_reported_at_once(self):
        resp = self.user.create({"title": "", "priority": "huge", "progress": 101,
                                 "labels": ["x" * 51]})
        body = self.assert_invalid(resp, "title")
        for field in ("priority", "progress", "labels[0]"):
            self.assertIn(field, error_fields(body))


# --- expiry on create and patch ------------------------------------------------------------


class ExpiryInputTest(TasksTestCase):

    def test_expires_at_in_the_past_or_now_is_refused(self):
        for value in (in_seconds(-60), in_seconds(-0.5), "2001-01-01T00:00:00Z"):
            with self.subTest(value=value):
                self.assert_invalid(self.user.create({"title": "t", "expires_at": value}),
                                    "expires_at")

    def test_expires_at_and_ttl_seconds_together_are_refused(self):
        resp = self.user.create({"title": "t", "expires_at": in_seconds(HOUR),
                                 "ttl_seconds": HOUR})
        body = self.assert_invalid(resp, "expires_at")
        self.assertIn("ttl_seconds", error_fields(body))

    def test_ttl_seconds_bounds(self):
        for ttl in (0, -1, MAX_TTL + 1, 10 ** 12):
            with self.subTest(ttl=ttl):
                self.assert_invalid(self.user.create({"title": "t", "ttl_seconds": ttl}),
                                    "ttl_seconds")
        for ttl in (1, 60, MAX_TTL):
            with self.subTest(ttl=ttl):
                task = self.create(ttl_seconds=ttl)
                self.assertAlmostEqual(parse_ts(task["expires_at"]),
                                       parse_ts(task["created_at"]) + ttl, delta=1.0)

    def test_ttl_seconds_gives_expires_at_near_now_plus_ttl(self):
        before = time.time()
        task = self.create(ttl_seconds=90)
        after = time.time()
        expires = parse_ts(task["expires_at"])
        self.assertRegex(task["expires_at"], TIMESTAMP_RE)
        self.assertGreaterEqual(expires, before + 90 - 1)
        self.assertLessEqual(expires, after + 90 + 1)
        self.assertEqual(task["status"], "todo")

    def test_patch_sets_and_validates_expiry(self):
        task = self.create()
        before = time.time()
        resp = self.user.patch(task["id"], {"ttl_seconds": 600})
        patched = self.assert_task(resp)
        self.assertAlmostEqual(parse_ts(patched["expires_at"]), before + 600, delta=2.0)
        when = in_seconds(DAY)
        self.assertEqual(self.user.patch(task["id"], {"expires_at": when}).body["expires_at"], when)
        for body, field in (({"expires_at": in_seconds(-10)}, "expires_at"),
                            ({"ttl_seconds": 0}, "ttl_seconds"),
                            ({"ttl_seconds": MAX_TTL + 1}, "ttl_seconds"),
                            ({"ttl_seconds": None}, "ttl_seconds"),
                            ({"ttl_seconds": 60, "expires_at": in_seconds(60)}, "ttl_seconds")):
            with self.subTest(body=body):
                self.assert_invalid(self.user.patch(task["id"], body), field)
        current = self.user.get(task["id"]).body
        self.assertEqual(current["expires_at"], when)
        self.assertEqual(current["version"], 3)

    def test_owner_default_ttl_applies_to_new_tasks_without_expiry(self):
        resp = request("PATCH", "/v1/users/me", {"default_task_ttl_seconds": 7200},
                       token=self.user.token)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body["default_task_ttl_seconds"], 7200)
        created = []

        def probe():
            task = self.create()
            created.append(task)
            return task["expires_at"] is not None

        self.assertTrue(wait_until(probe, timeout=5.0, interval=0.1),
                        f"default TTL never applied: last task {created[-1]!r}")
        task = created[-1]
        self.assertAlmostEqual(parse_ts(task["expires_at"]),
                               parse_ts(task["created_at"]) + 7200, delta=1.0)
        # An explicit expiry wins over the default.
        explicit = self.create(ttl_seconds=60)
        self.assertAlmostEqual(parse_ts(explicit["expires_at"]),
                               parse_ts(explicit["created_at"]) + 60, delta=1.0)
        when = in_seconds(DAY)
        self.assertEqual(self.create(expires_at=when)["expires_at"], when)

    def test_default_ttl_of_one_user_does_not_touch_another(self):
        other = TaskClient()
        resp = request("PATCH", "/v1/users/me", {"default_task_ttl_seconds": 3600},
                       token=self.user.token)
        self.assertEqual(resp.status, 200, resp)
        self.assertTrue(wait_until(lambda: self.create()["expires_at"] is not None, timeout=5.0,
                                   interval=0.1))
        self.assertIsNone(other.create_ok(self)["expires_at"])


# --- automatic expiry ----------------------------------------------------------------------


class AutomaticExpiryTest(TasksTestCase):

    def test_task_expires_when_expires_at_passes(self):
        task = self.create(ttl_seconds=1, progress=40)
        resp = self.user.wait_for(task["id"], has_status("expired"),
                                  timeout=4.0)
        expired = self.assert_task(resp)
        self.assertEqual(expired["status"], "expired", f"not expired within the deadline: {resp!r}")
        self.assertEqual(expired["progress"], 40)
        self.assertRegex(expired["expired_at"], TIMESTAMP_RE)
        lag = parse_ts(expired["expired_at"]) - parse_ts(expired["expires_at"])
        self.assertGreaterEqual(lag, 0)
        self.assertLess(lag, 1.0, expired)
        self.assertEqual(expired["version"], task["version"] + 1)
        self.assertIsNone(expired["completed_at"])
        listed = self.user.list({"status": "expired"}).body["items"]
        self.assertEqual([t["id"] for t in listed], [task["id"]])

    def test_on_expire_delete_removes_the_task(self):
        task = self.create(ttl_seconds=1, on_expire="delete")
        keep = self.create(ttl_seconds=1)
        resp = self.user.wait_for(task["id"], lambda r: r.status == 404, timeout=4.0)
        self.assert_not_found(resp)
        self.assertNotIn(task["id"], [t["id"] for t in self.user.list_all(self)])
        # The kept one, due at the same moment, is expired, not deleted.
        kept = self.user.wait_for(keep["id"], has_status("expired"),
                                  timeout=3.0)
        self.assertEqual(kept.body["status"], "expired", kept)

    def test_done_task_never_expires(self):
        done = self.create(ttl_seconds=2)
        control = self.create(ttl_seconds=2)
        resp = self.user.complete(done["id"])
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body["status"], "done")
        # Synchronise on the control task (same expiry) having been expired by the service.
        ctl = self.user.wait_for(control["id"], has_status("expired"),
                                 timeout=5.0)
        self.assertEqual(ctl.body["status"], "expired", ctl)
        self.assertTrue(wait_until(lambda: time.time() > parse_ts(done["expires_at"]) + 0.5,
                                   timeout=3.0))
        after = self.assert_task(self.user.get(done["id"]))
        self.assertEqual(after["status"], "done")
        self.assertIsNone(after["expired_at"])
        self.assertEqual(after["version"], resp.body["version"])
        self.assertEqual(after["expires_at"], done["expires_at"])

    def test_done_by_progress_never_expires_either(self):
        done = self.create(ttl_seconds=1, progress=100)
        control = self.create(ttl_seconds=1)
        ctl = self.user.wait_for(control["id"], has_status("expired"),
                                 timeout=4.0)
        self.assertEqual(ctl.body["status"], "expired", ctl)
        after = self.user.get(done["id"]).body
        self.assertEqual((after["status"], after["version"]), ("done", 1))

    def test_expired_task_refuses_changes_other_than_a_new_expiry(self):
        task = self.user.expired_task(self, checklist=[{"text": "a"}])
        item = task["checklist"][0]["id"]
        for label, resp in (
                ("patch title", self.user.patch(task["id"], {"title": "new"})),
                ("patch progress-free fields", self.user.patch(task["id"], {"priority": "high"})),
                ("patch expires_at null", self.user.patch(task["id"], {"expires_at": None})),
                ("complete", self.user.complete(task["id"])),
                ("reopen", self.user.reopen(task["id"])),
                ("add item", self.user.add_item(task["id"], {"text": "b"})),
                ("tick item", self.user.patch_item(task["id"], item, {"done": True})),
                ("remove item", self.user.delete_item(task["id"], item))):
            with self.subTest(label):
                assert_problem(self, resp, 409, "conflict")
        self.assert_unchanged(task)

    def test_expired_task_refuses_a_past_expiry(self):
        task = self.user.expired_task(self)
        self.assert_invalid(self.user.patch(task["id"], {"expires_at": in_seconds(-5)}),
                            "expires_at")
        self.assert_invalid(self.user.patch(task["id"], {"ttl_seconds": 0}), "ttl_seconds")
        self.assert_unchanged(task)

    def test_expired_task_can_be_deleted(self):
        task = self.user.expired_task(self)
        resp = self.user.delete(task["id"])
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.raw, "")
        self.assert_not_found(self.user.get(task["id"]))

    def test_expired_task_revives_with_ttl_seconds_by_its_progress(self):
        task = self.user.expired_task(self, progress=30)
        before = time.time()
        revived = self.assert_task(self.user.patch(task["id"], {"ttl_seconds": HOUR,
                                                                "title": "revived"}))
        self.assertEqual(revived["status"], "in_progress")
        self.assertEqual(revived["progress"], 30)
        self.assertIsNone(revived["expired_at"])
        self.assertEqual(revived["title"], "revived")
        self.assertAlmostEqual(parse_ts(revived["expires_at"]), before + HOUR, delta=2.0)
        self.assertEqual(revived["version"], task["version"] + 1)
        self.assertEqual(self.user.get(task["id"]).body, revived)
        # Alive again: ordinary changes work.
        self.assertEqual(self.user.patch(task["id"], {"title": "again"}).status, 200)

    def test_expired_task_revives_with_expires_at_to_todo(self):
        task = self.user.expired_task(self)
        when = in_seconds(DAY)
        revived = self.assert_task(self.user.patch(task["id"], {"expires_at": when}))
        self.assertEqual((revived["status"], revived["expires_at"]), ("todo", when))
        self.assertIsNone(revived["expired_at"])
        complete = self.user.complete(task["id"])
        self.assertEqual(complete.status, 200, complete)
        self.assertEqual(complete.body["status"], "done")

    def test_revived_task_with_checklist_gets_its_derived_status(self):
        task = self.user.expired_task(self, checklist=[{"text": "a", "done": True},
                                                       {"text": "b"}])
        self.assertEqual(task["progress"], 50)
        revived = self.assert_task(self.user.patch(task["id"], {"ttl_seconds": 600}))
        self.assertEqual((revived["status"], revived["progress"]), ("in_progress", 50))

    def test_a_moved_expiry_is_honoured_and_a_cleared_one_never_expires(self):
        moved = self.create(ttl_seconds=2)
        cleared = self.create(ttl_seconds=2)
        control = self.create(ttl_seconds=2)
        self.assertEqual(self.user.patch(moved["id"], {"ttl_seconds": HOUR}).status, 200)
        resp = self.user.patch(cleared["id"], {"expires_at": None})
        self.assertEqual(resp.status, 200, resp)
        self.assertIsNone(resp.body["expires_at"])
        ctl = self.user.wait_for(control["id"], has_status("expired"),
                                 timeout=5.0)
        self.assertEqual(ctl.body["status"], "expired", ctl)
        self.assertTrue(wait_until(lambda: time.time() > parse_ts(moved["expires_at"]) + 0.5,
                                   timeout=3.0))
        for task in (moved, cleared):
            current = self.user.get(task["id"]).body
            self.assertEqual(current["status"], "todo", current)
            self.assertEqual(current["version"], 2, current)


# --- ownership and ids ---------------------------------------------------------------------


class OwnershipTest(TasksTestCase):

    def test_another_users_task_is_not_found_for_every_verb(self):
        task = self.create(checklist=[{"text": "a"}])
        item = task["checklist"][0]["id"]
        other = TaskClient()
        tid = task["id"]
        for label, resp in (
                ("GET", other.get(tid)),
                ("GET if-none-match", other.get(tid, headers={"If-None-Match": '"1"'})),
                ("PATCH", other.patch(tid, {"title": "mine now"})),
                ("PATCH if-match", other.patch(tid, {"title": "x"}, headers={"If-Match": '"1"'})),
                ("DELETE", other.delete(tid)),
                ("DELETE if-match", other.delete(tid, headers={"If-Match": '"1"'})),
                ("complete", other.complete(tid)),
                ("reopen", other.reopen(tid)),
                ("add item", other.add_item(tid, {"text": "b"})),
                ("patch item", other.patch_item(tid, item, {"done": True})),
                ("delete item", other.delete_item(tid, item))):
            with self.subTest(label):
                self.assert_not_found(resp)
        self.assert_unchanged(task)
        self.assertEqual(other.list().body["items"], [])

    def test_unknown_and_malformed_ids_are_not_found(self):
        existing = self.create(checklist=[{"text": "a"}])
        item = existing["checklist"][0]["id"]
        for tid in (random_task_id(), str(uuid.uuid4()), "not-a-uuid", "123",
                    existing["id"].upper() + "0", "%27%20OR%201=1--"):
            for label, send in (
                    ("GET", lambda: self.user.get(tid)),
                    ("PATCH", lambda: self.user.patch(tid, {"title": "x"})),
                    ("DELETE", lambda: self.user.delete(tid)),
                    ("complete", lambda: self.user.complete(tid)),
                    ("reopen", lambda: self.user.reopen(tid)),
                    ("add item", lambda: self.user.add_item(tid, {"text": "x"})),
                    ("patch item", lambda: self.user.patch_item(tid, item, {"done": True})),
                    ("delete item", lambda: self.user.delete_item(tid, item))):
                with self.subTest(id=tid, verb=label):
                    self.assert_not_found(send())

    def test_deleted_task_is_gone(self):
        task = self.create()
        resp = self.user.delete(task["id"])
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.raw, "")
        self.assert_not_found(self.user.get(task["id"]))
        self.assert_not_found(self.user.delete(task["id"]))
        self.assert_not_found(self.user.patch(task["id"], {"title": "x"}))
        self.assertEqual(self.user.list().body["items"], [])


# --- PATCH -----------------------------------------------------------------------------------


class PatchTest(TasksTestCase):

    def test_patch_changes_only_the_given_fields(self):
        task = self.create(description="notes", priority="high", labels=["a"],
                           due_at=in_seconds(DAY), expires_at=in_seconds(2 * DAY),
                           on_expire="delete")
        resp = self.user.patch(task["id"], {"title": "  renamed  "})
        patched = self.assert_task(resp)
        self.assertEqual(patched["title"], "renamed")
        for key in ("description", "priority", "labels", "due_at", "expires_at", "on_expire",
                    "status", "progress", "checklist", "created_at", "id"):
            self.assertEqual(patched[key], task[key], key)
        self.assertEqual(patched["version"], 2)
        self.assertEqual(resp.headers.get("etag"), '"2"')
        self.assertGreaterEqual(parse_ts(patched["updated_at"]), parse_ts(task["updated_at"]))

    def test_null_resets_fields_to_their_defaults(self):
        task = self.create(description="notes", priority="high", labels=["a", "b"],
                           due_at=in_seconds(DAY), expires_at=in_seconds(2 * DAY),
                           on_expire="delete")
        patched = self.assert_task(self.user.patch(task["id"], {
            "description": None, "labels": None, "expires_at": None, "due_at": None,
            "priority": None, "on_expire": None}))
        self.assertEqual(patched["description"], "")
        self.assertEqual(patched["labels"], [])
        self.assertIsNone(patched["expires_at"])
        self.assertIsNone(patched["due_at"])
        self.assertEqual(patched["priority"], "none")
        self.assertEqual(patched["on_expire"], "keep")
        self.assertEqual(patched["title"], task["title"])
        self.assertEqual(self.user.get(task["id"]).body, patched)

    def test_null_title_or_progress_is_refused(self):
        task = self.create()
        for field in ("title", "progress", "ttl_seconds"):
            with self.subTest(field=field):
                self.assert_invalid(self.user.patch(task["id"], {field: None}), field)
        self.assert_unchanged(task)

    def test_patch_validates_like_create(self):
        task = self.create()
        for body, field in (({"title": ""}, "title"), ({"title": "   "}, "title"),
                            ({"title": "x" * 201}, "title"), ({"title": "a\u0007"}, "title"),
                            ({"description": "d" * 10001}, "description"),
                            ({"priority": "critical"}, "priority"),
                            ({"labels": [f"l{i}" for i in range(21)]}, "labels"),
                            ({"labels": ["l" * 51]}, "labels[0]"),
                            ({"progress": -1}, "progress"), ({"progress": 101}, "progress"),
                            ({"on_expire": "vanish"}, "on_expire"),
                            ({"due_at": "soon"}, "due_at")):
            with self.subTest(body=str(body)[:40]):
                self.assert_invalid(self.user.patch(task["id"], body), field)
        self.assert_unchanged(task)
        ok = self.assert_task(self.user.patch(task["id"], {
            "title": "é" * 200, "description": "d" * 10000,
            "labels": [f"l{i}" for i in range(20)], "priority": "urgent"}))
        self.assertEqual(ok["title"], "é" * 200)
        self.assertEqual(len(ok["labels"]), 20)

    def test_read_only_fields_are_refused(self):
        task = self.create()
        for field, value in (("status", "done"), ("id", random_task_id()), ("version", 9),
                             ("created_at", in_seconds(0)), ("updated_at", in_seconds(0)),
                             ("completed_at", in_seconds(0)), ("expired_at", None),
                             ("owner_id", str(uuid.uuid4()))):
            with self.subTest(field=field):
                self.assert_invalid(self.user.patch(task["id"], {field: value, "title": "x"}),
                                    field)
        self.assert_invalid(self.user.patch(task["id"], {"checklist": []}), "checklist")
        self.assert_unchanged(task)

    def test_unknown_field_is_refused_naming_it(self):
        task = self.create()
        self.assert_invalid(self.user.patch(task["id"], {"titel": "typo"}), "titel")
        self.assert_invalid(self.user.patch(task["id"], {"title": "ok", "colour": "red"}),
                            "colour")
        self.assert_unchanged(task)

    def test_wrong_types_are_refused(self):
        task = self.create()
        for field, value in (("title", 5), ("description", False), ("priority", 2),
                             ("labels", "a"), ("labels", [None]), ("progress", "50"),
                             ("progress", 12.5), ("due_at", 0), ("expires_at", []),
                             ("ttl_seconds", "60"), ("on_expire", 0)):
            with self.subTest(field=field, value=value):
                self.assert_invalid(self.user.patch(task["id"], {field: value}), field)
        self.assert_unchanged(task)

    def test_progress_moves_the_status(self):
        task = self.create()
        steps = ((40, "in_progress"), (100, "done"), (70, "in_progress"), (0, "todo"),
                 (100, "done"))
        for progress, status in steps:
            with self.subTest(progress=progress):
                patched = self.assert_task(self.user.patch(task["id"], {"progress": progress}))
                self.assertEqual((patched["progress"], patched["status"]), (progress, status))
                if status == "done":
                    self.assertRegex(patched["completed_at"], TIMESTAMP_RE)
                else:
                    self.assertIsNone(patched["completed_at"])

    def test_progress_with_a_checklist_is_refused(self):
        task = self.create(checklist=[{"text": "a"}])
        self.assert_invalid(self.user.patch(task["id"], {"progress": 50}), "progress")
        self.assert_unchanged(task)

    def test_a_patch_that_changes_nothing_still_counts_as_a_change(self):
        task = self.create(title="same")
        patched = self.assert_task(self.user.patch(task["id"], {"title": "same"}))
        self.assertEqual(patched["version"], 2)
        empty = self.assert_task(self.user.patch(task["id"], {}))
        self.assertEqual(empty["version"], 3)


# --- ETag / If-Match / If-None-Match ------------------------------------------------------


class ConditionalRequestTest(TasksTestCase):

    def test_get_returns_the_etag(self):
        task = self.create()
        resp = self.user.get(task["id"])
        self.assertEqual(self.assert_task(resp), task)
        self.assertEqual(resp.headers.get("etag"), '"1"')

    def test_patch_with_if_match(self):
        task = self.create()
        resp = self.user.patch(task["id"], {"title": "first"}, headers={"If-Match": '"1"'})
        self.assertEqual(self.assert_task(resp)["version"], 2)
        self.assertEqual(resp.headers.get("etag"), '"2"')
        stale = self.user.patch(task["id"], {"title": "second"}, headers={"If-Match": '"1"'})
        assert_problem(self, stale, 412, "precondition-failed")
        current = self.user.get(task["id"]).body
        self.assertEqual((current["title"], current["version"]), ("first", 2))
        for value in ('"99"', '"abc"'):
            with self.subTest(value=value):
                assert_problem(self, self.user.patch(task["id"], {"title": "x"},
                                                     headers={"If-Match": value}),
                               412, "precondition-failed")
        resp = self.user.patch(task["id"], {"title": "any"}, headers={"If-Match": "*"})
        self.assertEqual(resp.status, 200, resp)
        resp = self.user.patch(task["id"], {"title": "third"}, headers={"If-Match": '"3"'})
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.body["version"], 4)

    def test_delete_with_a_stale_if_match_keeps_the_task(self):
        task = self.create()
        self.assertEqual(self.user.patch(task["id"], {"title": "v2"}).status, 200)
        resp = self.user.delete(task["id"], headers={"If-Match": '"1"'})
        assert_problem(self, resp, 412, "precondition-failed")
        still = self.user.get(task["id"])
        self.assertEqual(still.status, 200, still)
        self.assertEqual(still.body["version"], 2)
        resp = self.user.delete(task["id"], headers={"If-Match": '"2"'})
        self.assertEqual(resp.status, 204, resp)
        self.assert_not_found(self.user.get(task["id"]))

    def test_stale_if_match_on_complete_and_checklist(self):
        task = self.create(checklist=[{"text": "a"}])
        item = task["checklist"][0]["id"]
        self.assertEqual(self.user.patch(task["id"], {"title": "v2"}).status, 200)
        stale = {"If-Match": '"1"'}
        for label, resp in (("complete", self.user.complete(task["id"], headers=stale)),
                            ("add item", self.user.add_item(task["id"], {"text": "b"},
                                                            headers=stale)),
                            ("patch item", self.user.patch_item(task["id"], item, {"done": True},
                                                                headers=stale)),
                            ("delete item", self.user.delete_item(task["id"], item,
                                                                  headers=stale))):
            with self.subTest(label):
                assert_problem(self, resp, 412, "precondition-failed")
        current = self.user.get(task["id"]).body
        self.assertEqual((current["version"], len(current["checklist"])), (2, 1))

    def test_if_none_match_gives_304_until_the_task_changes(self):
        task = self.create()
        resp = self.user.get(task["id"], headers={"If-None-Match": '"1"'})
        self.assertEqual(resp.status, 304, resp)
        self.assertEqual(resp.raw, "")
        self.assertEqual(resp.headers.get("etag"), '"1"')
        self.assertEqual(self.user.patch(task["id"], {"title": "changed"}).status, 200)
        resp = self.user.get(task["id"], headers={"If-None-Match": '"1"'})
        self.assertEqual(self.assert_task(resp)["title"], "changed")
        self.assertEqual(resp.headers.get("etag"), '"2"')
        resp = self.user.get(task["id"], headers={"If-None-Match": '"2"'})
        self.assertEqual(resp.status, 304, resp)
        self.assertEqual(resp.raw, "")


# --- Idempotency-Key -------------------------------------------------------------------------


class IdempotencyTest(TasksTestCase):

    def key(self):
        return f"e2e-{uuid.uuid4().hex}"

    def test_retry_with_the_same_key_and_body_returns_the_first_response(self):
        key = self.key()
        body = {"title": "once", "labels": ["x"]}
        first = self.user.create(body, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        second = self.user.create(body, headers={"Idempotency-Key": key})
        self.assertEqual(second.status, 201, second)
        self.assertEqual(second.body, first.body)
        self.assertEqual(second.headers.get("location"), first.headers.get("location"))
        self.assertEqual(second.headers.get("etag"), '"1"')
        items = self.user.list().body["items"]
        self.assertEqual([t["id"] for t in items], [first.body["id"]])

    def test_replay_returns_the_first_response_even_after_the_task_changed(self):
        key = self.key()
        first = self.user.create({"title": "once"}, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        self.assertEqual(self.user.patch(first.body["id"], {"title": "changed"}).status, 200)
        again = self.user.create({"title": "once"}, headers={"Idempotency-Key": key})
        self.assertEqual((again.status, again.body["id"]), (201, first.body["id"]))
        self.assertEqual(len(self.user.list().body["items"]), 1)

    def test_same_key_with_a_different_body_is_422(self):
        key = self.key()
        first = self.user.create({"title": "one"}, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        resp = self.user.create({"title": "two"}, headers={"Idempotency-Key": key})
        self.assertEqual(resp.status, 422, resp)
        assert_problem(self, resp, 422, "conflict")
        self.assertEqual([t["title"] for t in self.user.list().body["items"]], ["one"])

    def test_keys_are_per_user(self):
        key = self.key()
        other = TaskClient()
        body = {"title": "shared key"}
        mine = self.user.create(body, headers={"Idempotency-Key": key})
        theirs = other.create(body, headers={"Idempotency-Key": key})
        self.assertEqual((mine.status, theirs.status), (201, 201), (mine, theirs))
        self.assertNotEqual(mine.body["id"], theirs.body["id"])
        self.assertEqual([t["id"] for t in self.user.list().body["items"]], [mine.body["id"]])
        self.assertEqual([t["id"] for t in other.list().body["items"]], [theirs.body["id"]])
        self.assert_not_found(other.get(mine.body["id"]))
        # And a different body under the same key is fine for the other user.
        third = TaskClient().create({"title": "different"}, headers={"Idempotency-Key": key})
        self.assertEqual(third.status, 201, third)

    def test_without_a_key_every_post_creates(self):
        body = {"title": "twice"}
        a, b = self.user.create(body), self.user.create(body)
        self.assertNotEqual(a.body["id"], b.body["id"])
        self.assertEqual(len(self.user.list().body["items"]), 2)

    def test_concurrent_requests_with_the_same_key_create_one_task(self):
        key = self.key()
        body = {"title": "raced", "description": "x" * 2000}
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            responses = list(pool.map(
                lambda _: self.user.create(body, headers={"Idempotency-Key": key}), range(6)))
        statuses = sorted(r.status for r in responses)
        self.assertTrue(set(statuses) <= {201, 409}, responses)
        created = [r for r in responses if r.status == 201]
        self.assertTrue(created, responses)
        self.assertEqual(len({r.body["id"] for r in created}), 1, responses)
        for r in responses:
            if r.status == 409:
                assert_problem(self, r, 409, "conflict")
        items = self.user.list().body["items"]
        self.assertEqual([t["id"] for t in items], [created[0].body["id"]])
        again = self.user.create(body, headers={"Idempotency-Key": key})
        self.assertEqual((again.status, again.body["id"]), (201, created[0].body["id"]))

    def test_overlong_key_is_refused(self):
        resp = self.user.create({"title": "t"}, headers={"Idempotency-Key": "k" * 256})
        assert_problem(self, resp, 400, "validation")
        self.assertEqual(self.user.list().body["items"], [])
        ok = self.user.create({"title": "t"}, headers={"Idempotency-Key": "k" * 255})
        self.assertEqual(ok.status, 201, ok)


# --- list --------------------------------------------------------------------------------------


def ids(items):
    return [t["id"] for t in items]


def titles(items):
    return [t["title"] for t in items]


class ListTest(TasksTestCase):

    def test_list_shape_and_default_sort_newest_first(self):
        created = [self.tick(self.create(title=f"t{i}")) for i in range(4)]
        resp = self.user.list()
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(set(resp.body), {"items", "next_cursor"})
        self.assertIsNone(resp.body["next_cursor"])
        items = resp.body["items"]
        for item in items:
            self.assertEqual(set(item), TASK_KEYS)
        expected = sorted(created, key=lambda t: (t["created_at"], t["id"]), reverse=True)
        self.assertEqual(ids(items), ids(expected))
        self.assertEqual(titles(items), ["t3", "t2", "t1", "t0"])
        self.assertEqual(items[0], created[3])

    def test_every_sort_option_orders_correctly(self):
        specs = (("a", "2031-01-03", "2032-01-02", "low"),
                 ("b", "2031-01-01", "2032-01-04", "urgent"),
                 ("c", "2031-01-04", "2032-01-01", "none"),
                 ("d", "2031-01-02", "2032-01-03", "high"))
        tasks = {}
        for title, due, expires, priority in specs:
            tasks[title] = self.create(title=title, due_at=f"{due}T00:00:00Z",
                                       expires_at=f"{expires}T00:00:00Z", priority=priority)
            self.tick(tasks[title])
        # Make updated_at order differ from created_at order: touch c, a, d, b in turn.
        for title in ("c", "a", "d", "b"):
            patched = self.user.patch(tasks[title]["id"], {"description": f"touched {title}"})
            self.assertEqual(patched.status, 200, patched)
            tasks[title] = patched.body
            self.tick(patched.body)
        expected = {
            "created_at": ["a", "b", "c", "d"],
            "updated_at": ["c", "a", "d", "b"],
            "due_at": ["b", "d", "a", "c"],
            "expires_at": ["c", "a", "d", "b"],
            "priority": ["c", "a", "d", "b"],
        }
        for key, order in expected.items():
            for descending in (False, True):
                sort = ("-" if descending else "") + key
                with self.subTest(sort=sort):
                    resp = self.user.list({"sort": sort})
                    self.assertEqual(resp.status, 200, resp)
                    want = list(reversed(order)) if descending else order
                    self.assertEqual(titles(resp.body["items"]), want)

    def test_priority_sort_breaks_ties_stably_across_pages(self):
        for i, priority in enumerate(("high", "low", "high", "none", "high", "low", "urgent")):
            self.create(title=f"p{i}", priority=priority)
        rank = {"none": 0, "low": 1, "medium": 2, "high": 3, "urgent": 4}
        for sort in ("priority", "-priority"):
            with self.subTest(sort=sort):
                full = self.user.list({"sort": sort, "limit": 200}).body["items"]
                ranks = [rank[t["priority"]] for t in full]
                self.assertEqual(ranks, sorted(ranks, reverse=sort.startswith("-")))
                paged = self.user.list_all(self, {"sort": sort, "limit": 2})
                self.assertEqual(ids(paged), ids(full))

    def test_status_filter_takes_a_comma_list(self):
        todo = self.create(title="todo")
        doing = self.create(title="doing", progress=50)
        done = self.create(title="done", progress=100)
        cases = {"todo": {todo["id"]}, "in_progress": {doing["id"]}, "done": {done["id"]},
                 "todo,done": {todo["id"], done["id"]},
                 "todo,in_progress,done,expired": {todo["id"], doing["id"], done["id"]},
                 "expired": set()}
        for value, want in cases.items():
            with self.subTest(status=value):
                resp = self.user.list({"status": value})
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(set(ids(resp.body["items"])), want)
        for value in ("finished", "todo,", "todo,nope", "", "TODO"):
            with self.subTest(status=value):
                self.assert_invalid(self.user.list({"status": value}), "status")

    def test_label_filter(self):
        home = self.create(title="home", labels=["home", "weekly"])
        work = self.create(title="work", labels=["work"])
        self.create(title="none")
        self.assertEqual(ids(self.user.list({"label": "home"}).body["items"]), [home["id"]])
        self.assertEqual(ids(self.user.list({"label": "weekly"}).body["items"]), [home["id"]])
        self.assertEqual(ids(self.user.list({"label": "work"}).body["items"]), [work["id"]])
        self.assertEqual(self.user.list({"label": "hom"}).body["items"], [])
        self.assert_invalid(self.user.list({"label": ""}), "label")

    def test_priority_filter(self):
        high = self.create(priority="high")
        self.create(priority="low")
        self.create()
        self.assertEqual(ids(self.user.list({"priority": "high"}).body["items"]), [high["id"]])
        self.assertEqual(len(self.user.list({"priority": "none"}).body["items"]), 1)
        self.assertEqual(self.user.list({"priority": "urgent"}).body["items"], [])
        self.assert_invalid(self.user.list({"priority": "critical"}), "priority")

    def test_q_searches_title_and_description(self):
        in_title = self.create(title="Buy dates for iftar")
        in_description = self.create(title="Groceries", description="remember the DATES")
        self.create(title="Something else", description="nothing")
        found = set(ids(self.user.list({"q": "dates"}).body["items"]))
        self.assertEqual(found, {in_title["id"], in_description["id"]})
        self.assertEqual(ids(self.user.list({"q": "iftar"}).body["items"]), [in_title["id"]])
        self.assertEqual(self.user.list({"q": "zzz-not-there"}).body["items"], [])
        self.assert_invalid(self.user.list({"q": ""}), "q")

    def test_q_treats_percent_underscore_and_backslash_as_plain_characters(self):
        percent = self.create(title="100% done")
        underscore = self.create(title="snake_case name")
        backslash = self.create(title="C:\\temp")
        self.create(title="abc")
        self.create(title="snakeXcase")
        self.create(title="1000 done")
        cases = {"100%": [percent["id"]], "%": [percent["id"]], "_": [underscore["id"]],
                 "snake_case": [underscore["id"]], "\\": [backslash["id"]],
                 "%done": [], "1__0": [], "\\t": [backslash["id"]]}
        for q, want in cases.items():
            with self.subTest(q=q):
                resp = self.user.list({"q": q})
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(ids(resp.body["items"]), want)

    def test_due_filters(self):
        now = time.time()
        d1 = self.create(title="d1", due_at=iso(now + 1 * DAY))
        d2 = self.create(title="d2", due_at=iso(now + 2 * DAY))
        d3 = self.create(title="d3", due_at=iso(now + 3 * DAY))
        self.create(title="no due")
        cases = (({"due_before": iso(now + 2.5 * DAY)}, {d1["id"], d2["id"]}),
                 ({"due_after": iso(now + 1.5 * DAY)}, {d2["id"], d3["id"]}),
                 ({"due_after": iso(now + 1.5 * DAY), "due_before": iso(now + 2.5 * DAY)},
                  {d2["id"]}),
                 ({"due_before": iso(now)}, set()))
        for params, want in cases:
            with self.subTest(params=params):
                resp = self.user.list(params)
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(set(ids(resp.body["items"])), want)
        for name in ("due_before", "due_after"):
            self.assert_invalid(self.user.list({name: "next week"}), name)

    def test_expires_filters(self):
        now = time.time()
        e1 = self.create(title="e1", expires_at=iso(now + 1 * DAY))
        e2 = self.create(title="e2", expires_at=iso(now + 2 * DAY))
        e3 = self.create(title="e3", expires_at=iso(now + 3 * DAY))
        self.create(title="no expiry")
        cases = (({"expires_before": iso(now + 2.5 * DAY)}, {e1["id"], e2["id"]}),
                 ({"expires_after": iso(now + 1.5 * DAY)}, {e2["id"], e3["id"]}),
                 ({"expires_after": iso(now + 1.5 * DAY),
                   "expires_before": "2100-01-01T07:00:00+07:00"}, {e2["id"], e3["id"]}),
                 ({"expires_after": iso(now + 10 * DAY)}, set()))
        for params, want in cases:
            with self.subTest(params=params):
                resp = self.user.list(params)
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(set(ids(resp.body["items"])), want)
        for name in ("expires_before", "expires_after"):
            self.assert_invalid(self.user.list({name: "2031-02-30T00:00:00Z"}), name)

    def test_filters_combine(self):
        match = self.create(title="report", labels=["work"], priority="high", progress=10)
        self.create(title="report", labels=["work"], priority="low", progress=10)
        self.create(title="report", labels=["home"], priority="high", progress=10)
        self.create(title="report", labels=["work"], priority="high")
        resp = self.user.list({"label": "work", "priority": "high", "status": "in_progress",
                               "q": "report"})
        self.assertEqual(ids(resp.body["items"]), [match["id"]])

    def test_limit_bounds(self):
        for _ in range(3):
            self.create()
        for limit in ("0", "201", "-1", "abc", "", "1.5"):
            with self.subTest(limit=limit):
                self.assert_invalid(self.user.list({"limit": limit}), "limit")
        one = self.user.list({"limit": 1}).body
        self.assertEqual(len(one["items"]), 1)
        self.assertIsNotNone(one["next_cursor"])
        self.assertEqual(len(self.user.list({"limit": 200}).body["items"]), 3)

    def test_default_limit_is_50(self):
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda i: self.user.create({"title": f"bulk {i}"}).status,
                                     range(51)))
        self.assertEqual(statuses, [201] * 51)
        page = self.user.list().body
        self.assertEqual(len(page["items"]), 50)
        self.assertIsNotNone(page["next_cursor"])
        rest = self.user.list({"cursor": page["next_cursor"]}).body
        self.assertEqual(len(rest["items"]), 1)
        self.assertIsNone(rest["next_cursor"])
        self.assertEqual(len(self.user.list({"limit": 200}).body["items"]), 51)

    def test_cursor_walks_every_page_without_duplicates_or_gaps(self):
        created = [self.tick(self.create(title=f"page {i}")) for i in range(7)]
        pages = []
        params = {"limit": 3}
        while True:
            resp = self.user.list(params)
            self.assertEqual(resp.status, 200, resp)
            pages.append(resp.body["items"])
            if resp.body["next_cursor"] is None:
                break
            self.assertLess(len(pages), 5, "too many pages")
            params["cursor"] = resp.body["next_cursor"]
        self.assertEqual([len(p) for p in pages], [3, 3, 1])
        walked = [t["id"] for page in pages for t in page]
        self.assertEqual(len(walked), len(set(walked)))
        expected = sorted(created, key=lambda t: (t["created_at"], t["id"]), reverse=True)
        self.assertEqual(walked, ids(expected))

    def test_cursor_pages_with_a_filter_and_sort(self):
        for i in range(7):
            self.create(title=f"due {i}", labels=["x"], due_at=iso(time.time() + (7 - i) * DAY))
        self.create(title="other label", labels=["y"], due_at=in_seconds(DAY / 2))
        params = {"label": "x", "sort": "due_at"}
        walked = self.user.list_all(self, dict(params, limit=2))
        self.assertEqual(titles(walked), [f"due {i}" for i in range(6, -1, -1)])

    def test_a_page_with_exactly_limit_items_at_the_end(self):
        for i in range(4):
            self.create(title=f"e{i}")
        first = self.user.list({"limit": 2}).body
        second = self.user.list({"limit": 2, "cursor": first["next_cursor"]}).body
        self.assertEqual(len(second["items"]), 2)
        if second["next_cursor"] is not None:
            third = self.user.list({"limit": 2, "cursor": second["next_cursor"]}).body
            self.assertEqual(third, {"items": [], "next_cursor": None})

    def test_tampered_cursor_is_refused(self):
        for _ in range(3):
            self.create()
        cursor = self.user.list({"limit": 1}).body["next_cursor"]
        self.assertTrue(cursor)
        flipped = ("A" if cursor[0] != "A" else "B") + cursor[1:]
        middle = len(cursor) // 2
        changed = cursor[:middle] + ("x" if cursor[middle] != "x" else "y") + cursor[middle + 1:]
        for bad in (flipped, changed, cursor[:-4], cursor + "AA", "garbage", "e30", "%%%"):
            with self.subTest(cursor=bad):
                self.assert_invalid(self.user.list({"limit": 1, "cursor": bad}), "cursor")

    def test_cursor_from_another_query_is_refused(self):
        for _ in range(3):
            self.create(labels=["a"])
        cursor = self.user.list({"limit": 1}).body["next_cursor"]
        for params in ({"sort": "created_at"}, {"sort": "priority"}, {"label": "a"},
                       {"sort": "-created_at", "label": "a"}):
            with self.subTest(params=params):
                self.assert_invalid(self.user.list(dict(params, limit=1, cursor=cursor)),
                                    "cursor")
        ok = self.user.list({"limit": 2, "cursor": cursor})  # only the limit changed
        self.assertEqual(ok.status, 200, ok)
        self.assertEqual(len(ok.body["items"]), 2)

    def test_unknown_filter_or_sort_is_refused_naming_it(self):
        self.assert_invalid(self.user.list({"colour": "red"}), "colour")
        self.assert_invalid(self.user.list({"sort": "title"}), "sort")
        self.assert_invalid(self.user.list({"sort": "+created_at"}), "sort")
        self.assert_invalid(self.user.list({"sort": "--priority"}), "sort")

    def test_repeated_query_parameter_is_refused(self):
        resp = request("GET", "/v1/tasks?status=todo&status=done", token=self.user.token)
        self.assert_invalid(resp, "status")

    def test_list_shows_only_the_users_own_tasks(self):
        mine = self.create()
        other = TaskClient()
        theirs = other.create_ok(self)
        self.assertEqual(ids(self.user.list().body["items"]), [mine["id"]])
        self.assertEqual(ids(other.list().body["items"]), [theirs["id"]])


# --- complete and reopen -----------------------------------------------------------------


class CompleteReopenTest(TasksTestCase):

    def test_complete_and_reopen_without_checklist(self):
        task = self.create(progress=30)
        before = time.time()
        resp = self.user.complete(task["id"])
        done = self.assert_task(resp)
        self.assertEqual((done["status"], done["progress"], done["version"]), ("done", 100, 2))
        self.assertGreaterEqual(parse_ts(done["completed_at"]), before - 2)
        again = self.assert_task(self.user.complete(task["id"]))
        self.assertEqual(again, done)  # a no-op: same version, same completed_at
        reopened = self.assert_task(self.user.reopen(task["id"]))
        self.assertEqual((reopened["status"], reopened["progress"], reopened["version"]),
                         ("todo", 0, 3))
        self.assertIsNone(reopened["completed_at"])
        self.assertEqual(self.user.get(task["id"]).body, reopened)

    def test_reopen_of_a_task_that_is_not_done_changes_nothing(self):
        task = self.create(progress=20)
        resp = self.user.reopen(task["id"])
        self.assertEqual(self.assert_task(resp), task)

    def test_complete_and_reopen_with_checklist(self):
        task = self.create(checklist=[{"text": "a", "done": True}, {"text": "b"},
                                      {"text": "c"}])
        done = self.assert_task(self.user.complete(task["id"]))
        self.assertEqual((done["status"], done["progress"]), ("done", 100))
        self.assertEqual([i["done"] for i in done["checklist"]], [True, True, True])
        self.assertEqual([i["id"] for i in done["checklist"]], [i["id"] for i in task["checklist"]])
        self.assertIsNotNone(done["completed_at"])
        reopened = self.assert_task(self.user.reopen(task["id"]))
        self.assertEqual(reopened["status"], "in_progress")
        self.assertIsNone(reopened["completed_at"])
        self.assertEqual([i["done"] for i in reopened["checklist"]], [True, True, True])
        self.assertEqual(reopened["version"], done["version"] + 1)
        # Unticking one item leaves it in progress at 67%.
        item = reopened["checklist"][2]["id"]
        unticked = self.assert_task(self.user.patch_item(task["id"], item, {"done": False}))
        self.assertEqual((unticked["progress"], unticked["status"]), (67, "in_progress"))

    def test_complete_and_reopen_refuse_a_body(self):
        task = self.create()
        for send in (self.user.complete, self.user.reopen):
            for body in ({"status": "done"}, [], "x"):
                with self.subTest(verb=send.__name__, body=body):
                    resp = request("POST", f"/v1/tasks/{task['id']}/{send.__name__}", body,
                                   token=self.user.token)
                    self.assert_invalid(resp, None)
            resp = request("POST", f"/v1/tasks/{task['id']}/{send.__name__}", {},
                           token=self.user.token)
            self.assertEqual(resp.status, 200, resp)

    def test_complete_with_if_match(self):
        task = self.create()
        resp = self.user.complete(task["id"], headers={"If-Match": '"1"'})
        self.assertEqual(resp.status, 200, resp)
        assert_problem(self, self.user.reopen(task["id"], headers={"If-Match": '"1"'}), 412,
                       "precondition-failed")


# --- checklist -------------------------------------------------------------------------------


class ChecklistTest(TasksTestCase):

    def test_add_item(self):
        task = self.create()
        resp = self.user.add_item(task["id"], {"text": "  first step  "})
        added = self.assert_task(resp, 201)
        self.assertEqual(len(added["checklist"]), 1)
        item = added["checklist"][0]
        self.assertEqual(set(item), {"id", "text", "done"})
        self.assertEqual((item["text"], item["done"]), ("first step", False))
        self.assertRegex(item["id"], UUID7_RE)
        self.assertEqual(added["version"], 2)
        self.assertEqual(resp.headers.get("etag"), '"2"')
        second = self.assert_task(self.user.add_item(task["id"], {"text": "second"}), 201)
        self.assertEqual([i["text"] for i in second["checklist"]], ["first step", "second"])
        self.assertEqual(self.user.get(task["id"]).body, second)

    def test_ticking_items_derives_progress_and_status(self):
        task = self.create(checklist=[{"text": "a"}, {"text": "b"}])
        a, b = (i["id"] for i in task["checklist"])
        half = self.assert_task(self.user.patch_item(task["id"], a, {"done": True}))
        self.assertEqual((half["progress"], half["status"]), (50, "in_progress"))
        self.assertIsNone(half["completed_at"])
        full = self.assert_task(self.user.patch_item(task["id"], b, {"done": True}))
        self.assertEqual((full["progress"], full["status"]), (100, "done"))
        self.assertRegex(full["completed_at"], TIMESTAMP_RE)
        back = self.assert_task(self.user.patch_item(task["id"], b, {"done": False}))
        self.assertEqual((back["progress"], back["status"]), (50, "in_progress"))
        self.assertIsNone(back["completed_at"])
        none = self.assert_task(self.user.patch_item(task["id"], a, {"done": False}))
        self.assertEqual((none["progress"], none["status"]), (0, "todo"))

    def test_adding_an_item_to_a_done_checklist_reopens_progress(self):
        task = self.create(checklist=[{"text": "a", "done": True}])
        self.assertEqual(task["status"], "done")
        added = self.assert_task(self.user.add_item(task["id"], {"text": "b"}), 201)
        self.assertEqual((added["progress"], added["status"]), (50, "in_progress"))
        self.assertIsNone(added["completed_at"])

    def test_rename_item(self):
        task = self.create(checklist=[{"text": "old", "done": True}, {"text": "other"}])
        item = task["checklist"][0]["id"]
        renamed = self.assert_task(self.user.patch_item(task["id"], item, {"text": " new "}))
        self.assertEqual(renamed["checklist"][0], {"id": item, "text": "new", "done": True})
        self.assertEqual(renamed["checklist"][1], task["checklist"][1])
        self.assertEqual(renamed["progress"], 50)
        both = self.assert_task(self.user.patch_item(task["id"], item,
                                                     {"text": "newer", "done": False}))
        self.assertEqual(both["checklist"][0], {"id": item, "text": "newer", "done": False})
        self.assertEqual(both["progress"], 0)

    def test_delete_item(self):
        task = self.create(checklist=[{"text": "a", "done": True}, {"text": "b"}])
        a, b = (i["id"] for i in task["checklist"])
        resp = self.user.delete_item(task["id"], b)
        left = self.assert_task(resp, 200)
        self.assertEqual([i["id"] for i in left["checklist"]], [a])
        self.assertEqual((left["progress"], left["status"]), (100, "done"))
        self.assert_not_found(self.user.delete_item(task["id"], b))
        # Removing the last item keeps the derived progress; then progress is settable again.
        empty = self.assert_task(self.user.delete_item(task["id"], a))
        self.assertEqual((empty["checklist"], empty["progress"], empty["status"]),
                         ([], 100, "done"))
        free = self.assert_task(self.user.patch(task["id"], {"progress": 20}))
        self.assertEqual((free["progress"], free["status"]), (20, "in_progress"))

    def test_unknown_item_is_not_found(self):
        task = self.create(checklist=[{"text": "a"}])
        other = self.create(checklist=[{"text": "z"}])
        foreign_item = other["checklist"][0]["id"]
        for item in (random_task_id(), "nope", foreign_item):
            with self.subTest(item=item):
                self.assert_not_found(self.user.patch_item(task["id"], item, {"done": True}))
                self.assert_not_found(self.user.delete_item(task["id"], item))
        self.assert_unchanged(task)
        self.assert_unchanged(other)

    def test_bad_add_bodies(self):
        task = self.create()
        for body, field in (({}, "text"), ({"text": ""}, "text"), ({"text": "   "}, "text"),
                            ({"text": "t" * 501}, "text"), ({"text": 5}, "text"),
                            ({"text": None}, "text"), ({"text": "bell\u0007"}, "text"),
                            ({"text": "ok", "done": True, "extra": 1}, "extra"),
                            ({"txt": "typo"}, "txt")):
            with self.subTest(body=str(body)[:40]):
                self.assert_invalid(self.user.add_item(task["id"], body), field)
        for raw in ("{", "[]", '"text"', "null", ""):
            with self.subTest(raw=raw):
                resp = request("POST", f"/v1/tasks/{task['id']}/checklist", raw_body=raw,
                               token=self.user.token)
                self.assert_invalid(resp, None)
        self.assert_unchanged(task)
        ok = self.assert_task(self.user.add_item(task["id"], {"text": "é" * 500}), 201)
        self.assertEqual(ok["checklist"][0]["text"], "é" * 500)

    def test_bad_item_patch_bodies(self):
        task = self.create(checklist=[{"text": "a"}])
        item = task["checklist"][0]["id"]
        for body, field in (({"text": None}, "text"), ({"text": ""}, "text"),
                            ({"text": "t" * 501}, "text"), ({"done": "yes"}, "done"),
                            ({"done": 1}, "done"), ({"text": 5}, "text"),
                            ({"id": random_task_id()}, "id"), ({"dne": True}, "dne")):
            with self.subTest(body=str(body)[:40]):
                self.assert_invalid(self.user.patch_item(task["id"], item, body), field)
        self.assert_unchanged(task)

    def test_checklist_is_capped_at_100_items(self):
        task = self.create(checklist=[{"text": f"s{i}"} for i in range(99)])
        self.assertEqual(self.user.add_item(task["id"], {"text": "100th"}).status, 201)
        resp = self.user.add_item(task["id"], {"text": "101st"})
        self.assert_invalid(resp, "checklist")
        self.assertEqual(len(self.user.get(task["id"]).body["checklist"]), 100)


# --- bad input, auth, problem documents ---------------------------------------------------------


class BadInputTest(TasksTestCase):

    def test_malformed_or_non_object_bodies_are_400(self):
        task = self.create()
        for raw in ("{", '{"title": "x",}', "[]", '["title"]', '"title"', "42", "null", "",
                    "{'title': 'x'}", '{"title": "x"} trailing'):
            for method, path in (("POST", "/v1/tasks"), ("PATCH", f"/v1/tasks/{task['id']}")):
                with self.subTest(method=method, raw=raw):
                    resp = request(method, path, raw_body=raw, token=self.user.token)
                    self.assert_invalid(resp, None)
        self.assertEqual(ids(self.user.list().body["items"]), [task["id"]])
        self.assert_unchanged(task)

    def test_invalid_utf8_is_refused(self):
        resp = request("POST", "/v1/tasks", raw_body=b'{"title": "bad \xff\xfe"}',
                       token=self.user.token)
        self.assert_invalid(resp, None)

    def test_body_over_64_kib_is_413(self):
        task = self.create()
        big = {"title": "big", "description": "d" * (70 * 1024)}
        for method, path in (("POST", "/v1/tasks"), ("PATCH", f"/v1/tasks/{task['id']}"),
                             ("POST", f"/v1/tasks/{task['id']}/checklist")):
            with self.subTest(method=method, path=path):
                assert_problem(self, request(method, path, big, token=self.user.token), 413,
                               "payload-too-large")
        self.assertEqual(ids(self.user.list().body["items"]), [task["id"]])

    def test_missing_or_bad_token_is_401(self):
        task = self.create(checklist=[{"text": "a"}])
        tid, item = task["id"], task["checklist"][0]["id"]
        endpoints = (("POST", "/v1/tasks", {"title": "x"}), ("GET", "/v1/tasks", None),
                     ("GET", f"/v1/tasks/{tid}", None),
                     ("PATCH", f"/v1/tasks/{tid}", {"title": "x"}),
                     ("DELETE", f"/v1/tasks/{tid}", None),
                     ("POST", f"/v1/tasks/{tid}/complete", None),
                     ("POST", f"/v1/tasks/{tid}/reopen", None),
                     ("POST", f"/v1/tasks/{tid}/checklist", {"text": "x"}),
                     ("PATCH", f"/v1/tasks/{tid}/checklist/{item}", {"done": True}),
                     ("DELETE", f"/v1/tasks/{tid}/checklist/{item}", None))
        for method, path, body in endpoints:
            for label, headers in (("missing", None),
                                   ("garbage", {"Authorization": "Bearer not.a.jwt"}),
                                   ("wrong scheme", {"Authorization": f"Basic {self.user.token}"})):
                with self.subTest(method=method, path=path, token=label):
                    if body is None:
                        resp = request(method, path, headers=headers)
                    else:
                        resp = request(method, path, body, headers=headers)
                    assert_unauthorized(self, resp)
        self.assert_unchanged(task)

    def test_content_types(self):
        task = self.create()
        ok = self.user.get(task["id"])
        self.assertTrue(ok.headers.get("content-type", "").startswith("application/json"), ok)
        missing = self.user.get(random_task_id())
        self.assertTrue(missing.headers.get("content-type", "")
                        .startswith("application/problem+json"), missing)


# --- read-your-writes ----------------------------------------------------------------------------


class ReadYourWritesTest(TasksTestCase):

    def test_get_after_patch_always_sees_the_new_version(self):
        task = self.create()
        # Warm any read cache with the old state first.
        self.assertEqual(self.user.get(task["id"]).body["version"], 1)
        for n in range(2, 22):
            resp = self.user.patch(task["id"], {"title": f"v{n}"})
            self.assertEqual(resp.status, 200, resp)
            got = self.user.get(task["id"])
            self.assertEqual((got.body["version"], got.body["title"]), (n, f"v{n}"), got)
            self.assertEqual(got.headers.get("etag"), f'"{n}"')
            listed = self.user.list().body["items"][0]
            self.assertEqual(listed["version"], n)

    def test_get_after_each_kind_of_write_sees_it(self):
        task = self.create(checklist=[{"text": "a"}])
        tid, item = task["id"], task["checklist"][0]["id"]
        self.user.get(tid)
        steps = ((lambda: self.user.add_item(tid, {"text": "b"}), 2),
                 (lambda: self.user.patch_item(tid, item, {"done": True}), 3),
                 (lambda: self.user.complete(tid), 4),
                 (lambda: self.user.reopen(tid), 5),
                 (lambda: self.user.delete_item(tid, item), 6))
        for write, version in steps:
            resp = write()
            self.assertLess(resp.status, 300, resp)
            got = self.user.get(tid)
            self.assertEqual(got.body, resp.body)
            self.assertEqual(got.body["version"], version)
        self.assertEqual(self.user.delete(tid).status, 204)
        self.assert_not_found(self.user.get(tid))


if __name__ == "__main__":
    unittest.main()
