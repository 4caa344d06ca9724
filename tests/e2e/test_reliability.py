"""Regression tests for the hostile-client review (issue 10): each finding, reproduced through the real binary.

Finding 1 (invalid UTF-8) and 8 (descriptors) also have tests in test_journal_metrics and test_robustness.
Run: cd tests/e2e && python3 -m unittest -v test_reliability
"""
import json
import signal
import socket
import time
import unittest
import urllib.parse

from harness import SERVICE, TEST_RULES, Emulator, EmulatorTest, create_body

KEY = "reliability-secret-key-0123456789"


def v4(command, sdkappid=1406000001, identifier="admin"):
    query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", identifier), ("usersig", "x"),
                                    ("random", 1), ("contenttype", "json")])
    return "%s%s?%s" % (SERVICE, command, query)


def post_bytes(target, body, headers=(), host="127.0.0.1"):
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    lines = ["POST %s HTTP/1.1" % target, "Host: %s" % host, "Content-Length: %d" % len(body)]
    lines += ["%s: %s" % header for header in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), body


def read_answers(sock, count, timeout=10.0):
    """Reads `count` complete HTTP answers (Content-Length framed); returns (answers, leftover bytes)."""
    sock.settimeout(timeout)
    data = b""
    answers = []
    while len(answers) < count:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(data) >= head_end + 4 + length:
                answers.append((head, data[head_end + 4:head_end + 4 + length]))
                data = data[head_end + 4 + length:]
                continue
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return answers, data


class SecretsTest(EmulatorTest):
    """Finding 2: secret keys never leave through the control API; DNS rebinding cannot reach it."""

    rules_files = {"apps": {"apps": [{"sdkappid": 1406000100, "secret_key": KEY}]}}

    def test_keys_are_shown_as_a_fingerprint(self):
        status, _, data = self.emu.request("GET", "/_emulator/apps")
        self.assertEqual(status, 200)
        self.assertNotIn(KEY.encode(), data)
        [app] = [a for a in json.loads(data)["apps"] if a["sdkappid"] == 1406000100]
        self.assertNotIn("secret_key", app)
        self.assertEqual(app["has_secret_key"], True)
        self.assertRegex(app["secret_key_fingerprint"], r"^[0-9a-f]{8}$")
        status, body = self.emu.control("GET", "apps/1406000100")
        self.assertEqual(body["secret_key_fingerprint"], app["secret_key_fingerprint"])

    def test_put_accepts_a_key_and_does_not_echo_it(self):
        status, _, data = self.emu.request("PUT", "/_emulator/apps/1406000101", {"secret_key": "another-" + KEY})
        self.assertEqual(status, 200)
        self.assertNotIn(KEY.encode(), data)
        body = json.loads(data)
        self.assertEqual(body["has_secret_key"], True)
        # The key is in force: an unsigned request is now refused.
        self.assertEqual(self.emu.call("get_room_info", {"RoomId": "r"}, sdkappid=1406000101)["ErrorCode"], 70003)
        status, body = self.emu.control("GET", "apps/1406000102")
        self.assertEqual((body["has_secret_key"], body["secret_key_fingerprint"]), (False, None))

    def test_what_get_shows_can_be_put_back_keeping_the_key(self):
        status, shown = self.emu.control("GET", "apps/1406000100")
        shown["paid"] = False
        status, body = self.emu.control("PUT", "apps/1406000100", shown)
        self.assertEqual(status, 200, body)
        self.assertEqual((body["paid"], body["has_secret_key"], body["secret_key_fingerprint"]),
                         (False, True, shown["secret_key_fingerprint"]))
        self.assertEqual(self.emu.call("get_room_info", {"RoomId": "r"}, sdkappid=1406000100)["ErrorCode"], 70003)
        shown["secret_key_fingerprint"] = "00000000"
        status, body = self.emu.control("PUT", "apps/1406000100", shown)
        self.assertEqual((status, body["error"]),
                         (400, "$.secret_key_fingerprint: is not the fingerprint of the app's key (send secret_key)"))

    def test_a_foreign_host_is_refused(self):
        for host in ("attacker.example", "attacker.example:9080", "127.0.0.1.attacker.example", "10.0.0.1"):
            with self.subTest(host=host):
                status, _, data = self.emu.request("GET", "/_emulator/apps", headers={"Host": host})
                self.assertEqual(status, 403)
                self.assertNotIn(KEY.encode(), data)
                self.assertIn("DNS-rebinding", json.loads(data)["error"])
        status, _, _ = self.emu.request("GET", "/metrics", headers={"Host": "attacker.example"})
        self.assertEqual(status, 403)
        for host in ("localhost", "localhost:9080", "127.0.0.1", "127.0.0.1:1", "[::1]:9080", "127.1.2.3",
                     "console.tim.qq.com"):
            with self.subTest(host=host):
                status, _, _ = self.emu.request("GET", "/_emulator/health", headers={"Host": host})
                self.assertEqual(status, 200)
        # The emulated API itself answers whatever the Host (clients point Tencent's domains at it).
        status, _, data = self.emu.request("POST", v4("get_room_info"), {"RoomId": "r"},
                                           headers={"Host": "attacker.example"})
        self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 100004))


