"""The transport's process-wide bounds and its stop, through the real binary (issue 10).

- Bytes held for answers clients have not read are bounded across all connections (--max-unread-bytes).
- A large body's storage is not kept by its connection for the next request.
- At SIGTERM, connections still in the kernel's accept queue are taken, and a request sent on one is answered.
Run: cd tests/e2e && python3 -m unittest -v test_transport_bounds
"""
import json
import os
import shutil
import signal
import socket
import tempfile
import time
import unittest

from harness import BINARY, TEST_RULES, Emulator, create_body, write_rules
from test_reliability import post_bytes, read_answers, v4

APP = 1406000700


def thread_sanitizer(pid):
    """Whether the running emulator is a ThreadSanitizer build (the binary itself, not a wrapper that started it)."""
    with open("/proc/%d/exe" % pid, "rb") as binary:
        return b"__tsan_init" in binary.read()


def metric(emu, name):
    _, _, data = emu.request("GET", "/metrics")
    for line in data.decode().splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    raise AssertionError("no metric %s" % name)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class UnreadAnswersTest(unittest.TestCase):
    """Many connections ask for a large listing and never read: what the emulator holds for them stays bounded."""

    BOUND = 20_000_000
    ROOMS = 600
    READERS = 30

    @classmethod
    def setUpClass(cls):
        cls.rules_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "lee-unread-%d" % os.getpid())
        os.makedirs(cls.rules_dir, exist_ok=True)
        with open(os.path.join(cls.rules_dir, "apps.json"), "w") as apps:
            json.dump({"defaults": {"rate_limits": {"create_room": 0, "set_room_metadata": 0}}}, apps)
        env = os.environ.copy()
        # Freed memory goes back to the allocator at once, so RSS shows what is held rather than ASan's quarantine.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
        cls.emu = Emulator(rules=cls.rules_dir, env=env, args=("--max-unread-bytes", str(cls.BOUND)))
        # Rooms of about 15 KB each (metadata near its 16 KB bound): a listing of all of them (about 9 MB) is more
        # than the kernel's socket buffers take, so a client that does not read leaves most of it in the emulator.
        metadata = [{"Key": "key-%d" % k, "Value": "v" * 1500} for k in range(10)]
        with socket.create_connection(("127.0.0.1", cls.emu.port), timeout=30) as sock:
            for start in range(0, cls.ROOMS, 100):
                payload = b""
                for i in range(start, start + 100):
                    head, body = post_bytes(v4("create_room", APP), create_body(
                        "unread-%05d" % i, RoomName="n" * 100, CoverURL="c" * 200, Category=["a" * 20, "b" * 20]))
                    payload += head + body
                    head, body = post_bytes(v4("set_room_metadata", APP),
                                            {"RoomId": "unread-%05d" % i, "Metadata": metadata})
                    payload += head + body
                sock.sendall(payload)
                answers, _ = read_answers(sock, 200, timeout=30)
                assert all(json.loads(body)["ErrorCode"] == 0 for _, body in answers), answers[:2]

    @classmethod
    def tearDownClass(cls):
        code = cls.emu.stop()
        for name in os.listdir(cls.rules_dir):
            os.remove(os.path.join(cls.rules_dir, name))
        os.rmdir(cls.rules_dir)
        if code != 0:
            raise AssertionError("emulator exited with %s; stderr:\n%s" % (code, cls.emu.stderr()))

    def listing(self):
        return ("GET /_emulator/apps/%d/rooms?limit=10000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                % APP).encode()

    def read_listing(self):
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=10) as sock:
            sock.sendall(self.listing())
            [(head, body)], _ = read_answers(sock, 1)
        self.assertTrue(head.startswith("HTTP/1.1 200 "), head)
        self.assertEqual(json.loads(body)["count"], self.ROOMS)
        return body

    def test_answers_nobody_reads_are_bounded_in_total(self):
        size = len(self.read_listing())
        self.assertGreater(size, 8_000_000)
        self.assertGreater(size * self.READERS, 10 * self.BOUND, "unbounded, the readers would hold far more")
        rss_before = rss_kib(self.emu.proc.pid)
        drops_before = metric(self.emu, "lee_unread_answer_drops_total")

        stalled = []
        try:
            highest = 0
            for _ in range(self.READERS):
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel takes little of the answer
                sock.connect(("127.0.0.1", self.emu.port))
                sock.sendall(self.listing())
                stalled.append(sock)
                highest = max(highest, metric(self.emu, "lee_unread_answer_bytes"))
            # Until every listing is answered (held, or dropped for room) and every connection picked for room is
            # closed (until then its bytes count as held too): what is measured below is then the bound's doing,
            # not how far the I/O threads have got with rendering.
            deadline = time.monotonic() + 60
            while True:
                held = metric(self.emu, "lee_unread_answer_bytes")
                highest = max(highest, held)
                done = metric(self.emu, "lee_unread_answer_drops_total") - drops_before + held // size
                if (done >= self.READERS and held <= self.BOUND) or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertGreaterEqual(done, self.READERS, "listings answered or dropped within 60 s")
            # At most the bound, plus an answer being charged while others close (two I/O threads).
            self.assertLessEqual(highest, self.BOUND + 2 * size)
            self.assertGreater(highest, 0)
            drops = metric(self.emu, "lee_unread_answer_drops_total") - drops_before
            self.assertGreaterEqual(drops, self.READERS - (self.BOUND // size) - 2)
            grown_kib = rss_kib(self.emu.proc.pid) - rss_before
            if not thread_sanitizer(self.emu.proc.pid):  # whose shadow memory of freed answers stays resident
                self.assertLess(grown_kib * 1024, self.READERS * size // 3,
                                "RSS grew %d KiB for %d answers of %d bytes" % (grown_kib, self.READERS, size))

            # A good client is still served, a large answer included, while the readers stall.
            status, _, data = self.emu.request("POST", v4("get_room_info", APP), {"RoomId": "unread-00007"})
            self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 0))
            self.read_listing()
            # The connections closed for room were cut short: fewer bytes than the answer, then the end.
            cut = 0
            for sock in stalled:
                sock.settimeout(10)
                received = 0
                try:
                    while True:
                        chunk = sock.recv(1 << 20)
                        if not chunk:
                            break
                        received += len(chunk)
                except ConnectionResetError:
                    pass
                if received < size:  # a whole answer is its header and `size` bytes
                    cut += 1
            self.assertGreaterEqual(cut, drops - 1)
        finally:
            for sock in stalled:
                sock.close()
        # Once the readers are gone, nothing is held.
        deadline = time.monotonic() + 10
        while metric(self.emu, "lee_unread_answer_bytes") != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(metric(self.emu, "lee_unread_answer_bytes"), 0)

    def test_an_answer_larger_than_the_bound_goes_out_alone(self):
        small = Emulator(rules=self.rules_dir, args=("--max-unread-bytes", "65536"))
        try:
            for i in range(200):
                small.call("create_room", create_body("big-%03d" % i, RoomName="n" * 100, CoverURL="c" * 200),
                           sdkappid=APP)
            status, headers, data = small.request("GET", "/_emulator/apps/%d/rooms?limit=200" % APP)
            self.assertGreater(len(data), 65536)
            self.assertEqual((status, len(json.loads(data)["rooms"])), (200, 200))
            self.assertEqual(metric(small, "lee_unread_answer_bytes"), 0)
        finally:
            self.assertEqual(small.stop(), 0)

    def test_the_flag_is_checked(self):
        import subprocess
        for bad in ("1000", "x", "-1"):
            proc = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--rules", TEST_RULES, "--max-unread-bytes", bad],
                                  capture_output=True, timeout=10)
            self.assertEqual(proc.returncode, 2, bad)
            self.assertIn(b"--max-unread-bytes must be 65536..1099511627776", proc.stderr)


