"""Command-line and control-plane end-to-end tests: flags, READY line, env twins, seed, access log, rules loading,
admin token, signals, the usersig subcommand, reload and the emulator clock.

Spec: emulator-interface.md (command line, rules directory, control API), emulated-api.md sections 1 and 5.
Run: cd tests/e2e && python3 -m unittest -v test_cli
"""
import base64
import hashlib
import hmac
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
import zlib

from harness import BINARY, SERVICE, TEST_RULES, Emulator, EmulatorTest, create_body, write_rules

SPEC_FLAGS = ["--listen", "--rules", "--threads", "--seed", "--port-file", "--log-level", "--log-format", "--strict",
              "--admin-token", "--version", "--help"]
REQUEST_ID = re.compile(r"^Id-[0-9a-f]{32}-O-Seq-[0-9]+$")
READY = re.compile(r"^READY listen=127\.0\.0\.1:(\d+)\n$")
TEST_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"  # app 1400000000 in rules/apps.json


def clean_env(**extra):
    """The current environment without any LIVE_EMULATOR_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVE_EMULATOR_")}
    env.update(extra)
    return env


def run(argv, env=None, timeout=5):
    """Runs the binary to completion; returns (exit code, stdout, stderr) as text. A process that is still running
    after `timeout` (e.g. it started serving when it should have refused) is killed and reported as a failure."""
    proc = subprocess.Popen([BINARY] + list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env if env is not None else clean_env())
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("still running after %ss: %r %r stdout=%r" % (timeout, argv, err[-500:], out[:200]))
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def v4_target(command, sdkappid, identifier="admin", usersig="xxx"):
    query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", identifier), ("usersig", usersig),
                                    ("random", 12345), ("contenttype", "json")], safe="*")
    return "%s%s?%s" % (SERVICE, command, query)


class Server(Emulator):
    """An emulator started with exactly `argv` (the harness adds its own flags; env-twin tests must not)."""

    def __init__(self, argv, env=None):
        super().__init__(argv=argv, env=env if env is not None else clean_env())
        if not re.match(r"^READY listen=(.+):(\d+)\n$", self.ready_line):
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("not exactly one READY line: %r" % self.ready_line)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops the process (if still running) and releases its files; stderr() is unavailable afterwards."""
        code = super().stop(sig, timeout)
        self.stderr_file.close()
        return code

    def create(self, sdkappid, room_id, **kwargs):
        status, headers, data = self.request("POST", v4_target("create_room", sdkappid, **kwargs),
                                             create_body(room_id))
        assert status == 200 and headers.get("content-type") == "application/json", (status, data)
        return json.loads(data)


def serve_args(rules=TEST_RULES, *more):
    return ["--listen", "127.0.0.1:0", "--rules", rules, "--threads", "2", "--log-level", "warn"] + list(more)


class TempDirTest(unittest.TestCase):
    def make_dir(self):
        directory = tempfile.mkdtemp(prefix="lee-cli-")
        self.addCleanup(shutil.rmtree, directory, True)
        return directory

    def start(self, argv, env=None):
        server = Server(argv, env)
        self.addCleanup(server.stop)
        return server

    def assertRefusesToStart(self, argv, env=None, stderr_contains=()):
        code, out, err = run(argv, env)
        self.assertEqual(code, 2, "exit code %s; stderr: %s" % (code, err))
        self.assertEqual(out, "", "nothing (and no READY) may be printed on stdout")
        self.assertTrue(err.strip(), "a message on stderr is required")
        for text in stderr_contains:
            self.assertIn(text, err)
        return err


# --- flags ------------------------------------------------------------------------------------------------------

