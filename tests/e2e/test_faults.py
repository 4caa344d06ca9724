"""End-to-end tests of fault injection through the real binary over real HTTP: fault rules (POST/GET/DELETE
/_emulator/faults), their actions (error_code, http_status, delay_ms, network reset/close/garbage/truncated/stall),
schedules (times, after, seeded probability), matching (command, sdkappid, room_id glob, identifier), the
X-Emulator-Fault header and --strict, rules/faults.json (start, reload) and reset semantics.

Spec: README.md "Using it in tests" (fault rules, the X-Emulator-Fault header), "Order of checks" (a fault is decided
right after step 2 and touches no state), "Control API" (reset, reload, faults), "Rules directory" (faults.json),
"Command line" (--seed, --strict, --threads, SIGTERM).
Run: cd tests/e2e && python3 -m unittest -v test_faults
"""
import errno
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import BINARY, SERVICE, TEST_RULES, Emulator, EmulatorTest, create_body, write_rules

ENVELOPE_KEYS = ["ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"]
REQUEST_ID = re.compile(r"^Id-[0-9a-f]{32}-O-Seq-[0-9]+$")
TEXT_100001 = "Internal server error. Please retry."
TEXT_100003 = "Room ID already exists. Please choose a different Room ID."
TEXT_100004 = "The room does not exist, or it once existed but now has been destroyed"
TEXT_60010 = "The request requires App administrator privileges"
TEXT_70001 = "UserSig expired, please regenerate UserSig"
T0_MS = 1_800_000_000_000  # a whole second on the emulator clock
COMMANDS = ["create_room", "get_room_info", "update_room_info", "destroy_room", "get_room_list"]
RULE_KEYS = ["id", "match", "action", "times", "after", "probability", "hits", "fired", "source"]

# sdkappids of this file (none of them is listed in tests/e2e/rules/apps.json, so each is made from defaults)
APP = 3100000001
OTHER_APP = 3100000002
THIRD_APP = 3100000003


# --- helpers ----------------------------------------------------------------------------------------------------

def target(command, sdkappid=APP, identifier="admin"):
    query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", identifier), ("usersig", "xxx"),
                                    ("random", 99999999), ("contenttype", "json")])
    return "%s%s?%s" % (SERVICE, command, query)


def body_for(command, room_id="room-1"):
    if command == "create_room":
        return create_body(room_id)
    if command == "update_room_info":
        return {"RoomInfo": {"RoomId": room_id, "RoomName": "renamed"}}
    if command == "get_room_list":
        return {"Next": "", "Count": 20}
    return {"RoomId": room_id}


def request_bytes(command, body, sdkappid=APP, identifier="admin", headers=()):
    """One complete HTTP/1.1 POST to the emulated API, as bytes."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    lines = ["POST %s HTTP/1.1" % target(command, sdkappid, identifier), "Host: 127.0.0.1",
             "Content-Type: application/json", "Content-Length: %d" % len(body)]
    lines += ["%s: %s" % header for header in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def send_raw(port, payload, timeout=5.0):
    """Opens a connection and sends `payload`; the caller reads and closes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(payload)
    return sock


def read_outcome(sock, timeout):
    """Reads until the peer ends the connection or `timeout` s pass; returns (bytes, "eof" | "reset" | "open")."""
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), "open"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return b"".join(chunks), "open"
        except ConnectionResetError:
            return b"".join(chunks), "reset"
        if not chunk:
            return b"".join(chunks), "eof"
        chunks.append(chunk)


def still_open(sock):
    """True when the peer has neither closed nor reset the connection and sent nothing (non-blocking peek)."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.settimeout(timeout)
    return False


def split_response(data):
    """(status code, headers dict with lower-case names, body) of one raw HTTP answer."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers, body


def pairs(data):
    """Decodes JSON keeping objects as lists of (key, value) pairs, so key order is visible."""
    return json.loads(data, object_pairs_hook=lambda items: items)


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("LIVE_EMULATOR_")}


def wait_for(predicate, timeout=5.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out waiting for " + what)


def seeded_emulator(seed, threads=2, rules=TEST_RULES):
    return Emulator(argv=["--listen", "127.0.0.1:0", "--rules", rules, "--threads", str(threads),
                          "--seed", str(seed), "--log-level", "warn"])


class FaultTest(EmulatorTest):
    """Shared assertions and shortcuts; the class's emulator is started as EmulatorTest does."""

    def add(self, rule, emu=None):
        status, body = (emu or self.emu).control("POST", "faults", rule)
        self.assertEqual(status, 201, body)
        return body["added"]

    def rules_by_id(self, emu=None):
        status, body = (emu or self.emu).control("GET", "faults")
        self.assertEqual(status, 200, body)
        return {rule["id"]: rule for rule in body["faults"]}

    def counters(self, rule_id, emu=None):
        rule = self.rules_by_id(emu)[rule_id]
        return rule["hits"], rule["fired"]

    def post(self, command, body=None, sdkappid=APP, identifier="admin", headers=None, emu=None):
        body = body_for(command) if body is None else body
        return (emu or self.emu).request("POST", target(command, sdkappid, identifier), body, headers)

    def code_of(self, command, body=None, sdkappid=APP, identifier="admin", headers=None, emu=None):
        status, hdrs, data = self.post(command, body, sdkappid, identifier, headers, emu)
        self.assertEqual((status, hdrs["content-type"]), (200, "application/json"), data)
        return json.loads(data)["ErrorCode"]

    def assertEnvelope(self, status, headers, data, code=100001, text=TEXT_100001):
        """The normal envelope of a failure, and nothing else in it."""
        self.assertEqual(status, 200, data)
        self.assertEqual(headers["content-type"], "application/json")
        items = pairs(data)
        self.assertEqual([key for key, _ in items], ENVELOPE_KEYS, data)
        answer = dict(items)
        self.assertEqual((answer["ActionStatus"], answer["ErrorCode"], answer["ErrorInfo"]), ("FAIL", code, text))
        self.assertRegex(answer["RequestId"], REQUEST_ID)

    def assertGatewayPage(self, status, headers, data, code=503, reason="Service Unavailable"):
        """A bare HTTP status with the small HTML page a gateway sends: no envelope."""
        self.assertEqual(status, code, data)
        self.assertEqual(headers["content-type"], "text/html")
        line = ("%d %s" % (code, reason)).encode()
        self.assertEqual(data, b"<html>\r\n<head><title>" + line + b"</title></head>\r\n<body>\r\n<center><h1>" + line +
                         b"</h1></center>\r\n</body>\r\n</html>\r\n")
        self.assertNotIn(b"ActionStatus", data)

    def room_count(self, sdkappid, emu=None):
        status, body = (emu or self.emu).control("GET", "apps/%d/rooms" % sdkappid)
        self.assertEqual(status, 200, body)
        return body["count"]


# --- 1. answer actions through rules -------------------------------------------------------------------------------

class RuleActionsTest(FaultTest):

    def test_error_code_on_every_command(self):
        self.add({"id": "boom", "match": {"sdkappid": APP}, "action": {"error_code": 100001}})
        for command in COMMANDS:
            with self.subTest(command=command):
                self.assertEnvelope(*self.post(command))
        self.assertEqual(self.counters("boom"), (5, 5))
        status, journal = self.emu.control("GET", "journal?sdkappid=%d&command=create_room" % APP)
        self.assertEqual(status, 200)
        entry = journal["entries"][-1]
        self.assertEqual((entry["fault"], entry["error_code"], entry["status"], entry["network"]),
                         ("boom", 100001, 200, None))
        self.assertTrue(entry["why"].startswith('fault: rule "boom"'), entry["why"])

    def test_error_code_any_code_of_the_table(self):
        self.add({"match": {"command": "get_room_info"}, "action": {"error_code": 70001}})
        self.assertEnvelope(*self.post("get_room_info"), code=70001, text=TEXT_70001)

    def test_http_status_is_a_bare_gateway_answer(self):
        self.add({"match": {"sdkappid": APP}, "action": {"http_status": 503}})
        self.assertGatewayPage(*self.post("create_room"))
        self.add({"match": {"sdkappid": OTHER_APP}, "action": {"http_status": 502}})
        self.assertGatewayPage(*self.post("get_room_info", sdkappid=OTHER_APP), code=502, reason="Bad Gateway")
        # The connection stays usable: the next request (another app, no rule) gets its normal answer.
        self.assertEqual(self.code_of("get_room_info", sdkappid=THIRD_APP), 100004)

    def test_delay_alone_gives_the_normal_answer_late(self):
        self.add({"match": {"sdkappid": APP, "command": "create_room"}, "action": {"delay_ms": 500}})
        started = time.monotonic()
        status, headers, data = self.post("create_room", create_body("late-room"))
        elapsed = time.monotonic() - started
        self.assertEqual(status, 200)
        answer = json.loads(data)
        self.assertEqual((answer["ActionStatus"], answer["ErrorCode"], answer["RoomId"]), ("OK", 0, "late-room"))
        self.assertGreaterEqual(elapsed, 0.45)
        self.assertLess(elapsed, 5.0)
        # Not delayed: another command of the same app.
        started = time.monotonic()
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "late-room"}), 0)
        self.assertLess(time.monotonic() - started, 0.45)

    def test_delay_with_error_code(self):
        self.add({"match": {"sdkappid": APP}, "action": {"error_code": 100001, "delay_ms": 500}})
        started = time.monotonic()
        response = self.post("get_room_info")
        elapsed = time.monotonic() - started
        self.assertEnvelope(*response)
        self.assertGreaterEqual(elapsed, 0.45)
        self.assertLess(elapsed, 5.0)

    def test_delay_with_http_status(self):
        self.add({"match": {"sdkappid": APP}, "action": {"http_status": 504, "delay_ms": 400}})
        started = time.monotonic()
        response = self.post("get_room_info")
        elapsed = time.monotonic() - started
        self.assertGatewayPage(*response, code=504, reason="Gateway Timeout")
        self.assertGreaterEqual(elapsed, 0.35)
        self.assertLess(elapsed, 5.0)

    def test_fault_is_decided_right_after_step_2(self):
        # A rule that matches everything: steps 1 and 2 still answer first; step 3 (sdkappid missing) does not.
        self.add({"id": "all", "action": {"error_code": 100001}})
        status, _, data = self.emu.request("GET", target("get_room_info"))
        self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 60008))
        status, _, data = self.emu.request("POST", SERVICE + "no_such_command?sdkappid=%d" % APP, "{}")
        self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 60009))
        status, headers, data = self.emu.request("POST", SERVICE + "get_room_info?identifier=admin&usersig=x"
                                                 "&contenttype=json", {"RoomId": "r"})
        self.assertEnvelope(status, headers, data)
        self.assertEqual(self.counters("all"), (1, 1))


