"""Webhooks (Live third-party callbacks): real receivers in the test, over HTTP and HTTPS (a test CA made here with
the openssl CLI), checked against the docs: URL and query parameters, body fields in order, Sign/RequestTime, order
per app, a slow receiver that must not slow the API, dead receivers, the queue bound, faults, reset."""
import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from harness import Emulator, EmulatorTest, create_body, write_rules

TOKEN = "xxxxyyyy"
SIGNED_APP = 1400000001  # http receiver, token set in apps.json
TLS_APP = 1400000002  # https receiver named by host name (SNI, certificate from the test CA)
FROZEN_MS = 1_800_000_000_123
EXPECTED_PARAMS = ["SdkAppid", "CallbackCommand", "contenttype", "ClientIP", "OptPlatform"]
OK_ANSWER = b'{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}'


class Receiver:
    """An HTTP(S) server in a thread that records every request. Paths choose the behaviour: /slow answers after
    1.5 s, /hang after 3 s (past the emulator's 2 s timeout), /held once the test sets `release`, /status500
    answers 500, anything else 200 at once."""

    def __init__(self, tls_files=None):
        self.requests = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.server_names = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                path, _, query = self.path.partition("?")
                entry = {"path": path, "raw_query": query,
                         "query": urllib.parse.parse_qsl(query, keep_blank_values=True),
                         "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                         "received": time.monotonic()}
                with receiver.lock:
                    receiver.requests.append(entry)
                if path == "/slow":
                    time.sleep(1.5)
                elif path == "/hang":
                    time.sleep(3)
                elif path == "/held":
                    receiver.release.wait(60)
                status = 500 if path == "/status500" else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(OK_ANSWER)))
                    self.end_headers()
                    self.wfile.write(OK_ANSWER)
                except OSError:
                    pass  # the emulator gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls_files:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls_files)
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook", host="127.0.0.1", scheme="http"):
        return "%s://%s:%d%s" % (scheme, host, self.port, path)

    def taken(self):
        with self.lock:
            out, self.requests = self.requests, []
        return out

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def make_certificates(directory):
    """A test CA and a leaf for localhost/127.0.0.1 signed by it, and a self-signed leaf nobody trusts."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), cwd=directory, check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=LEE webhook test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    run("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "leaf.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "leaf.pem", "-days", "2", "-extfile", "leaf.ext")
    run("req", "-x509", *ec, "-keyout", "self.key", "-out", "self.pem", "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
    return {name: os.path.join(directory, name) for name in ("ca.pem", "leaf.pem", "leaf.key", "self.pem",
                                                             "self.key")}


def sign(token, request_time):
    return hashlib.sha256((token + str(request_time)).encode()).hexdigest()


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebhookTest(EmulatorTest):
    @classmethod
    def setUpClass(cls):
        cls.cert_dir = tempfile.mkdtemp(prefix="lee-hooks-")
        cls.certs = make_certificates(cls.cert_dir)
        cls.http = Receiver()
        cls.https = Receiver((cls.certs["leaf.pem"], cls.certs["leaf.key"]))
        cls.untrusted = Receiver((cls.certs["self.pem"], cls.certs["self.key"]))
        cls.rules_files = {"apps": {"apps": [
            {"sdkappid": SIGNED_APP, "callback_url": cls.http.url(), "callback_token": TOKEN},
            {"sdkappid": TLS_APP, "callback_url": cls.https.url(host="localhost", scheme="https")},
        ]}}
        cls.args = ("--callback-ca-file", cls.certs["ca.pem"])
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            for receiver in (cls.http, cls.https, cls.untrusted):
                receiver.stop()
            shutil.rmtree(cls.cert_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()  # reset: queues and records of every app go
        for receiver in (self.http, self.https, self.untrusted):
            receiver.taken()

    # --- helpers ----------------------------------------------------------------------------------------------
    def api(self, command, body, sdkappid, headers=None, service="live_engine_http_srv"):
        query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", "admin"), ("usersig", "x"),
                                        ("random", "1"), ("contenttype", "json")])
        status, _, data = self.emu.request("POST", "/v4/%s/%s?%s" % (service, command, query), body, headers)
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def wait_idle(self, timeout_ms=8000):
        status, body = self.emu.control("POST", "callbacks/wait?timeout_ms=%d" % timeout_ms)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["idle"], body)
        return body

    def records(self, sdkappid, query=""):
        status, body = self.emu.control("GET", "callbacks?sdkappid=%d%s" % (sdkappid, query))
        self.assertEqual(status, 200, body)
        return body["callbacks"]

    def put_app(self, sdkappid, **settings):
        status, body = self.emu.control("PUT", "apps/%d" % sdkappid, settings)
        self.assertEqual(status, 200, body)
        return body

    def metric(self, name, **labels):
        status, _, data = self.emu.request("GET", "/metrics")
        self.assertEqual(status, 200)
        wanted = ",".join('%s="%s"' % item for item in labels.items())
        match = re.search(r"^%s\{%s\} (\d+)$" % (re.escape(name), re.escape(wanted)), data.decode(), re.M)
        return int(match.group(1)) if match else 0

    def check_url(self, request, sdkappid, command, token=None, request_time=None):
        """The docs' parameters in the docs' order, then Sign and RequestTime when signed."""
        names = [name for name, _ in request["query"]]
        params = dict(request["query"])
        expected = EXPECTED_PARAMS + (["Sign", "RequestTime"] if token else [])
        self.assertEqual(names, expected, request["raw_query"])
        self.assertEqual(params["SdkAppid"], str(sdkappid))
        self.assertEqual(params["CallbackCommand"], command)
        self.assertEqual(params["contenttype"], "json")
        self.assertEqual(params["ClientIP"], "0.0.0.0")
        self.assertEqual(params["OptPlatform"], "RESTAPI")
        if token:
            self.assertEqual(params["RequestTime"], str(request_time))
            self.assertEqual(params["Sign"], sign(token, request_time))
        self.assertEqual(request["headers"]["content-type"], "application/json")

    # --- the events ---------------------------------------------------------------------------------------------
    def test_every_event_url_params_body_and_signature(self):
        self.freeze_clock(FROZEN_MS)
        room = "hook-room"
        self.assertOk(self.api("create_room", create_body(room, RoomName="first", CoverURL="c", Category=[1, "a"],
                                                          TakeSeatMode="ApplyToTake"), SIGNED_APP))
        self.assertOk(self.api("update_room_info", {"RoomInfo": {"RoomId": room, "RoomName": "second",
                                                                 "ActivityStatus": 3}}, SIGNED_APP))
        self.assertOk(self.api("set_room_metadata", {"RoomId": room, "Metadata": [{"Key": "k1", "Value": "v1"},
                                                                                  {"Key": "k2", "Value": "v2"}]},
                               SIGNED_APP))
        self.assertOk(self.api("del_room_metadata", {"RoomId": room, "Keys": ["k1", "gone"]}, SIGNED_APP))
        self.assertOk(self.api("change_room_owner", {"RoomId": room, "NewOwner_Account": "bob"}, SIGNED_APP))
        self.assertOk(self.api("get_room_info", {"RoomId": room}, SIGNED_APP))  # reads raise nothing
        self.assertOk(self.api("destroy_room", {"RoomId": room}, SIGNED_APP))
        self.assertError(self.api("destroy_room", {"RoomId": room}, SIGNED_APP), 100004)  # failures raise nothing
        self.wait_idle()
        got = self.http.taken()
        commands = ["Live.CallbackAfterCreateRoom", "Live.CallbackAfterUpdateRoomInfo", "Live.CallbackAfterSetMetadata",
                    "Live.CallbackAfterDelMetadata", "Live.CallbackAfterChangeOwner", "Live.CallbackAfterDestroyRoom"]
        self.assertEqual([dict(r["query"])["CallbackCommand"] for r in got], commands)
        request_time = FROZEN_MS // 1000
        for request, command in zip(got, commands):
            self.assertEqual(request["path"], "/hook")
            self.check_url(request, SIGNED_APP, command, TOKEN, request_time)
        bodies = [json.loads(r["body"]) for r in got]
        create_time = FROZEN_MS // 1000
        self.assertEqual(list(bodies[0].items()), [
            ("CallbackCommand", "Live.CallbackAfterCreateRoom"), ("Operator_Account", "admin"),
            ("RoomInfo", {"RoomId": room, "RoomName": "first", "RoomType": "Live", "Owner_Account": "admin",
                          "MaxMemberCount": 300, "IsMessageDisabled": False, "CustomInfo": "", "IsSeatEnabled": True,
                          "TakeSeatMode": "ApplyToTake", "MaxSeatCount": 9, "CreateTime": create_time,
                          "IsPublicVisible": True, "CoverURL": "c", "Category": [1, "a"]}),
            ("EventTime", FROZEN_MS)])
        self.assertEqual(list(bodies[0]["RoomInfo"]), ["RoomId", "RoomName", "RoomType", "Owner_Account",
                                                       "MaxMemberCount", "IsMessageDisabled", "CustomInfo",
                                                       "IsSeatEnabled", "TakeSeatMode", "MaxSeatCount", "CreateTime",
                                                       "IsPublicVisible", "CoverURL", "Category"])
        self.assertEqual(list(bodies[1].items()), [
            ("CallbackCommand", "Live.CallbackAfterUpdateRoomInfo"), ("Operator_Account", "admin"),
            ("RoomInfo", {"RoomId": room, "RoomName": "second", "MaxMemberCount": 300, "IsMessageDisabled": False,
                          "CoverURL": "c", "Category": [1, "a"], "ActivityStatus": 3, "IsPublicVisible": True,
                          "TakeSeatMode": "ApplyToTake", "CustomInfo": ""}),
            ("EventTime", FROZEN_MS)])
        self.assertEqual(list(bodies[1]["RoomInfo"]), ["RoomId", "RoomName", "MaxMemberCount", "IsMessageDisabled",
                                                       "CoverURL", "Category", "ActivityStatus", "IsPublicVisible",
                                                       "TakeSeatMode", "CustomInfo"])
        self.assertEqual(list(bodies[2].items()), [
            ("CallbackCommand", "Live.CallbackAfterSetMetadata"), ("Operator_Account", "admin"), ("RoomId", room),
            ("Metadata", [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}]), ("EventTime", FROZEN_MS)])
        self.assertEqual(list(bodies[3].items()), [
            ("CallbackCommand", "Live.CallbackAfterDelMetadata"), ("Operator_Account", "admin"), ("RoomId", room),
            ("Keys", ["k1", "gone"]), ("EventTime", FROZEN_MS)])
        self.assertEqual(list(bodies[4].items()), [
            ("CallbackCommand", "Live.CallbackAfterChangeOwner"), ("RoomId", room), ("EventTime", FROZEN_MS),
            ("Operator_Account", "admin"), ("CurrentOwner_Account", "bob"), ("OriginalOwner_Account", "admin")])
        self.assertEqual(list(bodies[5].items()), [
            ("CallbackCommand", "Live.CallbackAfterDestroyRoom"), ("Operator_Account", "admin"), ("RoomId", room),
            ("EventType", "DestroyByUser"), ("EventTime", FROZEN_MS),
            ("RoomInfo", {"RoomName": "second", "RoomType": "Live", "Owner_Account": "bob", "IsSeatEnabled": True,
                          "TakeSeatMode": "ApplyToTake", "MaxMemberCount": 300, "MaxSeatCount": 9,
                          "Category": [1, "a"], "CustomInfo": "", "IsMessageDisabled": False, "CoverURL": "c",
                          "ActivityStatus": 3, "IsPublicVisible": True, "ViewCount": 0, "BackgroundURL": "",
                          "IsUnlimitedRoomEnabled": False})])
        self.assertEqual(list(bodies[5]["RoomInfo"])[:3], ["RoomName", "RoomType", "Owner_Account"])

        # The record: what was sent (body, URL without Sign), the receiver's status and answer, in event order.
        records = self.records(SIGNED_APP)
        self.assertEqual([r["command"] for r in records], commands)
        self.assertEqual([r["trigger"] for r in records], ["create_room", "update_room_info", "set_room_metadata",
                                                          "del_room_metadata", "change_room_owner", "destroy_room"])
        for record, body in zip(records, bodies):
            self.assertEqual(record["outcome"], "delivered")
            self.assertEqual(record["status"], 200)
            self.assertEqual(record["answer"], OK_ANSWER.decode())
            self.assertEqual(record["body"], body)
            self.assertTrue(record["signed"])
            self.assertEqual(record["request_time"], request_time)
            self.assertNotIn("Sign=", record["url"])
            self.assertNotIn(TOKEN, json.dumps(record))
            self.assertTrue(record["url"].startswith(self.http.url() + "?SdkAppid=%d&" % SIGNED_APP), record["url"])
            self.assertGreaterEqual(record["latency_ms"], 0)
            self.assertEqual(record["room_id"], room)
        self.assertEqual([r["seq"] for r in records], sorted(r["seq"] for r in records))

    def test_https_receiver_with_test_ca_and_sni(self):
        self.assertOk(self.api("create_room", create_body("tls-room"), TLS_APP))
        self.wait_idle()
        got = self.https.taken()
        self.assertEqual(len(got), 1)
        self.check_url(got[0], TLS_APP, "Live.CallbackAfterCreateRoom")  # no token: no Sign, no RequestTime
        self.assertEqual(self.https.server_names, ["localhost"])
        record = self.records(TLS_APP)[0]
        self.assertEqual((record["outcome"], record["status"], record["signed"]), ("delivered", 200, False))
        self.assertIsNone(record["request_time"])

    def test_https_receiver_whose_certificate_is_not_trusted_fails(self):
        app = 1400000031
        self.put_app(app, callback_url=self.untrusted.url(host="localhost", scheme="https"))
        self.assertOk(self.api("create_room", create_body("untrusted"), app))
        self.wait_idle()
        record = self.records(app)[0]
        self.assertEqual(record["outcome"], "failed")
        self.assertIsNone(record["status"])
        self.assertIn("TLS handshake", record["error"])
        self.assertEqual(self.untrusted.taken(), [])

    def test_receiver_status_is_recorded_not_acted_on(self):
        app = 1400000032
        self.put_app(app, callback_url=self.http.url("/status500"))
        self.assertOk(self.api("create_room", create_body("r500"), app))
        self.assertOk(self.api("destroy_room", {"RoomId": "r500"}, app))  # the 500 changed nothing
        self.wait_idle()
        self.assertEqual([(r["outcome"], r["status"]) for r in self.records(app)],
                         [("delivered", 500), ("delivered", 500)])
        self.assertEqual(len(self.http.taken()), 2)  # and nothing is sent again

    # --- delivery: order, a slow receiver, dead receivers -----------------------------------------------------
    def test_slow_receiver_does_not_slow_the_api_and_order_is_kept(self):
        slow_app, fast_app = 1400000041, 1400000042
        self.put_app(slow_app, callback_url=self.http.url("/slow"))
        self.put_app(fast_app, callback_url=self.http.url("/fast"))
        started = time.monotonic()
        for i in range(3):
            call = time.monotonic()
            self.assertOk(self.api("create_room", create_body("slow-%d" % i), slow_app))
            self.assertLess(time.monotonic() - call, 0.5)  # the answer never waits for the receiver
        self.assertOk(self.api("create_room", create_body("fast-0"), fast_app))
        self.assertLess(time.monotonic() - started, 1.5)
        self.wait_idle(10_000)
        got = self.http.taken()
        slow = [json.loads(r["body"])["RoomInfo"]["RoomId"] for r in got if r["path"] == "/slow"]
        self.assertEqual(slow, ["slow-0", "slow-1", "slow-2"])  # one at a time, in event order
        slow_times = [r["received"] for r in got if r["path"] == "/slow"]
        self.assertGreaterEqual(slow_times[2] - slow_times[0], 2.9)  # the next waits for the answer before it
        fast = [r for r in got if r["path"] == "/fast"]
        self.assertEqual(len(fast), 1)
        self.assertLess(fast[0]["received"], slow_times[1])  # another app does not wait behind the slow one
        records = self.records(slow_app)
        self.assertEqual([r["room_id"] for r in records], ["slow-0", "slow-1", "slow-2"])
        self.assertTrue(all(r["latency_ms"] >= 1400 for r in records), records)

    def test_refused_connection_is_recorded_and_not_retried(self):
        app = 1400000051
        port = closed_port()
        failed = self.metric("lee_callbacks_total", command="Live.CallbackAfterCreateRoom", outcome="failed")
        self.put_app(app, callback_url="http://127.0.0.1:%d/nobody" % port)
        self.assertOk(self.api("create_room", create_body("dead"), app))
        self.wait_idle()
        time.sleep(0.3)
        records = self.records(app)
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["outcome"], "failed")
        self.assertIsNone(records[0]["status"])
        self.assertIn("connect", records[0]["error"])
        self.assertEqual(self.emu.control("GET", "callbacks")[1]["pending"], 0)
        self.assertEqual(self.metric("lee_callbacks_total", command="Live.CallbackAfterCreateRoom",
                                     outcome="failed"), failed + 1)

    def test_timeout_is_the_documented_two_seconds_and_not_retried(self):
        app = 1400000052
        self.put_app(app, callback_url=self.http.url("/hang"))
        call = time.monotonic()
        self.assertOk(self.api("create_room", create_body("hang"), app))
        self.assertLess(time.monotonic() - call, 0.5)
        self.wait_idle()
        records = self.records(app)
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["outcome"], "timeout")
        self.assertIn("2000 ms", records[0]["error"])
        self.assertGreaterEqual(records[0]["latency_ms"], 1900)
        self.assertLess(records[0]["latency_ms"], 2900)
        time.sleep(1.2)  # the receiver has answered meanwhile; nothing was sent again
        self.assertEqual(len(self.http.taken()), 1)
        self.assertEqual(len(self.records(app)), 1)

    # --- faults -----------------------------------------------------------------------------------------------
    def test_fault_rules_drop_duplicate_and_delay(self):
        status, body = self.emu.control("POST", "faults", {"id": "hook-drop", "match": {"command": "create_room",
                                                                                       "sdkappid": SIGNED_APP},
                                                           "action": {"callback": "drop"}, "times": 1})
        self.assertEqual(status, 201, body)
        self.assertOk(self.api("create_room", create_body("dropped"), SIGNED_APP))
        self.assertOk(self.api("create_room", create_body("kept"), SIGNED_APP))  # times=1: sent
        self.wait_idle()
        got = self.http.taken()
        self.assertEqual([json.loads(r["body"])["RoomInfo"]["RoomId"] for r in got], ["kept"])
        records = self.records(SIGNED_APP)
        self.assertEqual([(r["room_id"], r["outcome"], r["fault"]) for r in records],
                         [("dropped", "dropped_fault", "hook-drop"), ("kept", "delivered", "")])
        self.assertEqual(self.metric("lee_callbacks_total", command="Live.CallbackAfterCreateRoom",
                                     outcome="dropped_fault"), 1)
        self.assertEqual(self.metric("lee_faults_fired_total", rule="hook-drop"), 1)

        # The header: the same callback twice (receivers must be idempotent).
        self.assertOk(self.api("destroy_room", {"RoomId": "kept"}, SIGNED_APP,
                               headers={"X-Emulator-Fault": "callback=duplicate"}))
        self.wait_idle()
        got = self.http.taken()
        self.assertEqual(len(got), 2)
        self.assertEqual(got[0]["body"], got[1]["body"])
        self.assertEqual([r["duplicate"] for r in self.records(SIGNED_APP, "&command=Live.CallbackAfterDestroyRoom")],
                         [False, True])

        # A late callback: the answer is on time, the callback 700 ms later, signed with the time it went out.
        call = time.monotonic()
        self.assertOk(self.api("destroy_room", {"RoomId": "dropped"}, SIGNED_APP,
                               headers={"X-Emulator-Fault": "callback=delay_ms=700"}))
        answered = time.monotonic()
        self.assertLess(answered - call, 0.5)
        self.wait_idle()
        got = self.http.taken()
        self.assertEqual(len(got), 1)
        self.assertGreaterEqual(got[0]["received"] - call, 0.65)
        params = dict(got[0]["query"])
        self.assertEqual(params["Sign"], sign(TOKEN, int(params["RequestTime"])))
        record = self.records(SIGNED_APP, "&command=Live.CallbackAfterDestroyRoom")[-1]
        self.assertEqual((record["delayed_ms"], record["fault"]), (700, "X-Emulator-Fault"))

    def test_callback_fault_syntax_is_checked(self):
        status, body = self.emu.control("POST", "faults", {"action": {"callback": "later"}})
        self.assertEqual(status, 400, body)
        self.assertIn("drop, duplicate or delay_ms=N", body["error"])
        status, _, data = self.emu.request(
            "POST", "/v4/live_engine_http_srv/get_room_info?sdkappid=1&identifier=a&usersig=x&contenttype=json",
            "{}", {"X-Emulator-Fault": "callback=delay_ms=x"})
        self.assertEqual(status, 400, data)
        status, body = self.emu.control("POST", "faults", {"id": "late", "action": {"callback": "delay_ms=5"}})
        self.assertEqual(status, 201, body)
        rule = [r for r in self.emu.control("GET", "faults")[1]["faults"] if r["id"] == "late"][0]
        self.assertEqual(rule["action"], {"callback": "delay_ms=5"})

    # --- the REST configuration commands ----------------------------------------------------------------------
    def test_live_config_commands_work_on_the_same_settings(self):
        app = 1400000061  # not listed: starts from the defaults, no callbacks
        self.assertEqual(self.api("get_callback", {}, app, service="live_config")["Response"],
                         {"Url": "", "CallbackCommandList": []})
        self.assertError(self.api("get_callback_token", {}, app, service="live_config"), 100302)
        bad = self.api("set_callback", {"Url": "ftp://x/", "CallbackCommandList": []}, app, service="live_config")
        self.assertError(bad, 100002)
        self.assertIn("Url", bad["ErrorInfo"])
        self.assertError(self.api("set_callback", {"Url": self.http.url("/rest")}, app, service="live_config"),
                         100002)
        self.assertOk(self.api("set_callback", {"Url": self.http.url("/rest"),
                                                "CallbackCommandList": ["Live.CallbackAfterCreateRoom",
                                                                        "Live.CallbackMemberStateChanged"]},
                               app, service="live_config"))
        self.assertEqual(self.api("get_callback", {}, app, service="live_config")["Response"],
                         {"Url": self.http.url("/rest"),
                          "CallbackCommandList": ["Live.CallbackAfterCreateRoom", "Live.CallbackMemberStateChanged"]})
        # The token: both fields the first time, then either.
        self.assertError(self.api("set_callback_token", {"Token": "t0ken"}, app, service="live_config"), 100002)
        self.assertOk(self.api("set_callback_token", {"Token": "t0ken", "IsTokenEnable": True}, app,
                               service="live_config"))
        self.assertEqual(self.api("get_callback_token", {}, app, service="live_config")["Response"],
                         {"Token": "t0ken", "IsTokenEnable": True})
        # The control API shows the same settings, the token only by its fingerprint.
        status, shown = self.emu.control("GET", "apps/%d" % app)
        self.assertEqual(status, 200)
        self.assertEqual(shown["callback_url"], self.http.url("/rest"))
        self.assertEqual(shown["callback_events"], ["Live.CallbackAfterCreateRoom", "Live.CallbackMemberStateChanged"])
        self.assertTrue(shown["has_callback_token"])
        self.assertEqual(shown["callback_token_fingerprint"], hashlib.sha256(b"t0ken").hexdigest()[:8])
        self.assertNotIn("t0ken", json.dumps(shown))

        self.freeze_clock(FROZEN_MS)
        self.assertOk(self.api("create_room", create_body("rest-room"), app))
        self.assertOk(self.api("destroy_room", {"RoomId": "rest-room"}, app))  # not in the list: not sent
        self.wait_idle()
        got = self.http.taken()
        self.assertEqual(len(got), 1)
        self.check_url(got[0], app, "Live.CallbackAfterCreateRoom", "t0ken", FROZEN_MS // 1000)

        # Signing off: the token stays, the URL carries no Sign.
        self.assertOk(self.api("set_callback_token", {"IsTokenEnable": False}, app, service="live_config"))
        self.assertOk(self.api("create_room", create_body("rest-room-2"), app))
        self.wait_idle()
        got = self.http.taken()
        self.check_url(got[0], app, "Live.CallbackAfterCreateRoom")
        # What GET showed, PUT back, keeps the running token.
        status, body = self.emu.control("PUT", "apps/%d" % app, {k: v for k, v in shown.items() if k != "listed"})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.api("get_callback_token", {}, app, service="live_config")["Response"]["Token"], "t0ken")

    def test_settings_are_checked(self):
        app = 1400000071
        for settings, problem in (({"callback_url": "ftp://host/"}, "http:// or https://"),
                                  ({"callback_url": "http://h/#frag"}, "fragment"),
                                  ({"callback_events": ["Room.CallbackAfterCreateRoom"]}, "Live callback command"),
                                  ({"callback_token": ""}, "printable ASCII"),
                                  ({"callback_token_fingerprint": "00000000"}, "fingerprint")):
            status, body = self.emu.control("PUT", "apps/%d" % app, settings)
            self.assertEqual(status, 400, settings)
            self.assertIn(problem, body["error"])
        shown = self.put_app(app, callback_url=self.http.url(), callback_events="all")
        self.assertEqual((shown["callback_events"], shown["has_callback_token"], shown["callback_token_enabled"]),
                         ("all", False, False))

    def test_snapshot_shows_the_token_by_fingerprint_and_a_put_keeps_it(self):
        status, doc = self.emu.control("GET", "snapshot?sdkappid=%d" % SIGNED_APP)
        self.assertEqual(status, 200, doc)
        settings = doc["apps"][0]["settings"]
        self.assertEqual((settings["callback_url"], settings["has_callback_token"]), (self.http.url(), True))
        self.assertEqual(settings["callback_token_fingerprint"], hashlib.sha256(TOKEN.encode()).hexdigest()[:8])
        self.assertNotIn(TOKEN, json.dumps(doc))
        status, body = self.emu.control("PUT", "snapshot?sdkappid=%d" % SIGNED_APP, doc)
        self.assertEqual(status, 200, body)
        self.freeze_clock(FROZEN_MS)
        self.assertOk(self.api("create_room", create_body("after-put"), SIGNED_APP))
        self.wait_idle()
        self.check_url(self.http.taken()[0], SIGNED_APP, "Live.CallbackAfterCreateRoom", TOKEN, FROZEN_MS // 1000)

    # --- reset, journal, metrics ------------------------------------------------------------------------------
    def test_reset_of_an_app_discards_its_queue_and_records(self):
        app, other = 1400000081, 1400000082
        self.put_app(app, callback_url=self.http.url("/slow"))
        self.put_app(other, callback_url=self.http.url("/other"))
        for i in range(3):
            self.assertOk(self.api("create_room", create_body("q-%d" % i), app))
        self.assertOk(self.api("create_room", create_body("o-0"), other))
        time.sleep(0.2)
        status, _ = self.emu.control("POST", "reset?sdkappid=%d" % app)
        self.assertEqual(status, 200)
        started = time.monotonic()
        self.wait_idle()
        self.assertLess(time.monotonic() - started, 1.0)  # the one on the wire is cut off, the rest discarded
        self.assertEqual(self.records(app), [])
        self.assertEqual([r["room_id"] for r in self.records(other)], ["o-0"])  # another app's stay
        slow = [r for r in self.http.taken() if r["path"] == "/slow"]
        self.assertEqual(len(slow), 1)  # only the first had gone out
        # DELETE clears the list only.
        status, body = self.emu.control("DELETE", "callbacks?sdkappid=%d" % other)
        self.assertEqual((status, body["cleared"]), (200, True))
        self.assertEqual(self.records(other), [])

    def test_journal_and_metrics_show_deliveries(self):
        before = self.metric("lee_callbacks_total", command="Live.CallbackAfterCreateRoom", outcome="delivered")
        self.assertOk(self.api("create_room", create_body("journal-room"), SIGNED_APP))
        self.wait_idle()
        status, journal = self.emu.control("GET", "journal?sdkappid=%d" % SIGNED_APP)
        self.assertEqual(status, 200)
        entries = [e for e in journal["entries"] if e["kind"] == "callback"]
        self.assertEqual(len(entries), 1)
        entry = entries[0]
        self.assertEqual((entry["command"], entry["room_id"], entry["status"], entry["path"]),
                         ("create_room", "journal-room", 200, self.http.url()))
        self.assertIn("Live.CallbackAfterCreateRoom: delivered (HTTP 200)", entry["why"])
        self.assertEqual(self.metric("lee_callbacks_total", command="Live.CallbackAfterCreateRoom",
                                     outcome="delivered"), before + 1)
        status, _, data = self.emu.request("GET", "/metrics")
        self.assertIn("\nlee_callbacks_queue_bound 10000\n", data.decode())
        self.assertIn("\nlee_callbacks_pending 0\n", data.decode())

    def test_control_endpoint_errors(self):
        for method, path, status in (("POST", "callbacks/wait?timeout_ms=99999999", 400),
                                     ("POST", "callbacks/wait?bogus=1", 400), ("GET", "callbacks/wait", 405),
                                     ("GET", "callbacks?command=Live.Nope", 400), ("GET", "callbacks?limit=0", 400),
                                     ("PUT", "callbacks", 405), ("GET", "callbacks/other", 404)):
            self.assertEqual(self.emu.control(method, path)[0], status, (method, path))


class StandaloneTest(unittest.TestCase):
    """Emulators of their own: the queue bound (past --callback-queue, callbacks are dropped and counted, never
    queued), a stop with callbacks pending, a bad --callback-ca-file."""

    def test_queue_bound_drops_and_counts(self):
        receiver = Receiver()
        rules = tempfile.mkdtemp(prefix="lee-hooks-q-")
        try:
            write_rules(rules, apps={"apps": [{"sdkappid": 1400000091, "callback_url": receiver.url("/slow")}]})
            with Emulator(rules=rules, args=("--callback-queue", "2")) as emu:
                query = "sdkappid=1400000091&identifier=admin&usersig=x&contenttype=json"
                for i in range(5):
                    status, _, data = emu.request("POST", "/v4/live_engine_http_srv/create_room?" + query,
                                                  create_body("b-%d" % i))
                    self.assertEqual(json.loads(data)["ErrorCode"], 0)
                status, listing = emu.control("GET", "callbacks")
                self.assertEqual((listing["max_queue"], listing["dropped_queue_full"]), (2, 3))
                self.assertEqual(listing["pending"], 2)
                dropped = [r for r in listing["callbacks"] if r["outcome"] == "dropped_queue_full"]
                self.assertEqual([r["room_id"] for r in dropped], ["b-2", "b-3", "b-4"])
                self.assertIn("--callback-queue", dropped[0]["error"])
                status, _, data = emu.request("GET", "/metrics")
                self.assertIn('lee_callbacks_total{command="Live.CallbackAfterCreateRoom",'
                              'outcome="dropped_queue_full"} 3\n', data.decode())
                self.assertIn("\nlee_callbacks_queue_bound 2\n", data.decode())
                status, body = emu.control("POST", "callbacks/wait?timeout_ms=6000")
                self.assertTrue(body["idle"], body)
                self.assertEqual(len(receiver.taken()), 2)
                self.assertEqual(emu.stop(), 0)
        finally:
            receiver.stop()
            shutil.rmtree(rules, ignore_errors=True)

    def test_a_pending_wait_does_not_hold_up_other_connections(self):
        # One I/O thread and a delivery that lasts until the test releases it: while POST callbacks/wait is pending,
        # another connection is still answered (the wait is asked again on a timer, it never blocks the thread).
        receiver = Receiver()
        rules = tempfile.mkdtemp(prefix="lee-hooks-w-")
        try:
            write_rules(rules, apps={"apps": [{"sdkappid": 1400000093, "callback_url": receiver.url("/held")}]})
            with Emulator(argv=["--listen", "127.0.0.1:0", "--rules", rules, "--threads", "1", "--log-level", "warn",
                                "--callback-timeout-ms", "60000"]) as emu:
                query = "sdkappid=1400000093&identifier=admin&usersig=x&contenttype=json"
                status, _, data = emu.request("POST", "/v4/live_engine_http_srv/create_room?" + query,
                                              create_body("w-1"))
                self.assertEqual(json.loads(data)["ErrorCode"], 0)
                for _ in range(500):  # until the delivery is on the wire, held by the receiver
                    with receiver.lock:
                        if receiver.requests:
                            break
                    time.sleep(0.01)
                waiting = socket.create_connection(("127.0.0.1", emu.port), timeout=30)
                waiting.sendall(b"POST /_emulator/callbacks/wait?timeout_ms=30000 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                b"Content-Length: 0\r\n\r\n")
                time.sleep(0.2)  # the wait is read before the next request (a blocking wait would hold it up)
                status, body = emu.control("GET", "callbacks?sdkappid=1400000093")
                self.assertEqual(status, 200, body)
                self.assertEqual(body["pending"], 1, body)
                waiting.setblocking(False)
                with self.assertRaises(BlockingIOError):  # still pending: nothing written on its connection yet
                    waiting.recv(1)
                waiting.setblocking(True)
                receiver.release.set()
                answer = b""
                while b'"pending":0}' not in answer:
                    chunk = waiting.recv(4096)
                    self.assertTrue(chunk, answer)
                    answer += chunk
                waiting.close()
                self.assertIn(b'{"idle":true,"pending":0}', answer)
                self.assertEqual(emu.stop(), 0, emu.stderr())
        finally:
            receiver.release.set()
            receiver.stop()
            shutil.rmtree(rules, ignore_errors=True)

    def test_stop_with_callbacks_in_flight_and_queued_is_clean(self):
        receiver = Receiver()
        rules = tempfile.mkdtemp(prefix="lee-hooks-s-")
        try:
            write_rules(rules, apps={"apps": [{"sdkappid": 1400000092, "callback_url": receiver.url("/hang"),
                                               "callback_token": TOKEN}]})
            emu = Emulator(rules=rules)
            query = "sdkappid=1400000092&identifier=admin&usersig=x&contenttype=json"
            for i in range(3):
                emu.request("POST", "/v4/live_engine_http_srv/create_room?" + query, create_body("s-%d" % i))
                emu.request("POST", "/v4/live_engine_http_srv/destroy_room?" + query, {"RoomId": "s-%d" % i},
                            {"X-Emulator-Fault": "callback=delay_ms=60000"})
            time.sleep(0.2)  # the first is on the wire, the others wait
            code, seconds, _ = emu.terminate()
            self.assertEqual(code, 0, emu.stderr())  # no sanitizer report, no hang on the receiver
            self.assertLess(seconds, 3)
            self.assertNotIn("ERROR", emu.stderr())
        finally:
            receiver.stop()
            shutil.rmtree(rules, ignore_errors=True)

    def test_bad_ca_file_is_refused_at_start(self):
        with tempfile.NamedTemporaryFile(suffix=".pem") as bogus:
            bogus.write(b"not a certificate")
            bogus.flush()
            with self.assertRaises(RuntimeError) as refused:
                Emulator(args=("--callback-ca-file", bogus.name))
            self.assertIn("--callback-ca-file", str(refused.exception))


if __name__ == "__main__":
    unittest.main()