class FlagsTest(TempDirTest):

    def test_version(self):
        code, out, err = run(["--version"])
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^live-engine-emulator \d+\.\d+\.\d+\S*\n$")
        # The same version as the control API reports.
        server = self.start(serve_args())
        status, body = server.control("GET", "health")
        self.assertEqual(status, 200)
        self.assertEqual(out.split()[1], body["version"])

    def test_help_mentions_every_flag(self):
        code, out, err = run(["--help"])
        self.assertEqual(code, 0, err)
        for flag in SPEC_FLAGS:
            self.assertRegex(out, re.escape(flag) + r"\b", "--help does not mention %s" % flag)
        for variable in ["LIVE_EMULATOR_LISTEN", "LIVE_EMULATOR_RULES", "LIVE_EMULATOR_SEED", "LIVE_EMULATOR_LOG_LEVEL",
                         "LIVE_EMULATOR_LOG_FORMAT", "LIVE_EMULATOR_ADMIN_TOKEN"]:
            self.assertIn(variable, out)
        self.assertNotIn("READY", out)
        code_h, out_h, _ = run(["-h"])
        self.assertEqual((code_h, out_h), (0, out))

    def test_unknown_flag_exits_2(self):
        err = self.assertRefusesToStart(["--listen", "127.0.0.1:0", "--bogus-flag"])
        self.assertIn("bogus-flag", err)

    def test_stray_positional_argument_exits_2(self):
        # A mistyped subcommand (e.g. "usersgi") must not silently start a server.
        self.assertRefusesToStart(["--listen", "127.0.0.1:0", "--rules", TEST_RULES, "usersgi"])

    def test_bad_values_exit_2_without_ready(self):
        cases = [
            ["--listen", "nonsense"],
            ["--listen", "127.0.0.1"],
            ["--listen", "127.0.0.1:99999"],
            ["--listen", "127.0.0.1:port"],
            ["--listen", "not-a-host:0"],
            ["--threads", "0"],
            ["--threads", "abc"],
            ["--log-level", "loud"],
            ["--log-format", "xml"],
            ["--seed", "abc"],
            ["--seed", "-1"],
            ["--seed", "18446744073709551616"],
            ["--listen"],
        ]
        for extra in cases:
            with self.subTest(extra):
                argv = ["--listen", "127.0.0.1:0", "--rules", TEST_RULES] + extra
                self.assertRefusesToStart(argv)

    def test_bad_env_values_exit_2(self):
        for name, value in [("LIVE_EMULATOR_THREADS", "0"), ("LIVE_EMULATOR_LOG_LEVEL", "loud"),
                            ("LIVE_EMULATOR_LOG_FORMAT", "xml"), ("LIVE_EMULATOR_LISTEN", "nonsense")]:
            with self.subTest(name):
                self.assertRefusesToStart(["--rules", TEST_RULES], env=clean_env(**{name: value}))


class ReadyLineTest(TempDirTest):

    def test_ready_line_and_port_file(self):
        port_file = os.path.join(self.make_dir(), "port")
        server = self.start(serve_args(TEST_RULES, "--port-file", port_file))
        match = READY.match(server.ready_line)
        self.assertIsNotNone(match, server.ready_line)
        port = int(match.group(1))
        self.assertGreater(port, 0)
        with open(port_file, encoding="utf-8") as f:
            self.assertEqual(f.read().strip(), str(port))
        status, body = server.control("GET", "health")
        self.assertEqual((status, body["status"]), (200, "ok"))
        answer = server.create(1400000100, "ready-room")
        self.assertEqual(answer["ErrorCode"], 0, answer)
        code, _, rest = server.terminate()
        self.assertEqual(code, 0)
        self.assertEqual(rest, "", "exactly one line may be printed on stdout")

    def test_two_instances_get_different_ports(self):
        first = self.start(serve_args())
        second = self.start(serve_args())
        self.assertNotEqual(first.port, second.port)
        self.assertEqual(first.control("GET", "health")[0], 200)
        self.assertEqual(second.control("GET", "health")[0], 200)

    def test_port_in_use_fails_without_ready(self):
        first = self.start(serve_args())
        code, out, err = run(["--listen", "127.0.0.1:%d" % first.port, "--rules", TEST_RULES])
        self.assertNotEqual(code, 0)
        self.assertEqual(out, "")
        self.assertTrue(err.strip())


# --- environment twins ------------------------------------------------------------------------------------------