# --- 2. network actions, seen from the client -------------------------------------------------------------------

class NetworkFaultsTest(FaultTest):

    def faulted_socket(self, network, command="create_room", delay_ms=None):
        action = {"network": network}
        if delay_ms is not None:
            action["delay_ms"] = delay_ms
        self.add({"id": "net", "match": {"sdkappid": APP, "command": command}, "action": action})
        return send_raw(self.emu.port, request_bytes(command, body_for(command)))

    def test_reset(self):
        with self.faulted_socket("reset") as sock:
            sock.settimeout(5)
            with self.assertRaises(ConnectionResetError) as raised:
                sock.recv(65536)
        self.assertEqual(raised.exception.errno, errno.ECONNRESET)
        self.assertEqual(self.counters("net"), (1, 1))

    def test_reset_through_http_client(self):
        self.add({"match": {"sdkappid": APP}, "action": {"network": "reset"}})
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=5)
        try:
            conn.request("POST", target("get_room_info"), json.dumps({"RoomId": "r"}))
            with self.assertRaises(ConnectionResetError):
                conn.getresponse()
        finally:
            conn.close()

    def test_close_is_eof_without_bytes(self):
        with self.faulted_socket("close") as sock:
            self.assertEqual(read_outcome(sock, 5), (b"", "eof"))
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=5)
        try:
            conn.request("POST", target("create_room"), json.dumps(create_body("x")))
            with self.assertRaises(http.client.RemoteDisconnected):
                conn.getresponse()
        finally:
            conn.close()

    def test_garbage_is_not_http(self):
        with self.faulted_socket("garbage") as sock:
            data, end = read_outcome(sock, 5)
        self.assertEqual(end, "eof")
        self.assertGreater(len(data), 0)
        self.assertFalse(data.startswith(b"HTTP/"), data)
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=5)
        try:
            conn.request("POST", target("create_room"), json.dumps(create_body("x")))
            with self.assertRaises(http.client.BadStatusLine):
                conn.getresponse()
        finally:
            conn.close()

    def test_truncated_body_is_shorter_than_content_length(self):
        with self.faulted_socket("truncated") as sock:
            data, end = read_outcome(sock, 5)
        self.assertEqual(end, "eof")
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK\r\n"), data)
        status, headers, body = split_response(data)
        self.assertEqual((status, headers["content-type"], headers["connection"]), (200, "application/json", "close"))
        length = int(headers["content-length"])
        self.assertGreater(length, len(body))
        self.assertEqual(len(body), length // 2)
        self.assertTrue(body.startswith(b'{"ActionStatus":"FAIL"'), body)
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=5)
        try:
            conn.request("POST", target("create_room"), json.dumps(create_body("x")))
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            with self.assertRaises(http.client.IncompleteRead):
                response.read()
        finally:
            conn.close()

    def test_stall_answers_nothing_and_keeps_the_connection(self):
        with self.faulted_socket("stall") as sock:
            wait_for(lambda: self.counters("net") == (1, 1), what="the stalled request to be read")
            self.assertEqual(read_outcome(sock, 1.0), (b"", "open"))
            self.assertTrue(still_open(sock))
            # Whatever else the client sends is read and ignored: still no answer.
            sock.sendall(request_bytes("get_room_info", {"RoomId": "r"}, sdkappid=OTHER_APP))
            self.assertEqual(read_outcome(sock, 0.3), (b"", "open"))
            # Other connections are served meanwhile.
            self.assertEqual(self.code_of("get_room_info", sdkappid=OTHER_APP), 100004)
            # Open: this one and the harness's keep-alive connection.
            wait_for(lambda: self.open_connections() == 2, what="two open connections")
        # The client gives up: the emulator lets the connection go.
        wait_for(lambda: self.open_connections() == 1, what="the stalled connection to be released")

    def open_connections(self):
        status, _, data = self.emu.request("GET", "/metrics")
        self.assertEqual(status, 200)
        return int(re.search(rb"^lee_connections_open (\d+)$", data, re.M).group(1))

    def test_delay_then_network_fault(self):
        started = time.monotonic()
        with self.faulted_socket("close", delay_ms=400) as sock:
            self.assertEqual(read_outcome(sock, 5), (b"", "eof"))
        self.assertGreaterEqual(time.monotonic() - started, 0.35)

    def test_sigterm_closes_a_stalled_connection(self):
        emu = seeded_emulator(7)
        try:
            self.add({"id": "net", "match": {"command": "get_room_info"}, "action": {"network": "stall"}}, emu)
            with send_raw(emu.port, request_bytes("get_room_info", {"RoomId": "r"})) as sock:
                wait_for(lambda: self.counters("net", emu) == (1, 1), what="the stalled request to be read")
                code, elapsed, rest = emu.terminate()
                self.assertEqual((code, rest), (0, ""), emu.stderr())
                self.assertLess(elapsed, 1.5)  # well under the 2 s grace: the stall does not hold the stop
                self.assertEqual(read_outcome(sock, 2), (b"", "eof"))
        finally:
            emu.stop()

    def test_sigterm_cuts_a_delay_short_and_sends_the_answer(self):
        emu = seeded_emulator(7)
        try:
            self.add({"id": "slow", "match": {"command": "get_room_info"}, "action": {"delay_ms": 30000}}, emu)
            with send_raw(emu.port, request_bytes("get_room_info", {"RoomId": "r"})) as sock:
                wait_for(lambda: self.counters("slow", emu) == (1, 1), what="the delayed request to be read")
                code, elapsed, _ = emu.terminate()
                self.assertEqual(code, 0, emu.stderr())
                self.assertLess(elapsed, 1.5)
                data, end = read_outcome(sock, 2)
            self.assertEqual(end, "eof")
            status, headers, body = split_response(data)
            self.assertEqual((status, headers["connection"]), (200, "close"))
            self.assertEqual(json.loads(body)["ErrorCode"], 100004)
        finally:
            emu.stop()


