"""End-to-end tests of step 10 of emulated-api.md section 2: per-app, per-command rate limits in fixed one-second
windows of the emulator clock."""
import json
import threading
import unittest
import urllib.parse

import harness
from harness import EmulatorTest, create_body

TEXT_60007 = "RESTful API invocation frequency exceeds its limit, please reduce the request frequency"
TEXT_60003 = "HTTP request JSON parsing error, please check the JSON format"
TEXT_100004 = "The room does not exist, or it once existed but now has been destroyed"
T0_MS = 1_800_000_000_000  # a whole second


def target(command, sdkappid, identifier="admin"):
    query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", identifier), ("usersig", "xxx"),
                                    ("random", 12345), ("contenttype", "json")])
    return "%s%s?%s" % (harness.SERVICE, command, query)


def parallel_calls(emu, command, bodies, sdkappid, threads=5):
    """Sends every body once, spread over several keep-alive connections; returns the decoded answers."""
    answers = [None] * len(bodies)
    errors = []

    def worker(indexes):
        conn = emu.connection()
        try:
            for i in indexes:
                status, headers, data = emu.request("POST", target(command, sdkappid), bodies[i], conn=conn)
                if status != 200 or headers.get("content-type") != "application/json":
                    raise AssertionError("HTTP %d %r: %r" % (status, headers.get("content-type"), data))
                answers[i] = json.loads(data)
        except Exception as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            conn.close()

    workers = [threading.Thread(target=worker, args=(range(t, len(bodies), threads),)) for t in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    if errors:
        raise errors[0]
    return answers


class RateLimitTest(EmulatorTest):
    def codes(self, answers):
        return [a["ErrorCode"] for a in answers]

    def list_call(self, sdkappid, body=None, **kwargs):
        return self.emu.call("get_room_list", {"Next": "", "Count": 20} if body is None else body,
                             sdkappid=sdkappid, **kwargs)

    def assertLimited(self, answer):
        self.assertError(answer, 60007, TEXT_60007)
        self.assertEqual(list(answer.keys()), ["ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"], answer)

    def advance(self, ms):
        status, body = self.emu.control("POST", "clock", {"advance_ms": ms})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["frozen"], body)
        return body["now_ms"]

    def exhaust_list(self, sdkappid, limit=10):
        for _ in range(limit):
            self.assertOk(self.list_call(sdkappid))
        self.assertLimited(self.list_call(sdkappid))

    def test_create_room_default_limit_exact_under_concurrency(self):
        app = 1402000001
        self.freeze_clock(T0_MS + 123)
        bodies = [create_body("burst-%03d" % i) for i in range(250)]
        answers = parallel_calls(self.emu, "create_room", bodies, app, threads=6)
        ok = [a for a in answers if a["ErrorCode"] == 0]
        limited = [a for a in answers if a["ErrorCode"] == 60007]
        self.assertEqual((len(ok), len(limited)), (200, 50), sorted(set(self.codes(answers))))
        for answer in ok:
            self.assertOk(answer)
        for answer in limited:
            self.assertLimited(answer)
        # A rejected create stored nothing.
        status, body = self.emu.control("GET", "apps/%d/rooms?limit=1000" % app)
        self.assertEqual(status, 200, body)
        stored = sorted(room["RoomId"] for room in body["rooms"])
        self.assertEqual(stored, sorted(a["RoomId"] for a in ok))
        # Still the same window: nothing gets through.
        self.advance(876)  # T0 + 999
        self.assertLimited(self.emu.call("create_room", create_body("burst-late"), sdkappid=app))
        # Next window.
        self.advance(1)
        self.assertOk(self.emu.call("create_room", create_body("burst-late"), sdkappid=app))
        rejected = next(i for i, a in enumerate(answers) if a["ErrorCode"] == 60007)
        self.assertOk(self.emu.call("create_room", bodies[rejected], sdkappid=app))

    def test_get_room_list_default_limit(self):
        app = 1402000002
        self.freeze_clock(T0_MS + 500)
        answers = [self.list_call(app) for _ in range(15)]
        self.assertEqual(self.codes(answers), [0] * 10 + [60007] * 5)
        for answer in answers[10:]:
            self.assertLimited(answer)
        self.advance(500)
        self.assertOk(self.list_call(app))

    def test_get_room_list_limit_under_concurrency(self):
        app = 1402000003
        self.freeze_clock(T0_MS)
        answers = parallel_calls(self.emu, "get_room_list", [{"Count": 5}] * 40, app, threads=4)
        self.assertEqual(sorted(self.codes(answers)), [0] * 10 + [60007] * 30)

    def test_limits_are_per_command_and_per_app(self):
        app, other = 1402000004, 1402000005
        self.freeze_clock(T0_MS)
        self.assertOk(self.emu.call("create_room", create_body("per-cmd"), sdkappid=app))
        self.exhaust_list(app)
        # Other commands of the same app keep their own windows.
        answer = self.emu.call("get_room_info", {"RoomId": "per-cmd"}, sdkappid=app)
        self.assertOk(answer)
        self.assertEqual(answer["Response"]["RoomInfo"]["RoomId"], "per-cmd")
        self.assertOk(self.emu.call("update_room_info", {"RoomInfo": {"RoomId": "per-cmd", "RoomName": "n"}},
                                    sdkappid=app))
        self.assertOk(self.emu.call("create_room", create_body("per-cmd-2"), sdkappid=app))
        self.assertOk(self.emu.call("destroy_room", {"RoomId": "per-cmd-2"}, sdkappid=app))
        # Another app is unaffected.
        for _ in range(10):
            self.assertOk(self.list_call(other))
        self.assertLimited(self.list_call(other))
        self.assertLimited(self.list_call(app))

    def test_every_command_has_its_default_limit(self):
        app = 1402000006
        self.freeze_clock(T0_MS)
        for command, body in (("get_room_info", {"RoomId": "none"}), ("destroy_room", {"RoomId": "none"}),
                              ("update_room_info", {"RoomInfo": {"RoomId": "none", "RoomName": "x"}})):
            with self.subTest(command=command):
                answers = parallel_calls(self.emu, command, [body] * 205, app, threads=5)
                self.assertEqual(sorted(self.codes(answers)), [60007] * 5 + [100004] * 200)

    def test_per_app_override(self):
        app = 1400000005  # rules: create_room 5/s, get_room_list 0 (unlimited), no create interval
        self.freeze_clock(T0_MS)
        answers = [self.emu.call("create_room", create_body("ovr-%d" % i), sdkappid=app) for i in range(8)]
        self.assertEqual(self.codes(answers), [0] * 5 + [60007] * 3)
        self.assertLimited(answers[5])
        for _ in range(50):
            answer = self.list_call(app, {"Next": "", "Count": 20})
            self.assertOk(answer)
        self.assertEqual(sorted(e["RoomId"] for e in answer["Response"]["RoomList"]),
                         ["ovr-%d" % i for i in range(5)])
        # Other commands keep the defaults (200/s).
        infos = parallel_calls(self.emu, "get_room_info", [{"RoomId": "ovr-0"}] * 201, app, threads=3)
        self.assertEqual(sorted(self.codes(infos)), [0] * 200 + [60007])
        self.advance(1000)
        self.assertOk(self.emu.call("create_room", create_body("ovr-5"), sdkappid=app))

    def test_fixed_window_on_emulator_clock(self):
        app = 1402000007
        start = T0_MS + 7 * 1000 + 999
        self.freeze_clock(start)
        self.exhaust_list(app)
        now = self.advance(1)
        self.assertEqual(now, T0_MS + 8000)
        self.exhaust_list(app)
        # Not a sliding window: the whole second is one window, however late in it.
        self.advance(998)
        self.assertLimited(self.list_call(app))
        self.advance(1)  # T0 + 8999
        self.assertLimited(self.list_call(app))
        self.advance(1)  # T0 + 9000
        for _ in range(10):
            self.assertOk(self.list_call(app))
        self.assertLimited(self.list_call(app))
        # A jump of several seconds opens a fresh window as well.
        self.advance(5 * 1000 + 321)
        self.exhaust_list(app)

    def test_window_follows_set_clock_not_wall_time(self):
        app = 1402000008
        self.freeze_clock(T0_MS)
        self.exhaust_list(app)
        # Wall time passes, the frozen emulator clock does not: still limited.
        threading.Event().wait(1.1)
        self.assertLimited(self.list_call(app))
        status, body = self.emu.control("POST", "clock", {"set_ms": T0_MS + 60_000})
        self.assertEqual(status, 200, body)
        self.assertOk(self.list_call(app))

    def test_failing_requests_after_step_10_count(self):
        app = 1402000009
        self.freeze_clock(T0_MS)
        bad_bodies = ["{", "", "not json", b"{\"Next\":\"\xff\"}"]
        for i in range(4):
            self.assertError(self.list_call(app, bad_bodies[i]), 60003, TEXT_60003)
        self.assertError(self.list_call(app, {"Count": 0}), 100002)
        self.assertError(self.list_call(app, {"Next": "zz"}), 100002)
        self.assertError(self.list_call(app, []), 100002)
        for _ in range(3):
            self.assertOk(self.list_call(app))
        # Ten requests reached step 10 in this window.
        self.assertLimited(self.list_call(app))
        self.assertLimited(self.list_call(app, "{"))  # the limit is decided before the body is read

        # The same for create_room: failures at steps 11-14 use up the window.
        other = 1402000010
        self.assertOk(self.emu.call("create_room", create_body("dup"), sdkappid=other))
        for i in range(199):
            kind = i % 4
            if kind == 0:
                answer = self.emu.call("create_room", "{", sdkappid=other)
                self.assertError(answer, 60003)
            elif kind == 1:
                answer = self.emu.call("create_room", create_body("bad", Owner_Account=5), sdkappid=other)
                self.assertError(answer, 60015)
            elif kind == 2:
                answer = self.emu.call("create_room", create_body("x" * 49), sdkappid=other)
                self.assertError(answer, 100002)
            else:
                answer = self.emu.call("create_room", create_body("dup"), sdkappid=other)
                self.assertError(answer, 100012)
        self.assertLimited(self.emu.call("create_room", create_body("fresh"), sdkappid=other))

    def test_requests_rejected_before_step_10_do_not_count(self):
        app = 1402000011
        self.freeze_clock(T0_MS)
        for _ in range(15):
            self.assertError(self.list_call(app, usersig=None), 60004)  # step 5
            self.assertError(self.list_call(app, identifier=None), 60004)  # step 5
            self.assertError(self.list_call(app, contenttype="xml"), 60002)  # step 4
            self.assertError(self.list_call(app, random="abc"), 60002)  # step 4
            self.assertError(self.list_call(app, method="GET"), 60008)  # step 1
        for _ in range(10):
            self.assertOk(self.list_call(app))
        self.assertLimited(self.list_call(app))

        # Step 8: app 1400000003 only admits the identifier "boss".
        admin_app = 1400000003
        for _ in range(15):
            self.assertError(self.list_call(admin_app, identifier="admin"), 60010)
        for _ in range(10):
            self.assertOk(self.list_call(admin_app, identifier="boss"))
        self.assertLimited(self.list_call(admin_app, identifier="boss"))

        # Step 7: a disabled app is refused before any window is used.
        disabled_app = 1400000002
        for _ in range(15):
            self.assertError(self.list_call(disabled_app), 60016)

    def test_rate_limited_request_changes_nothing(self):
        app = 1400000005  # create_room 5/s
        self.freeze_clock(T0_MS)
        for i in range(5):
            self.assertOk(self.emu.call("create_room", create_body("rl-%d" % i), sdkappid=app))
        self.assertLimited(self.emu.call("create_room", create_body("rl-5"), sdkappid=app))
        self.assertError(self.emu.call("get_room_info", {"RoomId": "rl-5"}, sdkappid=app), 100004, TEXT_100004)
        self.advance(1000)
        self.assertOk(self.emu.call("create_room", create_body("rl-5"), sdkappid=app))

    def test_reset_clears_one_apps_windows(self):
        app, other = 1402000012, 1402000013
        self.freeze_clock(T0_MS)
        self.exhaust_list(app)
        self.exhaust_list(other)
        status, body = self.emu.control("POST", "reset?sdkappid=%d" % app)
        self.assertEqual(status, 200, body)
        for _ in range(10):
            self.assertOk(self.list_call(app))
        self.assertLimited(self.list_call(app))
        self.assertLimited(self.list_call(other))
        # A full reset clears every app's windows.
        status, body = self.emu.control("POST", "reset")
        self.assertEqual(status, 200, body)
        self.assertOk(self.list_call(app))
        self.assertOk(self.list_call(other))

    def test_reset_clears_create_window_too(self):
        app = 1402000014
        self.freeze_clock(T0_MS)
        answers = parallel_calls(self.emu, "create_room", [create_body("rs-%03d" % i) for i in range(201)], app)
        self.assertEqual(sorted(self.codes(answers)), [0] * 200 + [60007])
        status, _ = self.emu.control("POST", "reset?sdkappid=%d" % app)
        self.assertEqual(status, 200)
        self.assertOk(self.emu.call("create_room", create_body("rs-after"), sdkappid=app))