class EnvTwinTest(TempDirTest):

    def test_env_listen(self):
        server = self.start(["--rules", TEST_RULES, "--log-level", "warn"],
                            env=clean_env(LIVE_EMULATOR_LISTEN="127.0.0.1:0"))
        match = READY.match(server.ready_line)
        self.assertIsNotNone(match, server.ready_line)
        self.assertNotEqual(int(match.group(1)), 9080, "the env twin was ignored (default port used)")
        self.assertEqual(server.control("GET", "health")[0], 200)

    def test_flag_overrides_env_listen(self):
        server = self.start(["--listen", "127.0.0.1:0", "--rules", TEST_RULES, "--log-level", "warn"],
                            env=clean_env(LIVE_EMULATOR_LISTEN="nonsense"))
        self.assertEqual(server.control("GET", "health")[0], 200)

    def test_env_rules_and_flag_override(self):
        rules = write_rules(os.path.join(self.make_dir(), "rules"),
                            apps={"apps": [{"sdkappid": 1400000300, "disabled": True}]})
        server = self.start(["--listen", "127.0.0.1:0", "--log-level", "warn"],
                            env=clean_env(LIVE_EMULATOR_RULES=rules))
        self.assertEqual(server.create(1400000300, "env-rules")["ErrorCode"], 60016)
        # --rules beats the env twin: in the test rules 1400000300 is an ordinary (auto) app.
        other = self.start(serve_args(TEST_RULES), env=clean_env(LIVE_EMULATOR_RULES=rules))
        self.assertEqual(other.create(1400000300, "env-rules")["ErrorCode"], 0)

    def _request_ids(self, argv, env):
        server = self.start(argv, env)
        ids = [server.create(1400000400, "seed-%d" % i)["RequestId"] for i in range(3)]
        status, _, data = server.request("POST", v4_target("get_room_info", 1400000400), {"RoomId": "seed-0"})
        ids.append(json.loads(data)["RequestId"])
        ids.append(server.create(1400000002, "seed-disabled")["RequestId"])
        server.stop()
        return ids

    def test_env_seed_and_flag_override(self):
        base = ["--listen", "127.0.0.1:0", "--rules", TEST_RULES, "--log-level", "warn"]
        by_flag = self._request_ids(base + ["--seed", "42"], clean_env())
        by_env = self._request_ids(base, clean_env(LIVE_EMULATOR_SEED="42"))
        self.assertEqual(by_env, by_flag)
        overridden = self._request_ids(base + ["--seed", "42"], clean_env(LIVE_EMULATOR_SEED="1"))
        self.assertEqual(overridden, by_flag, "--seed must override LIVE_EMULATOR_SEED")
        other = self._request_ids(base, clean_env(LIVE_EMULATOR_SEED="1"))
        self.assertNotEqual(other, by_flag)

    def test_env_log_format_json(self):
        server = self.start(["--listen", "127.0.0.1:0", "--rules", TEST_RULES],
                            env=clean_env(LIVE_EMULATOR_LOG_FORMAT="json", LIVE_EMULATOR_LOG_LEVEL="info"))
        self.assertEqual(server.create(1400000500, "json-log")["ErrorCode"], 0)
        self.assertEqual(server.create(1400000002, "json-log")["ErrorCode"], 60016)
        self.assertEqual(server.control("GET", "health")[0], 200)
        self.assertEqual(server.terminate()[0], 0)
        lines = [line for line in server.stderr().splitlines() if line.strip()]
        self.assertTrue(lines, "no log lines at level info")
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                self.fail("stderr line is not JSON: %r" % line)
            self.assertIsInstance(record, dict, line)
            records.append(record)
        creates = [r for r in records if r.get("command") == "create_room"]
        self.assertEqual(len(creates), 2, records)
        for record, sdkappid, code in zip(creates, [1400000500, 1400000002], [0, 60016]):
            for field in ("command", "sdkappid", "error_code", "latency_ms"):
                self.assertIn(field, record)
            self.assertEqual(record["sdkappid"], sdkappid)
            self.assertEqual(record["error_code"], code)
            self.assertIsInstance(record["latency_ms"], (int, float))
            self.assertGreaterEqual(record["latency_ms"], 0)

    def test_flag_overrides_env_log_format(self):
        server = self.start(["--listen", "127.0.0.1:0", "--rules", TEST_RULES, "--log-format", "text",
                             "--log-level", "info"],
                            env=clean_env(LIVE_EMULATOR_LOG_FORMAT="json", LIVE_EMULATOR_LOG_LEVEL="off"))
        self.assertEqual(server.create(1400000501, "text-log")["ErrorCode"], 0)
        self.assertEqual(server.terminate()[0], 0)
        lines = [line for line in server.stderr().splitlines() if "command=create_room" in line]
        self.assertEqual(len(lines), 1, server.stderr())
        self.assertFalse(lines[0].lstrip().startswith("{"))

    def test_env_log_level_off(self):
        server = self.start(["--listen", "127.0.0.1:0", "--rules", TEST_RULES],
                            env=clean_env(LIVE_EMULATOR_LOG_LEVEL="off"))
        for i in range(3):
            self.assertEqual(server.create(1400000502, "quiet-%d" % i)["ErrorCode"], 0)
        self.assertEqual(server.control("GET", "health")[0], 200)
        self.assertEqual(server.terminate()[0], 0)
        stderr = server.stderr()
        self.assertNotIn("create_room", stderr)
        self.assertNotIn("latency_ms", stderr)
        self.assertEqual(stderr.strip(), "", "log level off: nothing on stderr")