# --- 3. schedules ---------------------------------------------------------------------------------------------------

class ScheduleTest(FaultTest):

    def codes(self, count, sdkappid=APP, emu=None):
        return [self.code_of("get_room_info", sdkappid=sdkappid, emu=emu) for _ in range(count)]

    def test_times(self):
        self.add({"id": "t", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "times": 3})
        self.assertEqual(self.codes(6), [100001] * 3 + [100004] * 3)
        self.assertEqual(self.counters("t"), (6, 3))

    def test_after(self):
        self.add({"id": "a", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "after": 2})
        self.assertEqual(self.codes(5), [100004] * 2 + [100001] * 3)
        self.assertEqual(self.counters("a"), (5, 3))

    def test_after_and_times(self):
        self.add({"id": "at", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "after": 1, "times": 2})
        self.assertEqual(self.codes(5), [100004, 100001, 100001, 100004, 100004])
        self.assertEqual(self.counters("at"), (5, 2))

    def test_times_is_exact_under_concurrency(self):
        self.add({"id": "t5", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "times": 5})
        socks = [send_raw(self.emu.port, request_bytes("get_room_info", {"RoomId": "r"})) for _ in range(30)]
        codes = []
        for sock in socks:
            with sock:
                data = b""
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                    if b"\r\n\r\n" in data:
                        status, headers, body = split_response(data)
                        if len(body) >= int(headers["content-length"]):
                            break
                codes.append(json.loads(body)["ErrorCode"])
        self.assertEqual(sorted(codes), [100001] * 5 + [100004] * 25)
        self.assertEqual(self.counters("t5"), (30, 5))

    def coin_sequence(self, emu, interleave=False):
        """64 get_room_info calls under a probability 0.5 rule; the fired/not-fired sequence."""
        self.add({"id": "coin", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "probability": 0.5},
                 emu)
        if interleave:
            self.add({"id": "other-coin", "match": {"sdkappid": OTHER_APP}, "action": {"error_code": 100003},
                      "probability": 0.5}, emu)
        fired = []
        for _ in range(64):
            if interleave:
                self.assertIn(self.code_of("get_room_info", sdkappid=OTHER_APP, emu=emu), (100003, 100004))
            code = self.code_of("get_room_info", emu=emu)
            self.assertIn(code, (100001, 100004))
            fired.append(code == 100001)
        self.assertEqual(self.counters("coin", emu), (64, sum(fired)))
        return fired

    def test_probability_is_reproducible_with_the_seed(self):
        first = self.coin_sequence(self.emu)  # the class's emulator: --seed 7
        self.assertTrue(8 <= sum(first) <= 56, first)  # it is a coin, not a constant
        same_seed = seeded_emulator(7)
        try:
            # Another process, same seed, same requests; other rules and their requests in between do not shift it.
            self.assertEqual(self.coin_sequence(same_seed, interleave=True), first)
        finally:
            self.assertEqual(same_seed.stop(), 0)
        other_seed = seeded_emulator(8)
        try:
            self.assertNotEqual(self.coin_sequence(other_seed), first)
        finally:
            self.assertEqual(other_seed.stop(), 0)
        # After a reset the rule starts afresh: the same id and the same requests give the same sequence again.
        self.assertEqual(self.emu.control("POST", "reset")[0], 200)
        self.assertEqual(self.coin_sequence(self.emu), first)

    def test_probability_zero_never_fires(self):
        self.add({"id": "p0", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "probability": 0})
        self.assertEqual(self.codes(20), [100004] * 20)
        self.assertEqual(self.counters("p0"), (20, 0))

    def test_probability_one_always_fires(self):
        self.add({"id": "p1", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "probability": 1})
        self.assertEqual(self.codes(20), [100001] * 20)
        self.assertEqual(self.counters("p1"), (20, 20))


# --- 4. matching ----------------------------------------------------------------------------------------------------

class MatchTest(FaultTest):

    def test_command(self):
        self.freeze_clock(T0_MS)
        self.add({"id": "cmd", "match": {"command": "destroy_room"}, "action": {"error_code": 100001}})
        self.assertEqual(self.code_of("create_room", create_body("room-1")), 0)
        normal = {"create_room": 100010, "get_room_info": 0, "update_room_info": 0, "get_room_list": 0,
                  "destroy_room": 100001}
        for command in COMMANDS:
            with self.subTest(command=command):
                self.emu.control("POST", "clock", {"advance_ms": 1000})  # past the create interval: 100010
                self.assertEqual(self.code_of(command), normal[command])
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "room-1"}), 0)  # the destroy did not happen
        self.assertEqual(self.counters("cmd"), (1, 1))

    def test_sdkappid(self):
        self.add({"id": "app", "match": {"sdkappid": APP}, "action": {"error_code": 100001}})
        self.assertEqual(self.code_of("get_room_info"), 100001)
        self.assertEqual(self.code_of("get_room_info", sdkappid=OTHER_APP), 100004)
        # A query value that is not a number matches no sdkappid (step 4 answers).
        status, _, data = self.emu.request("POST", SERVICE + "get_room_info?sdkappid=%dx&identifier=admin&usersig=x"
                                           "&contenttype=json" % APP, {"RoomId": "r"})
        self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 60002))
        self.assertEqual(self.counters("app"), (1, 1))

    def test_room_id_glob(self):
        self.add({"id": "glob", "match": {"room_id": "order-?-*"}, "action": {"error_code": 100001}})
        cases = [("order-1-abc", True), ("order-1-", True), ("order-x-y-z", True), ("order-12-abc", False),
                 ("order--abc", False), ("xorder-1-abc", False), ("order-1", False), ("ORDER-1-abc", False)]
        for room_id, fires in cases:
            with self.subTest(room_id=room_id):
                # RoomId at the top level (get_room_info) and under RoomInfo (create_room).
                self.assertEqual(self.code_of("get_room_info", {"RoomId": room_id}), 100001 if fires else 100004)
                self.assertEqual(self.code_of("create_room", create_body(room_id)), 100001 if fires else 0)
        # No RoomId to match (get_room_list, a body that does not parse): the rule does not match.
        self.assertEqual(self.code_of("get_room_list"), 0)
        self.assertEqual(self.code_of("get_room_info", b'{"RoomId": "order-1-a"'), 60003)
        fired = sum(2 for _, fires in cases if fires)
        self.assertEqual(self.counters("glob"), (fired, fired))

    def test_room_id_exact_and_star(self):
        self.add([{"id": "exact", "match": {"room_id": "vip"}, "action": {"error_code": 100003}},
                  {"id": "star", "match": {"room_id": "*"}, "action": {"error_code": 100001}}])
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "vip"}), 100003)
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "vip2"}), 100001)
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "a"}), 100001)
        self.assertEqual(self.code_of("get_room_info", {"RoomId": 7}), 100002)  # not a string: nothing to match

    def test_identifier(self):
        self.add({"id": "who", "match": {"identifier": "alice"}, "action": {"error_code": 60010}})
        status, headers, data = self.post("get_room_info", identifier="alice")
        self.assertEnvelope(status, headers, data, code=60010, text=TEXT_60010)
        for identifier in ("admin", "alice2", "Alice", "alic"):
            with self.subTest(identifier=identifier):
                self.assertEqual(self.code_of("get_room_info", identifier=identifier), 100004)
        self.assertEqual(self.counters("who"), (1, 1))

    def test_all_fields_must_match(self):
        self.add({"id": "four", "match": {"command": "create_room", "sdkappid": APP, "room_id": "r-*",
                                          "identifier": "admin"}, "action": {"error_code": 100001}})
        self.assertEqual(self.code_of("create_room", create_body("r-1")), 100001)
        self.assertEqual(self.code_of("create_room", create_body("r-2"), identifier="bob"), 0)
        self.assertEqual(self.code_of("create_room", create_body("r-3"), sdkappid=OTHER_APP), 0)
        self.assertEqual(self.code_of("create_room", create_body("s-1")), 0)
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "r-9"}), 100004)
        self.assertEqual(self.counters("four"), (1, 1))

    def test_no_match_fields_match_every_request(self):
        self.add({"id": "any", "action": {"error_code": 100001}})
        for command in COMMANDS:
            for sdkappid, identifier in ((APP, "admin"), (OTHER_APP, "someone"), (1400000002, "admin")):
                with self.subTest(command=command, sdkappid=sdkappid):
                    self.assertEnvelope(*self.post(command, sdkappid=sdkappid, identifier=identifier))
        self.assertEqual(self.counters("any"), (15, 15))

    def test_first_rule_that_fires_wins(self):
        self.add([{"id": "first", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "times": 2},
                  {"id": "second", "match": {"sdkappid": APP}, "action": {"http_status": 503}}])
        statuses = [self.post("get_room_info")[0] for _ in range(2)]
        self.assertEqual(statuses, [200, 200])
        self.assertGatewayPage(*self.post("get_room_info"))
        self.assertGatewayPage(*self.post("get_room_info"))
        rules = self.rules_by_id()
        self.assertEqual((rules["first"]["hits"], rules["first"]["fired"]), (4, 2))
        self.assertEqual((rules["second"]["hits"], rules["second"]["fired"]), (2, 2))

    def test_earlier_rule_in_after_lets_the_next_fire(self):
        self.add([{"id": "later", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "after": 2},
                  {"id": "fallback", "match": {"sdkappid": APP}, "action": {"error_code": 100003}}])
        self.assertEqual([self.code_of("get_room_info") for _ in range(4)], [100003, 100003, 100001, 100001])
        self.assertEqual(self.counters("fallback"), (2, 2))