class CustomDefaultLimitsTest(EmulatorTest):
    """A rules directory whose defaults lower destroy_room to 3/s for auto-created apps."""

    rules_files = {"apps": {"defaults": {"rate_limits": {"destroy_room": 3}}}, "words": "# none\n"}

    def test_destroy_room_limited_to_three(self):
        app = 1402100001
        self.freeze_clock(T0_MS)
        for i in range(3):
            self.assertError(self.emu.call("destroy_room", {"RoomId": "ghost-%d" % i}, sdkappid=app), 100004,
                             TEXT_100004)
        for i in range(3):
            self.assertError(self.emu.call("destroy_room", {"RoomId": "ghost-%d" % i}, sdkappid=app), 60007,
                             TEXT_60007)
        # Every auto-created app gets the same default.
        other = 1402100002
        answers = [self.emu.call("destroy_room", {"RoomId": "g"}, sdkappid=other) for _ in range(5)]
        self.assertEqual([a["ErrorCode"] for a in answers], [100004] * 3 + [60007] * 2)
        # The other commands keep the built-in defaults.
        creates = parallel_calls(self.emu, "create_room", [create_body("c-%03d" % i) for i in range(201)], app)
        self.assertEqual(sorted(a["ErrorCode"] for a in creates), [0] * 200 + [60007])
        lists = [self.emu.call("get_room_list", {"Count": 1}, sdkappid=app)["ErrorCode"] for _ in range(11)]
        self.assertEqual(lists, [0] * 10 + [60007])
        # Next window: three destroys again.
        self.emu.control("POST", "clock", {"advance_ms": 1000})
        created = [a["RoomId"] for a in creates if a["ErrorCode"] == 0]
        answers = [self.emu.call("destroy_room", {"RoomId": room_id}, sdkappid=app) for room_id in created[:4]]
        self.assertEqual([a["ErrorCode"] for a in answers], [0, 0, 0, 60007])


if __name__ == "__main__":
    unittest.main()
