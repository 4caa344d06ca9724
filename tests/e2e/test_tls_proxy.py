"""HTTPS and proxy mode end-to-end: unmodified clients that hard-code https:// and Tencent's domains reach the
emulator through a trusted local CA, or through HTTPS_PROXY pointing at the plain listener.

Spec: issue 8 part 1 (README "HTTPS and proxy mode"): --tls-listen, --tls-cert/--tls-key, --ca-dir, the READY line,
GET /_emulator/ca.pem, CONNECT and absolute-form targets for Tencent's REST domains only (never an open proxy).
Clients used: curl (--cacert, -x in both modes), Python's ssl module, Node's https module with NODE_EXTRA_CA_CERTS.
Run: cd tests/e2e && python3 -m unittest -v test_tls_proxy
"""
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import tempfile
import threading
import unittest

from harness import BINARY, SERVICE, TEST_RULES, Emulator, create_body

QUERY = "sdkappid=%d&identifier=admin&usersig=x&random=1&contenttype=json"
READY = re.compile(r"^READY listen=127\.0\.0\.1:(\d+) tls=127\.0\.0\.1:(\d+)$")
TENCENT = "console.tim.qq.com"


def target(command, sdkappid=1500000001):
    return SERVICE + command + "?" + QUERY % sdkappid