# --- 5. a fault leaves no trace in state ----------------------------------------------------------------------------

LIMITED_APP = 3100000100


class NoTraceTest(FaultTest):
    rules_files = {"apps": {"unknown_apps": "auto", "defaults": {"max_seat_count": 16},
                            "apps": [{"sdkappid": LIMITED_APP, "rate_limits": {"create_room": 2}}]}}

    def setUp(self):
        super().setUp()
        self.freeze_clock(T0_MS)

    def tearDown(self):
        self.emu.control("POST", "clock", {"resume": True})

    def test_faulted_create_creates_no_room(self):
        self.add({"match": {"command": "create_room"}, "action": {"error_code": 100001}, "times": 1})
        self.assertEnvelope(*self.post("create_room", create_body("r1")))
        status, headers, data = self.post("get_room_info", {"RoomId": "r1"})
        self.assertEnvelope(status, headers, data, code=100004, text=TEXT_100004)
        self.assertEqual(self.room_count(APP), 0)
        # No create interval was opened either (clock frozen): 0, not 100012.
        self.assertEqual(self.code_of("create_room", create_body("r1")), 0)
        self.assertEqual(self.code_of("create_room", create_body("r1")), 100012)

    def test_faulted_requests_take_no_rate_window_slot(self):
        self.add({"id": "f", "match": {"sdkappid": LIMITED_APP, "command": "create_room"},
                  "action": {"error_code": 100001}, "times": 5})
        for i in range(5):
            self.assertEqual(self.code_of("create_room", create_body("f-%d" % i), sdkappid=LIMITED_APP), 100001)
        self.assertEqual(self.code_of("create_room", create_body("a"), sdkappid=LIMITED_APP), 0)
        self.assertEqual(self.code_of("create_room", create_body("b"), sdkappid=LIMITED_APP), 0)
        self.assertEqual(self.code_of("create_room", create_body("c"), sdkappid=LIMITED_APP), 60007)
        self.assertEqual(self.room_count(LIMITED_APP), 2)

    def test_delay_alone_runs_normally_and_takes_its_slot(self):
        self.add({"match": {"sdkappid": LIMITED_APP, "command": "create_room"}, "action": {"delay_ms": 100},
                  "times": 2})
        self.assertEqual(self.code_of("create_room", create_body("a"), sdkappid=LIMITED_APP), 0)
        self.assertEqual(self.code_of("create_room", create_body("b"), sdkappid=LIMITED_APP), 0)
        self.assertEqual(self.code_of("create_room", create_body("c"), sdkappid=LIMITED_APP), 60007)
        self.assertEqual(self.room_count(LIMITED_APP), 2)

    def test_network_faulted_create_creates_no_room(self):
        for network in ("reset", "close", "garbage", "truncated"):
            with self.subTest(network=network):
                room_id = "net-" + network
                self.assertEqual(self.emu.control("POST", "faults", {
                    "id": network, "match": {"command": "create_room"}, "action": {"network": network},
                    "times": 1})[0], 201)
                with send_raw(self.emu.port, request_bytes("create_room", create_body(room_id))) as sock:
                    data, end = read_outcome(sock, 5)
                self.assertIn(end, ("eof", "reset"))
                self.assertEqual(self.code_of("get_room_info", {"RoomId": room_id}), 100004)
                self.assertEqual(self.code_of("create_room", create_body(room_id)), 0)
        self.assertEqual(self.room_count(APP), 4)

    def test_header_faults_touch_no_state(self):
        self.assertEqual(self.post("create_room", create_body("h"), headers={"X-Emulator-Fault": "http_status=503"})[0],
                         503)
        self.assertEqual(self.post("create_room", create_body("h"), headers={"X-Emulator-Fault": "bogus=1"})[0], 400)
        self.assertEqual(self.code_of("create_room", create_body("h"),
                                      headers={"X-Emulator-Fault": "error_code=100001"}), 100001)
        self.assertEqual(self.room_count(APP), 0)
        self.assertEqual(self.code_of("create_room", create_body("h")), 0)


# --- 6. delays under concurrency, one I/O thread ------------------------------------------------------------------

class ConcurrentDelayTest(FaultTest):

    @classmethod
    def setUpClass(cls):
        cls.emu = seeded_emulator(7, threads=1)

    def test_delays_run_side_by_side_on_one_thread(self):
        count, delay = 100, 0.5
        self.add({"id": "slow", "match": {"sdkappid": APP}, "action": {"delay_ms": int(delay * 1000)}})
        payload = request_bytes("get_room_info", {"RoomId": "r"})
        started = time.monotonic()
        socks = {}
        for _ in range(count):
            sock = send_raw(self.emu.port, payload, timeout=10)
            socks[sock] = (time.monotonic(), b"")
        try:
            wait_for(lambda: self.counters("slow")[0] == count, what="all delayed requests to be read")
            # While they wait: another app's request (no rule) is answered at once.
            quick_started = time.monotonic()
            self.assertEqual(self.code_of("get_room_info", sdkappid=OTHER_APP), 100004)
            self.assertLess(time.monotonic() - quick_started, 0.4)
            # Collect every answer as it arrives; note when each began to arrive.
            pending = dict(socks)
            first_byte = {}
            while pending and time.monotonic() - started < 20:
                readable, _, _ = select.select(list(pending), [], [], 1.0)
                for sock in readable:
                    chunk = sock.recv(65536)
                    sent, data = pending[sock]
                    first_byte.setdefault(sock, time.monotonic() - sent)
                    data += chunk
                    if not chunk or (b"\r\n\r\n" in data and
                                     len(split_response(data)[2]) >= int(split_response(data)[1]["content-length"])):
                        del pending[sock]
                        socks[sock] = (sent, data)
                    else:
                        pending[sock] = (sent, data)
            total = time.monotonic() - started
        finally:
            for sock in socks:
                sock.close()
        self.assertEqual(pending, {})
        self.assertLess(total, 3.0)  # sequential would be 50 s
        for sock, (_, data) in socks.items():
            status, _, body = split_response(data)
            self.assertEqual((status, json.loads(body)["ErrorCode"]), (200, 100004))
            self.assertGreaterEqual(first_byte[sock], delay - 0.05)
        self.assertEqual(self.counters("slow"), (count, count))