# --- seed and access log ----------------------------------------------------------------------------------------

class SeedAndAccessLogTest(TempDirTest):

    def sequence(self, seed):
        server = self.start(serve_args(TEST_RULES, "--seed", str(seed)))
        # The 100012 below must not depend on how fast this machine is: freeze the emulator clock.
        status, _, _ = server.request("POST", "/_emulator/clock", {"freeze": True})
        self.assertEqual(status, 200)
        answers = [server.create(1400000600, "seq-a"), server.create(1400000600, "seq-b"),
                   server.create(1400000600, "seq-a"),  # 100012 (create interval)
                   server.create(1400000002, "seq-c")]  # 60016
        status, _, data = server.request("POST", v4_target("destroy_room", 1400000600), {"RoomId": "seq-b"})
        answers.append(json.loads(data))
        server.stop()
        return [a["RequestId"] for a in answers], [a["ErrorCode"] for a in answers]

    def test_seed_makes_request_ids_reproducible(self):
        first, codes = self.sequence(42)
        second, codes_again = self.sequence(42)
        self.assertEqual(codes, [0, 0, 100012, 60016, 0])
        self.assertEqual(codes_again, codes)
        for request_id in first:
            self.assertRegex(request_id, REQUEST_ID)
        self.assertEqual(len(set(first)), 5, "RequestIds must be unique")
        self.assertEqual(first, second)
        other, _ = self.sequence(43)
        self.assertNotEqual(other, first)
        self.assertTrue(set(other).isdisjoint(first), "different seeds should give different ids")

    def test_access_log_text(self):
        server = self.start(serve_args(TEST_RULES)[:-1] + ["info"])  # --log-level info, text format
        self.assertEqual(server.create(1400000700, "log-1")["ErrorCode"], 0)
        self.assertEqual(server.create(1400000700, "log-2")["ErrorCode"], 0)
        self.assertEqual(server.create(1400000002, "log-3")["ErrorCode"], 60016)
        self.assertEqual(server.control("GET", "health")[0], 200)
        self.assertEqual(server.terminate()[0], 0)
        stderr = server.stderr()
        creates = [line for line in stderr.splitlines() if "command=create_room" in line]
        self.assertEqual(len(creates), 3, stderr)
        expected = [(1400000700, 0), (1400000700, 0), (1400000002, 60016)]
        for line, (sdkappid, code) in zip(creates, expected):
            self.assertRegex(line, r"\bsdkappid=%d\b" % sdkappid)
            self.assertRegex(line, r"\berror_code=%d\b" % code)
            self.assertRegex(line, r"\blatency_ms=\d+(\.\d+)?\b")
        # One line per request: 3 creates + 1 health.
        self.assertEqual(len([line for line in stderr.splitlines() if "latency_ms=" in line]), 4, stderr)

    def test_log_level_warn_has_no_access_lines(self):
        server = self.start(serve_args())  # --log-level warn
        self.assertEqual(server.create(1400000701, "warn-log")["ErrorCode"], 0)
        self.assertEqual(server.terminate()[0], 0)
        self.assertNotIn("create_room", server.stderr())


# --- rules directory --------------------------------------------------------------------------------------------