class AdminTokenHostTest(EmulatorTest):
    args = ("--admin-token", "tok")

    def test_with_an_admin_token_any_host_may_call_with_the_token(self):
        auth = {"Authorization": "Bearer tok", "Host": "emulator.internal.example"}
        self.assertEqual(self.emu.request("GET", "/_emulator/health", headers=auth)[0], 200)
        self.assertEqual(self.emu.request("GET", "/_emulator/health", headers={"Host": "localhost"})[0], 401)

    def setUp(self):  # the harness's reset needs the token here
        self.emu.request("POST", "/_emulator/reset", headers={"Authorization": "Bearer tok"})


class HttpConformanceTest(EmulatorTest):
    """Findings 6 and 9: Expect: 100-continue, unsupported codings."""

    def exchange(self, head, body=b"", wait_for_continue=False):
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=5) as sock:
            sock.sendall(head)
            if wait_for_continue:
                sock.settimeout(2)
                interim = sock.recv(4096)
                if not interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"):
                    return interim, b""
                sock.sendall(body)
                answers, _ = read_answers(sock, 1)
                return interim, answers[0] if answers else None
            sock.sendall(body)
            answers, rest = read_answers(sock, 1)
            return (answers[0] if answers else rest), None

    def test_100_continue_is_sent_before_the_body(self):
        head, body = post_bytes(v4("create_room"), create_body("continue-room"),
                                headers=(("Expect", "100-continue"),))
        started = time.monotonic()
        interim, (answer_head, answer_body) = self.exchange(head, body, wait_for_continue=True)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(interim, b"HTTP/1.1 100 Continue\r\n\r\n")
        self.assertTrue(answer_head.startswith("HTTP/1.1 200 OK"))
        self.assertEqual(json.loads(answer_body)["ErrorCode"], 0)

    def test_a_body_too_large_is_refused_without_100_continue(self):
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 70000\r\nExpect: 100-continue\r\n\r\n"
                % v4("create_room")).encode()
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=5) as sock:
            sock.sendall(head)
            answers, _ = read_answers(sock, 1)
        self.assertTrue(answers[0][0].startswith("HTTP/1.1 413 "), answers)

    def test_other_expectations_are_417(self):
        head, body = post_bytes(v4("create_room"), create_body("r417"), headers=(("Expect", "something-else"),))
        (answer_head, answer_body), _ = self.exchange(head, body)
        self.assertTrue(answer_head.startswith("HTTP/1.1 417 "), answer_head)

    def test_curl_sends_a_large_body_without_waiting(self):
        # curl adds Expect: 100-continue to bodies over 1 MiB... and to any body when asked; it waits 1 s without
        # an answer. A body padded with an ignored field keeps the request valid.
        import subprocess
        body = json.dumps({"RoomInfo": {"RoomId": "curl-continue", "RoomType": "Live", "SeatTemplate": "AudioSalon"},
                           "Padding": "x" * 50000})
        started = time.monotonic()
        proc = subprocess.run(["curl", "-s", "-H", "Expect: 100-continue", "--data-binary", "@-",
                               "http://127.0.0.1:%d%s" % (self.emu.port, v4("create_room"))],
                              input=body.encode(), capture_output=True, timeout=10)
        self.assertLess(time.monotonic() - started, 0.9)
        self.assertEqual(json.loads(proc.stdout)["ErrorCode"], 0)

    def test_unsupported_transfer_coding_is_501(self):
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                % v4("create_room")).encode()
        (answer_head, answer_body), _ = self.exchange(head, b"5\r\nhello\r\n0\r\n\r\n")
        self.assertTrue(answer_head.startswith("HTTP/1.1 501 "), answer_head)
        self.assertIn("gzip", json.loads(answer_body)["error"])
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                % v4("get_room_info")).encode()
        payload = json.dumps({"RoomId": "r"}).encode()
        (answer_head, answer_body), _ = self.exchange(head, b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload))
        self.assertEqual(json.loads(answer_body)["ErrorCode"], 100004)

    def test_chunk_lines_and_the_trailer_are_bounded(self):
        # Beast bounds neither a chunk's line nor the trailer: past the header's bound (8192 bytes) the request is
        # refused at once, where the read buffer or the trailer's lines would grow until the read timeout.
        def answer(extra_header, chunked):
            head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sTransfer-Encoding: chunked\r\n\r\n"
                    % (v4("get_room_info"), extra_header)).encode()
            started = time.monotonic()
            (answer_head, answer_body), _ = self.exchange(head, chunked)
            self.assertLess(time.monotonic() - started, 2.0)
            return int(answer_head.split(" ")[1]), json.loads(answer_body)

        payload = json.dumps({"RoomId": "r"}).encode()
        chunk = b"%x\r\n%s\r\n" % (len(payload), payload)
        status, body = answer("", b"1;" + b"e" * 20000)
        self.assertEqual((status, body["error"]), (400, "chunked body: a chunk line or the trailer exceeds 8192 bytes"))
        status, body = answer("", chunk + b"0\r\n" + b"X-T: v\r\n" * 2000 + b"\r\n")
        self.assertEqual((status, body["error"]), (400, "chunked body: a chunk line or the trailer exceeds 8192 bytes"))
        # A trailer that fits the buffer but not the header's bound with the header: 431, as a header would be.
        status, body = answer("X-Pad: %s\r\n" % ("p" * 3000), chunk + b"0\r\n" + b"X-T: v\r\n" * 700 + b"\r\n")
        self.assertEqual((status, body["error"]), (431, "request headers exceed 8192 bytes"))
        # A small trailer is read and ignored.
        status, body = answer("", chunk + b"0\r\nX-T: v\r\n\r\n")
        self.assertEqual((status, body["ErrorCode"]), (200, 100004))
        self.assertEqual(self.emu.request("GET", "/_emulator/health")[0], 200)

    def test_compressed_bodies_are_415(self):
        head, body = post_bytes(v4("create_room"), create_body("gz"), headers=(("Content-Encoding", "gzip"),))
        (answer_head, answer_body), _ = self.exchange(head, body)
        self.assertTrue(answer_head.startswith("HTTP/1.1 415 "), answer_head)
        head, body = post_bytes(v4("get_room_info"), {"RoomId": "r"}, headers=(("Content-Encoding", "identity"),))
        (answer_head, answer_body), _ = self.exchange(head, body)
        self.assertEqual(json.loads(answer_body)["ErrorCode"], 100004)


    def test_every_coding_line_and_host_line_counts(self):
        # A second line adds to the first one's codings (RFC 9110 5.3): identity then gzip is a gzip body.
        head, body = post_bytes(v4("create_room"), create_body("gz2"),
                                headers=(("Content-Encoding", "identity"), ("Content-Encoding", "gzip")))
        (answer_head, answer_body), _ = self.exchange(head, body)
        self.assertTrue(answer_head.startswith("HTTP/1.1 415 "), answer_head)
        self.assertEqual(json.loads(answer_body)["error"],
                         "Content-Encoding 'gzip' is not supported (send the body uncompressed)")
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n"
                % v4("create_room")).encode()
        # chunked not the final coding: the body's length cannot be known (RFC 9112 6.3), so Beast's 400.
        (answer_head, answer_body), _ = self.exchange(head, b"5\r\nhello\r\n0\r\n\r\n")
        self.assertTrue(answer_head.startswith("HTTP/1.1 400 "), answer_head)
        self.assertEqual(json.loads(answer_body)["error"], "malformed HTTP request: bad Transfer-Encoding")
        # chunked applied twice: Beast would frame the body as empty and read the chunks as the next request.
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
                % v4("get_room_info")).encode()
        (answer_head, answer_body), _ = self.exchange(head, b"5\r\nhello\r\n0\r\n\r\n")
        self.assertTrue(answer_head.startswith("HTTP/1.1 400 "), answer_head)
        self.assertEqual(json.loads(answer_body)["error"], "Transfer-Encoding applies chunked more than once")
        # A line that lists no coding (empty, or empty list elements alone): Beast frames no body, and the chunks
        # would be read as the next request.
        for lines in ("Transfer-Encoding:\r\n", "Transfer-Encoding: \r\nTransfer-Encoding: gzip\r\n",
                      "Transfer-Encoding: ,\r\n", "Transfer-Encoding: , ,\r\n"):
            head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (v4("get_room_info"), lines)).encode()
            (answer_head, answer_body), _ = self.exchange(head, b"5\r\nhello\r\n0\r\n\r\n")
            self.assertTrue(answer_head.startswith("HTTP/1.1 400 "), answer_head)
            self.assertEqual(json.loads(answer_body)["error"], "a Transfer-Encoding line that lists no coding")
        # Empty list elements beside chunked are ignored (RFC 9110 5.6.1), as Beast's framing ignores them: the body
        # is read as chunks and the request answered.
        for index, codings in enumerate(("chunked,", ", chunked", "chunked, ,")):
            body = json.dumps(create_body("te-list-%d" % index)).encode()
            head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: %s\r\n\r\n"
                    % (v4("create_room"), codings)).encode()
            (answer_head, answer_body), _ = self.exchange(head, b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
            self.assertTrue(answer_head.startswith("HTTP/1.1 200 "), (codings, answer_head))
            self.assertEqual(json.loads(answer_body)["ErrorCode"], 0, codings)
        # Transfer-Encoding in an HTTP/1.0 request: the framing is faulty (RFC 9112 6.1), whatever the codings, and
        # the connection closes after the answer, so the bytes after it are never read as a request. The answer
        # comes before the body is read.
        body = json.dumps(create_body("te-http10")).encode()
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        follow = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % v4("get_room_list")).encode()
        head = ("POST %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                % v4("create_room")).encode()
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=5) as sock:
            sock.sendall(head + chunked + follow)
            answers, rest = read_answers(sock, 2)
        self.assertEqual(len(answers), 1, answers)
        self.assertEqual(rest, b"")
        self.assertTrue(answers[0][0].startswith("HTTP/1.1 400 "), answers[0][0])
        self.assertIn("Connection: close", answers[0][0])
        self.assertEqual(json.loads(answers[0][1])["error"], "Transfer-Encoding in an HTTP/1.0 request")
        head, body = post_bytes(v4("get_room_info"), {"RoomId": "te-http10"})
        (answer_head, answer_body), _ = self.exchange(head, body)
        self.assertEqual(json.loads(answer_body)["ErrorCode"], 100004)
        # A refusal quoting a header value whose bytes are not UTF-8 (obs-text) is still valid UTF-8 JSON.
        for line, status, error in (
                (b"Transfer-Encoding: gz\xaa\xff", "501", "Transfer-Encoding 'gz\ufffd\ufffd' is not supported (only chunked)"),
                (b"Content-Encoding: br\xc3", "415",
                 "Content-Encoding 'br\ufffd' is not supported (send the body uncompressed)"),
                (b"Expect: 1\xff\r\nContent-Length: 5", "417", "Expect '1\ufffd' is not supported")):
            head = b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n\r\n" % (v4("get_room_info").encode(), line)
            (answer_head, answer_body), _ = self.exchange(head)
            self.assertTrue(answer_head.startswith("HTTP/1.1 %s " % status), answer_head)
            self.assertEqual(json.loads(answer_body.decode("utf-8"))["error"], error)
        # A long value is quoted cut to its first 256 bytes (on a character boundary), as the host a 403 names.
        long_value = "\u4e2d" * 2000  # 6,000 bytes: "gz" then 84 characters end at byte 254, the 85th would pass 256
        for line, status, error in (
                ("Transfer-Encoding: gz" + long_value, "501",
                 "Transfer-Encoding 'gz%s' is not supported (only chunked)" % ("\u4e2d" * 84)),
                ("Expect: x" + long_value + "\r\nContent-Length: 5", "417",
                 "Expect 'x%s' is not supported" % ("\u4e2d" * 85))):
            head = b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n\r\n" % (v4("get_room_info").encode(), line.encode())
            (answer_head, answer_body), _ = self.exchange(head)
            self.assertTrue(answer_head.startswith("HTTP/1.1 %s " % status), answer_head)
            self.assertEqual(json.loads(answer_body.decode("utf-8"))["error"], error)
        (answer_head, answer_body), _ = self.exchange(b"CONNECT %s HTTP/1.1\r\nHost: x\r\n\r\n" % (b"a" * 3000))
        self.assertTrue(answer_head.startswith("HTTP/1.1 400 "), answer_head)
        self.assertEqual(json.loads(answer_body)["error"], "CONNECT needs host:port, got '%s'" % ("a" * 256))
        # And a CONNECT target's bytes quoted in its refusal.
        for target, status, error in (
                (b"\xff:443", "403",
                 "this emulator is not a proxy: it serves only Tencent's REST domains and localhost, not \ufffd"),
                (b"a\xff", "400", "CONNECT needs host:port, got 'a\ufffd'")):
            (answer_head, answer_body), _ = self.exchange(b"CONNECT %s HTTP/1.1\r\nHost: x\r\n\r\n" % target)
            self.assertTrue(answer_head.startswith("HTTP/1.1 %s " % status), answer_head)
            self.assertEqual(json.loads(answer_body.decode("utf-8"))["error"], error)
        # Two Host lines are a 400 (RFC 9112 3.2), whichever host each names; the room is not made.
        head, body = post_bytes(v4("create_room"), create_body("two-hosts"), headers=(("Host", "localhost"),))
        (answer_head, answer_body), _ = self.exchange(head, body)
        self.assertTrue(answer_head.startswith("HTTP/1.1 400 "), answer_head)
        self.assertEqual(json.loads(answer_body)["error"], "more than one Host header line")
        head, body = post_bytes(v4("get_room_info"), {"RoomId": "two-hosts"})
        (answer_head, answer_body), _ = self.exchange(head, body)
        self.assertEqual(json.loads(answer_body)["ErrorCode"], 100004)