# --- 7. the X-Emulator-Fault header ----------------------------------------------------------------------------------

class HeaderTest(FaultTest):

    def test_error_code(self):
        self.assertEnvelope(*self.post("create_room", headers={"X-Emulator-Fault": "error_code=100003"}),
                            code=100003, text=TEXT_100003)

    def test_http_status(self):
        self.assertGatewayPage(*self.post("get_room_info", headers={"X-Emulator-Fault": "http_status=503"}))

    def test_delay_alone(self):
        started = time.monotonic()
        status, _, data = self.post("create_room", create_body("hd"), headers={"X-Emulator-Fault": "delay_ms=400"})
        self.assertGreaterEqual(time.monotonic() - started, 0.35)
        self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 0))
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "hd"}), 0)  # the delayed create did create it

    def test_several_items_joined(self):
        started = time.monotonic()
        response = self.post("get_room_info", headers={"X-Emulator-Fault": "http_status=503;delay_ms=300"})
        self.assertGreaterEqual(time.monotonic() - started, 0.25)
        self.assertGatewayPage(*response)
        started = time.monotonic()
        response = self.post("get_room_info", headers={"X-Emulator-Fault": " delay_ms = 300 ; error_code=100001 "})
        self.assertGreaterEqual(time.monotonic() - started, 0.25)
        self.assertEnvelope(*response)

    def test_network_actions(self):
        for network, expected in (("reset", (b"", "reset")), ("close", (b"", "eof")), ("stall", (b"", "open"))):
            with self.subTest(network=network):
                payload = request_bytes("get_room_info", {"RoomId": "r"}, headers=[("X-Emulator-Fault",
                                                                                  "network=" + network)])
                with send_raw(self.emu.port, payload) as sock:
                    self.assertEqual(read_outcome(sock, 1.0 if network == "stall" else 5), expected)
        payload = request_bytes("get_room_info", {"RoomId": "r"}, headers=[("X-Emulator-Fault", "network=garbage")])
        with send_raw(self.emu.port, payload) as sock:
            data, end = read_outcome(sock, 5)
        self.assertEqual(end, "eof")
        self.assertFalse(data.startswith(b"HTTP/"))
        self.assertGreater(len(data), 0)
        payload = request_bytes("get_room_info", {"RoomId": "r"},
                                headers=[("X-Emulator-Fault", "network=truncated;delay_ms=200")])
        started = time.monotonic()
        with send_raw(self.emu.port, payload) as sock:
            data, end = read_outcome(sock, 5)
        self.assertGreaterEqual(time.monotonic() - started, 0.15)
        status, headers, body = split_response(data)
        self.assertEqual((end, status), ("eof", 200))
        self.assertEqual(len(body), int(headers["content-length"]) // 2)

    def test_header_name_is_case_insensitive(self):
        payload = request_bytes("get_room_info", {"RoomId": "r"}, headers=[("x-emulator-fault", "http_status=503"),
                                                                             ("Connection", "close")])
        with send_raw(self.emu.port, payload) as sock:
            data, _ = read_outcome(sock, 2)
        self.assertTrue(data.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), data)

    def test_applies_to_that_request_only(self):
        self.assertEqual(self.code_of("get_room_info", headers={"X-Emulator-Fault": "error_code=100001"}), 100001)
        self.assertEqual(self.code_of("get_room_info"), 100004)
        self.assertEqual(self.code_of("get_room_info", headers={"X-Emulator-Fault": "error_code=100001"}), 100001)
        self.assertEqual(self.code_of("get_room_info"), 100004)

    def test_header_wins_and_rules_are_not_consulted(self):
        self.add({"id": "rule", "action": {"error_code": 100001}})
        self.assertGatewayPage(*self.post("get_room_info", headers={"X-Emulator-Fault": "http_status=503"}))
        self.assertEqual(self.counters("rule"), (0, 0))
        self.assertEqual(self.code_of("get_room_info"), 100001)
        self.assertEqual(self.counters("rule"), (1, 1))

    def test_a_second_header_line_is_checked_too(self):
        # Two lines form one list: a bad second line is refused, never dropped; two good ones combine.
        def exchange(*lines):
            headers = tuple(("X-Emulator-Fault", line) for line in lines) + (("Connection", "close"),)
            sock = send_raw(self.emu.port, request_bytes("get_room_info", body_for("get_room_info"), headers=headers))
            try:
                data, _ = read_outcome(sock, 5.0)
            finally:
                sock.close()
            status, _, body = split_response(data)
            return status, json.loads(body)

        self.assertEqual(exchange("error_code=100003", "bogus=1"),
                         (400, {"error": "X-Emulator-Fault: unknown action 'bogus' (error_code, http_status, "
                                         "delay_ms, network, callback)"}))
        # In the order the lines came: the first bad one is the one named.
        self.assertEqual(exchange("bogus=1", "nope=2")[1]["error"][:42],
                         "X-Emulator-Fault: unknown action 'bogus' (")
        started = time.monotonic()
        status, answer = exchange("error_code=100003", "delay_ms=300")
        self.assertGreaterEqual(time.monotonic() - started, 0.28)
        self.assertEqual((status, answer["ErrorCode"]), (200, 100003))

    def test_a_status_without_a_standard_reason(self):
        status, headers, data = self.post("get_room_info", headers={"X-Emulator-Fault": "http_status=520"})
        self.assertEqual(status, 520)
        self.assertIn(b"<title>520 Error</title>", data)

    def test_only_on_the_emulated_api(self):
        status, headers, data = self.emu.request("GET", "/_emulator/health", headers={"X-Emulator-Fault": "bogus"})
        self.assertEqual((status, json.loads(data)["status"]), (200, "ok"))
        status, _, _ = self.emu.request("GET", "/_emulator/faults", headers={"X-Emulator-Fault": "http_status=503"})
        self.assertEqual(status, 200)

    def test_malformed_header_is_refused_with_400(self):
        cases = [
            ("bogus=1", "X-Emulator-Fault: unknown action 'bogus' (error_code, http_status, delay_ms, network, callback)"),
            ("error_code=1", "X-Emulator-Fault error_code: must be a code of the error table (e.g. 100001, 60007, "
                             "70001)"),
            ("error_code=0", "X-Emulator-Fault error_code: must be a code of the error table (e.g. 100001, 60007, "
                             "70001)"),
            ("delay_ms=abc", "X-Emulator-Fault delay_ms: must be a decimal integer, got 'abc'"),
            ("delay_ms=-5", "X-Emulator-Fault delay_ms: must be a decimal integer, got '-5'"),
            ("delay_ms=600001", "X-Emulator-Fault delay_ms: must be at most 600000"),
            ("http_status=600", "X-Emulator-Fault http_status: must be an HTTP status 200..599 other than 204, 205 and 304"),
            ("http_status=199", "X-Emulator-Fault http_status: must be an HTTP status 200..599 other than 204, 205 and 304"),
            ("network=foo", "X-Emulator-Fault network: must be reset, close, garbage, truncated or stall"),
            ("error_code=100001;http_status=503",
             "X-Emulator-Fault: error_code, http_status and network exclude each other"),
            ("network=close;error_code=100001",
             "X-Emulator-Fault: error_code, http_status and network exclude each other"),
            ("delay_ms=1;delay_ms=2", "X-Emulator-Fault delay_ms: is given twice"),
            ("delay_ms", "X-Emulator-Fault: 'delay_ms' is not name=value"),
            ("error_code=100001;", "X-Emulator-Fault: empty item (items are name=value joined by ;)"),
            ("delay_ms=0", "X-Emulator-Fault: needs one of error_code, http_status, network, delay_ms or callback"),
            ("http_status=204",
             "X-Emulator-Fault http_status: must be an HTTP status 200..599 other than 204, 205 and 304"),
        ]
        for header, problem in cases:
            with self.subTest(header=header):
                status, headers, data = self.post("get_room_info", headers={"X-Emulator-Fault": header})
                self.assertEqual((status, headers["content-type"]), (400, "application/json"), data)
                self.assertEqual(json.loads(data), {"error": problem})


