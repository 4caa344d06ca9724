"""End-to-end test of run-time changes under load: while several connections run every command, another one reloads
the rules directory (whose apps.json changes between reloads), replaces app settings and sensitive words, moves the
clock, adds and deletes fault rules, resets apps and reads the journal, the metrics and the room lists. Every answer
must be one the README allows for that moment, and the emulator must stay up. Written for ThreadSanitizer
(scripts/tsan.sh runs it against build-tsan/), it runs in the normal suite too.

Spec: README.md "Control API" (reload, apps, sensitive-words, clock, faults, journal, reset), "Rules directory" (a
reload swaps the whole rule set at once; requests in flight keep the one they started with).
Run: cd tests/e2e && python3 -m unittest -v test_concurrency
"""
import json
import threading
import unittest
import urllib.parse

from harness import SERVICE, EmulatorTest, create_body, write_rules

ENVELOPE_KEYS = ["ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"]
WORKERS = 4
ROUNDS = 30  # each round runs the five commands once
CONTROL_OPS = 60
FIRST_APP = 3200000001
APPS_A = {"unknown_apps": "auto", "defaults": {"room_create_interval_ms": 0},
          "apps": [{"sdkappid": FIRST_APP, "max_seat_count": 12}]}
APPS_B = {"unknown_apps": "auto", "defaults": {"room_create_interval_ms": 0, "max_seat_count": 20},
          "apps": [{"sdkappid": FIRST_APP + 1, "rate_limits": {"get_room_list": 0}}]}
# What each command may answer here: rooms vanish under a reset (100004), windows fill (60007), a fault rule of
# the control thread fires (100001).
ALLOWED = {
    "create_room": {0, 60007, 100001},
    "get_room_info": {0, 60007, 100001, 100004},
    "update_room_info": {0, 60007, 100001, 100004},
    "get_room_list": {0, 60007, 100001},
    "destroy_room": {0, 60007, 100001, 100004},
}


def target(command, sdkappid):
    query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", "admin"), ("usersig", "x"),
                                    ("random", 1), ("contenttype", "json")])
    return "%s%s?%s" % (SERVICE, command, query)


class ReloadUnderLoadTest(EmulatorTest):
    rules_files = {"apps": APPS_A, "words": "gambling\n"}

    def test_run_time_changes_under_load(self):
        problems = []
        done = threading.Event()

        def note(what):
            if len(problems) < 20:
                problems.append(what)

        def worker(index):
            app = FIRST_APP + index
            conn = self.emu.connection()
            try:
                for round_ in range(ROUNDS):
                    room = "w%d-%d" % (index, round_)
                    for command, body in (("create_room", create_body(room)),
                                          ("get_room_info", {"RoomId": room}),
                                          ("update_room_info", {"RoomInfo": {"RoomId": room, "RoomName": "n"}}),
                                          ("get_room_list", {"Count": 5}),
                                          ("destroy_room", {"RoomId": room})):
                        status, headers, data = self.emu.request("POST", target(command, app), body, conn=conn)
                        answer = json.loads(data) if headers.get("content-type") == "application/json" else None
                        if status != 200 or not isinstance(answer, dict) or list(answer)[:4] != ENVELOPE_KEYS:
                            note((command, status, data[:200]))
                        elif answer["ErrorCode"] not in ALLOWED[command]:
                            note((command, answer["ErrorCode"], answer["ErrorInfo"]))
            except Exception as error:  # reported by the test thread
                note(("worker", index, repr(error)))
            finally:
                conn.close()

        def control():
            conn = self.emu.connection()

            def call(method, path, body=None, expected=(200,)):
                status, headers, data = self.emu.request(method, path, body, conn=conn)
                if status not in expected:
                    note((method, path, status, data[:200]))
                return data

            try:
                for op in range(CONTROL_OPS):
                    if done.is_set():
                        break
                    app = FIRST_APP + op % WORKERS
                    step = op % 10
                    if step == 0:
                        write_rules(self.rules_dir, apps=APPS_B if op % 20 else APPS_A)
                        call("POST", "/_emulator/reload")
                    elif step == 1:
                        call("PUT", "/_emulator/apps/%d" % app, {"rate_limits": {"get_room_list": 0}})
                    elif step == 2:
                        call("PUT", "/_emulator/sensitive-words", {"words": ["gambling", "casino%d" % op]})
                    elif step == 3:
                        call("POST", "/_emulator/clock", {"advance_ms": 1000})
                    elif step == 4:
                        call("POST", "/_emulator/faults", {"match": {"sdkappid": app}, "action": {"error_code": 100001},
                                                           "times": 1}, expected=(201,))
                    elif step == 5:
                        json.loads(call("GET", "/_emulator/journal?limit=50&control=true"))
                    elif step == 6:
                        call("GET", "/metrics")
                    elif step == 7:
                        call("POST", "/_emulator/reset?sdkappid=%d" % app)
                    elif step == 8:
                        json.loads(call("GET", "/_emulator/apps/%d/rooms" % app))
                    else:
                        call("DELETE", "/_emulator/faults")
                        call("POST", "/_emulator/clock", {"freeze": True})
                        call("POST", "/_emulator/clock", {"resume": True})
            except Exception as error:  # reported by the test thread
                note(("control", repr(error)))
            finally:
                conn.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
        threads.append(threading.Thread(target=control))
        for thread in threads:
            thread.start()
        for thread in threads[:WORKERS]:
            thread.join(240)
        done.set()
        threads[-1].join(60)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a thread did not finish")
        self.assertEqual(problems, [])

        # Still whole afterwards: the last reload's rules in force, a room made and read on a fresh app.
        write_rules(self.rules_dir, apps=APPS_A)
        self.assertEqual(self.emu.control("POST", "reload"), (200, {"reloaded": True}))
        self.assertOk(self.emu.call("create_room", create_body("after"), sdkappid=FIRST_APP + 10))
        self.assertOk(self.emu.call("get_room_info", {"RoomId": "after"}, sdkappid=FIRST_APP + 10))
        status, app = self.emu.control("GET", "apps/%d" % FIRST_APP)
        self.assertEqual((status, app["max_seat_count"]), (200, 12))


if __name__ == "__main__":
    unittest.main()