class SlowReaderTest(EmulatorTest):
    """Finding 5: a big answer read slowly arrives whole; a reader that stops is dropped."""

    args = ("--read-timeout-ms", "600")
    rules_files = {"apps": {"defaults": {"rate_limits": {"create_room": 0}}}}

    ROOMS = 9000  # about 5 MB of listing: more than the kernel's socket buffers hold, so the writes must wait

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Pipelined in batches, so making the rooms takes a moment rather than one round trip each.
        with socket.create_connection(("127.0.0.1", cls.emu.port), timeout=30) as sock:
            for start in range(0, cls.ROOMS, 500):
                payload = b""
                for i in range(start, min(start + 500, cls.ROOMS)):
                    head, body = post_bytes(v4("create_room", 1406000200), create_body(
                        "slow-%05d" % i, RoomName="n" * 100, CoverURL="c" * 200, Category=["a" * 20, "b" * 20]))
                    payload += head + body
                sock.sendall(payload)
                answers, _ = read_answers(sock, min(500, cls.ROOMS - start), timeout=30)
                assert all(json.loads(body)["ErrorCode"] == 0 for _, body in answers)

    def setUp(self):
        pass  # keep the rooms

    def listing(self):
        return ("GET /_emulator/apps/1406000200/rooms?limit=5000 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n\r\n").encode()

    def test_a_slow_reader_that_keeps_reading_gets_everything(self):
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=10) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            sock.sendall(self.listing())
            data = b""
            started = time.monotonic()
            while True:
                chunk = sock.recv(32768)
                if not chunk:
                    break
                data += chunk
                time.sleep(0.005)  # a few MB/s at most: slower than the emulator writes
            elapsed = time.monotonic() - started
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
        self.assertGreater(length, 4_000_000)
        self.assertEqual(len(body), length)
        self.assertEqual(json.loads(body)["count"], self.ROOMS)
        self.assertGreater(elapsed, 0.6, "the read must outlast the read timeout for this test to mean anything")

    def test_a_reader_that_stops_is_dropped(self):
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=10) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            sock.sendall(self.listing())
            data = sock.recv(16384)
            time.sleep(2.0)  # well past the read timeout, with the emulator blocked on a full socket
            try:
                while True:
                    chunk = sock.recv(1 << 20)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionResetError:
                pass
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
        self.assertGreater(length, 4_000_000)
        self.assertLess(len(body), length)  # dropped: what the buffers held, not the whole answer