def no_proxy_env(**extra):
    """The environment without proxy settings of the machine's own (a test names its proxy itself), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("https_proxy", "http_proxy", "all_proxy",
                                                                     "no_proxy")}
    env.update(extra)
    return env


def curl(*args, env=None):
    """Runs curl; returns (exit code, body bytes, stderr text)."""
    proc = subprocess.run(["curl", "-s", "-S", "--max-time", "10"] + list(args), capture_output=True,
                          env=env if env is not None else no_proxy_env(), timeout=30)
    return proc.returncode, proc.stdout, proc.stderr.decode(errors="replace")


def client_context(ca_file):
    context = ssl.create_default_context(cafile=ca_file)
    return context


class TlsTest(unittest.TestCase):
    """One emulator with a plain and a TLS listener and a CA directory of its own."""

    threads = 2

    @classmethod
    def setUpClass(cls):
        cls.ca_dir = tempfile.mkdtemp(prefix="lee-ca-")
        cls.emu = Emulator(argv=["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--rules", TEST_RULES,
                                 "--ca-dir", cls.ca_dir, "--threads", str(cls.threads), "--log-level", "warn"])
        cls.ca_file = os.path.join(cls.ca_dir, "ca.pem")

    @classmethod
    def tearDownClass(cls):
        code = cls.emu.stop()
        shutil.rmtree(cls.ca_dir, ignore_errors=True)
        if code != 0:
            raise AssertionError("emulator exited with %s; stderr:\n%s" % (code, cls.emu.stderr()))

    def https(self, method, path, body=None, host="localhost", ca_file=None, server_name=None):
        """One request over TLS to the TLS listener (connecting to 127.0.0.1, naming `host` in SNI and Host)."""
        context = client_context(ca_file or self.ca_file)
        raw = socket.create_connection(("127.0.0.1", self.emu.tls_port), timeout=10)
        sock = context.wrap_socket(raw, server_hostname=server_name or host)
        conn = http.client.HTTPConnection(host, timeout=10)
        conn.sock = sock
        conn.request(method, path, body=json.dumps(body) if isinstance(body, dict) else body)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data

    def create(self, room_id, sdkappid=1500000001):
        status, data = self.https("POST", target("create_room", sdkappid), create_body(room_id))
        self.assertEqual(status, 200)
        return json.loads(data)

    # --- the listener and the CA -------------------------------------------------------------------------------

    def test_ready_line_names_both_listeners(self):
        self.assertRegex(self.emu.ready_line.strip(), READY)
        self.assertEqual(self.emu.tls_port, int(READY.match(self.emu.ready_line.strip()).group(2)))

    def test_ca_is_kept_with_a_private_key_only_its_owner_reads(self):
        key = os.path.join(self.ca_dir, "ca-key.pem")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.ca_dir).st_mode), 0o700)
        with open(self.ca_file, encoding="ascii") as f:
            self.assertTrue(f.read().startswith("-----BEGIN CERTIFICATE-----"))

    def test_control_api_serves_the_ca_certificate(self):
        status, headers, data = self.emu.request("GET", "/_emulator/ca.pem")
        self.assertEqual((status, headers["content-type"]), (200, "application/x-pem-file"))
        with open(self.ca_file, "rb") as f:
            self.assertEqual(data, f.read())

    def test_same_state_over_https_and_plain_http(self):
        self.assertEqual(self.create("tls-room")["ErrorCode"], 0)
        answer = self.emu.call("get_room_info", {"RoomId": "tls-room"}, sdkappid=1500000001)
        self.assertEqual(answer["Response"]["RoomInfo"]["RoomId"], "tls-room")
        status, data = self.https("GET", "/_emulator/health")
        self.assertEqual((status, json.loads(data)["status"]), (200, "ok"))

    def test_leaf_names_localhost_loopback_and_tencent_domains(self):
        for host in ("localhost", TENCENT, "adminapisgp.im.qcloud.com", "adminapiusa.im.qcloud.com",
                     "adminapiger.im.qcloud.com", "LOCALHOST"):
            with self.subTest(host=host):
                status, data = self.https("POST", target("get_room_info"), {"RoomId": "none"}, host=host)
                self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 100004))
        # An IP address is checked against the certificate's IP names (no SNI is sent for one).
        status, _ = self.https("GET", "/_emulator/health", host="127.0.0.1")
        self.assertEqual(status, 200)

    def test_a_name_the_certificate_does_not_cover_is_refused_in_the_handshake(self):
        context = client_context(self.ca_file)
        context.check_hostname = False  # the server itself must refuse, not only the client
        raw = socket.create_connection(("127.0.0.1", self.emu.tls_port), timeout=10)
        with self.assertRaises(ssl.SSLError) as caught:
            context.wrap_socket(raw, server_hostname="example.com")
        self.assertIn("UNRECOGNIZED_NAME", str(caught.exception).upper())
        raw.close()

    def test_a_client_that_does_not_trust_the_ca_fails(self):
        code, _, err = curl("https://localhost:%d/_emulator/health" % self.emu.tls_port)
        self.assertEqual(code, 60, err)  # curl: peer certificate cannot be authenticated
        other = tempfile.mkdtemp(prefix="lee-other-ca-")
        try:
            other_emu = Emulator(args=("--tls-listen", "127.0.0.1:0", "--ca-dir", other))
            other_emu.stop()
            with self.assertRaises(ssl.SSLCertVerificationError):
                self.https("GET", "/_emulator/health", ca_file=os.path.join(other, "ca.pem"))
        finally:
            shutil.rmtree(other, ignore_errors=True)

    def test_plain_http_on_the_tls_port_gets_no_answer(self):
        with socket.create_connection(("127.0.0.1", self.emu.tls_port), timeout=5) as sock:
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            try:
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
        self.assertNotIn(b"HTTP/1.1 200", data)

    # --- curl -----------------------------------------------------------------------------------------------------

    def test_curl_with_cacert(self):
        code, body, err = curl("--cacert", self.ca_file, "-X", "POST", "-d", json.dumps(create_body("curl-room")),
                               "https://localhost:%d%s" % (self.emu.tls_port, target("create_room")))
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(body)["ErrorCode"], 0)
        # The Tencent domain, resolved to the emulator as a hosts-file entry would.
        code, body, err = curl("--cacert", self.ca_file, "--resolve", "%s:%d:127.0.0.1" % (TENCENT, self.emu.tls_port),
                               "-d", json.dumps({"RoomId": "curl-room"}),
                               "https://%s:%d%s" % (TENCENT, self.emu.tls_port, target("get_room_info")))
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(body)["Response"]["RoomInfo"]["RoomId"], "curl-room")

    def test_curl_through_the_proxy_with_https(self):
        # HTTPS_PROXY style: CONNECT console.tim.qq.com:443, then TLS inside the tunnel.
        code, body, err = curl("-x", "http://127.0.0.1:%d" % self.emu.port, "--cacert", self.ca_file,
                               "-d", json.dumps(create_body("proxied-room")),
                               "https://%s%s" % (TENCENT, target("create_room")))
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(body)["ErrorCode"], 0)
        self.assertEqual(self.emu.call("get_room_info", {"RoomId": "proxied-room"}, sdkappid=1500000001)["ErrorCode"],
                         0)

    def test_curl_through_the_proxy_with_plain_http(self):
        # HTTP_PROXY style: an absolute-form target on the plain listener.
        code, body, err = curl("-x", "http://127.0.0.1:%d" % self.emu.port, "-d", json.dumps({"RoomId": "nope"}),
                               "http://%s%s" % (TENCENT, target("get_room_info")))
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(body)["ErrorCode"], 100004)

    def test_proxy_environment_variable(self):
        env = no_proxy_env(HTTPS_PROXY="http://127.0.0.1:%d" % self.emu.port)
        code, body, err = curl("--cacert", self.ca_file, "https://adminapisgp.im.qcloud.com/_emulator/health", env=env)
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(body)["status"], "ok")

    def test_never_an_open_proxy(self):
        proxy = "http://127.0.0.1:%d" % self.emu.port
        code, _, err = curl("-x", proxy, "--cacert", self.ca_file, "https://example.com/")
        self.assertNotEqual(code, 0)
        self.assertIn("403", err)
        code, body, err = curl("-x", proxy, "http://example.com/v4/live_engine_http_srv/create_room")
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(body)["error"],
                         "this emulator is not a proxy: it serves only Tencent's REST domains and localhost, "
                         "not example.com")
        # A look-alike domain is not Tencent's.
        code, _, err = curl("-x", proxy, "--cacert", self.ca_file, "https://console.tim.qq.com.evil.example/")
        self.assertNotEqual(code, 0)
        self.assertIn("403", err)

    def test_connect_answers_seen_raw(self):
        def connect(line):
            with socket.create_connection(("127.0.0.1", self.emu.port), timeout=5) as sock:
                sock.sendall(line)
                return sock.recv(4096)

        self.assertEqual(connect(b"CONNECT console.tim.qq.com:443 HTTP/1.1\r\nHost: console.tim.qq.com:443\r\n\r\n"),
                         b"HTTP/1.1 200 Connection Established\r\n\r\n")
        self.assertTrue(connect(b"CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n")
                        .startswith(b"HTTP/1.1 403 "))
        self.assertTrue(connect(b"CONNECT console.tim.qq.com HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 400 "))

    def test_connect_is_not_served_inside_tls(self):
        status, data = self.https("CONNECT", "console.tim.qq.com:443")
        self.assertEqual(status, 400)
        self.assertIn(b"plain listener", data)

    # --- Node -------------------------------------------------------------------------------------------------

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_node_https_with_extra_ca_certs(self):
        script = """