class LargeBodyNotKeptTest(unittest.TestCase):
    """A large body's storage goes with its request: a keep-alive connection does not hold it for the next one."""

    def test_a_large_upload_is_freed_while_the_connection_stays(self):
        env = os.environ.copy()
        # Freed memory goes back at once, so RSS shows what is held rather than ASan's quarantine.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
        emu = Emulator(env=env)
        try:
            if thread_sanitizer(emu.proc.pid):
                self.skipTest("ThreadSanitizer keeps the shadow of freed memory resident")
            size = 100_000_000  # within the snapshot upload's 512 MiB bound; refused at its first byte
            with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as sock:
                sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                read_answers(sock, 1)
                rss_before = rss_kib(emu.proc.pid)
                sock.sendall(b"PUT /_emulator/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n"
                             % size)
                sock.sendall(b"x" * size)
                answers, _ = read_answers(sock, 1, timeout=30)
                self.assertTrue(answers[0][0].startswith("HTTP/1.1 400 "), answers[0][0])
                # The next request on the same connection: the upload's storage must not be kept for it.
                sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                answers, _ = read_answers(sock, 1)
                self.assertTrue(answers[0][0].startswith("HTTP/1.1 200 "), answers[0][0])
                held_kib = rss_kib(emu.proc.pid) - rss_before
                self.assertLess(held_kib, 20_000, "%d KiB still held after the upload's request" % held_kib)
        finally:
            emu.stop()