class ListingPagesTest(EmulatorTest):
    """Finding 4: control API listings come in pages, so one answer stays small however many rooms an app holds."""

    rules_files = {"apps": {"defaults": {"rate_limits": {"create_room": 0}}}}

    def test_rooms_come_in_pages(self):
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=30) as sock:
            payload = b""
            for i in range(250):
                head, body = post_bytes(v4("create_room", 1406000400), create_body("page-%03d" % i))
                payload += head + body
            sock.sendall(payload)
            answers, _ = read_answers(sock, 250)
        self.assertEqual(len(answers), 250)
        seen = []
        cursor = None
        sizes = []
        while True:
            path = "apps/1406000400/rooms" + ("?cursor=" + urllib.parse.quote(cursor) if cursor else "")
            status, body = self.emu.control("GET", path)
            self.assertEqual((status, body["count"]), (200, 250))
            sizes.append(len(body["rooms"]))
            seen += [room["RoomId"] for room in body["rooms"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(sizes, [100, 100, 50])
        self.assertEqual(seen, ["page-%03d" % i for i in range(250)])
        status, body = self.emu.control("GET", "apps/1406000400/rooms?limit=7")
        self.assertEqual((len(body["rooms"]), body["next_cursor"]), (7, "page-006"))
        for bad in ("limit=0", "limit=10001", "limit=x", "page=2"):
            with self.subTest(query=bad):
                status, body = self.emu.control("GET", "apps/1406000400/rooms?" + bad)
                self.assertEqual(status, 400)


class BoundsTest(EmulatorTest):
    """Finding 3: apps and rooms are bounded; past a bound the answer is a clear error, never growth."""

    args = ("--max-apps", "3", "--max-rooms-per-app", "3")

    def test_rooms_per_app(self):
        self.freeze_clock()
        for i in range(3):
            self.assertEqual(self.emu.call("create_room", create_body("cap-%d" % i), sdkappid=1406000500)["ErrorCode"], 0)
        self.emu.control("POST", "clock", {"advance_ms": 2000})  # past the 100012 interval
        answer = self.emu.call("create_room", create_body("cap-3"), sdkappid=1406000500)
        self.assertEqual((answer["ErrorCode"], answer["ErrorInfo"]),
                         (100001, "Internal server error. Please retry. (the emulator holds at most 3 rooms per app: "
                                  "--max-rooms-per-app)"))
        self.assertEqual(self.emu.call("create_room", create_body("cap-0"), sdkappid=1406000500)["ErrorCode"], 100010)
        self.assertEqual(self.emu.call("destroy_room", {"RoomId": "cap-0"}, sdkappid=1406000500)["ErrorCode"], 0)
        self.assertEqual(self.emu.call("create_room", create_body("cap-3"), sdkappid=1406000500)["ErrorCode"], 0)

    def test_apps(self):
        for app in (1406000600, 1406000601, 1406000602):
            self.assertEqual(self.emu.call("create_room", create_body("r"), sdkappid=app)["ErrorCode"], 0)
        answer = self.emu.call("get_room_info", {"RoomId": "r"}, sdkappid=1406000603)
        self.assertEqual((answer["ErrorCode"], answer["ErrorInfo"]),
                         (60006, "SDKAppID invalid, please verify the validity of SDKAppID (the emulator holds at most "
                                 "3 apps: --max-apps)"))
        self.assertEqual(self.emu.call("get_room_info", {"RoomId": "r"}, sdkappid=1406000601)["ErrorCode"], 0)
        # A reset frees the apps' state: new apps are served again.
        self.assertEqual(self.emu.control("POST", "reset")[0], 200)
        time.sleep(1.1)  # the bound looks for idle apps once a second at most
        self.assertEqual(self.emu.call("get_room_info", {"RoomId": "r"}, sdkappid=1406000603)["ErrorCode"], 100004)


class FuzzFindingsTest(EmulatorTest):
    """Answers the fuzzer found broken (tests/fuzz/crashes): each must stay valid UTF-8 JSON, or HEAD bodiless."""

    def test_a_fault_header_with_invalid_utf8_is_refused_in_valid_json(self):
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n" % v4("get_room_info")).encode()
        payload = head + b"X-Emulator-Fault: delay_ms=\xff\r\nConnection: close\r\n\r\n{}"
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=5) as sock:
            sock.sendall(payload)
            answers, _ = read_answers(sock, 1)
        self.assertTrue(answers[0][0].startswith("HTTP/1.1 400 "))
        self.assertEqual(json.loads(answers[0][1].decode("utf-8"))["error"],
                         "X-Emulator-Fault delay_ms: must be a decimal integer, got '\ufffd'")

    def test_control_errors_quoting_the_query_stay_valid_json(self):
        status, _, data = self.emu.request("GET", "/_emulator/journal?command=%FF")
        self.assertEqual(status, 400)
        self.assertIn("\ufffd", json.loads(data.decode("utf-8"))["error"])

    def test_a_refused_head_has_no_body(self):
        data = self.emu.raw(b"HEAD http://example.com/_emulator/health HTTP/1.1\r\nHost: example.com\r\n\r\n"
                            b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        first, _, rest = data.partition(b"\r\n\r\n")
        self.assertTrue(first.startswith(b"HTTP/1.1 403 "))
        self.assertIn(b"Connection: close", first)  # a refusal ends the connection...
        self.assertEqual(rest, b"")  # ...and a HEAD answer carries no body


class StopTest(unittest.TestCase):
    """Finding 7: at SIGTERM, every request already sent is answered, pipelined ones included."""

    def test_pipelined_requests_are_answered_at_sigterm(self):
        emu = Emulator(argv=["--listen", "127.0.0.1:0", "--rules", TEST_RULES, "--threads", "1", "--log-level", "warn"])
        socks = []
        try:
            for c in range(16):
                sock = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
                payload = b""
                for r in range(8):
                    head, body = post_bytes(v4("create_room", 1406000300), create_body("stop-%d-%d" % (c, r)))
                    payload += head + body
                sock.sendall(payload)
                socks.append(sock)
            # Every connection accepted (a connection still in the kernel's accept queue is not the emulator's yet),
            # its requests in the emulator's socket buffers, not necessarily read.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                _, _, metrics = emu.request("GET", "/metrics")
                open_now = [line for line in metrics.decode().splitlines() if line.startswith("lee_connections_open ")]
                if open_now and int(open_now[0].split()[1]) >= 17:  # the 16 and the one asking
                    break
                time.sleep(0.01)
            if emu._conn:
                emu._conn.close()
                emu._conn = None
            emu.proc.send_signal(signal.SIGTERM)
            counts = []
            for sock in socks:
                answers, rest = read_answers(sock, 8)
                counts.append(len(answers))
                self.assertTrue(all(json.loads(body)["ErrorCode"] == 0 for _, body in answers))
                self.assertEqual((rest, sock.recv(1)), (b"", b""))  # then the end of the connection
            self.assertEqual(counts, [8] * 16)
            emu.proc.wait(timeout=5)
            self.assertEqual(emu.proc.returncode, 0)
        finally:
            for sock in socks:
                sock.close()
            emu.stop()


if __name__ == "__main__":
    unittest.main()