class BadRulesTest(TempDirTest):

    def rules_dir(self, apps=None, words=None):
        return write_rules(os.path.join(self.make_dir(), "rules"), apps=apps, words=words)

    def refuse(self, rules, *names):
        return self.assertRefusesToStart(["--listen", "127.0.0.1:0", "--rules", rules], stderr_contains=names)

    def test_apps_json_syntax_error_names_file_and_line(self):
        rules = self.rules_dir(apps='{\n  "unknown_apps": "auto",\n  "defaults": {"paid": tru},\n  "apps": []\n}\n')
        err = self.refuse(rules, "apps.json")
        self.assertRegex(err, r"apps\.json:3\b|line 3\b", "the message must name line 3")

    def test_apps_json_syntax_error_on_a_later_line(self):
        text = "// comment\n{\n" + "".join('  // line %d\n' % (i + 3) for i in range(10)) + '  "apps": [,]\n}\n'
        err = self.refuse(self.rules_dir(apps=text), "apps.json")
        self.assertRegex(err, r"apps\.json:13\b|line 13\b")

    def test_unknown_setting(self):
        self.refuse(self.rules_dir(apps={"defaults": {"colour": "red"}}), "apps.json", "colour")
        self.refuse(self.rules_dir(apps={"unknown_apps": "auto", "appz": []}), "apps.json", "appz")
        self.refuse(self.rules_dir(apps={"apps": [{"sdkappid": 1400000800, "piad": True}]}), "apps.json", "piad")

    def test_wrong_types(self):
        self.refuse(self.rules_dir(apps={"apps": [{"sdkappid": 1400000800, "paid": "yes"}]}), "apps.json", "paid")
        self.refuse(self.rules_dir(apps={"apps": [{"sdkappid": "1400000800"}]}), "apps.json", "sdkappid")
        self.refuse(self.rules_dir(apps={"defaults": {"admins": "admin"}}), "apps.json", "admins")
        self.refuse(self.rules_dir(apps={"defaults": {"max_seat_count": -1}}), "apps.json", "max_seat_count")
        self.refuse(self.rules_dir(apps="[]"), "apps.json")

    def test_unknown_apps_maybe(self):
        self.refuse(self.rules_dir(apps={"unknown_apps": "maybe"}), "apps.json", "unknown_apps")

    def test_duplicate_sdkappid(self):
        apps = {"apps": [{"sdkappid": 1400000800}, {"sdkappid": 1400000801}, {"sdkappid": 1400000800}]}
        self.refuse(self.rules_dir(apps=apps), "apps.json", "sdkappid")

    def test_sensitive_words_invalid_utf8_names_file_and_line(self):
        rules = self.rules_dir(words=b"# words\nfine\nbad\xff\xfeword\nalso fine\n")
        err = self.refuse(rules, "sensitive_words.txt")
        self.assertRegex(err, r"sensitive_words\.txt:3\b|line 3\b")

    def test_rules_dir_that_does_not_exist(self):
        missing = os.path.join(self.make_dir(), "no-such-dir")
        self.refuse(missing, missing)

    def test_empty_rules_dir_starts_with_defaults(self):
        rules = self.make_dir()
        server = self.start(serve_args(rules))
        self.assertIsNotNone(READY.match(server.ready_line))
        # Any app is admitted (auto), paid, no admins, no sensitive words.
        self.assertEqual(server.create(1400000002, "defaults-room")["ErrorCode"], 0)
        self.assertEqual(server.create(12345, "gambling-room")["ErrorCode"], 0)


# --- admin token ------------------------------------------------------------------------------------------------

class AdminTokenTest(TempDirTest):

    def test_non_loopback_without_token_refuses(self):
        err = self.assertRefusesToStart(["--listen", "0.0.0.0:0", "--rules", TEST_RULES])
        self.assertIn("admin-token", err)

    def test_non_loopback_with_token_starts(self):
        server = self.start(["--listen", "0.0.0.0:0", "--rules", TEST_RULES, "--log-level", "warn"],
                            env=clean_env(LIVE_EMULATOR_ADMIN_TOKEN="env-secret"))
        self.assertEqual(server.host, "0.0.0.0")
        self.assertEqual(server.control("GET", "health")[0], 401)
        status, _ = server.control("GET", "health", headers={"Authorization": "Bearer env-secret"})
        self.assertEqual(status, 200)

    def test_token_required_on_control_api_only(self):
        server = self.start(serve_args(TEST_RULES, "--admin-token", "s3cret"))
        status, headers, data = server.request("GET", "/_emulator/health")
        self.assertEqual(status, 401, data)
        self.assertEqual(headers.get("content-type"), "application/json")
        self.assertIsInstance(json.loads(data), dict)
        for wrong in ["Bearer wrong", "Bearer s3cret2", "s3cret", "Basic s3cret", "Bearer "]:
            self.assertEqual(server.control("GET", "health", headers={"Authorization": wrong})[0], 401, wrong)
        self.assertEqual(server.control("POST", "reset")[0], 401)
        ok = {"Authorization": "Bearer s3cret"}
        status, body = server.control("GET", "health", headers=ok)
        self.assertEqual((status, body["status"]), (200, "ok"))
        self.assertEqual(server.control("POST", "reset", headers=ok)[0], 200)
        # /v4 is unaffected, with or without the header.
        self.assertEqual(server.create(1400000900, "token-room")["ErrorCode"], 0)
        status, _, data = server.request("POST", v4_target("get_room_info", 1400000900), {"RoomId": "token-room"},
                                         headers=ok)
        self.assertEqual((status, json.loads(data)["ErrorCode"]), (200, 0))