class JournalHoldsItsBoundTest(unittest.TestCase):
    """A journaled text is kept cut to its bound: a slot does not hold a long request text uncounted."""

    def test_long_room_ids_are_not_held_by_the_journal(self):
        env = os.environ.copy()
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
        rules = tempfile.mkdtemp()
        write_rules(rules, apps={"defaults": {"rate_limits": {"create_room": 0}}})
        emu = Emulator(rules=rules, env=env)
        try:
            if thread_sanitizer(emu.proc.pid):
                self.skipTest("ThreadSanitizer keeps the shadow of freed memory resident")
            # A RoomId of 60 KB (refused as too long, but named in the journal, cut to 128 bytes) in 1,000 requests:
            # the journal's 10,000 slots take them all.
            head, body = post_bytes(v4("create_room"), create_body("r" * 60_000))
            with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as sock:
                sock.sendall(head + body)
                read_answers(sock, 1)
                rss_before = rss_kib(emu.proc.pid)
                for _ in range(10):
                    sock.sendall((head + body) * 100)
                    answers, _ = read_answers(sock, 100, timeout=30)
                    self.assertEqual(json.loads(answers[-1][1])["ErrorCode"], 100002)
                held_kib = rss_kib(emu.proc.pid) - rss_before
            status, _, data = emu.request("GET", "/_emulator/journal?limit=1")
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(data)["entries"][0]["room_id"], "r" * 128)
            self.assertLess(held_kib, 20_000, "%d KiB held after 1,000 journaled 60 KB RoomIds" % held_kib)
        finally:
            emu.stop()
            shutil.rmtree(rules, ignore_errors=True)


class StopTakesAcceptQueueTest(unittest.TestCase):
    """Connections the kernel completed but the emulator had not accepted yet at SIGTERM are still answered."""

    CONNECTIONS = 24

    def test_requests_in_the_accept_queue_are_answered_at_sigterm(self):
        emu = Emulator(argv=["--listen", "127.0.0.1:0", "--rules", TEST_RULES, "--threads", "1", "--log-level", "warn"])
        socks = []
        try:
            self.assertEqual(emu.request("GET", "/_emulator/health")[0], 200)
            emu._conn.close()
            emu._conn = None
            # Stopped, the emulator accepts nothing: every connection below waits in the kernel's accept queue,
            # its requests sent.
            emu.proc.send_signal(signal.SIGSTOP)
            for c in range(self.CONNECTIONS):
                sock = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
                payload = b""
                for r in range(2):
                    head, body = post_bytes(v4("create_room", 1406000800), create_body("queued-%d-%d" % (c, r)))
                    payload += head + body
                sock.sendall(payload)
                socks.append(sock)
            emu.proc.send_signal(signal.SIGTERM)
            emu.proc.send_signal(signal.SIGCONT)
            counts = []
            for sock in socks:
                try:
                    answers, rest = read_answers(sock, 2)
                    tail = sock.recv(1)
                except ConnectionResetError:
                    answers, rest, tail = [], b"reset", b""
                counts.append(len(answers))
                self.assertTrue(all(json.loads(body)["ErrorCode"] == 0 for _, body in answers))
                self.assertEqual((rest, tail), (b"", b""))  # then the end of the connection
            self.assertEqual(counts, [2] * self.CONNECTIONS)
            emu.proc.wait(timeout=5)
            self.assertEqual(emu.proc.returncode, 0)
        finally:
            for sock in socks:
                sock.close()
            emu.proc.send_signal(signal.SIGCONT) if emu.proc.poll() is None else None
            emu.stop()


if __name__ == "__main__":
    unittest.main()
