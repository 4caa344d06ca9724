"""Starts the real emulator binary on port 0 and talks to it over real HTTP (stdlib only)."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

BINARY = os.environ.get("LEE_BINARY") or os.path.join(os.path.dirname(__file__), "..", "..", "build",
                                                      "live-engine-emulator")
HERE = os.path.dirname(os.path.abspath(__file__))
TEST_RULES = os.path.join(HERE, "rules")
SERVICE = "/v4/live_engine_http_srv/"

# Section 6 of the spec: the documented ErrorInfo texts (and the emulator's for codes the docs leave without one).
ERROR_TEXTS = {
    60002: "HTTP parsing error, please check the HTTP request URL format",
    60003: "HTTP request JSON parsing error, please check the JSON format",
    60004: "Request URL or JSON payload contains an incorrect account or signature",
    60006: "SDKAppID invalid, please verify the validity of SDKAppID",
    60007: "RESTful API invocation frequency exceeds its limit, please reduce the request frequency",
    60008: "Service request timed out or HTTP request format is incorrect, please check and retry",
    60009: "Request resource error, please check the request URL",
    60010: "The request requires App administrator privileges",
    60012: "RESTful API requires SDKAppID, please check the SDKAppID in the request URL",
    60015: "The request body has the wrong account type. Please ensure the account is in string format",
    60016: "SDKAppID is disabled",
    70003: "The UserSig in use is illegal. Please regenerate UserSig through official API",
    100003: "Room ID already exists. Please choose a different Room ID.",
    100004: "The room does not exist, or it once existed but now has been destroyed",
    100007: "No payment information. You need to purchase a package in the Console.",
    100010: "Room ID already exists and Owner_Account is the same. You can use it directly.",
    100011: "Room ID is occupied by Chat. Please use a different Room ID.",
    100012: "Room creation exceeds frequency limit. The same Room ID can only be created once per second.",
    100026: "Room name or other information contains sensitive content.",
    # Room metadata: the docs' texts for 100500 and 100501, the emulator's own (in their style) for the others.
    100500: "The number of keys for room metadata exceeds the upper limit of 10",
    100501: "The value of a single key for room metadata exceeds the upper limit of 2KB",
    100502: "The total size of values for all keys of room metadata exceeds the upper limit of 16KB",
    100503: "None of the keys to delete exist in room metadata",
    100504: "The length of a key of room metadata exceeds the upper limit of 50 bytes",
}


class Emulator:
    """One emulator process. Use as a context manager or call stop()."""

    def __init__(self, rules=TEST_RULES, args=(), env=None, seed=7, argv=None):
        """argv, when given, is the whole command line after the binary (no flags of the harness's own)."""
        self.stderr_file = tempfile.TemporaryFile()
        if argv is None:
            argv = ["--listen", "127.0.0.1:0", "--rules", rules, "--threads", "2", "--log-level", "warn"]
            if seed is not None:
                argv += ["--seed", str(seed)]
            argv += list(args)
        self.argv = list(argv)
        self.proc = subprocess.Popen([BINARY] + self.argv, stdout=subprocess.PIPE, stderr=self.stderr_file,
                                     env=env if env is not None else os.environ.copy())
        self._conn = None
        self.ready_line = self.proc.stdout.readline().decode()
        if not self.ready_line.startswith("READY listen="):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("emulator did not start: %r %s" % (self.ready_line, self.stderr()))
        ready = re.match(r"^READY listen=(\S+):(\d+)(?: tls=(\S+):(\d+))?$", self.ready_line.strip())
        self.host, self.port = ready.group(1), int(ready.group(2))
        self.tls_port = int(ready.group(4)) if ready.group(4) else None

    def stderr(self):
        if self.stderr_file.closed:
            return self.kept_stderr
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode(errors="replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def terminate(self, sig=signal.SIGTERM, timeout=10):
        """Sends `sig`; returns (exit code, seconds until exit, what else was printed on stdout)."""
        if self._conn:
            self._conn.close()
            self._conn = None
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        elapsed = time.monotonic() - started
        rest = self.proc.stdout.read().decode(errors="replace")
        self.proc.stdout.close()
        return self.proc.returncode, elapsed, rest

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops the process if it still runs; returns its exit code."""
        if self.proc.poll() is None:
            self.terminate(sig, timeout)
        if self._conn:
            self._conn.close()
            self._conn = None
        if not self.proc.stdout.closed:
            self.proc.stdout.close()
        if not self.stderr_file.closed:  # released at once; what it held stays readable through stderr()
            self.kept_stderr = self.stderr()
            self.stderr_file.close()
        return self.proc.returncode

    # --- HTTP ---------------------------------------------------------------------------------------
    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def request(self, method, target, body=None, headers=None, conn=None):
        """Returns (status, headers dict (lower-case names), raw body bytes). Reuses one keep-alive connection."""
        own = conn is None
        if own:
            if self._conn is None:
                self._conn = self.connection()
            conn = self._conn
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        try:
            conn.request(method, target, body=body, headers=headers or {})
            response = conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            if not own:
                raise
            # The server closed the kept-alive connection before this request reached it (e.g. after a 400 or an
            # idle timeout): nothing was processed, so sending it again on a new connection is safe.
            self._conn.close()
            self._conn = conn = self.connection()
            conn.request(method, target, body=body, headers=headers or {})
            response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def call(self, command, body, sdkappid=88888888, identifier="admin", usersig="xxx", random="99999999",
             contenttype="json", method="POST", query=None, service="live_engine_http_srv"):
        """A /v4 call; returns the decoded JSON answer (and asserts the transport contract)."""
        if query is None:
            params = [("sdkappid", sdkappid), ("identifier", identifier), ("usersig", usersig),
                      ("random", random), ("contenttype", contenttype)]
            query = urllib.parse.urlencode([(k, v) for k, v in params if v is not None], safe="*")
        status, headers, data = self.request(method, "/v4/%s/%s?%s" % (service, command, query), body)
        if status != 200:
            raise AssertionError("HTTP %d: %r" % (status, data))
        if headers.get("content-type") != "application/json":
            raise AssertionError("content-type %r" % headers.get("content-type"))
        return json.loads(data)

    def control(self, method, path, body=None, headers=None):
        status, _, data = self.request(method, "/_emulator/" + path, body, headers)
        return status, (json.loads(data) if data else None)

    def raw(self, payload, read_timeout=5.0, shutdown_write=False):
        """Sends raw bytes on a fresh socket; returns everything the server sends until it closes or goes quiet."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as sock:
            sock.sendall(payload)
            if shutdown_write:
                sock.shutdown(socket.SHUT_WR)
            chunks = []
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except socket.timeout:
                pass
            except ConnectionResetError:
                pass
            return b"".join(chunks)


def create_body(room_id="live-room", **fields):
    info = {"RoomId": room_id, "RoomType": "Live", "SeatTemplate": "VideoDynamicGrid9Seats"}
    info.update(fields)
    return {"RoomInfo": info}


def write_rules(directory, apps=None, words=None):
    """Writes a rules directory for one test; apps is a dict (serialised) or a raw string."""
    os.makedirs(directory, exist_ok=True)
    if apps is not None:
        with open(os.path.join(directory, "apps.json"), "w", encoding="utf-8") as f:
            f.write(apps if isinstance(apps, str) else json.dumps(apps))
    if words is not None:
        with open(os.path.join(directory, "sensitive_words.txt"), "wb") as f:
            f.write(words if isinstance(words, bytes) else words.encode())
    return directory


class EmulatorTest(unittest.TestCase):
    """One emulator per test class; each test uses its own sdkappid or resets state.

    rules_files = {"apps": ..., "words": ...} gives the class a temporary rules directory of its own (its path is
    cls.rules_dir, so tests can rewrite it and POST /_emulator/reload)."""
    rules = TEST_RULES
    rules_files = None
    args = ()

    @classmethod
    def setUpClass(cls):
        if cls.rules_files is not None:
            cls.rules_dir = tempfile.mkdtemp(prefix="lee-rules-")
            write_rules(cls.rules_dir, **cls.rules_files)
            cls.rules = cls.rules_dir
        cls.emu = Emulator(rules=cls.rules, args=cls.args)

    @classmethod
    def tearDownClass(cls):
        code = cls.emu.stop()
        if cls.rules_files is not None:
            shutil.rmtree(cls.rules_dir, ignore_errors=True)
        if code != 0:
            raise AssertionError("emulator exited with %s; stderr:\n%s" % (code, cls.emu.stderr()))

    def setUp(self):
        status, _ = self.emu.control("POST", "reset")
        self.assertEqual(status, 200)
        self.emu.control("POST", "clock", {"resume": True})

    def assertError(self, answer, code, info=None):
        self.assertEqual(answer["ActionStatus"], "FAIL", answer)
        self.assertEqual(answer["ErrorCode"], code, answer)
        if info is not None:
            self.assertEqual(answer["ErrorInfo"], info, answer)

    def assertOk(self, answer):
        self.assertEqual((answer["ActionStatus"], answer["ErrorCode"], answer["ErrorInfo"]), ("OK", 0, ""), answer)

    def freeze_clock(self, set_ms=1_800_000_000_000):
        status, body = self.emu.control("POST", "clock", {"freeze": True, "set_ms": set_ms})
        self.assertEqual(status, 200, body)
        return body