class StrictHeaderTest(FaultTest):
    args = ("--strict",)

    def test_header_is_ignored(self):
        for header in ("error_code=100001", "http_status=503", "network=reset", "network=stall", "delay_ms=2000",
                       "bogus=1", "error_code=1;http_status=503"):
            with self.subTest(header=header):
                started = time.monotonic()
                status, headers, data = self.post("get_room_info", headers={"X-Emulator-Fault": header})
                self.assertLess(time.monotonic() - started, 1.5)
                self.assertEqual((status, headers["content-type"]), (200, "application/json"))
                answer = json.loads(data)
                self.assertEqual((answer["ErrorCode"], answer["ErrorInfo"]), (100004, TEXT_100004))
        self.assertEqual(self.code_of("create_room", headers={"X-Emulator-Fault": "error_code=100001"}), 0)

    def test_rules_still_apply(self):
        self.add({"id": "rule", "match": {"sdkappid": APP}, "action": {"error_code": 100001}, "times": 1})
        self.assertEqual(self.code_of("get_room_info", headers={"X-Emulator-Fault": "http_status=503"}), 100001)
        self.assertEqual(self.counters("rule"), (1, 1))


# --- 8. the control API -----------------------------------------------------------------------------------------------

class ControlApiTest(FaultTest):

    def test_get_shows_each_rule_with_counters(self):
        self.assertEqual(self.emu.control("GET", "faults"), (200, {"faults": []}))
        self.add({"id": "r1", "match": {"command": "create_room", "sdkappid": APP, "room_id": "o-*",
                                        "identifier": "admin"},
                  "action": {"error_code": 100001, "delay_ms": 20}, "times": 3, "after": 1, "probability": 1})
        self.add({"id": "r2", "match": {"sdkappid": OTHER_APP}, "action": {"network": "reset"}, "probability": 0.25})
        self.assertEqual(self.code_of("create_room", create_body("o-1")), 0)  # after=1
        self.assertEqual(self.code_of("create_room", create_body("o-1")), 100001)
        status, body = self.emu.control("GET", "faults")
        self.assertEqual(status, 200)
        self.assertEqual([list(rule) for rule in body["faults"]], [RULE_KEYS, RULE_KEYS])
        self.assertEqual(body["faults"], [
            {"id": "r1", "match": {"command": "create_room", "sdkappid": APP, "room_id": "o-*", "identifier": "admin"},
             "action": {"error_code": 100001, "delay_ms": 20}, "times": 3, "after": 1, "probability": 1.0,
             "hits": 2, "fired": 1, "source": "api"},
            {"id": "r2", "match": {"sdkappid": OTHER_APP}, "action": {"network": "reset"}, "times": None, "after": 0,
             "probability": 0.25, "hits": 0, "fired": 0, "source": "api"}])

    def test_post_one_rule_an_array_or_faults_object(self):
        status, body = self.emu.control("POST", "faults", {"id": "one", "action": {"http_status": 503}})
        self.assertEqual(status, 201)
        self.assertEqual(body["added"], ["one"])
        self.assertEqual([rule["id"] for rule in body["faults"]], ["one"])
        status, body = self.emu.control("POST", "faults", [{"id": "two", "action": {"delay_ms": 5}},
                                                           {"id": "three", "action": {"delay_ms": 6}}])
        self.assertEqual((status, body["added"]), (201, ["two", "three"]))
        status, body = self.emu.control("POST", "faults", {"faults": [{"id": "four", "action": {"delay_ms": 7}}]})
        self.assertEqual((status, body["added"]), (201, ["four"]))
        self.assertEqual([rule["id"] for rule in body["faults"]], ["one", "two", "three", "four"])
        self.assertEqual(self.emu.control("POST", "faults", [])[0], 201)
        self.assertEqual(list(self.rules_by_id()), ["one", "two", "three", "four"])

    def test_auto_ids(self):
        before = self.add({"action": {"delay_ms": 1}})[0]
        match = re.match(r"^fault-(\d+)$", before)
        self.assertIsNotNone(match, before)
        n = int(match.group(1))
        self.add({"id": "fault-%d" % (n + 1), "action": {"delay_ms": 1}})  # taken by hand: skipped
        self.assertEqual(self.add([{"action": {"delay_ms": 1}}, {"id": "mine", "action": {"delay_ms": 1}},
                                   {"action": {"delay_ms": 1}}]),
                         ["fault-%d" % (n + 2), "mine", "fault-%d" % (n + 3)])

    def test_auto_ids_start_again_after_a_full_reset(self):
        # So an unnamed probability rule draws the same stream whatever ran before the reset.
        self.add({"action": {"delay_ms": 1}})
        self.assertEqual(self.emu.control("POST", "reset")[0], 200)
        self.assertEqual(self.add({"action": {"delay_ms": 1}}), ["fault-1"])

    def test_auto_ids_start_at_fault_1(self):
        emu = seeded_emulator(7)
        try:
            self.assertEqual(self.add({"action": {"delay_ms": 1}}, emu), ["fault-1"])
            self.assertEqual(self.add({"id": "fault-3", "action": {"delay_ms": 1}}, emu), ["fault-3"])
            self.assertEqual(self.add({"faults": [{"action": {"delay_ms": 1}}, {"action": {"delay_ms": 1}}]}, emu),
                             ["fault-2", "fault-4"])
        finally:
            self.assertEqual(emu.stop(), 0)

    def test_duplicate_id_is_409_and_adds_nothing(self):
        self.add({"id": "dup", "action": {"delay_ms": 1}})
        status, body = self.emu.control("POST", "faults", [{"id": "new", "action": {"delay_ms": 1}},
                                                           {"id": "dup", "action": {"delay_ms": 1}}])
        self.assertEqual((status, body), (409, {"error": 'a fault rule with id "dup" already exists (or is faults.json\'s)'}))
        self.assertEqual(list(self.rules_by_id()), ["dup"])
        status, body = self.emu.control("POST", "faults", [{"id": "x", "action": {"delay_ms": 1}},
                                                           {"id": "x", "action": {"delay_ms": 1}}])
        self.assertEqual((status, body), (400, {"error": "[1].id: is used twice"}))

    def test_bad_rules_are_400_naming_the_field(self):
        cases = [
            ({"match": {"command": "nope"}, "action": {"delay_ms": 1}}, "$.match.command: unknown command nope"),
            ({"action": {"bogus": 1}}, "$.action.bogus: unknown action (error_code, http_status, delay_ms, network, callback)"),
            ({"action": {"error_code": 1}},
             "$.action.error_code: must be a code of the error table (e.g. 100001, 60007, 70001)"),
            ({"action": {"error_code": 100001}, "probability": 2}, "$.probability: must be a number from 0 to 1"),
            ({"action": {"error_code": 100001}, "probability": -0.1}, "$.probability: must be a number from 0 to 1"),
            ({"action": {"error_code": 100001}, "times": 0},
             "$.times: must be at least 1 (leave it out for no limit)"),
            ({"action": {}}, "$.action: needs one of error_code, http_status, network, delay_ms or callback"),
            ({"match": {}}, "$.action: is required"),
            ({"action": {"http_status": 600}}, "$.action.http_status: must be an HTTP status 200..599 other than 204, 205 and 304"),
            ({"action": {"http_status": 304}}, "$.action.http_status: must be an HTTP status 200..599 other than 204, 205 and 304"),
            ({"action": {"network": "explode"}},
             "$.action.network: must be reset, close, garbage, truncated or stall"),
            ({"action": {"delay_ms": 600001}}, "$.action.delay_ms: must be at most 600000"),
            ({"action": {"error_code": 100001, "network": "close"}},
             "$.action: error_code, http_status and network exclude each other"),
            ({"match": {"room": "x"}, "action": {"delay_ms": 1}},
             "$.match.room: unknown match field (command, sdkappid, room_id, identifier)"),
            ({"action": {"delay_ms": 1}, "when": 1},
             "$.when: unknown field (id, match, action, times, after, probability)"),
            ({"id": "has space", "action": {"delay_ms": 1}},
             "$.id: must be 1..64 characters of A-Z a-z 0-9 - _ . :"),
            ({"action": {"delay_ms": 1}, "after": -1}, "$.after: must be a non-negative integer"),
            ({"faults": [{"action": {"delay_ms": 1}}, {"action": {}}]},
             "faults[1].action: needs one of error_code, http_status, network, delay_ms or callback"),
            ([{"action": {"delay_ms": 1}}, {"action": {"error_code": 5}}],
             "[1].action.error_code: must be a code of the error table (e.g. 100001, 60007, 70001)"),
        ]
        for rule, problem in cases:
            with self.subTest(rule=rule):
                self.assertEqual(self.emu.control("POST", "faults", rule), (400, {"error": problem}))
        status, _, data = self.emu.request("POST", "/_emulator/faults", b"not json")
        self.assertEqual((status, json.loads(data)),
                         (400, {"error": 'the body must be a fault rule, an array of them or {"faults":[...]}'}))
        self.assertEqual(self.emu.control("GET", "faults"), (200, {"faults": []}))  # all or nothing

    def test_delete_one_rule(self):
        self.add([{"id": "keep", "match": {"sdkappid": OTHER_APP}, "action": {"delay_ms": 1}},
                  {"id": "gone", "match": {"sdkappid": APP}, "action": {"error_code": 100001}}])
        self.assertEqual(self.code_of("get_room_info"), 100001)
        self.assertEqual(self.emu.control("DELETE", "faults/gone"), (200, {"deleted": "gone"}))
        self.assertEqual(self.emu.control("DELETE", "faults/gone"), (404, {"error": "no fault rule with that id"}))
        self.assertEqual(list(self.rules_by_id()), ["keep"])
        self.assertEqual(self.code_of("get_room_info"), 100004)

    def test_delete_rules_of_one_app(self):
        self.add([{"id": "a1", "match": {"sdkappid": APP}, "action": {"delay_ms": 1}},
                  {"id": "b1", "match": {"sdkappid": OTHER_APP}, "action": {"delay_ms": 1}},
                  {"id": "all", "action": {"delay_ms": 1}},
                  {"id": "a2", "match": {"sdkappid": APP, "command": "create_room"}, "action": {"delay_ms": 1}}])
        status, body = self.emu.control("DELETE", "faults?sdkappid=%d" % APP)
        self.assertEqual(status, 200)
        self.assertEqual([rule["id"] for rule in body["faults"]], ["b1", "all"])
        self.assertEqual(self.emu.control("DELETE", "faults?sdkappid=x"),
                         (400, {"error": "sdkappid must be a decimal integer"}))
        self.assertEqual(self.emu.control("DELETE", "faults"), (200, {"faults": []}))

    def test_methods(self):
        self.assertEqual(self.emu.control("PUT", "faults", {"action": {"delay_ms": 1}}),
                         (405, {"error": "use GET, POST or DELETE"}))
        self.add({"id": "x", "action": {"delay_ms": 1}})
        self.assertEqual(self.emu.control("GET", "faults/x"), (405, {"error": "use DELETE on one rule"}))