# --- signals ----------------------------------------------------------------------------------------------------

class SignalTest(TempDirTest):

    def assertStopsCleanly(self, sig, keep_connection_open=False):
        server = Server(serve_args())
        self.addCleanup(server.stop)
        self.assertEqual(server.create(1400001000, "signal-room")["ErrorCode"], 0)
        conn = None
        if keep_connection_open:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/_emulator/health")
            response = conn.getresponse()
            response.read()
            self.assertEqual(response.status, 200)
            self.assertFalse(response.will_close)
        try:
            code, elapsed, _ = server.terminate(sig)
        finally:
            if conn:
                conn.close()
        self.assertEqual(code, 0, server.stderr())
        self.assertLess(elapsed, 3.0)
        with self.assertRaises(OSError, msg="the port still accepts connections after exit"):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()

    def test_sigterm(self):
        self.assertStopsCleanly(signal.SIGTERM)

    def test_sigint(self):
        self.assertStopsCleanly(signal.SIGINT)

    def test_sigterm_with_idle_keep_alive_connection(self):
        self.assertStopsCleanly(signal.SIGTERM, keep_connection_open=True)

    def test_sigint_with_idle_keep_alive_connection(self):
        self.assertStopsCleanly(signal.SIGINT, keep_connection_open=True)


# --- usersig subcommand -----------------------------------------------------------------------------------------

def decode_usersig(usersig):
    raw = base64.b64decode(usersig.replace("*", "+").replace("-", "/").replace("_", "="))
    return json.loads(zlib.decompress(raw))


class UserSigCommandTest(TempDirTest):
    ARGS = ["usersig", "--sdkappid", "1400000000", "--key", "K", "--identifier", "xiaojun", "--expire", "86400",
            "--time", "1700000000"]

    def test_prints_one_usersig_line(self):
        code, out, err = run(self.ARGS)
        self.assertEqual(code, 0, err)
        self.assertTrue(out.endswith("\n"))
        self.assertEqual(len(out.splitlines()), 1, out)
        usersig = out.strip()
        self.assertRegex(usersig, r"^[A-Za-z0-9*_-]+$")
        self.assertEqual(run(self.ARGS)[1], out, "same inputs, same UserSig")

        document = decode_usersig(usersig)
        self.assertEqual(document["TLS.ver"], "2.0")
        self.assertEqual(str(document["TLS.identifier"]), "xiaojun")
        self.assertEqual(int(document["TLS.sdkappid"]), 1400000000)
        self.assertEqual(int(document["TLS.time"]), 1700000000)
        self.assertEqual(int(document["TLS.expire"]), 86400)
        content = "TLS.identifier:xiaojun\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:86400\n"
        expected = base64.b64encode(hmac.new(b"K", content.encode(), hashlib.sha256).digest()).decode()
        self.assertEqual(document["TLS.sig"], expected)

    def test_missing_key_exits_2(self):
        args = [a for a in self.ARGS if a not in ("--key", "K")]
        code, out, err = run(args)
        self.assertEqual(code, 2)
        self.assertEqual(out, "")
        self.assertIn("key", err)

    def test_generated_usersig_is_accepted_by_the_emulator(self):
        code, out, _ = run(["usersig", "--sdkappid", "1400000000", "--key", TEST_KEY, "--identifier", "xiaojun",
                            "--expire", "86400", "--time", "1700000000"])
        self.assertEqual(code, 0)
        usersig = out.strip()
        server = self.start(serve_args())
        status, _ = server.control("POST", "clock", {"freeze": True, "set_ms": 1_700_000_100_000})
        self.assertEqual(status, 200)
        answer = server.create(1400000000, "signed-room", identifier="xiaojun", usersig=usersig)
        self.assertEqual(answer["ErrorCode"], 0, answer)
        server.control("POST", "clock", {"set_ms": (1_700_000_000 + 86400 + 1) * 1000})
        answer = server.create(1400000000, "signed-room-2", identifier="xiaojun", usersig=usersig)
        self.assertEqual(answer["ErrorCode"], 70001, answer)


