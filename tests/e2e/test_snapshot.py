"""Snapshot and restore: GET/PUT /_emulator/snapshot and --state-file, through the real binary."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import BINARY, TEST_RULES, Emulator, EmulatorTest, create_body

APP = 1400000000  # listed, with a secret key (tests/e2e/rules/apps.json)
OTHER = 88888801  # unlisted: follows the defaults


def populate(emu, app=OTHER, rooms=3, prefix="room"):
    """Rooms with every kind of field set: names, categories, metadata, robots, a private one."""
    for i in range(rooms):
        answer = emu.call("create_room", create_body("%s-%d" % (prefix, i), RoomName="name %d é" % i,
                                                     Category=[1, "music"], CoverURL="https://x/%d.png" % i,
                                                     IsPublicVisible=i % 2 == 0), sdkappid=app)
        assert answer["ErrorCode"] == 0, answer
    emu.call("set_room_metadata", {"RoomId": "%s-0" % prefix, "Metadata": [{"Key": "k1", "Value": "v1"},
                                                                           {"Key": "k2", "Value": "v2"}]},
             sdkappid=app)
    emu.call("add_robot", {"RoomId": "%s-0" % prefix, "RobotList_Account": ["bot1", "bot2"]}, sdkappid=app)
    emu.call("update_room_info", {"RoomInfo": {"RoomId": "%s-1" % prefix, "Notice": "hello"}}, sdkappid=app)


def snapshot(emu, query=""):
    status, body = emu.control("GET", "snapshot" + query)
    assert status == 200, body
    return body


def without_clock(document):
    out = dict(document)
    out.pop("clock", None)
    return out


class SnapshotApi(EmulatorTest):
    def test_a_snapshot_holds_rooms_with_every_field_settings_and_open_intervals(self):
        self.freeze_clock(1_800_000_000_000)
        populate(self.emu)
        doc = snapshot(self.emu)
        self.assertEqual((doc["format"], doc["version"]), ("live-engine-emulator snapshot", 1))
        self.assertEqual(doc["clock"], {"frozen": True, "now_ms": 1_800_000_000_000, "offset_ms": doc["clock"]["offset_ms"]})
        apps = {app["sdkappid"]: app for app in doc["apps"]}
        self.assertIn(APP, apps)  # listed, no state
        self.assertEqual(apps[APP]["rooms"], [])
        self.assertIsNone(apps[OTHER]["settings"])
        rooms = {room["RoomId"]: room for room in apps[OTHER]["rooms"]}
        self.assertEqual(sorted(rooms), ["room-0", "room-1", "room-2"])
        self.assertEqual(rooms["room-0"]["Metadata"], [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])
        self.assertEqual(rooms["room-0"]["RobotList_Account"], ["bot1", "bot2"])
        self.assertEqual(rooms["room-1"]["Notice"], "hello")
        self.assertEqual(rooms["room-1"]["IsPublicVisible"], False)
        self.assertEqual(rooms["room-2"]["RoomName"], "name 2 é")
        self.assertEqual(rooms["room-2"]["Category"], [1, "music"])
        self.assertEqual(rooms["room-2"]["CreateTime"], 1_800_000_000)
        # Each create opened a 100012 interval of 1000 ms at the frozen time.
        self.assertEqual(apps[OTHER]["create_windows"][0],
                         {"RoomId": "room-0", "started_ms": 1_800_000_000_000, "expires_ms": 1_800_000_001_000})

    def test_secret_keys_show_as_fingerprints_and_a_put_keeps_the_running_key(self):
        doc = snapshot(self.emu)
        settings = [a for a in doc["apps"] if a["sdkappid"] == APP][0]["settings"]
        self.assertNotIn('"secret_key":', json.dumps(doc))
        self.assertTrue(settings["has_secret_key"])
        self.assertRegex(settings["secret_key_fingerprint"], "^[0-9a-f]{8}$")
        status, body = self.emu.control("PUT", "snapshot", doc)
        self.assertEqual(status, 200, body)
        status, app = self.emu.control("GET", "apps/%d" % APP)
        self.assertEqual(app["secret_key_fingerprint"], settings["secret_key_fingerprint"])
        # A fingerprint that names no running key is refused, and nothing changes.
        settings["secret_key_fingerprint"] = "00000000"
        status, body = self.emu.control("PUT", "snapshot", doc)
        self.assertEqual(status, 400)
        self.assertIn("$.apps[", body["error"])
        self.assertIn("secret_key_fingerprint", body["error"])

    def test_put_replaces_the_whole_state_and_get_gives_it_back(self):
        self.freeze_clock(1_800_000_000_000)
        populate(self.emu)
        before = snapshot(self.emu)
        self.emu.control("POST", "reset")
        self.emu.call("create_room", create_body("stray"), sdkappid=OTHER + 1)
        self.emu.control("POST", "clock", {"resume": True})
        status, body = self.emu.control("PUT", "snapshot", before)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rooms"], 3)
        self.assertEqual(snapshot(self.emu), before)
        # The rooms answer through the API as they did, and the open intervals still hold.
        info = self.emu.call("get_room_info", {"RoomId": "room-0"}, sdkappid=OTHER)
        self.assertEqual(info["Response"]["RoomInfo"]["RoomName"], "name 0 é")
        self.emu.call("destroy_room", {"RoomId": "room-0"}, sdkappid=OTHER)
        self.assertError(self.emu.call("create_room", create_body("room-0"), sdkappid=OTHER), 100012)
        self.assertError(self.emu.call("get_room_info", {"RoomId": "stray"}, sdkappid=OTHER + 1), 100004)

    def test_one_app_alone(self):
        populate(self.emu, app=OTHER, prefix="a")
        populate(self.emu, app=OTHER + 1, prefix="b")
        one = snapshot(self.emu, "?sdkappid=%d" % OTHER)
        self.assertEqual(one["sdkappid"], OTHER)
        self.assertNotIn("defaults", one)
        self.assertEqual([app["sdkappid"] for app in one["apps"]], [OTHER])
        self.emu.control("POST", "reset")
        self.emu.call("create_room", create_body("keep"), sdkappid=OTHER + 2)
        status, body = self.emu.control("PUT", "snapshot?sdkappid=%d" % OTHER, one)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.emu.call("get_room_info", {"RoomId": "a-0"}, sdkappid=OTHER)["ErrorCode"], 0)
        self.assertEqual(self.emu.call("get_room_info", {"RoomId": "keep"}, sdkappid=OTHER + 2)["ErrorCode"], 0)
        status, body = self.emu.control("PUT", "snapshot?sdkappid=%d" % (OTHER + 9), one)
        self.assertEqual(status, 400)
        self.assertIn("holds no app %d" % (OTHER + 9), body["error"])

    def test_a_bad_snapshot_is_refused_naming_the_problem_and_the_state_stays(self):
        populate(self.emu)
        before = snapshot(self.emu)
        good = json.loads(json.dumps(before))
        other = [i for i, app in enumerate(good["apps"]) if app["sdkappid"] == OTHER][0]
        listed = [i for i, app in enumerate(good["apps"]) if app["settings"]][0]
        cases = []
        doc = json.loads(json.dumps(good)); doc["version"] = 2; cases.append((doc, "$.version"))
        doc = json.loads(json.dumps(good)); del doc["format"]; cases.append((doc, "$.format"))
        doc = json.loads(json.dumps(good)); doc["apps"][other]["rooms"][1]["MaxSeatCount"] = "9"
        cases.append((doc, ".rooms[1].MaxSeatCount"))
        doc = json.loads(json.dumps(good)); doc["apps"][other]["rooms"].append(doc["apps"][other]["rooms"][0])
        cases.append((doc, "is listed twice"))
        doc = json.loads(json.dumps(good)); doc["apps"][other]["rooms"][0]["Colour"] = 1
        cases.append((doc, "Colour: unknown room field"))
        doc = json.loads(json.dumps(good)); doc["clock"]["now_ms"] = -5; cases.append((doc, "$.clock.now_ms"))
        doc = json.loads(json.dumps(good)); doc["apps"][listed]["settings"]["max_seat_count"] = 0
        cases.append((doc, "max_seat_count"))
        for doc, named in cases:
            status, body = self.emu.control("PUT", "snapshot", doc)
            self.assertEqual(status, 400, (named, body))
            self.assertIn(named, body["error"])
        for text in (b"", b"{", b"[]", b"\xff"):
            status, _, data = self.emu.request("PUT", "/_emulator/snapshot", text)
            self.assertEqual(status, 400, data)
        self.assertEqual(without_clock(snapshot(self.emu)), without_clock(before))

    def test_a_large_snapshot_goes_through_put_beyond_the_api_body_bound(self):
        self.emu.control("PUT", "apps/%d" % 1400000005, {"rate_limits": {"create_room": 0}, "room_create_interval_ms": 0})
        for i in range(600):
            self.emu.call("create_room", create_body("big-%04d" % i, RoomName="x" * 100), sdkappid=1400000005)
        doc = snapshot(self.emu)
        text = json.dumps(doc)
        self.assertGreater(len(text), 65536)
        self.emu.control("POST", "reset")
        status, body = self.emu.control("PUT", "snapshot", doc)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rooms"], 600)
        # Other control endpoints keep the API's bound.
        status, _, data = self.emu.request("PUT", "/_emulator/apps/1400000005", text)
        self.assertEqual(status, 413, data)
        # A snapshot over its own bound is refused by its Content-Length alone, naming that bound, and recorded with
        # its method and target.
        answer = self.emu.raw(b"PUT /_emulator/snapshot HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n"
                              % ((512 << 20) + 1))
        self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), answer)
        self.assertIn(b'{"error":"request body exceeds 536870912 bytes"}', answer)
        status, journal = self.emu.control("GET", "journal?limit=1&control=true")
        self.assertEqual(status, 200, journal)
        entry = journal["entries"][0]
        self.assertEqual((entry["status"], entry["method"], entry["path"]), (413, "PUT", "/_emulator/snapshot"), entry)


class StateFile(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lee-state-")
        self.path = os.path.join(self.dir, "state.json")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, *extra):
        return Emulator(args=["--state-file", self.path] + list(extra))

    def test_the_round_trip_survives_a_restart_with_keys_kept_in_the_file_only(self):
        with self.start("--state-save-interval", "0") as emu:
            self.assertFalse(os.path.exists(self.path))  # a first start has no file yet
            emu.control("POST", "clock", {"freeze": True, "set_ms": 1_800_000_000_000})
            populate(emu)
            emu.control("PUT", "apps/77777777", {"secret_key": "run-time-key", "admins": ["ops"]})
            before = snapshot(emu)
            self.assertEqual(emu.stop(), 0)
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o600)
        with open(self.path) as f:
            saved = json.load(f)
        keys = {a["sdkappid"]: a["settings"].get("secret_key") for a in saved["apps"] if a["settings"]}
        self.assertEqual(keys[77777777], "run-time-key")
        with self.start() as emu:
            self.assertEqual(snapshot(emu), before)
            # The key came back: a UserSig made with it is accepted.
            sig = subprocess.run([BINARY, "usersig", "--sdkappid", "77777777", "--key", "run-time-key",
                                  "--identifier", "ops", "--time", "1800000000"],
                                 capture_output=True, text=True, check=True).stdout.strip()
            answer = emu.call("get_room_list", {}, sdkappid=77777777, identifier="ops", usersig=sig)
            self.assertEqual(answer["ErrorCode"], 0, answer)

    def test_a_running_clock_keeps_its_offset(self):
        with self.start("--state-save-interval", "0") as emu:
            emu.control("POST", "clock", {"set_ms": 4_000_000_000_000})
            emu.stop()
        with self.start() as emu:
            _, clock = emu.control("GET", "clock")
            self.assertFalse(clock["frozen"])
            self.assertAlmostEqual(clock["now_ms"], 4_000_000_000_000, delta=60_000)

    def test_saved_every_interval_without_a_stop(self):
        with self.start("--state-save-interval", "0.1") as emu:
            populate(emu)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if os.path.exists(self.path):
                    with open(self.path) as f:
                        if "room-2" in f.read():
                            break
                time.sleep(0.05)
            with open(self.path) as f:
                self.assertIn("room-2", f.read())
            emu.proc.kill()  # no clean stop: the periodic save is what is left
            emu.stop()
        with self.start() as emu:
            self.assertEqual(emu.call("get_room_info", {"RoomId": "room-2"}, sdkappid=OTHER)["ErrorCode"], 0)

    def test_a_kill_during_saving_always_leaves_a_loadable_file(self):
        with self.start("--state-save-interval", "0") as emu:
            emu.control("PUT", "apps/%d" % OTHER, {"rate_limits": {"create_room": 0}, "room_create_interval_ms": 0})
            for i in range(3000):
                answer = emu.call("create_room", create_body("k-%05d" % i, RoomName="n" * 100,
                                                             CoverURL="https://example.com/" + "c" * 150), sdkappid=OTHER)
                self.assertEqual(answer["ErrorCode"], 0, answer)
            emu.stop()
        size = os.path.getsize(self.path)
        self.assertGreater(size, 500_000)
        rng = random.Random(5)
        torn_writes = 0
        for attempt in range(6):
            # Saving all the time while another thread keeps changing the state (so every save writes the whole
            # file again); killed as soon as a save's temporary file is seen, or at a random moment.
            emu = self.start("--state-save-interval", "0.001")
            stop = threading.Event()

            def churn():
                extra = 0
                while not stop.is_set():
                    try:
                        emu.call("create_room", create_body("extra-%d-%d" % (attempt, extra)), sdkappid=OTHER + 1)
                    except Exception:  # killed under it
                        return
                    extra += 1

            worker = threading.Thread(target=churn)
            worker.start()
            deadline = time.monotonic() + (5 if attempt < 4 else rng.uniform(0.05, 0.4))
            while time.monotonic() < deadline:
                if any(".tmp." in name for name in os.listdir(self.dir)):
                    break
            emu.proc.send_signal(signal.SIGKILL)
            stop.set()
            worker.join()
            emu.stop()
            torn_writes += any(".tmp." in name for name in os.listdir(self.dir))
            with open(self.path) as f:
                doc = json.load(f)  # whole, never torn
            rooms = sum(len(a["rooms"]) for a in doc["apps"])
            self.assertGreaterEqual(rooms, 3000)
            leftovers = [name for name in os.listdir(self.dir) if name != "state.json"]
            for name in leftovers:  # a temporary file of a killed save may remain; it is never the state
                self.assertIn(".tmp.", name)
        self.assertGreaterEqual(torn_writes, 1)  # the kill did land in the middle of a save
        with self.start() as emu:
            self.assertEqual(emu.call("get_room_info", {"RoomId": "k-02999"}, sdkappid=OTHER)["ErrorCode"], 0)

    def test_a_bad_file_stops_the_start_naming_file_and_problem(self):
        for text, named in ((b"{\n  \"format\": \"live-engine-emulator snapshot\",\n  oops\n}", ":3"),
                            (json.dumps({"format": "live-engine-emulator snapshot", "version": 1,
                                         "clock": {"frozen": False, "now_ms": 0, "offset_ms": 0},
                                         "apps": [{"sdkappid": 5, "rooms": [{"RoomName": "no id"}]}]}).encode(),
                             "$.apps[0].rooms[0].RoomId: is required"),
                            (b"\xff\xfe", "invalid JSON")):
            with open(self.path, "wb") as f:
                f.write(text)
            proc = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--rules", TEST_RULES, "--state-file",
                                   self.path], capture_output=True, text=True, timeout=20)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(self.path, proc.stderr)
            self.assertIn(named, proc.stderr)
            self.assertNotIn("READY", proc.stdout)

    def test_flags_are_checked(self):
        for value in ("-1", "abc", "90000"):
            proc = subprocess.run([BINARY, "--state-save-interval", value], capture_output=True, text=True)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn("--state-save-interval", proc.stderr)


if __name__ == "__main__":
    unittest.main()