# --- 9 and 10. faults.json, reload and reset ----------------------------------------------------------------------

APP_A = 3100000201
APP_B = 3100000202
FAULTS_FILE = """// Fault rules in force from the start (test_faults.py); comments are allowed.
{
  "faults": [
    /* app A: its first create_room fails */
    {"match": {"sdkappid": %d, "command": "create_room"}, "action": {"error_code": 100001}, "times": 1},
    {"id": "b-gateway", "match": {"sdkappid": %d, "command": "create_room"},
     "action": {"http_status": 503}, "times": 1},
    // every app: identifier "everyone" is refused
    {"match": {"identifier": "everyone"}, "action": {"error_code": 60010}},
  ]
}
""" % (APP_A, APP_B)
FILE_RULES = [
    {"id": "file-1", "match": {"command": "create_room", "sdkappid": APP_A}, "action": {"error_code": 100001},
     "times": 1, "after": 0, "probability": 1.0, "hits": 0, "fired": 0, "source": "file"},
    {"id": "b-gateway", "match": {"command": "create_room", "sdkappid": APP_B}, "action": {"http_status": 503},
     "times": 1, "after": 0, "probability": 1.0, "hits": 0, "fired": 0, "source": "file"},
    {"id": "file-3", "match": {"identifier": "everyone"}, "action": {"error_code": 60010},
     "times": None, "after": 0, "probability": 1.0, "hits": 0, "fired": 0, "source": "file"},
]


def write_faults(directory, text):
    with open(os.path.join(directory, "faults.json"), "w", encoding="utf-8") as f:
        f.write(text)


