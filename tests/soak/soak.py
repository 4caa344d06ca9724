#!/usr/bin/env python3
"""Soak: the real binary on port 0 under mixed traffic from several connections for a fixed time, every answer
checked against what the README says it must be, and the process's memory compared before and after.

Traffic: every command's success path and every error path of the order of checks (60008 ... 100026, the 700xx
UserSig codes), the transport's refusals (400, 404, 413, 431, CONNECT 403), X-Emulator-Fault headers (error codes,
HTTP statuses, delays, every network fault), fault rules from faults.json (probabilistic) and from the control API,
and a control connection that keeps changing things (reset of one app, clock moves, PUT of app settings and
sensitive words, reload, fault rules, journal and metrics reads). Each worker keeps its own rooms, so the answers
it expects are exact; the worker on the app the control connection changes accepts what those changes allow.

Pass: zero unexpected answers, the process alive to the end and exiting 0 on SIGTERM (under ASan that includes its
leak check), and VmRSS at the end within --rss-margin percent of VmRSS after the warm-up (the journal full, every
path taken at least once). Stdlib only; loopback only; every loop is bounded by the deadline.

Usage: tests/soak/soak.py --binary build/live-engine-emulator [--seconds 60] [--connections 6] [--rss-margin 10]
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402  (the e2e harness starts and stops the binary)

SERVICE = "/v4/live_engine_http_srv/"
ENVELOPE = ["ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"]
KEY = "soak-secret-key"
# Apps of the soak's rules directory (unknown apps are refused: 60006).
WORKER_APP = 3300000100  # + worker index: unlimited rates, no create interval, rooms of that worker alone
SIGNED_APP = 3300000001
UNPAID_APP = 3300000002
DISABLED_APP = 3300000003
ADMINS_APP = 3300000004
CHAT_APP = 3300000005
INTERVAL_APP = 3300000006
LIMITED_APP = 3300000007
FLAKY_APP = 3300000008  # faults.json: create_room fails with 100001 on a third of the requests
CHAOS_APP = 3300000009  # the control connection resets it, replaces its settings and adds fault rules for it
UNKNOWN_APP = 3300009999
JOURNAL_ENTRIES = 2000


def rules_files(workers):
    unlimited = {"create_room": 0, "destroy_room": 0, "get_room_info": 0, "update_room_info": 0, "get_room_list": 0}
    apps = [{"sdkappid": WORKER_APP + i, "rate_limits": unlimited, "room_create_interval_ms": 0}
            for i in range(workers)]
    apps += [
        {"sdkappid": SIGNED_APP, "secret_key": KEY, "rate_limits": unlimited},
        {"sdkappid": UNPAID_APP, "paid": False, "rate_limits": unlimited},
        {"sdkappid": DISABLED_APP, "disabled": True},
        {"sdkappid": ADMINS_APP, "admins": ["boss"], "rate_limits": unlimited},
        {"sdkappid": CHAT_APP, "chat_group_ids": ["@TGS#soak"], "rate_limits": unlimited},
        {"sdkappid": INTERVAL_APP, "room_create_interval_ms": 2000, "rate_limits": unlimited},
        {"sdkappid": LIMITED_APP, "rate_limits": {"get_room_info": 1}},
        {"sdkappid": FLAKY_APP, "rate_limits": unlimited, "room_create_interval_ms": 0},
        {"sdkappid": CHAOS_APP, "room_create_interval_ms": 0},
    ]
    faults = {"faults": [{"id": "flaky", "match": {"sdkappid": FLAKY_APP, "command": "create_room"},
                          "action": {"error_code": 100001}, "probability": 0.33}]}
    return {"apps.json": {"unknown_apps": "reject", "apps": apps}, "faults.json": faults,
            "sensitive_words.txt": "gambling\n赌博\n"}


def usersig(identifier, sdkappid, now, expire, key=KEY):
    content = "TLS.identifier:%s\nTLS.sdkappid:%d\nTLS.time:%d\nTLS.expire:%d\n" % (identifier, sdkappid, now, expire)
    sig = base64.b64encode(hmac.new(key.encode(), content.encode(), hashlib.sha256).digest()).decode()
    doc = json.dumps({"TLS.ver": "2.0", "TLS.identifier": identifier, "TLS.sdkappid": sdkappid, "TLS.time": now,
                      "TLS.expire": expire, "TLS.sig": sig})
    return base64.b64encode(zlib.compress(doc.encode())).decode().translate(str.maketrans("+/=", "*-_"))


def query(sdkappid, identifier="admin", sig="x", **extra):
    params = {"sdkappid": sdkappid, "identifier": identifier, "usersig": sig, "random": 7, "contenttype": "json"}
    params.update(extra)
    return urllib.parse.urlencode([(k, v) for k, v in params.items() if v is not None], safe="*")


def create_body(room_id, **fields):
    info = {"RoomId": room_id, "RoomType": "Live", "SeatTemplate": "VideoDynamicGrid9Seats"}
    info.update(fields)
    return {"RoomInfo": info}


class Unexpected(Exception):
    pass


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = 0
        self.by_kind = {}
        self.unexpected = []
        self.seen_codes = set()

    def seen(self, what):
        with self.lock:
            self.seen_codes.add(what)

    def count(self, kind):
        with self.lock:
            self.answers += 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

    def fail(self, what):
        with self.lock:
            self.unexpected.append(what)


class Client:
    """One keep-alive connection that checks every answer it gets."""

    def __init__(self, port, stats, name):
        self.port, self.stats, self.name = port, stats, name
        self.conn = None

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def exchange(self, method, target, body=None, headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.conn.request(method, target, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
        except Exception:
            self.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response.getheader("Content-Type"), data

    def expect(self, kind, method, target, body=None, headers=None, status=200, codes=None, check=None):
        """Sends one request; the answer must have `status` and, for JSON, an ErrorCode in `codes`."""
        try:
            got_status, content_type, data = self.exchange(method, target, body, headers)
        except Exception as error:
            self.stats.fail((self.name, kind, "no answer: %r" % error))
            return None
        answer = None
        problem = None
        if got_status != status:
            problem = "status %d, expected %d" % (got_status, status)
        elif content_type == "application/json" and method != "HEAD":
            try:
                answer = json.loads(data.decode("utf-8"))
            except ValueError as error:
                problem = "not UTF-8 JSON: %s" % error
        if problem is None and codes is not None:
            if not isinstance(answer, dict) or list(answer)[:4] != ENVELOPE:
                problem = "no envelope"
            elif answer["ErrorCode"] not in codes:
                problem = "ErrorCode %s, expected one of %s" % (answer["ErrorCode"], sorted(codes))
        if problem is None and check is not None:
            problem = check(got_status, content_type, data, answer)
        if problem is not None:
            self.stats.fail((self.name, kind, problem, data[:300]))
        else:
            self.stats.count(kind)
        return answer

    def api(self, kind, command, body, sdkappid, codes, identifier="admin", sig="x", headers=None, **extra):
        return self.expect(kind, "POST", SERVICE + command + "?" + query(sdkappid, identifier, sig, **extra), body,
                           headers, codes=codes)

    def raw(self, kind, payload, expect):
        """A request on a connection of its own; `expect(data, end)` judges what came back before the close."""
        data, end = b"", "eof"
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
                sock.sendall(payload)
                sock.settimeout(0.5 if b"network=stall" in payload else 10)
                chunks = []
                while True:
                    try:
                        chunk = sock.recv(65536)
                    except socket.timeout:
                        end = "open"
                        break
                    except ConnectionResetError:
                        end = "reset"
                        break
                    if not chunk:
                        break
                    chunks.append(chunk)
                data = b"".join(chunks)
        except OSError as error:
            self.stats.fail((self.name, kind, "socket: %r" % error))
            return
        problem = expect(data, end)
        if problem:
            self.stats.fail((self.name, kind, problem, data[:300]))
        else:
            self.stats.count(kind)


def raw_request(command, sdkappid, body, headers=()):
    body = json.dumps(body).encode()
    lines = ["POST %s%s?%s HTTP/1.1" % (SERVICE, command, query(sdkappid)), "Host: 127.0.0.1",
             "Content-Length: %d" % len(body)] + ["%s: %s" % h for h in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def status_is(code):
    return lambda data, end: None if data.startswith(b"HTTP/1.1 %d " % code) else "expected HTTP %d" % code


def worker(index, port, stats, deadline, now_s):
    """The fixed-semantics traffic of one connection; every expectation is exact."""
    client = Client(port, stats, "worker-%d" % index)
    app = WORKER_APP + index
    rng = random.Random(index)
    good_sig = usersig("admin", SIGNED_APP, now_s - 3600, 10 * 365 * 86400)
    n = 0
    try:
        while time.monotonic() < deadline:
            n += 1
            room = "w%d-%d" % (index, n % 64)  # a bounded pool: memory must stay flat
            # The life of a room: every command's success path, then its state errors.
            client.api("create", "create_room", create_body(room, RoomName="Room %d" % n, Category=[1, "music"]),
                       app, {0})
            client.api("create_again", "create_room", create_body(room), app, {100010})
            client.api("create_other_owner", "create_room", create_body(room), app, {100003}, identifier="other")
            client.api("get", "get_room_info", {"RoomId": room}, app, {0})
            client.api("update", "update_room_info", {"RoomInfo": {"RoomId": room, "RoomName": "renamed",
                                                                   "TakeSeatMode": "ApplyToTake"}}, app, {0})
            client.api("list", "get_room_list", {"Next": "", "Count": 20}, app, {0})
            client.api("update_sensitive", "update_room_info", {"RoomInfo": {"RoomId": room, "RoomName": "赌博"}},
                       app, {100026})
            client.api("destroy", "destroy_room", {"RoomId": room}, app, {0})
            client.api("get_destroyed", "get_room_info", {"RoomId": room}, app, {100004})
            client.api("destroy_destroyed", "destroy_room", {"RoomId": room}, app, {100004})
            # The order of checks, one error path after another.
            step = n % 12
            if step == 0:
                client.expect("60008", "GET", SERVICE + "create_room?" + query(app), codes={60008})
                client.api("60009", "drop_table", {}, app, {60009})
                client.expect("60012", "POST", SERVICE + "get_room_info?identifier=a&usersig=x&contenttype=json",
                              {"RoomId": "r"}, codes={60012})
                client.api("60002", "get_room_info", {"RoomId": "r"}, "12ab", {60002})
                client.api("60004", "get_room_info", {"RoomId": "r"}, app, {60004}, identifier=None)
                client.api("60006", "get_room_info", {"RoomId": "r"}, UNKNOWN_APP, {60006})
            elif step == 1:
                client.api("60016", "get_room_info", {"RoomId": "r"}, DISABLED_APP, {60016})
                client.api("60010", "get_room_info", {"RoomId": "r"}, ADMINS_APP, {60010}, identifier="worker")
                client.api("admin_ok", "get_room_info", {"RoomId": "r"}, ADMINS_APP, {100004}, identifier="boss")
                client.api("60003", "create_room", "{not json", app, {60003})
                client.api("60015", "create_room", create_body("x", Owner_Account=5), app, {60015})
            elif step == 2:
                client.api("100002", "create_room", create_body("x" * 49), app, {100002})
                client.api("100002_type", "create_room", create_body("x", RoomType="Vod"), app, {100002})
                client.api("100026", "create_room", create_body("gambling-%d" % n), app, {100026})
                client.api("100007", "create_room", create_body("x"), UNPAID_APP, {100007})
                client.api("100011", "create_room", create_body("@TGS#soak"), CHAT_APP, {100011})
            elif step == 3:
                client.api("signed_ok", "get_room_info", {"RoomId": "r"}, SIGNED_APP, {100004}, sig=good_sig)
                client.api("70002", "get_room_info", {"RoomId": "r"}, SIGNED_APP, {70002}, sig="")
                client.api("70003", "get_room_info", {"RoomId": "r"}, SIGNED_APP, {70003}, sig="garbage!")
                client.api("70013", "get_room_info", {"RoomId": "r"}, SIGNED_APP, {70013}, sig=good_sig,
                           identifier="someone")
                client.api("70014", "get_room_info", {"RoomId": "r"}, SIGNED_APP, {70014},
                           sig=usersig("admin", SIGNED_APP + 1, now_s - 3600, 86400 * 3650))
                client.api("70009", "get_room_info", {"RoomId": "r"}, SIGNED_APP, {70009},
                           sig=usersig("admin", SIGNED_APP, now_s - 3600, 86400 * 3650, key="wrong"))
                client.api("70001", "get_room_info", {"RoomId": "r"}, SIGNED_APP, {70001},
                           sig=usersig("admin", SIGNED_APP, 1000, 10))
            elif step == 4:
                interval_room = "iv%d-%d" % (index, n % 16)
                first = client.api("interval_first", "create_room", create_body(interval_room), INTERVAL_APP,
                                   {0, 100010, 100012})
                if first is not None:
                    if first["ErrorCode"] == 0:
                        client.api("100012", "create_room", create_body(interval_room), INTERVAL_APP,
                                   {100012, 100010})
                    # The room is there unless the create was refused within the interval.
                    exists = first["ErrorCode"] in (0, 100010)
                    client.api("interval_destroy", "destroy_room", {"RoomId": interval_room}, INTERVAL_APP,
                               {0} if exists else {100004})
                # Limit 1/s, shared by every worker and the window may turn between two calls: each answer is either,
                # and the run as a whole must have seen 60007.
                for _ in range(3):
                    limited = client.api("60007", "get_room_info", {"RoomId": "r"}, LIMITED_APP, {100004, 60007})
                    if limited is not None and limited["ErrorCode"] == 60007:
                        stats.seen("60007")
            elif step == 5:
                flaky_room = "fl%d-%d" % (index, n % 16)
                made = client.api("faults_json", "create_room", create_body(flaky_room), FLAKY_APP, {0, 100001})
                if made is not None and made["ErrorCode"] == 0:
                    client.api("flaky_destroy", "destroy_room", {"RoomId": flaky_room}, FLAKY_APP, {0})
                client.api("header_error", "get_room_info", {"RoomId": "r"}, app, {100001},
                           headers={"X-Emulator-Fault": "error_code=100001"})
                client.expect("header_status", "POST", SERVICE + "get_room_info?" + query(app), {"RoomId": "r"},
                              {"X-Emulator-Fault": "http_status=503"}, status=503)
                client.expect("header_bad", "POST", SERVICE + "get_room_info?" + query(app), {"RoomId": "r"},
                              {"X-Emulator-Fault": "bogus=1"}, status=400)
                started = time.monotonic()
                client.api("header_delay", "get_room_info", {"RoomId": "r"}, app, {100004},
                           headers={"X-Emulator-Fault": "delay_ms=20"})
                if time.monotonic() - started < 0.018:
                    stats.fail((client.name, "header_delay", "answered before its delay"))
            elif step == 6:
                network = ["reset", "close", "garbage", "truncated", "stall"][(n // 12) % 5]
                payload = raw_request("get_room_info", app, {"RoomId": "r"},
                                      [("X-Emulator-Fault", "network=" + network)])
                expected = {"reset": lambda d, e: None if (d, e) in ((b"", "reset"), (b"", "eof")) else "no reset",
                            "close": lambda d, e: None if (d, e) == (b"", "eof") else "no close",
                            "garbage": lambda d, e: None if d and not d.startswith(b"HTTP/") else "no garbage",
                            "truncated": lambda d, e: None if d.startswith(b"HTTP/1.1 200 ") and e == "eof" else
                            "not truncated",
                            "stall": lambda d, e: None if (d, e) == (b"", "open") else "no stall"}[network]
                client.raw("network_" + network, payload, expected)
            elif step == 7:
                client.raw("413", ("POST %sget_room_info?%s HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n"
                                   % (SERVICE, query(app))).encode(), status_is(413))
                client.raw("431", ("GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n"
                                   % ("a" * 9000)).encode(), status_is(431))
                client.raw("400", b"GET / HTTP/1.1\r\nHost x\r\n\r\n", status_is(400))
                client.raw("connect_403", b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
                           status_is(403))
            elif step == 8:
                client.expect("404", "GET", "/index.html", status=404)
                client.expect("health", "GET", "/_emulator/health")
                client.expect("head", "HEAD", "/_emulator/health")
                client.expect("absolute_form", "POST", "http://console.tim.qq.com%sget_room_info?%s" %
                              (SERVICE, query(app)), {"RoomId": "r"}, codes={100004})
                client.expect("control_404", "GET", "/_emulator/nothing", status=404)
                client.expect("control_400", "POST", "/_emulator/clock", {"advance_ms": -1}, status=400)
            elif step == 9:
                body = json.dumps(create_body("x" * rng.randint(0, 60), RoomName="n" * rng.randint(0, 120)))
                client.api("fields_random", "create_room", body, app, {0, 100002})
                client.api("cleanup_random", "destroy_room", {"RoomId": json.loads(body)["RoomInfo"]["RoomId"]},
                           app, {0, 100002, 100004})
            elif step == 10:
                client.api("list_bad_cursor", "get_room_list", {"Next": "bogus", "Count": 5}, app, {100002})
                client.api("list_bad_count", "get_room_list", {"Count": 21}, app, {100002})
            else:
                client.expect("journal", "GET", "/_emulator/journal?sdkappid=%d&limit=20" % app)
                client.expect("metrics", "GET", "/metrics")
    finally:
        client.close()


def chaos_worker(port, stats, deadline):
    """Runs every command on the app the control connection changes; accepts what those changes allow."""
    client = Client(port, stats, "chaos")
    # 60006: between its DELETE and the PUT that follows (unknown apps are refused); the rest: see control_worker.
    codes = {0, 60006, 60007, 60010, 60016, 100001, 100004, 100007, 100010, 100012}
    n = 0
    try:
        while time.monotonic() < deadline:
            n += 1
            room = "c-%d" % (n % 32)
            for command, body in (("create_room", create_body(room)), ("get_room_info", {"RoomId": room}),
                                  ("update_room_info", {"RoomInfo": {"RoomId": room, "RoomName": "c"}}),
                                  ("get_room_list", {"Count": 5}), ("destroy_room", {"RoomId": room})):
                client.expect("chaos_" + command, "POST", SERVICE + command + "?" + query(CHAOS_APP), body,
                              codes=codes)
    finally:
        client.close()


def control_worker(port, stats, deadline, rules_dir):
    """Keeps changing the emulator while the others run."""
    client = Client(port, stats, "control")
    n = 0
    try:
        while time.monotonic() < deadline:
            n += 1
            step = n % 12
            if step == 0:
                client.expect("reload", "POST", "/_emulator/reload")
            elif step == 1:
                client.expect("reset_app", "POST", "/_emulator/reset?sdkappid=%d" % CHAOS_APP)
            elif step == 2:
                client.expect("clock_advance", "POST", "/_emulator/clock", {"advance_ms": 200})
            elif step == 3:
                client.expect("clock_freeze", "POST", "/_emulator/clock", {"freeze": True})
                client.expect("clock_get", "GET", "/_emulator/clock")
                client.expect("clock_resume", "POST", "/_emulator/clock", {"resume": True})
            elif step == 4:
                settings = [{"paid": False}, {"disabled": True}, {"admins": ["nobody"]},
                            {"rate_limits": {"create_room": 1}}, {"room_create_interval_ms": 5000}][n // 12 % 5]
                client.expect("apps_put", "PUT", "/_emulator/apps/%d" % CHAOS_APP, settings)
            elif step == 5:
                client.expect("apps_delete", "DELETE", "/_emulator/apps/%d" % CHAOS_APP)
                client.expect("apps_put_back", "PUT", "/_emulator/apps/%d" % CHAOS_APP,
                              {"room_create_interval_ms": 0})
            elif step == 6:
                client.expect("words_put", "PUT", "/_emulator/sensitive-words", {"words": ["gambling", "赌博", "w%d" % n]})
                client.expect("words_get", "GET", "/_emulator/sensitive-words")
            elif step == 7:
                client.expect("faults_post", "POST", "/_emulator/faults",
                              {"match": {"sdkappid": CHAOS_APP}, "action": {"error_code": 100001}, "times": 3},
                              status=201)
                client.expect("faults_post_delay", "POST", "/_emulator/faults",
                              {"match": {"sdkappid": CHAOS_APP, "command": "get_room_list"},
                               "action": {"delay_ms": 5}, "probability": 0.5}, status=201)
            elif step == 8:
                client.expect("faults_get", "GET", "/_emulator/faults")
                client.expect("faults_delete", "DELETE", "/_emulator/faults?sdkappid=%d" % CHAOS_APP)
            elif step == 9:
                client.expect("journal_control", "GET", "/_emulator/journal?control=true&limit=100")
                client.expect("journal_delete", "DELETE", "/_emulator/journal?sdkappid=%d" % CHAOS_APP)
            elif step == 10:
                client.expect("rooms", "GET", "/_emulator/apps/%d/rooms" % CHAOS_APP)
                client.expect("apps_list", "GET", "/_emulator/apps")
            else:
                client.expect("metrics_control", "GET", "/metrics")
            time.sleep(0.02)
    finally:
        client.close()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_phase(port, stats, seconds, connections, rules_dir, now_s):
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=worker, args=(i, port, stats, deadline, now_s))
               for i in range(connections - 2)]
    threads.append(threading.Thread(target=chaos_worker, args=(port, stats, deadline)))
    threads.append(threading.Thread(target=control_worker, args=(port, stats, deadline, rules_dir)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return not any(thread.is_alive() for thread in threads)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=6, help="at least 3: workers, the chaos app, control")
    parser.add_argument("--rss-margin", type=float, default=10.0, help="percent of the RSS after warm-up")
    parser.add_argument("--threads", type=int, default=2, help="the emulator's I/O threads")
    args = parser.parse_args()
    connections = max(3, args.connections)
    warmup = max(5.0, args.seconds * 0.25)

    rules_dir = tempfile.mkdtemp(prefix="lee-soak-")
    for name, content in rules_files(connections - 2).items():
        with open(os.path.join(rules_dir, name), "w", encoding="utf-8") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=1, ensure_ascii=False))
    harness.BINARY = args.binary
    env = os.environ.copy()
    # Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) before it is reused, which would
    # read as growth: a small one reaches its steady state within the warm-up. No effect on other builds.
    if "quarantine_size_mb" not in env.get("ASAN_OPTIONS", ""):
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16").lstrip(":")
    emulator = harness.Emulator(env=env, argv=["--listen", "127.0.0.1:0", "--rules", rules_dir, "--threads", str(args.threads),
                                      "--seed", "11", "--log-level", "warn",
                                      "--journal-entries", str(JOURNAL_ENTRIES)])
    stats = Stats()
    now_s = int(time.time())
    failures = []
    try:
        print("soak: %s, pid %d, %d connections, warm-up %.0f s or until the journal is full, then %.0f s" %
              (args.binary, emulator.proc.pid, connections, warmup, args.seconds))
        # The warm-up lasts until the journal is full too (its bound is part of the steady state), 60 s at most.
        warm_deadline = time.monotonic() + max(60.0, warmup)
        phase = warmup
        while True:
            if not run_phase(emulator.port, stats, phase, connections, rules_dir, now_s):
                failures.append("a connection hung in the warm-up")
                break
            journal = json.loads(emulator.request("GET", "/_emulator/journal?limit=1")[2])
            if journal["dropped"] > 0 or time.monotonic() + 5 > warm_deadline:
                break
            phase = 5.0
        rss_warm = rss_kib(emulator.proc.pid)
        warm_answers = stats.answers
        started = time.monotonic()
        if not run_phase(emulator.port, stats, args.seconds, connections, rules_dir, now_s):
            failures.append("a connection hung")
        elapsed = time.monotonic() - started
        alive = emulator.proc.poll() is None
        rss_end = rss_kib(emulator.proc.pid) if alive else 0
        if not alive:
            failures.append("the emulator died (exit code %s)" % emulator.proc.returncode)
        if journal["dropped"] == 0:
            failures.append("the journal was not full after 60 s of warm-up (held %d)" % journal["entries_held"])
    finally:
        code = emulator.stop(timeout=30)
        shutil.rmtree(rules_dir, ignore_errors=True)
    if code != 0:
        failures.append("exit code %s on SIGTERM; stderr:\n%s" % (code, emulator.stderr()[-3000:]))

    answers = stats.answers - warm_answers
    growth = (rss_end - rss_warm) * 100.0 / rss_warm if rss_warm else 0.0
    print("soak: %d checked answers in %.0f s (%.0f/s) after %d in the warm-up, %d kinds of request" %
          (answers, elapsed, answers / elapsed if elapsed else 0, warm_answers, len(stats.by_kind)))
    print("soak: RSS %d KiB after warm-up, %d KiB at the end (%+.1f%%, margin %.0f%%)" %
          (rss_warm, rss_end, growth, args.rss_margin))
    if alive and growth > args.rss_margin:
        failures.append("RSS grew by %.1f%%, more than %.0f%%" % (growth, args.rss_margin))
    if "60007" not in stats.seen_codes:
        failures.append("the rate-limited app never answered 60007")
    if stats.unexpected:
        failures.append("%d unexpected answers" % len(stats.unexpected))
        for what in stats.unexpected[:20]:
            print("  unexpected: %r" % (what,))
    for failure in failures:
        print("soak: FAIL: " + failure)
    print("soak: %s" % ("FAIL" if failures else "pass (zero unexpected answers, no crash, RSS within the margin)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