# --- reload -----------------------------------------------------------------------------------------------------

class ReloadTest(TempDirTest):

    def test_reload_applies_new_rules_and_keeps_old_ones_on_error(self):
        rules = write_rules(os.path.join(self.make_dir(), "rules"),
                            apps={"apps": [{"sdkappid": 1400001100}, {"sdkappid": 1400001101}]}, words="gambling\n")
        server = self.start(serve_args(rules))
        self.assertEqual(server.create(1400001100, "before-reload")["ErrorCode"], 0)
        self.assertEqual(server.create(1400001101, "tabu-word")["ErrorCode"], 0)

        write_rules(rules, apps={"apps": [{"sdkappid": 1400001100, "disabled": True}, {"sdkappid": 1400001101}]},
                    words="gambling\ntabu\n")
        status, body = server.control("POST", "reload")
        self.assertEqual(status, 200, body)
        self.assertEqual(server.create(1400001100, "after-reload")["ErrorCode"], 60016)
        self.assertEqual(server.create(1400001101, "tabu-word-2")["ErrorCode"], 100026)

        # A broken apps.json: 400 naming the file, and the running rules stay.
        write_rules(rules, apps='{\n  "apps": [\n    {"sdkappid": 1400001100,, }\n  ]\n}\n')
        status, body = server.control("POST", "reload")
        self.assertEqual(status, 400, body)
        self.assertIn("apps.json", json.dumps(body))
        self.assertEqual(server.create(1400001100, "still-disabled")["ErrorCode"], 60016)
        self.assertEqual(server.create(1400001101, "tabu-word-3")["ErrorCode"], 100026)

        # All or nothing: a good apps.json (re-enabling the app) with a broken word list changes nothing.
        write_rules(rules, apps={"apps": [{"sdkappid": 1400001100}, {"sdkappid": 1400001101}]},
                    words=b"gambling\n\xc3\x28broken\n")
        status, body = server.control("POST", "reload")
        self.assertEqual(status, 400, body)
        self.assertIn("sensitive_words.txt", json.dumps(body))
        self.assertEqual(server.create(1400001100, "still-disabled-2")["ErrorCode"], 60016)

        # Fixed files: the reload goes through.
        write_rules(rules, words="gambling\n")
        status, body = server.control("POST", "reload")
        self.assertEqual(status, 200, body)
        self.assertEqual(server.create(1400001100, "enabled-again")["ErrorCode"], 0)
        self.assertEqual(server.create(1400001101, "tabu-word-4")["ErrorCode"], 0)

    def test_reload_of_a_deleted_rules_dir_keeps_rules(self):
        rules = write_rules(os.path.join(self.make_dir(), "rules"), apps={"apps": [{"sdkappid": 1400001200,
                                                                                   "disabled": True}]})
        server = self.start(serve_args(rules))
        shutil.rmtree(rules)
        status, body = server.control("POST", "reload")
        self.assertEqual(status, 400, body)
        self.assertEqual(server.create(1400001200, "gone")["ErrorCode"], 60016)


# --- clock ------------------------------------------------------------------------------------------------------

