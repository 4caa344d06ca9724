"""The examples/node client, unmodified, against the emulator through HTTPS_PROXY: Tencent's npm tls-sig-api-v2 signs
the admin UserSig (the app has a secret key, so it is verified), axios sends a create → metadata → info → list →
destroy flow to https://console.tim.qq.com.

Spec: issue 8 ("What must show it"), README "HTTPS and proxy mode".
Run: (cd examples/node && npm ci) && cd tests/e2e && python3 -m unittest -v test_node_example
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import TEST_RULES, Emulator

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "node")
KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"  # app 1400000000 in tests/e2e/rules
READY = os.path.isdir(os.path.join(EXAMPLE, "node_modules")) and shutil.which("node")
REQUIRED = os.environ.get("LEE_REQUIRE_INTEROP") == "1"
COMMANDS = ["create_room", "set_room_metadata", "get_room_info", "get_room_metadata", "get_room_list", "destroy_room",
            "get_room_info"]


@unittest.skipUnless(READY or REQUIRED, "examples/node is not installed (cd examples/node && npm ci)")
class NodeExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca_dir = tempfile.mkdtemp(prefix="lee-ca-")
        cls.emu = Emulator(args=("--ca-dir", cls.ca_dir))

    @classmethod
    def tearDownClass(cls):
        code = cls.emu.stop()
        shutil.rmtree(cls.ca_dir, ignore_errors=True)
        if code != 0:
            raise AssertionError("emulator exited with %s; stderr:\n%s" % (code, cls.emu.stderr()))

    def flow(self, mode, room_id, trust=True):
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("https_proxy", "http_proxy", "no_proxy")}
        env.update(HTTPS_PROXY="http://127.0.0.1:%d" % self.emu.port, PROXY_MODE=mode, SDKAPPID="1400000000",
                   SECRET_KEY=KEY, ADMIN="administrator", ROOM_ID=room_id)
        if trust:
            status, _, pem = self.emu.request("GET", "/_emulator/ca.pem")
            self.assertEqual(status, 200)
            ca_file = os.path.join(self.ca_dir, "trusted.pem")
            with open(ca_file, "wb") as f:
                f.write(pem)
            env["NODE_EXTRA_CA_CERTS"] = ca_file
        proc = subprocess.run(["node", "flow.js"], cwd=EXAMPLE, env=env, capture_output=True, timeout=60)
        lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
        return proc.returncode, lines, proc.stderr.decode()

    def assertFlow(self, mode, room_id):
        code, lines, err = self.flow(mode, room_id)
        self.assertEqual(code, 0, err)
        commands = [line.get("command") for line in lines[:-1]]
        # get_room_info and get_room_metadata are asked for at once (Promise.all): either may print first.
        self.assertEqual(commands[:2] + sorted(commands[2:4]) + commands[4:],
                         COMMANDS[:2] + sorted(COMMANDS[2:4]) + COMMANDS[4:])
        self.assertEqual([line["ErrorCode"] for line in lines[:-1]], [0, 0, 0, 0, 0, 0, 100004])
        self.assertEqual(lines[-1], {"flow": "ok", "room": room_id})
        # Every call reached the emulator, signed and verified, for the room the flow named.
        status, journal = self.emu.control("GET", "journal?sdkappid=1400000000&room_id=%s&limit=100" % room_id)
        self.assertEqual(status, 200)
        # (get_room_list names no room; info and metadata are asked for at once, in either order.)
        self.assertEqual(sorted(entry["command"] for entry in journal["entries"]),
                         sorted(c for c in COMMANDS if c != "get_room_list"))
        self.assertEqual({entry["identifier"] for entry in journal["entries"]}, {"administrator"})

    def test_axios_as_the_console_uses_it(self):
        # axios's own HTTPS_PROXY support: the https:// URL as an absolute-form target to the proxy.
        self.assertFlow("env", "node-env-room")

    def test_through_a_tls_tunnel(self):
        # CONNECT console.tim.qq.com:443, then TLS with the emulator's leaf inside the tunnel.
        self.assertFlow("tunnel", "node-tunnel-room")

    def test_the_tunnel_is_really_tls(self):
        code, _, err = self.flow("tunnel", "node-untrusted-room", trust=False)
        self.assertEqual(code, 1)
        self.assertIn("certificate", err)


if __name__ == "__main__":
    unittest.main()