const https = require('https');
const body = JSON.stringify({RoomInfo: {RoomId: 'node-room', RoomType: 'Live', SeatTemplate: 'AudioSalon'}});
const req = https.request({host: '127.0.0.1', servername: 'console.tim.qq.com', port: %d, method: 'POST',
    path: '%s', headers: {Host: 'console.tim.qq.com', 'Content-Type': 'application/json'}}, (res) => {
  let data = ''; res.on('data', (c) => data += c); res.on('end', () => { process.stdout.write(data); });
});
req.on('error', (e) => { console.error(e.message); process.exit(1); });
req.end(body);
""" % (self.emu.tls_port, target("create_room"))
        env = no_proxy_env(NODE_EXTRA_CA_CERTS=self.ca_file)
        proc = subprocess.run(["node", "-e", script], capture_output=True, env=env, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["ErrorCode"], 0)
        # Without the CA, Node refuses the certificate.
        proc = subprocess.run(["node", "-e", script], capture_output=True, env=no_proxy_env(), timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn(b"certificate", proc.stderr)

    # --- concurrency ------------------------------------------------------------------------------------------

    def test_many_tls_and_tunnel_clients_at_once(self):
        errors = []

        def worker(index):
            try:
                if index % 2 == 0:
                    status, data = self.https("POST", target("create_room", 1500000002),
                                              create_body("many-%d" % index))
                else:
                    code, data, err = curl("-x", "http://127.0.0.1:%d" % self.emu.port, "--cacert", self.ca_file,
                                           "-d", json.dumps(create_body("many-%d" % index)),
                                           "https://%s%s" % (TENCENT, target("create_room", 1500000002)))
                    status = 200 if code == 0 else code
                if status != 200 or json.loads(data)["ErrorCode"] != 0:
                    errors.append((index, status, data))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append((index, repr(error)))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        status, body = self.emu.control("GET", "apps/1500000002/rooms")
        self.assertEqual(body["count"], 24)


class TlsFourThreadsTest(TlsTest):
    """The same suite with --threads 4."""

    threads = 4


class TlsCommandLineTest(unittest.TestCase):
    def run_binary(self, *args):
        proc = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--rules", TEST_RULES] + list(args),
                              capture_output=True, timeout=10)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def test_cert_and_key_go_together(self):
        code, out, err = self.run_binary("--tls-listen", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("--tls-cert and --tls-key go together", err)

    def test_unreadable_certificate_exits_2(self):
        code, out, err = self.run_binary("--tls-listen", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem",
                                         "--tls-key", "/nonexistent-key.pem")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("cannot serve HTTPS: /nonexistent.pem: cannot be read", err)

    def test_bad_tls_listen_exits_2(self):
        code, out, err = self.run_binary("--tls-listen", "nowhere")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("--tls-listen must be HOST:PORT", err)

    def test_a_ca_directory_that_cannot_be_made_exits_2(self):
        with tempfile.NamedTemporaryFile() as blocker:
            code, out, err = self.run_binary("--tls-listen", "127.0.0.1:0", "--ca-dir",
                                             os.path.join(blocker.name, "ca"))
        self.assertEqual((code, out), (2, ""))
        self.assertIn("cannot serve HTTPS", err)

    def test_the_ca_is_made_once_and_kept(self):
        ca_dir = tempfile.mkdtemp(prefix="lee-ca-")
        try:
            Emulator(args=("--tls-listen", "127.0.0.1:0", "--ca-dir", ca_dir)).stop()
            with open(os.path.join(ca_dir, "ca.pem"), "rb") as f:
                first = f.read()
            emu = Emulator(args=("--tls-listen", "127.0.0.1:0", "--ca-dir", ca_dir))
            try:
                self.assertEqual(emu.request("GET", "/_emulator/ca.pem")[2], first)
                context = client_context(os.path.join(ca_dir, "ca.pem"))
                with socket.create_connection(("127.0.0.1", emu.tls_port), timeout=5) as raw:
                    with context.wrap_socket(raw, server_hostname="localhost") as sock:
                        self.assertEqual(sock.version() in ("TLSv1.2", "TLSv1.3"), True)
            finally:
                self.assertEqual(emu.stop(), 0)
        finally:
            shutil.rmtree(ca_dir, ignore_errors=True)

    def test_env_twins(self):
        ca_dir = tempfile.mkdtemp(prefix="lee-ca-")
        try:
            env = dict(os.environ, LIVE_EMULATOR_TLS_LISTEN="127.0.0.1:0", LIVE_EMULATOR_CA_DIR=ca_dir)
            emu = Emulator(env=env)
            try:
                self.assertIsNotNone(emu.tls_port)
                self.assertTrue(os.path.exists(os.path.join(ca_dir, "ca.pem")))
            finally:
                emu.stop()
        finally:
            shutil.rmtree(ca_dir, ignore_errors=True)

    def test_proxy_mode_makes_the_ca_on_first_use_only(self):
        ca_dir = os.path.join(tempfile.mkdtemp(prefix="lee-ca-"), "ca")
        try:
            emu = Emulator(args=("--ca-dir", ca_dir))
            try:
                self.assertIsNone(emu.tls_port)
                self.assertFalse(os.path.exists(ca_dir))  # nobody asked for TLS yet
                with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
                    sock.sendall(b"CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n")
                    self.assertEqual(sock.recv(4096), b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    context = client_context(os.path.join(ca_dir, "ca.pem"))
                    with context.wrap_socket(sock, server_hostname="localhost") as tls:
                        tls.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        self.assertTrue(tls.recv(4096).startswith(b"HTTP/1.1 200 OK"))
            finally:
                self.assertEqual(emu.stop(), 0)
        finally:
            shutil.rmtree(os.path.dirname(ca_dir), ignore_errors=True)

    def test_users_own_certificate(self):
        work = tempfile.mkdtemp(prefix="lee-cert-")
        try:
            cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
            emu = Emulator(args=("--tls-listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key))
            try:
                code, body, err = curl("--cacert", cert, "https://localhost:%d/_emulator/health" % emu.tls_port)
                self.assertEqual(code, 0, err)
                status, _, data = emu.request("GET", "/_emulator/ca.pem")
                self.assertEqual(status, 404)
                self.assertIn(b"--tls-cert", data)
            finally:
                self.assertEqual(emu.stop(), 0)
            # A key that is not the certificate's is refused at start.
            other_key = os.path.join(work, "other.pem")
            subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-out", other_key], check=True, capture_output=True)
            code, out, err = self.run_binary("--tls-listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key",
                                             other_key)
            self.assertEqual(code, 2)
            self.assertIn("is not the key of the certificate", err)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