class ClockTest(EmulatorTest):

    def clock(self, body=None):
        if body is None:
            status, answer = self.emu.control("GET", "clock")
        else:
            status, answer = self.emu.control("POST", "clock", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(set(answer) >= {"now_ms", "frozen"}, True, answer)
        return answer

    def test_a_fresh_clock_runs_at_wall_time(self):
        fresh = Emulator()
        try:
            status, answer = fresh.control("GET", "clock")
        finally:
            fresh.stop()
            fresh.stderr_file.close()
        self.assertEqual(status, 200)
        self.assertFalse(answer["frozen"])
        self.assertLess(abs(answer["now_ms"] - time.time() * 1000), 5000)

    def test_freeze_stops_time(self):
        answer = self.clock({"freeze": True})
        self.assertTrue(answer["frozen"])
        time.sleep(0.15)
        self.assertEqual(self.clock()["now_ms"], answer["now_ms"])
        self.assertTrue(self.clock()["frozen"])

    def test_set_ms_on_a_frozen_clock_stays_frozen(self):
        self.clock({"freeze": True})
        answer = self.clock({"set_ms": 1_800_000_000_000})
        self.assertEqual((answer["now_ms"], answer["frozen"]), (1_800_000_000_000, True))
        time.sleep(0.1)
        later = self.clock()
        self.assertEqual((later["now_ms"], later["frozen"]), (1_800_000_000_000, True))

    def test_freeze_and_set_in_one_request(self):
        answer = self.clock({"freeze": True, "set_ms": 1_750_000_000_000})
        self.assertEqual((answer["now_ms"], answer["frozen"]), (1_750_000_000_000, True))

    def test_advance_ms_on_a_frozen_clock(self):
        self.clock({"freeze": True, "set_ms": 1_800_000_000_000})
        answer = self.clock({"advance_ms": 5000})
        self.assertEqual((answer["now_ms"], answer["frozen"]), (1_800_000_005_000, True))
        answer = self.clock({"advance_ms": 1})
        self.assertEqual(answer["now_ms"], 1_800_000_005_001)

    def test_resume_runs_on_from_where_it_stands(self):
        self.clock({"freeze": True, "set_ms": 1_800_000_000_000})
        self.clock({"advance_ms": 60_000})
        answer = self.clock({"resume": True})
        self.assertFalse(answer["frozen"])
        self.assertGreaterEqual(answer["now_ms"], 1_800_000_060_000)
        self.assertLess(answer["now_ms"], 1_800_000_061_000)
        time.sleep(0.3)
        later = self.clock()
        self.assertFalse(later["frozen"])
        self.assertGreaterEqual(later["now_ms"] - answer["now_ms"], 250)
        self.assertLess(later["now_ms"] - answer["now_ms"], 2000)

    def test_set_ms_on_a_running_clock_runs_on(self):
        self.clock({"resume": True})
        answer = self.clock({"set_ms": 1_900_000_000_000})
        self.assertFalse(answer["frozen"])
        self.assertGreaterEqual(answer["now_ms"], 1_900_000_000_000)
        self.assertLess(answer["now_ms"], 1_900_000_001_000)
        time.sleep(0.2)
        later = self.clock()["now_ms"]
        self.assertGreaterEqual(later - 1_900_000_000_000, 150)
        self.assertLess(later - 1_900_000_000_000, 2000)

    def test_advance_ms_on_a_running_clock(self):
        self.clock({"resume": True})
        before = self.clock()["now_ms"]
        answer = self.clock({"advance_ms": 3_600_000})
        self.assertFalse(answer["frozen"])
        self.assertGreaterEqual(answer["now_ms"] - before, 3_600_000)
        self.assertLess(answer["now_ms"] - before, 3_601_000)

    def test_emulator_time_is_used_for_create_time(self):
        self.clock({"freeze": True, "set_ms": 1_800_000_123_456})
        self.assertOk(self.emu.call("create_room", create_body("clock-room"), sdkappid=1400001300))
        answer = self.emu.call("get_room_info", {"RoomId": "clock-room"}, sdkappid=1400001300)
        self.assertOk(answer)
        self.assertEqual(answer["Response"]["RoomInfo"]["CreateTime"], 1_800_000_123)

    def test_bad_clock_commands_are_rejected(self):
        self.clock({"freeze": True, "set_ms": 1_800_000_000_000})
        for body in [{"advance_ms": "10"}, {"freeze": "yes"}, {"set_ms": 1.5}, {"rewind": True}, [1]]:
            with self.subTest(body=body):
                status, _ = self.emu.control("POST", "clock", body)
                self.assertEqual(status, 400)
        self.assertEqual(self.clock()["now_ms"], 1_800_000_000_000, "a rejected command must not move the clock")


if __name__ == "__main__":
    unittest.main()