class FaultsFileTest(FaultTest):
    """One emulator started on a rules directory with a faults.json."""

    @classmethod
    def setUpClass(cls):
        cls.rules_dir = tempfile.mkdtemp(prefix="lee-faults-")
        with open(os.path.join(TEST_RULES, "apps.json"), encoding="utf-8") as f:
            write_rules(cls.rules_dir, apps=f.read())
        write_faults(cls.rules_dir, FAULTS_FILE)
        cls.rules = cls.rules_dir
        cls.emu = Emulator(rules=cls.rules_dir)

    @classmethod
    def tearDownClass(cls):
        code = cls.emu.stop()
        shutil.rmtree(cls.rules_dir, ignore_errors=True)
        if code != 0:
            raise AssertionError("emulator exited with %s; stderr:\n%s" % (code, cls.emu.stderr()))

    def faults(self):
        status, body = self.emu.control("GET", "faults")
        self.assertEqual(status, 200)
        return body["faults"]

    def fire_file_rules(self):
        """Makes each file rule fire once, and A's and B's rooms exist; returns nothing."""
        self.assertEqual(self.code_of("create_room", create_body("a-room"), sdkappid=APP_A), 100001)
        self.assertEqual(self.code_of("create_room", create_body("a-room"), sdkappid=APP_A), 0)
        self.assertGatewayPage(*self.post("create_room", create_body("b-room"), sdkappid=APP_B))
        self.assertEqual(self.code_of("create_room", create_body("b-room"), sdkappid=APP_B), 0)
        self.assertEqual(self.code_of("get_room_info", sdkappid=APP_B, identifier="everyone"), 60010)

    def test_rules_loaded_at_start(self):
        self.assertEqual(self.faults(), FILE_RULES)
        self.fire_file_rules()
        counters = [(rule["id"], rule["hits"], rule["fired"]) for rule in self.faults()]
        self.assertEqual(counters, [("file-1", 2, 1), ("b-gateway", 2, 1), ("file-3", 1, 1)])

    def test_file_rules_come_before_run_time_rules(self):
        self.add({"id": "later", "match": {"sdkappid": APP_A}, "action": {"error_code": 100003}})
        self.assertEqual(self.code_of("create_room", sdkappid=APP_A), 100001)  # file-1 (times 1)
        self.assertEqual(self.code_of("create_room", sdkappid=APP_A), 100003)
        self.assertEqual([rule["id"] for rule in self.faults()], ["file-1", "b-gateway", "file-3", "later"])

    def test_reset_brings_file_rules_back_and_drops_run_time_ones(self):
        self.fire_file_rules()
        self.add([{"id": "rt-a", "match": {"sdkappid": APP_A}, "action": {"delay_ms": 1}},
                  {"id": "rt-all", "action": {"delay_ms": 1}}])
        self.assertEqual(self.emu.control("DELETE", "faults/file-3"), (200, {"deleted": "file-3"}))
        self.assertEqual(self.emu.control("POST", "reset"), (200, {"reset": True, "sdkappid": None}))
        self.assertEqual(self.faults(), FILE_RULES)
        self.assertEqual(self.room_count(APP_A), 0)
        self.assertEqual(self.code_of("create_room", create_body("a-room"), sdkappid=APP_A), 100001)  # fires again

    def test_reset_of_one_app(self):
        self.fire_file_rules()
        self.add([{"id": "rt-a", "match": {"sdkappid": APP_A}, "action": {"error_code": 100003}, "after": 100},
                  {"id": "rt-b", "match": {"sdkappid": APP_B}, "action": {"error_code": 100003}, "after": 100},
                  {"id": "rt-all", "match": {"command": "destroy_room"}, "action": {"error_code": 100003}}])
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "a-room"}, sdkappid=APP_A), 0)  # rt-a: hit 1
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "b-room"}, sdkappid=APP_B), 0)  # rt-b: hit 1
        self.assertEqual(self.code_of("destroy_room", {"RoomId": "zzz"}, sdkappid=APP_B), 100003)  # rt-all
        self.assertEqual(self.emu.control("POST", "reset?sdkappid=%d" % APP_A),
                         (200, {"reset": True, "sdkappid": APP_A}))
        counters = [(rule["id"], rule["source"], rule["hits"], rule["fired"]) for rule in self.faults()]
        self.assertEqual(counters, [("file-1", "file", 0, 0), ("b-gateway", "file", 2, 1), ("file-3", "file", 1, 1),
                                    ("rt-b", "api", 2, 0), ("rt-all", "api", 1, 1)])
        # A's rooms are gone and its file rule fires again; B's room and exhausted rule are as they were.
        self.assertEqual(self.room_count(APP_A), 0)
        self.assertEqual(self.room_count(APP_B), 1)
        self.assertEqual(self.code_of("get_room_info", {"RoomId": "b-room"}, sdkappid=APP_B), 0)
        self.assertEqual(self.code_of("create_room", create_body("a-room"), sdkappid=APP_A), 100001)
        self.assertEqual(self.code_of("create_room", create_body("b-room2"), sdkappid=APP_B), 0)

    def test_a_file_rule_id_stays_reserved_while_deleted(self):
        # Otherwise a reset would bring the file rule back beside a run-time rule of the same id.
        self.assertEqual(self.emu.control("DELETE", "faults/file-1"), (200, {"deleted": "file-1"}))
        status, body = self.emu.control("POST", "faults", {"id": "file-1", "match": {"sdkappid": APP_B},
                                                           "action": {"http_status": 503}})
        self.assertEqual((status, body), (409, {"error": 'a fault rule with id "file-1" already exists (or is '
                                                         'faults.json\'s)'}))
        self.assertEqual(self.emu.control("POST", "reset?sdkappid=%d" % APP_A)[0], 200)
        ids = [rule["id"] for rule in self.faults()]
        self.assertEqual(ids, ["file-1", "b-gateway", "file-3"])

    def test_reload_with_a_broken_file_keeps_the_running_rules(self):
        path = os.path.join(self.rules_dir, "faults.json")
        self.add({"id": "rt", "match": {"sdkappid": APP}, "action": {"error_code": 100001}})
        self.fire_file_rules()
        before = self.faults()
        broken = ('{"faults": [\n  {"action": {"delay_ms": 1}},\n  {"action": {"error_code": 12345}}\n]}\n',
                  3, "faults[1].action.error_code: must be a code of the error table (e.g. 100001, 60007, 70001)")
        syntax = ('{"faults": [\n  {"action": {"delay_ms": 1}},\n  {"action": {"delay_ms": 1}\n', 4,
                  "invalid JSON: incomplete JSON")
        try:
            for text, line, problem in (broken, syntax):
                with self.subTest(line=line):
                    write_faults(self.rules_dir, text)
                    self.assertEqual(self.emu.control("POST", "reload"),
                                     (400, {"error": "%s:%d: %s" % (path, line, problem), "file": path, "line": line}))
                    self.assertEqual(self.faults(), before)
            self.assertEqual(self.code_of("get_room_info"), 100001)  # the run-time rule still fires
            self.assertEqual(self.code_of("get_room_info", sdkappid=APP_A, identifier="everyone"), 60010)
        finally:
            write_faults(self.rules_dir, FAULTS_FILE)

    def test_reload_replaces_the_rules(self):
        self.add({"id": "rt", "action": {"delay_ms": 1}})
        try:
            write_faults(self.rules_dir, '[{"id": "only", "match": {"sdkappid": %d}, "action": {"http_status": 502}}]'
                         % APP)
            self.assertEqual(self.emu.control("POST", "reload"), (200, {"reloaded": True}))
            self.assertEqual([(rule["id"], rule["source"]) for rule in self.faults()], [("only", "file")])
            self.assertEqual(self.post("get_room_info")[0], 502)
        finally:
            write_faults(self.rules_dir, FAULTS_FILE)
            self.assertEqual(self.emu.control("POST", "reload"), (200, {"reloaded": True}))
        self.assertEqual(self.faults(), FILE_RULES)

    def test_get_output_can_be_saved_as_faults_json(self):
        self.add({"id": "saved", "match": {"room_id": "s-*"}, "action": {"network": "truncated", "delay_ms": 5},
                  "after": 2, "probability": 0.5})
        self.fire_file_rules()
        status, _, listing = self.emu.request("GET", "/_emulator/faults")
        self.assertEqual(status, 200)
        directory = tempfile.mkdtemp(prefix="lee-faults-saved-")
        try:
            write_faults(directory, listing.decode())
            emu = Emulator(rules=directory)
            try:
                expected = [dict(rule, hits=0, fired=0, source="file") for rule in json.loads(listing)["faults"]]
                self.assertEqual(self.emu.control("GET", "faults")[1]["faults"][3]["id"], "saved")
                self.assertEqual(emu.control("GET", "faults"), (200, {"faults": expected}))
            finally:
                self.assertEqual(emu.stop(), 0)
        finally:
            shutil.rmtree(directory, ignore_errors=True)


class FaultsFileStartTest(unittest.TestCase):
    """A bad faults.json stops the start: exit 2, a message naming the file and the line, nothing bound."""

    def start(self, text):
        directory = tempfile.mkdtemp(prefix="lee-faults-bad-")
        self.addCleanup(shutil.rmtree, directory, True)
        write_faults(directory, text)
        proc = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--rules", directory, "--log-level", "warn"],
                              capture_output=True, timeout=10, env=clean_env())
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode(), os.path.join(directory, "faults.json")

    def test_bad_files_exit_2_naming_file_and_line(self):
        cases = [
            ('// comment\n{"faults": [\n  {"action": {"error_code": 100001}},\n  {"action": {"network": "x"}}\n]}\n',
             4, "faults[1].action.network: must be reset, close, garbage, truncated or stall"),
            ('{"faults": [\n  {"action": {"delay_ms": 1}},\n  {"action": {"delay_ms": 1}\n', 4,
             "invalid JSON: incomplete JSON"),
            ('{"faults": [\n  {"action": {"delay_ms": 1}},\n  {"id": "file-1", "action": {"delay_ms": 1}}\n]}\n', 2,
             "faults[0]: is named file-1 by its place, an id another rule uses"),
            ('{"faults": [\n  {"action": {"delay_ms": 1},\n   "times": 0}\n]}\n', 3,
             "faults[0].times: must be at least 1 (leave it out for no limit)"),
            ('{\n  "faults": [],\n  "rules": []\n}\n', 3,
             'rules: unknown setting (the file holds {"faults":[...]})'),
        ]
        for text, line, problem in cases:
            with self.subTest(line=line, problem=problem):
                code, out, err, path = self.start(text)
                self.assertEqual((code, out), (2, ""))
                self.assertEqual(err, "live-engine-emulator: bad rules: %s:%d: %s\n" % (path, line, problem))


if __name__ == "__main__":
    unittest.main()
