"""End-to-end tests of the request journal (GET/DELETE /_emulator/journal) and of GET /metrics, through the real
binary over real HTTP (README "Using it in tests": the journal, metrics, fault rules and X-Emulator-Fault; "Command
line": --journal-entries, --journal-bytes).

Part A is a strict Prometheus text-format 0.0.4 parser (with tests of its own on hand-written bad inputs), which
every scrape below goes through. Counters are compared as deltas (scrape, act, scrape) because other requests of
the class count too; time-dependent answers run on a frozen emulator clock.

Run: cd tests/e2e && python3 -m unittest -v test_journal_metrics
"""
import contextlib
import http.client
import json
import math
import os
import re
import socket
import subprocess
import time
import unittest
import urllib.parse

from harness import BINARY, SERVICE, TEST_RULES, Emulator, EmulatorTest, create_body

T0_MS = 1_800_000_000_000  # a whole second
PARAM_PREFIX = "Invalid request parameters: "
ENTRY_KEYS = ["seq", "time_ms", "kind", "method", "path", "command", "sdkappid", "identifier", "room_id",
              "request_id", "status", "error_code", "latency_ms", "delay_ms", "network", "fault", "why"]
JOURNAL_KEYS = ["max_entries", "max_bytes", "entries_held", "bytes_held", "dropped", "recorded", "entries"]
REQUEST_ID = re.compile(r"^Id-[0-9a-f]{32}-O-Seq-[0-9]+$")

# Apps of the classes' own rules directory.
ADMIN_APP = 1405000001  # admins: ["boss"] → 60010 for "admin"
KEY_APP = 1405000002  # secret_key → every request needs a valid UserSig
LIMITED_APP = 1405000003  # get_room_list limited to 2/s
SECRET_USERSIG = "SECRET-USERSIG-123"
SECRET_KEY = "SECRET-KEY-456"
PUT_SECRET_KEY = "SECRET-KEY-789"
RULES = {"apps": {"unknown_apps": "auto", "defaults": {"max_seat_count": 16}, "apps": [
    {"sdkappid": ADMIN_APP, "admins": ["boss"]},
    {"sdkappid": KEY_APP, "secret_key": SECRET_KEY},
    {"sdkappid": LIMITED_APP, "rate_limits": {"get_room_list": 2}},
]}}


# ================================================================================================================
# Part A: a strict parser of the Prometheus text format 0.0.4
# ================================================================================================================
class PromFormatError(ValueError):
    pass


METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
HELP_LINE = re.compile(r"# HELP (\S+)(?: (.*))?")
TYPE_LINE = re.compile(r"# TYPE (\S+) (\S+)")
VALUE_PART = re.compile(r"[ \t]+(\S+)(?:[ \t]+(-?[0-9]+))?")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class Exposition:
    """What a scrape said: families by name ({"type", "help", "samples": [(name, labels, value)]}) and every series
    by (name, sorted labels)."""

    def __init__(self):
        self.families = {}
        self.series = {}

    def get(self, name, **labels):
        return self.series.get((name, tuple(sorted(labels.items()))))

    def value(self, name, **labels):
        """The series' value; 0 for a series not shown (counters appear once they are non-zero)."""
        found = self.get(name, **labels)
        return 0.0 if found is None else found

    def samples(self, name):
        return [(labels, value) for family in self.families.values() for sample, labels, value in family["samples"]
                if sample == name]


def _number(text, where):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not FLOAT.fullmatch(text):
        raise PromFormatError("%s: %r is not a float, +Inf, -Inf or NaN" % (where, text))
    return float(text)


def _labels(line, at, where):
    """Parses `{name="value",...}` starting at line[at] == "{"; returns (labels, index after "}")."""
    labels = {}
    at += 1
    if line[at:at + 1] == "}":
        return labels, at + 1
    while True:
        match = LABEL_NAME.match(line, at)
        if not match:
            raise PromFormatError("%s: bad label name at column %d" % (where, at))
        name, at = match.group(), match.end()
        if line[at:at + 2] != '="':
            raise PromFormatError("%s: label %s is not followed by =\"" % (where, name))
        at += 2
        value = []
        while True:
            if at >= len(line):
                raise PromFormatError("%s: unterminated value of label %s" % (where, name))
            char = line[at]
            if char == "\\":
                escaped = {"\\": "\\", '"': '"', "n": "\n"}.get(line[at + 1:at + 2])
                if escaped is None:
                    raise PromFormatError("%s: bad escape %r in label %s" % (where, line[at:at + 2], name))
                value.append(escaped)
                at += 2
            elif char == '"':
                at += 1
                break
            else:
                value.append(char)
                at += 1
        if name in labels:
            raise PromFormatError("%s: label %s given twice" % (where, name))
        labels[name] = "".join(value)
        if line[at:at + 1] == ",":
            at += 1
        elif line[at:at + 1] == "}":
            return labels, at + 1
        else:
            raise PromFormatError("%s: expected , or } after label %s" % (where, name))


def _check_histogram(name, family):
    groups = {}
    for sample, labels, value in family["samples"]:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        group = groups.setdefault(key, {"buckets": [], "_sum": None, "_count": None})
        if sample == name + "_bucket":
            group["buckets"].append((_number(labels["le"], "%s le" % name), value))
        else:
            group[sample[len(name):]] = value
    for key, group in groups.items():
        where = "histogram %s%s" % (name, dict(key))
        if not group["buckets"] or group["_sum"] is None or group["_count"] is None:
            raise PromFormatError("%s: needs _bucket, _sum and _count samples" % where)
        bounds = [bound for bound, _ in group["buckets"]]
        counts = [count for _, count in group["buckets"]]
        if any(later <= earlier for earlier, later in zip(bounds, bounds[1:])):
            raise PromFormatError("%s: le bounds not strictly increasing: %r" % (where, bounds))
        if bounds[-1] != math.inf:
            raise PromFormatError("%s: no le=\"+Inf\" bucket last" % where)
        if any(count < 0 or math.isnan(count) for count in counts) or counts != sorted(counts):
            raise PromFormatError("%s: buckets not cumulative: %r" % (where, counts))
        if counts[-1] != group["_count"]:
            raise PromFormatError("%s: +Inf bucket %r != _count %r" % (where, counts[-1], group["_count"]))


def parse_exposition(body):
    """Parses a whole /metrics body (bytes or str); raises PromFormatError on any deviation from the format."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body  # strict: invalid UTF-8 raises
    if not text.endswith("\n"):
        raise PromFormatError("the body does not end with a newline")
    expo, started, current = Exposition(), set(), [None]

    def enter(name, where):
        """The family a line belongs to; its lines must be contiguous."""
        if name != current[0]:
            if name in started:
                raise PromFormatError("%s: family %s is not contiguous" % (where, name))
            started.add(name)
            current[0] = name
        return expo.families.setdefault(name, {"type": None, "help": None, "samples": []})

    for number, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d %r" % (number, line)
        if line.startswith("#"):
            help_match, type_match = HELP_LINE.fullmatch(line), TYPE_LINE.fullmatch(line)
            name = (help_match or type_match).group(1) if (help_match or type_match) else None
            if name is None or not METRIC_NAME.fullmatch(name):
                raise PromFormatError("%s: not a HELP or TYPE line with a valid metric name" % where)
            family = enter(name, where)
            if help_match:
                help_text = help_match.group(2) or ""
                if not re.fullmatch(r"(?:[^\\]|\\[\\n])*", help_text):
                    raise PromFormatError("%s: bad escape in HELP text" % where)
                if family["help"] is not None:
                    raise PromFormatError("%s: second HELP for %s" % (where, name))
                family["help"] = re.sub(r"\\([\\n])", lambda m: "\n" if m.group(1) == "n" else "\\", help_text)
            else:
                if type_match.group(2) not in TYPES:
                    raise PromFormatError("%s: unknown type" % where)
                if family["type"] is not None:
                    raise PromFormatError("%s: second TYPE for %s" % (where, name))
                if family["samples"]:
                    raise PromFormatError("%s: TYPE after samples of %s" % (where, name))
                family["type"] = type_match.group(2)
            continue
        match = METRIC_NAME.match(line)
        if not match:
            raise PromFormatError("%s: not a sample (bad metric name)" % where)
        name, at, labels = match.group(), match.end(), {}
        if line[at:at + 1] == "{":
            labels, at = _labels(line, at, where)
        value_match = VALUE_PART.fullmatch(line, at)
        if not value_match:
            raise PromFormatError("%s: expected ' value [timestamp]' after the series" % where)
        value = _number(value_match.group(1), where)
        family_name = name
        for suffix, kinds in (("_bucket", ("histogram",)), ("_sum", ("histogram", "summary")),
                              ("_count", ("histogram", "summary"))):
            base = name[:-len(suffix)]
            if name.endswith(suffix) and expo.families.get(base, {}).get("type") in kinds:
                family_name = base
        family = enter(family_name, where)
        kind = family["type"]
        if kind == "histogram":
            if name == family_name:
                raise PromFormatError("%s: a histogram's samples are _bucket, _sum and _count" % where)
            if (name.endswith("_bucket")) != ("le" in labels):
                raise PromFormatError("%s: le belongs on _bucket samples, and only there" % where)
        if kind == "summary" and (name == family_name) != ("quantile" in labels):
            raise PromFormatError("%s: quantile belongs on the summary's own samples, and only there" % where)
        if kind == "counter" and (math.isnan(value) or value < 0):
            raise PromFormatError("%s: a counter is never negative or NaN" % where)
        key = (name, tuple(sorted(labels.items())))
        if key in expo.series:
            raise PromFormatError("%s: duplicate series" % where)
        expo.series[key] = value
        family["samples"].append((name, labels, value))
    for name, family in expo.families.items():
        if family["type"] == "histogram":
            _check_histogram(name, family)
    return expo


def check_content_type(content_type):
    if not (content_type or "").startswith("text/plain; version=0.0.4"):
        raise PromFormatError("Content-Type %r is not text/plain; version=0.0.4" % content_type)


VALID_EXPOSITION = """\
# HELP req_total Requests ("all" of them), a \\\\ and a \\n in help.
# TYPE req_total counter
req_total{command="a",code="0"} 3
req_total{command="b \\"q\\" \\\\ \\n, } {x=\\"y\\"}",code="0"} 1.5e3
# TYPE temp gauge
temp -2.5
temp_other NaN
# HELP lat Latency.
# TYPE lat histogram
lat_bucket{cmd="a",le="0.1"} 1
lat_bucket{cmd="a",le="1"} 3
lat_bucket{cmd="a",le="+Inf"} 4
lat_sum{cmd="a"} 2.25
lat_count{cmd="a"} 4
lat_bucket{cmd="b",le="0.1"} 0
lat_bucket{cmd="b",le="+Inf"} 0
lat_sum{cmd="b"} 0
lat_count{cmd="b"} 0
# TYPE q summary
q{quantile="0.5"} 1
q_sum 10
q_count 7
up{} 1 1700000000000
"""


class PrometheusParserTest(unittest.TestCase):
    """The parser itself: a valid exposition parses to what it says, and each kind of damage is refused."""

    def assertRefused(self, text, fragment):
        with self.assertRaises(PromFormatError) as caught:
            parse_exposition(text)
        self.assertIn(fragment, str(caught.exception))

    def test_valid_exposition_parses_with_escapes_decoded(self):
        expo = parse_exposition(VALID_EXPOSITION.encode())
        self.assertEqual(expo.families["req_total"]["type"], "counter")
        self.assertEqual(expo.families["req_total"]["help"], 'Requests ("all" of them), a \\ and a \n in help.')
        self.assertEqual(expo.get("req_total", command="a", code="0"), 3)
        self.assertEqual(expo.get("req_total", command='b "q" \\ \n, } {x="y"}', code="0"), 1500)
        self.assertEqual(expo.families["lat"]["type"], "histogram")
        self.assertEqual(expo.get("lat_bucket", cmd="a", le="+Inf"), 4)
        self.assertEqual(expo.get("temp"), -2.5)
        self.assertTrue(math.isnan(expo.get("temp_other")))
        self.assertEqual(expo.get("up"), 1)
        self.assertIsNone(expo.get("req_total", command="c", code="0"))
        self.assertEqual(expo.value("req_total", command="c", code="0"), 0)

    def test_duplicate_series(self):
        self.assertRefused(VALID_EXPOSITION.replace('temp -2.5\n', 'temp -2.5\ntemp 1\n'), "duplicate series")
        # the same label set in another order is the same series
        self.assertRefused('# TYPE a counter\na{x="1",y="2"} 1\na{y="2",x="1"} 1\n', "duplicate series")

    def test_bad_label_escape(self):
        self.assertRefused('# TYPE a counter\na{x="1\\t"} 1\n', "bad escape")
        self.assertRefused('# TYPE a counter\na{x="1\\"} 1\n', "unterminated")

    def test_non_cumulative_buckets(self):
        self.assertRefused(VALID_EXPOSITION.replace('lat_bucket{cmd="a",le="1"} 3', 'lat_bucket{cmd="a",le="1"} 0'),
                           "not cumulative")

    def test_inf_bucket_differs_from_count(self):
        self.assertRefused(VALID_EXPOSITION.replace('lat_count{cmd="a"} 4', 'lat_count{cmd="a"} 5'), "!= _count")

    def test_histogram_without_inf_bucket_or_le(self):
        self.assertRefused(VALID_EXPOSITION.replace('lat_bucket{cmd="b",le="+Inf"} 0\n', ''), "+Inf")
        self.assertRefused(VALID_EXPOSITION.replace('lat_bucket{cmd="b",le="0.1"} 0', 'lat_bucket{cmd="b"} 0'),
                           "le belongs")
        self.assertRefused(VALID_EXPOSITION.replace('lat_sum{cmd="b"} 0', 'lat{cmd="b"} 0'), "histogram's samples")
        self.assertRefused(VALID_EXPOSITION.replace('le="1"} 3', 'le="0.05"} 3'), "strictly increasing")

    def test_sample_before_type_of_another_family(self):
        self.assertRefused("# TYPE a counter\nb 1\n# TYPE b counter\na 1\n", "TYPE after samples")
        self.assertRefused("b 1\n# TYPE b gauge\n", "TYPE after samples")

    def test_family_not_contiguous(self):
        self.assertRefused("# TYPE a counter\na 1\n# TYPE b gauge\nb 1\n# HELP a late\n", "not contiguous")
        self.assertRefused('# TYPE a counter\na{x="1"} 1\nb 1\na{x="2"} 1\n', "not contiguous")

    def test_type_twice_or_unknown(self):
        self.assertRefused("# TYPE a counter\n# TYPE a counter\na 1\n", "second TYPE")
        self.assertRefused("# TYPE a meter\na 1\n", "unknown type")
        self.assertRefused("# HELP a x\n# HELP a y\na 1\n", "second HELP")

    def test_missing_trailing_newline(self):
        self.assertRefused(VALID_EXPOSITION.rstrip("\n"), "newline")
        self.assertRefused("", "newline")

    def test_bad_names_values_and_lines(self):
        self.assertRefused("# TYPE 1a counter\n", "metric name")
        self.assertRefused("1a 1\n", "bad metric name")
        self.assertRefused('a{1x="1"} 1\n', "bad label name")
        self.assertRefused('a{x="1",} 1\n', "bad label name")
        self.assertRefused('a{x="1",x="2"} 1\n', "given twice")
        self.assertRefused("a 1x\n", "not a float")
        self.assertRefused("a Inf\n", "not a float")
        self.assertRefused("a\n", "expected ' value")
        self.assertRefused("a 1 2 3\n", "expected ' value")
        self.assertRefused("# TYPE a counter\na -1\n", "never negative")
        self.assertRefused("# a free comment\na 1\n", "not a HELP or TYPE")
        self.assertRefused("a 1\n\nb 1\n", "bad metric name")
        self.assertRefused("# HELP a bad \\t escape\na 1\n", "bad escape in HELP")
        with self.assertRaises(UnicodeDecodeError):
            parse_exposition(b'a{x="\xff"} 1\n')

    def test_content_type(self):
        check_content_type("text/plain; version=0.0.4; charset=utf-8")
        for bad in (None, "text/plain", "application/json", "text/plain; version=1.0.0"):
            with self.assertRaises(PromFormatError):
                check_content_type(bad)


# ================================================================================================================
# Helpers shared by the emulator tests
# ================================================================================================================
def v4_target(command, sdkappid, identifier="admin", usersig="xxx"):
    query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", identifier), ("usersig", usersig),
                                    ("random", 12345), ("contenttype", "json")], safe="*")
    return "%s%s?%s" % (SERVICE, command, query)


def journal_of(emu, query="", headers=None):
    """GET /_emulator/journal?query → (decoded answer, raw bytes); the body must be strict UTF-8 JSON."""
    status, response_headers, data = emu.request("GET", "/_emulator/journal" + ("?" + query if query else ""),
                                                 headers=headers)
    if status != 200 or response_headers.get("content-type") != "application/json":
        raise AssertionError("journal: HTTP %d %r %r" % (status, response_headers.get("content-type"), data))
    answer = json.loads(data.decode("utf-8"), object_pairs_hook=_pairs_checked)
    if list(answer.keys()) != JOURNAL_KEYS:
        raise AssertionError("journal keys %r" % list(answer.keys()))
    return answer, data


def _pairs_checked(items):
    keys = [k for k, _ in items]
    if len(set(keys)) != len(keys):
        raise AssertionError("duplicate JSON keys %r" % keys)
    return dict(items)


def scrape(emu, headers=None):
    status, response_headers, data = emu.request("GET", "/metrics", headers=headers)
    if status != 200:
        raise AssertionError("metrics: HTTP %d %r" % (status, data))
    check_content_type(response_headers.get("content-type"))
    return parse_exposition(data), data


def network_fault_request(emu, target, body, headers=None):
    """Sends one request on a connection of its own, expecting no HTTP answer (reset or close)."""
    conn = emu.connection()
    try:
        conn.request("POST", target, body=json.dumps(body), headers=headers or {})
        try:
            response = conn.getresponse()
            response.read()
        except (ConnectionResetError, http.client.RemoteDisconnected, ConnectionAbortedError, BrokenPipeError):
            return
        raise AssertionError("an HTTP answer (%d) where a network fault was due" % response.status)
    finally:
        conn.close()


@contextlib.contextmanager
def emulator(*args):
    """An emulator of the test's own, with extra flags; it must exit 0 (a sanitizer report would not)."""
    emu = Emulator(args=list(args))
    try:
        yield emu
    finally:
        code = emu.stop()
        stderr = emu.stderr()
        emu.stderr_file.close()
    if code != 0:
        raise AssertionError("emulator exited with %s; stderr:\n%s" % (code, stderr))


class ObserveBase(EmulatorTest):
    rules_files = RULES

    def send(self, command, body, sdkappid, identifier="admin", usersig="xxx", headers=None):
        """A /v4 call that may carry headers; returns (status, raw body)."""
        status, _, data = self.emu.request("POST", v4_target(command, sdkappid, identifier, usersig), body, headers)
        return status, data

    def call(self, command, body, sdkappid, **kwargs):
        return self.emu.call(command, body, sdkappid=sdkappid, **kwargs)

    def journal(self, query=""):
        return journal_of(self.emu, query)[0]

    def entries(self, query=""):
        return self.journal(query)["entries"]

    def seqs(self, query=""):
        return [entry["seq"] for entry in self.entries(query)]

    def clock(self, **command):
        status, body = self.emu.control("POST", "clock", command)
        self.assertEqual(status, 200, body)
        return body["now_ms"]

    def add_fault(self, rule):
        status, body = self.emu.control("POST", "faults", rule)
        self.assertEqual(status, 201, body)

    def scrape(self):
        return scrape(self.emu)[0]


# ================================================================================================================
# Part B: the journal
# ================================================================================================================
class JournalEntryTest(ObserveBase):
    def assertEntry(self, entry, answer, command, sdkappid, room_id, time_ms, why, identifier="admin"):
        self.assertEqual(list(entry.keys()), ENTRY_KEYS, entry)
        expected = {"kind": "api", "method": "POST", "path": SERVICE + command, "command": command,
                    "sdkappid": sdkappid, "identifier": identifier, "room_id": room_id,
                    "request_id": answer["RequestId"], "status": 200, "error_code": answer["ErrorCode"],
                    "time_ms": time_ms, "delay_ms": 0, "network": None, "fault": None, "why": why}
        self.assertEqual({k: entry[k] for k in expected}, expected, entry)
        self.assertIsInstance(entry["latency_ms"], (int, float))
        self.assertGreaterEqual(entry["latency_ms"], 0)

    def test_each_entry_names_the_step_that_decided_it(self):
        app = 1405001001
        self.freeze_clock(T0_MS)
        created = self.call("create_room", create_body("jr-1"), app)
        self.assertOk(created)
        self.clock(advance_ms=420)
        too_soon = self.call("create_room", create_body("jr-1"), app)
        self.assertError(too_soon, 100012)
        not_admin = self.call("create_room", create_body("jr-admin"), ADMIN_APP)
        self.assertError(not_admin, 60010)
        bad_field = self.call("create_room", create_body("jr-bad", RoomType="Video"), app)
        self.assertError(bad_field, 100002)
        missing = self.call("get_room_info", {"RoomId": "jr-missing"}, app)
        self.assertError(missing, 100004)
        found = self.call("get_room_info", {"RoomId": "jr-1"}, app)
        self.assertOk(found)
        self.assertOk(self.call("create_room", create_body("jr-2"), app))
        at_once = self.call("create_room", create_body("jr-2"), app)
        self.assertError(at_once, 100012)

        journal = self.journal()
        entries = journal["entries"]
        self.assertEqual(len(entries), 8, entries)  # control requests (reset, clock) are left out by default
        self.assertEqual([e["seq"] for e in entries], sorted(e["seq"] for e in entries))
        self.assertEqual(len({e["seq"] for e in entries}), 8)
        self.assertLessEqual(entries[-1]["seq"], journal["recorded"])
        t1 = T0_MS + 420
        self.assertEntry(entries[0], created, "create_room", app, "jr-1", T0_MS, "ok: room created")
        self.assertEntry(entries[1], too_soon, "create_room", app, "jr-1", t1,
                         "state: 100012 RoomId created 420 ms ago (room_create_interval_ms 1000)")
        # refused at step 8, before the body is read: no RoomId to show
        self.assertEntry(entries[2], not_admin, "create_room", ADMIN_APP, None, t1, "step 8: identifier not in admins")
        self.assertTrue(bad_field["ErrorInfo"].startswith(PARAM_PREFIX), bad_field)
        self.assertEntry(entries[3], bad_field, "create_room", app, "jr-bad", t1,
                         "step 13: " + bad_field["ErrorInfo"][len(PARAM_PREFIX):])
        self.assertEqual(entries[3]["why"], 'step 13: RoomInfo.RoomType must be "Live"')
        self.assertEntry(entries[4], missing, "get_room_info", app, "jr-missing", t1,
                         "state: 100004 no room jr-missing")
        self.assertEntry(entries[5], found, "get_room_info", app, "jr-1", t1, "ok")
        self.assertEntry(entries[7], at_once, "create_room", app, "jr-2", t1,
                         "state: 100012 RoomId created 0 ms ago (room_create_interval_ms 1000)")
        for entry in entries:
            self.assertRegex(entry["request_id"], REQUEST_ID)

    def test_fault_rule_entries_name_the_rule(self):
        app = 1405001002
        self.freeze_clock(T0_MS)
        self.add_fault({"id": "jr-rule", "match": {"command": "destroy_room", "sdkappid": app},
                        "action": {"error_code": 100001}, "times": 2})
        answers = [self.call("destroy_room", {"RoomId": "jr-x"}, app) for _ in range(3)]
        self.assertEqual([a["ErrorCode"] for a in answers], [100001, 100001, 100004])
        entries = self.entries("command=destroy_room")
        self.assertEqual(len(entries), 3, entries)
        for n, (entry, answer) in enumerate(zip(entries[:2], answers), 1):
            self.assertEqual(list(entry.keys()), ENTRY_KEYS)
            self.assertEqual((entry["fault"], entry["error_code"], entry["status"], entry["request_id"]),
                             ("jr-rule", 100001, 200, answer["RequestId"]), entry)
            self.assertTrue(entry["why"].startswith('fault: rule "jr-rule"'), entry)
            self.assertEqual(entry["why"], 'fault: rule "jr-rule" (hit %d of times=2)' % n)
            self.assertEqual((entry["sdkappid"], entry["identifier"], entry["time_ms"]), (app, "admin", T0_MS))
        self.assertEqual((entries[2]["fault"], entries[2]["why"], entries[2]["request_id"]),
                         (None, "state: 100004 no room jr-x", answers[2]["RequestId"]))

    def test_network_fault_rule_entry(self):
        app = 1405001003
        self.freeze_clock(T0_MS)
        self.add_fault({"id": "jr-close", "match": {"command": "get_room_info", "sdkappid": app},
                        "action": {"network": "close"}, "times": 1})
        network_fault_request(self.emu, v4_target("get_room_info", app), {"RoomId": "jr-c"})
        [entry] = self.entries("sdkappid=%d" % app)
        self.assertEqual({k: entry[k] for k in ("status", "network", "fault", "command", "time_ms", "why")},
                         {"status": 0, "network": "close", "fault": "jr-close", "command": "get_room_info",
                          "time_ms": T0_MS, "why": 'fault: rule "jr-close" (hit 1 of times=1): network close'})

    def test_header_fault_entries(self):
        app = 1405001004
        self.freeze_clock(T0_MS)
        status, data = self.send("get_room_info", {"RoomId": "jr-h"}, app,
                                 headers={"X-Emulator-Fault": "error_code=100001"})
        self.assertEqual(status, 200)
        answer = json.loads(data)
        self.assertError(answer, 100001)
        status, _ = self.send("get_room_info", {"RoomId": "jr-h"}, app, headers={"X-Emulator-Fault": "http_status=503"})
        self.assertEqual(status, 503)
        network_fault_request(self.emu, v4_target("create_room", app), create_body("jr-h"),
                              headers={"X-Emulator-Fault": "network=reset"})
        status, data = self.send("create_room", create_body("jr-d"), app, headers={"X-Emulator-Fault": "delay_ms=300"})
        self.assertEqual(status, 200)
        delayed = json.loads(data)
        self.assertOk(delayed)
        status, _ = self.send("create_room", create_body("jr-e"), app, headers={"X-Emulator-Fault": "bogus=1"})
        self.assertEqual(status, 400)

        entries = self.entries("sdkappid=%d" % app)
        self.assertEqual(len(entries), 5, entries)
        header, gateway, reset, delay, refused = entries
        self.assertEqual({k: header[k] for k in ("status", "error_code", "fault", "request_id", "network", "why")},
                         {"status": 200, "error_code": 100001, "fault": "X-Emulator-Fault", "network": None,
                          "request_id": answer["RequestId"], "why": "fault: header X-Emulator-Fault"})
        self.assertEqual({k: gateway[k] for k in ("status", "fault", "request_id", "network", "why")},
                         {"status": 503, "fault": "X-Emulator-Fault", "request_id": None, "network": None,
                          "why": "fault: header X-Emulator-Fault: HTTP 503"})
        self.assertEqual({k: reset[k] for k in ("status", "network", "fault", "command", "why")},
                         {"status": 0, "network": "reset", "fault": "X-Emulator-Fault", "command": "create_room",
                          "why": "fault: header X-Emulator-Fault: network reset"})
        self.assertEqual({k: delay[k] for k in ("status", "error_code", "delay_ms", "fault", "request_id", "why")},
                         {"status": 200, "error_code": 0, "delay_ms": 300, "fault": "X-Emulator-Fault",
                          "request_id": delayed["RequestId"],
                          "why": "ok: room created; fault: header X-Emulator-Fault delayed 300 ms"})
        self.assertLess(delay["latency_ms"], 300)  # the injected delay is reported apart, not in the latency
        self.assertEqual(refused["status"], 400)
        self.assertTrue(refused["why"].startswith("fault header refused: X-Emulator-Fault"), refused)
        for entry in entries:
            self.assertEqual(entry["time_ms"], T0_MS)

    def test_transport_refusals_are_recorded(self):
        self.freeze_clock(T0_MS)
        before = self.scrape()
        target = v4_target("create_room", 1405001006)
        refusals = [(b"POST " + target.encode() + b" HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n" +
                     b"x" * 70000, 413), (b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n", 431),
                    (b"BLAH\r\n\r\n", 400),
                    (b"POST " + target.encode() + b" HTTP/1.1\r\nHost: a\r\nBad Field: x\r\n\r\n", 400)]
        for payload, status in refusals:
            self.assertTrue(self.emu.raw(payload).startswith(b"HTTP/1.1 %d " % status))
        entries = self.entries()  # not control API requests: listed without control=true
        self.assertEqual([e["status"] for e in entries], [413, 431, 400, 400], entries)
        for entry in entries:
            self.assertEqual(list(entry.keys()), ENTRY_KEYS)
            self.assertTrue(entry["why"].startswith("transport: "), entry)
            self.assertEqual((entry["time_ms"], entry["request_id"], entry["command"]), (T0_MS, None, None))
        self.assertEqual(entries[0]["why"], "transport: request body exceeds 65536 bytes")
        # The method and path are recorded once the request line is read, even when the header then fails.
        path = target.split("?")[0]
        self.assertEqual([(e["method"], e["path"]) for e in entries],
                         [("POST", path), ("GET", "/"), ("", ""), ("POST", path)], entries)
        after = self.scrape()
        for status, count in (("413", 1), ("431", 1), ("400", 2)):
            self.assertEqual(delta(before, after, "lee_http_responses_total", status=status), count)

    def test_fault_entries_carry_the_room_id(self):
        # README: every request is recorded with its RoomId. A request answered by a fault (header, or a rule that
        # does not match on room_id) is recorded with room_id null, so ?room_id= misses it.
        app = 1405001005
        self.send("get_room_info", {"RoomId": "jr-r"}, app, headers={"X-Emulator-Fault": "error_code=100001"})
        self.add_fault({"id": "jr-any", "match": {"sdkappid": app}, "action": {"error_code": 100001}, "times": 1})
        self.call("destroy_room", {"RoomId": "jr-r"}, app)
        self.assertEqual(len(self.entries("room_id=jr-r")), 2)


class JournalFilterTest(ObserveBase):
    def build(self):
        """Six API entries in two apps over two emulator seconds; returns them (oldest first)."""
        a, b = 1405002001, 1405002002
        self.freeze_clock(T0_MS)
        self.assertOk(self.call("create_room", create_body("a-1"), a))
        self.assertError(self.call("create_room", create_body("a-1"), a), 100012)
        self.clock(advance_ms=1000)
        self.assertError(self.call("get_room_info", {"RoomId": "a-missing"}, a), 100004)
        self.assertOk(self.call("create_room", create_body("b-1"), b))
        self.assertError(self.call("get_room_info", {"RoomId": "a-1"}, b), 100004)
        self.assertOk(self.call("destroy_room", {"RoomId": "a-1"}, a))
        entries = self.entries()
        self.assertEqual([(e["sdkappid"], e["command"], e["error_code"], e["room_id"], e["time_ms"]) for e in entries],
                         [(a, "create_room", 0, "a-1", T0_MS), (a, "create_room", 100012, "a-1", T0_MS),
                          (a, "get_room_info", 100004, "a-missing", T0_MS + 1000),
                          (b, "create_room", 0, "b-1", T0_MS + 1000), (b, "get_room_info", 100004, "a-1", T0_MS + 1000),
                          (a, "destroy_room", 0, "a-1", T0_MS + 1000)])
        return a, b, [e["seq"] for e in entries]

    def test_filters_select_exactly_the_matching_entries(self):
        a, b, seq = self.build()
        cases = {
            "sdkappid=%d" % a: [seq[0], seq[1], seq[2], seq[5]],
            "sdkappid=%d" % b: [seq[3], seq[4]],
            "sdkappid=1405002999": [],
            "command=create_room": [seq[0], seq[1], seq[3]],
            "command=get_room_list": [],
            "error_code=100004": [seq[2], seq[4]],
            "error_code=0": [seq[0], seq[3], seq[5]],
            "room_id=a-1": [seq[0], seq[1], seq[4], seq[5]],
            "room_id=a": [],  # exact, not a prefix
            "sdkappid=%d&error_code=100004" % a: [seq[2]],
            "sdkappid=%d&command=create_room&room_id=a-1" % a: [seq[0], seq[1]],
            "since=%d" % T0_MS: seq,  # inclusive
            "since=%d" % (T0_MS + 1): seq[2:],
            "since=%d" % (T0_MS + 1000): seq[2:],
            "since=%d" % (T0_MS + 1001): [],
            "after_seq=%d" % seq[2]: seq[3:],
            "after_seq=%d" % seq[5]: [],
            "after_seq=0": seq,
            "limit=2": seq[4:],  # the newest two, oldest first
            "limit=1": seq[5:],
            "limit=6": seq,
            "limit=100000": seq,
            "command=create_room&limit=2": [seq[1], seq[3]],
            "sdkappid=%d&after_seq=%d&limit=1" % (a, seq[0]): [seq[5]],
            "control=false": seq,
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                self.assertEqual(self.seqs(query), expected)

    def test_control_entries_only_with_control_true(self):
        _, _, seq = self.build()
        entries = self.entries("control=true")
        self.assertEqual([e["seq"] for e in entries], sorted(e["seq"] for e in entries))
        api = [e for e in entries if e["kind"] == "api"]
        control = [e for e in entries if e["kind"] == "control"]
        self.assertEqual([e["seq"] for e in api], seq)
        self.assertTrue(all(e["kind"] in ("api", "control") for e in entries), entries)
        # setUp's reset and clock resume, this test's freeze and advance
        self.assertEqual([(e["method"], e["path"]) for e in control],
                         [("POST", "/_emulator/reset"), ("POST", "/_emulator/clock"), ("POST", "/_emulator/clock"),
                          ("POST", "/_emulator/clock")])
        advance = control[-1]
        self.assertEqual(list(advance.keys()), ENTRY_KEYS)
        self.assertEqual({k: advance[k] for k in ("command", "sdkappid", "request_id", "status", "time_ms")},
                         {"command": None, "sdkappid": None, "request_id": None, "status": 200,
                          "time_ms": T0_MS + 1000})
        self.assertLess(advance["seq"], seq[2])
        self.assertGreater(advance["seq"], seq[1])
        self.assertFalse(any(e["kind"] == "control" for e in self.entries()))
        # the other filters still apply to control entries (they have no sdkappid or command)
        self.assertEqual([e["seq"] for e in self.entries("control=true&command=create_room")],
                         [seq[0], seq[1], seq[3]])
        self.assertEqual(self.entries("control=true&limit=1")[0]["seq"], seq[5])

    def test_bad_filters_are_400_naming_the_parameter(self):
        cases = [("sdkappid=abc", "sdkappid"), ("sdkappid=-1", "sdkappid"), ("sdkappid=", "sdkappid"),
                 ("sdkappid=1.5", "sdkappid"), ("command=create", "command"), ("command=CREATE_ROOM", "command"),
                 ("error_code=abc", "error_code"), ("error_code=-1", "error_code"),
                 ("error_code=99999999999", "error_code"), ("since=yesterday", "since"), ("since=-5", "since"),
                 ("after_seq=x", "after_seq"), ("after_seq=1.5", "after_seq"), ("limit=0", "limit"),
                 ("limit=-1", "limit"), ("limit=ten", "limit"), ("control=1", "control"),
                 ("control=yes", "control"), ("control=TRUE", "control"), ("foo=bar", "unknown filter foo"),
                 ("Sdkappid=1", "unknown filter Sdkappid"), ("limit=5&bogus=1", "unknown filter bogus")]
        for query, named in cases:
            with self.subTest(query=query):
                status, headers, data = self.emu.request("GET", "/_emulator/journal?" + query)
                self.assertEqual(status, 400, data)
                self.assertEqual(headers.get("content-type"), "application/json")
                body = json.loads(data)
                self.assertEqual(list(body.keys()), ["error"])
                self.assertTrue(body["error"].startswith(named), body)
        status, data = self.emu.control("DELETE", "journal?sdkappid=x")
        self.assertEqual(status, 400)
        self.assertIn("sdkappid", data["error"])
        status, data = self.emu.control("POST", "journal")
        self.assertEqual(status, 405)

    def test_reading_the_journal_and_metrics_is_not_recorded(self):
        self.build()
        before, _ = journal_of(self.emu, "control=true&limit=1000")
        for _ in range(3):
            journal_of(self.emu)
        journal_of(self.emu, "control=true&sdkappid=1")
        self.emu.request("GET", "/_emulator/journal?limit=0")  # a refused read
        self.assertEqual(self.emu.request("HEAD", "/_emulator/journal")[0], 200)
        scrape(self.emu)
        self.assertEqual(self.emu.request("HEAD", "/metrics")[0], 200)
        after, _ = journal_of(self.emu, "control=true&limit=1000")
        self.assertEqual(after["recorded"], before["recorded"])
        self.assertEqual(after["entries"], before["entries"])
        self.assertFalse([e for e in after["entries"] if e["path"] in ("/_emulator/journal", "/metrics")])

    def test_journal_read_through_another_spelling_is_not_recorded(self):
        before = self.journal("control=true")["recorded"]
        status, _, data = self.emu.request("GET", "/_emulator/journal/")
        self.assertEqual(status, 200)
        self.assertIn(b'"entries"', data)  # it is a read of the journal
        self.assertEqual(self.journal("control=true")["recorded"], before)


class JournalClearTest(ObserveBase):
    A, B = 1405003001, 1405003002

    def traffic(self, tag):
        for app in (self.A, self.B):
            self.assertOk(self.call("create_room", create_body("%s-%d" % (tag, app)), app))
            self.assertError(self.call("get_room_info", {"RoomId": "none"}, app), 100004)

    def test_delete_clears_one_app_or_all(self):
        self.traffic("c1")
        self.emu.control("GET", "health")  # a control entry
        before = self.journal("control=true")
        b_entries = [e for e in before["entries"] if e["sdkappid"] == self.B]
        control = [e for e in before["entries"] if e["kind"] == "control"]
        self.assertEqual(len(b_entries), 2)
        self.assertTrue(control)

        status, body = self.emu.control("DELETE", "journal?sdkappid=%d" % self.A)
        self.assertEqual((status, body), (200, {"cleared": True, "sdkappid": self.A}))
        after = self.journal("control=true")
        self.assertEqual([e for e in after["entries"] if e["sdkappid"] == self.A], [])
        self.assertEqual([e for e in after["entries"] if e["sdkappid"] == self.B], b_entries)
        self.assertEqual([e for e in after["entries"] if e["kind"] == "control"], control)
        self.assertEqual(after["entries_held"], before["entries_held"] - 2)
        self.assertLess(after["bytes_held"], before["bytes_held"])
        self.assertEqual((after["recorded"], after["dropped"]), (before["recorded"], 0))

        status, body = self.emu.control("DELETE", "journal")
        self.assertEqual((status, body), (200, {"cleared": True, "sdkappid": None}))
        empty = self.journal("control=true")
        self.assertEqual((empty["entries"], empty["entries_held"], empty["bytes_held"], empty["dropped"]),
                         ([], 0, 0, 0))
        self.assertEqual(empty["recorded"], before["recorded"])  # "recorded" counts every request ever
        self.assertEqual(self.scrape().get("lee_journal_entries"), 0)

    def test_reset_of_one_app_clears_only_its_entries(self):
        self.traffic("c2")
        a_entries = [e for e in self.entries() if e["sdkappid"] == self.A]
        status, _ = self.emu.control("POST", "reset?sdkappid=%d" % self.B)
        self.assertEqual(status, 200)
        entries = self.entries("control=true")
        self.assertEqual([e for e in entries if e["kind"] == "api"], a_entries)
        self.assertEqual(entries[-1]["path"], "/_emulator/reset")  # the reset itself is recorded after it ran
        self.assertEqual(self.entries("sdkappid=%d" % self.B), [])

        self.traffic("c3")
        status, _ = self.emu.control("POST", "reset")
        self.assertEqual(status, 200)
        entries = self.entries("control=true")
        self.assertEqual([(e["kind"], e["path"]) for e in entries], [("control", "/_emulator/reset")])


class JournalPrivacyTest(ObserveBase):
    def test_usersigs_query_strings_and_secret_keys_never_recorded(self):
        plain = 1405004001
        answer = self.call("create_room", create_body("p-1"), KEY_APP, usersig=SECRET_USERSIG)
        self.assertError(answer, 70003)
        self.assertOk(self.call("create_room", create_body("p-1"), plain, usersig=SECRET_USERSIG))
        self.send("get_room_info", {"RoomId": "p-1"}, plain, usersig=SECRET_USERSIG,
                  headers={"X-Emulator-Fault": "error_code=100001"})
        # a query that is not valid URL syntax still carries the UserSig
        status, _, _ = self.emu.request("POST", SERVICE + "create_room?sdkappid=%d&identifier=admin&usersig=%s"
                                        "&contenttype=json&bad=%%ZZ" % (plain, SECRET_USERSIG), create_body("p-2"))
        self.assertEqual(status, 200)
        put = 1405004099
        status, body = self.emu.control("PUT", "apps/%d" % put, {"secret_key": PUT_SECRET_KEY})
        self.assertEqual(status, 200, body)
        self.assertError(self.call("get_room_info", {"RoomId": "p-1"}, put, usersig=SECRET_USERSIG), 70003)

        journal, raw = journal_of(self.emu, "control=true&limit=10000")
        for secret in (SECRET_USERSIG, SECRET_KEY, PUT_SECRET_KEY, "usersig=", "contenttype=", "sdkappid="):
            self.assertNotIn(secret.encode(), raw)  # no UserSig, key or query string
        self.assertFalse([e["path"] for e in journal["entries"] if "?" in e["path"]])
        by_app = {e["sdkappid"]: e for e in journal["entries"] if e["kind"] == "api"}
        self.assertEqual(by_app[KEY_APP]["why"], "step 9: UserSig not decodable")
        self.assertEqual(by_app[put]["why"], "step 9: UserSig not decodable")
        puts = [e for e in journal["entries"] if e["method"] == "PUT"]
        self.assertEqual([(e["kind"], e["path"], e["status"]) for e in puts],
                         [("control", "/_emulator/apps/%d" % put, 200)])
        _, metrics = scrape(self.emu)
        for secret in (SECRET_USERSIG, SECRET_KEY, PUT_SECRET_KEY):
            self.assertNotIn(secret.encode(), metrics)

    def test_invalid_utf8_is_replaced_and_the_answer_stays_valid_utf8(self):
        app = 1405004002
        cases = [("ad%FF", "ad\ufffd"), ("ad%C3", "ad\ufffd"), ("%C3%A9t%E9", "\u00e9t\ufffd"),
                 ("x%ED%A0%80y", "x\ufffd\ufffd\ufffdy")]  # a surrogate is not UTF-8
        for raw_identifier, _ in cases:
            query = "sdkappid=%d&identifier=%s&usersig=x&random=1&contenttype=json" % (app, raw_identifier)
            status, _, data = self.emu.request("POST", SERVICE + "get_room_info?" + query, {"RoomId": "u-1"})
            self.assertEqual(status, 200)
            # An identifier that is not UTF-8 is an incorrect account (step 5), never stored (issue 10 finding 1).
            self.assertEqual(json.loads(data)["ErrorCode"], 60004)
        journal, raw = journal_of(self.emu, "sdkappid=%d" % app)
        self.assertEqual({e["why"] for e in journal["entries"]}, {"step 5: identifier is not valid UTF-8"})
        raw.decode("utf-8")  # strict
        self.assertEqual([e["identifier"] for e in journal["entries"]], [shown for _, shown in cases])
        parse_exposition(scrape(self.emu)[1])

    def test_long_request_text_is_cut(self):
        app = 1405004003
        identifier = "i" * 1000
        self.assertError(self.call("get_room_info", {"RoomId": "r" * 1000}, app, identifier=identifier), 100002)
        [entry] = self.entries("sdkappid=%d" % app)
        self.assertTrue(0 < len(entry["identifier"]) < 1000 and identifier.startswith(entry["identifier"]), entry)
        self.assertTrue(0 < len(entry["room_id"]) < 1000 and entry["room_id"] == "r" * len(entry["room_id"]), entry)


class JournalBoundsTest(unittest.TestCase):
    """Bounds need emulators of their own, started with the journal flags."""

    def traffic(self, emu, count, prefix="b"):
        for i in range(count):
            answer = emu.call("create_room", create_body("%s-%02d" % (prefix, i)), sdkappid=1405005001)
            self.assertEqual(answer["ErrorCode"], 0, answer)

    def test_entry_bound_keeps_the_newest(self):
        with emulator("--journal-entries", "5") as emu:
            self.traffic(emu, 12)
            journal, _ = journal_of(emu, "control=true")
            self.assertEqual({k: journal[k] for k in ("max_entries", "entries_held", "dropped", "recorded")},
                             {"max_entries": 5, "entries_held": 5, "dropped": 7, "recorded": 12})
            self.assertEqual(journal["max_bytes"], 16777216)
            self.assertEqual([e["seq"] for e in journal["entries"]], [8, 9, 10, 11, 12])
            self.assertEqual([e["room_id"] for e in journal["entries"]], ["b-%02d" % i for i in range(7, 12)])
            expo, _ = scrape(emu)
            self.assertEqual((expo.get("lee_journal_entries"), expo.get("lee_journal_dropped_total"),
                              expo.get("lee_journal_bytes")), (5, 7, journal["bytes_held"]))
            self.assertEqual([e["seq"] for e in journal_of(emu, "limit=1000")[0]["entries"]], [8, 9, 10, 11, 12])

    def test_byte_bound(self):
        with emulator("--journal-bytes", "4096", "--journal-entries", "1000") as emu:
            self.traffic(emu, 40)
            journal, _ = journal_of(emu, "limit=1000")
            self.assertEqual((journal["max_bytes"], journal["max_entries"], journal["recorded"]), (4096, 1000, 40))
            self.assertLessEqual(journal["bytes_held"], 4096)
            self.assertGreater(journal["dropped"], 0)
            self.assertEqual(journal["entries_held"] + journal["dropped"], 40)
            self.assertEqual(len(journal["entries"]), journal["entries_held"])
            self.assertGreaterEqual(journal["entries_held"], 1)
            self.assertEqual(journal["entries"][-1]["seq"], 40)  # the newest is held
            expo, _ = scrape(emu)
            self.assertEqual(expo.get("lee_journal_bytes"), journal["bytes_held"])
            self.assertEqual(expo.get("lee_journal_dropped_total"), journal["dropped"])

    def test_minimum_byte_bound_keeps_recent_requests(self):
        # --journal-bytes 4096 is valid; one entry is ~450 bytes, yet with the default entry bound nothing is kept.
        with emulator("--journal-bytes", "4096") as emu:
            self.traffic(emu, 3)
            journal, _ = journal_of(emu)
            self.assertEqual(journal["recorded"], 3)
            self.assertGreaterEqual(journal["entries_held"], 1, journal)
            self.assertEqual(journal["entries"][-1]["seq"], 3)

    def test_newest_entry_is_kept_when_it_fits_the_byte_bound(self):
        with emulator("--journal-bytes", "4096", "--journal-entries", "1000") as emu:
            self.traffic(emu, 2)
            answer = emu.call("get_room_info", {"RoomId": "R" * 120}, sdkappid=1405005001, identifier="I" * 120)
            self.assertEqual(answer["ErrorCode"], 100002)
            journal, _ = journal_of(emu)
            self.assertEqual(journal["recorded"], 3)
            self.assertEqual(journal["entries"][-1]["seq"], 3, journal)

    def test_zero_entries_turns_the_journal_off(self):
        with emulator("--journal-entries", "0") as emu:
            self.traffic(emu, 3)
            emu.control("POST", "clock", {"resume": True})
            journal, _ = journal_of(emu, "control=true&limit=5")
            self.assertEqual({k: journal[k] for k in JOURNAL_KEYS},
                             {"max_entries": 0, "max_bytes": 16777216, "entries_held": 0, "bytes_held": 0,
                              "dropped": 0, "recorded": 0, "entries": []})
            expo, _ = scrape(emu)
            self.assertEqual((expo.get("lee_journal_entries"), expo.get("lee_journal_bytes")), (0, 0))
            self.assertEqual(expo.get("lee_requests_total", command="create_room", error_code="0"), 3)

    def test_invalid_flag_values_exit_2(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVE_EMULATOR_")}
        cases = [(["--journal-bytes", "10"], {}, "--journal-bytes"),
                 (["--journal-bytes", "4095"], {}, "--journal-bytes"),
                 (["--journal-bytes", "-1"], {}, "--journal-bytes"), (["--journal-bytes", "4k"], {}, "--journal-bytes"),
                 (["--journal-bytes", "1099511627777"], {}, "--journal-bytes"),
                 (["--journal-entries", "-1"], {}, "--journal-entries"),
                 (["--journal-entries", "ten"], {}, "--journal-entries"),
                 (["--journal-entries", "10000001"], {}, "--journal-entries"),
                 (["--journal-entries", ""], {}, "--journal-entries"),
                 ([], {"LIVE_EMULATOR_JOURNAL_ENTRIES": "-1"}, "--journal-entries"),
                 ([], {"LIVE_EMULATOR_JOURNAL_BYTES": "100"}, "--journal-bytes")]
        for args, extra, named in cases:
            with self.subTest(args=args, env=extra):
                proc = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--rules", TEST_RULES] + args,
                                      env=dict(env, **extra), capture_output=True, timeout=10)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertNotIn(b"READY", proc.stdout)
                self.assertIn(named.encode(), proc.stderr)


# ================================================================================================================
# Part C: /metrics
# ================================================================================================================
LABEL_NAMES = {"command", "error_code", "status", "le", "rule", "network", "sdkappid", "outcome"}
FAMILIES = {"lee_requests_total": "counter", "lee_rate_limited_total": "counter",
            "lee_http_responses_total": "counter", "lee_request_duration_seconds": "histogram",
            "lee_faults_fired_total": "counter", "lee_header_faults_total": "counter",
            "lee_network_faults_total": "counter", "lee_rooms": "gauge", "lee_rooms_total": "gauge",
            "lee_apps": "gauge", "lee_connections_open": "gauge", "lee_unread_answer_bytes": "gauge",
            "lee_unread_answer_drops_total": "counter", "lee_journal_entries": "gauge",
            "lee_journal_bytes": "gauge", "lee_journal_dropped_total": "counter", "lee_callbacks_total": "counter",
            "lee_callbacks_pending": "gauge", "lee_callbacks_queue_bound": "gauge", "lee_uptime_seconds": "gauge"}
COMMANDS = ["create_room", "destroy_room", "get_room_info", "update_room_info", "get_room_list", "set_room_metadata",
            "get_room_metadata", "del_room_metadata", "get_room_statistic", "get_room_stats", "add_robot", "get_robot",
            "del_robot", "change_room_owner", "get_seat_list", "set_callback", "update_callback", "get_callback",
            "set_callback_token", "get_callback_token"]


def delta(before, after, name, **labels):
    return after.value(name, **labels) - before.value(name, **labels)


class MetricsTest(ObserveBase):
    def test_body_is_strict_prometheus_with_every_documented_family(self):
        app = 1405006001
        self.assertOk(self.call("create_room", create_body("m-1"), app))
        self.call("get_room_info", {"RoomId": "m-none"}, app)
        self.emu.request("POST", SERVICE + "no_such_command?sdkappid=1", "{}")
        self.emu.request("GET", "/nowhere")
        self.send("get_room_info", {"RoomId": "m-1"}, app, headers={"X-Emulator-Fault": "http_status=502"})
        self.add_fault({"id": "m-f", "match": {"sdkappid": app, "command": "get_room_list"},
                        "action": {"error_code": 100001}})
        self.call("get_room_list", {"Count": 20}, app)
        status, headers, data = self.emu.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
        expo = parse_exposition(data)
        self.assertEqual({name: expo.families[name]["type"] for name in FAMILIES}, FAMILIES)
        for name, family in expo.families.items():
            self.assertIn(name, FAMILIES)
            self.assertTrue(family["help"], name)
            for _, labels, _ in family["samples"]:
                self.assertLessEqual(set(labels), LABEL_NAMES, (name, labels))
        self.assertEqual([labels["command"] for labels, _ in expo.samples("lee_rate_limited_total")], COMMANDS)
        self.assertEqual(expo.get("lee_requests_total", command="unknown", error_code="60009"), 1)
        self.assertEqual(expo.get("lee_requests_total", command="get_room_info", error_code="none"), 1)
        self.assertEqual(expo.get("lee_http_responses_total", status="404"), 1)
        self.assertEqual(expo.get("lee_faults_fired_total", rule="m-f"), 1)

    def test_request_counters_match_what_was_sent(self):
        app = 1405006002
        before = self.scrape()
        self.freeze_clock(T0_MS)
        for i in range(4):
            self.assertOk(self.call("create_room", create_body("m2-%d" % i), app))
        for _ in range(3):
            self.assertError(self.call("get_room_info", {"RoomId": "m2-none"}, app), 100004)
        self.assertError(self.call("create_room", create_body("m2-0"), app), 100012)
        after = self.scrape()
        self.assertEqual(delta(before, after, "lee_requests_total", command="create_room", error_code="0"), 4)
        self.assertEqual(delta(before, after, "lee_requests_total", command="create_room", error_code="100012"), 1)
        self.assertEqual(delta(before, after, "lee_requests_total", command="get_room_info", error_code="100004"), 3)
        self.assertEqual(delta(before, after, "lee_requests_total", command="get_room_info", error_code="0"), 0)
        # 8 API answers, the clock freeze, and the first scrape (counted once it was sent, so in the second one)
        self.assertEqual(delta(before, after, "lee_http_responses_total", status="200"), 8 + 1 + 1)
        for status in ("400", "404", "503"):
            self.assertEqual(delta(before, after, "lee_http_responses_total", status=status), 0)
        for command, count in (("create_room", 5), ("get_room_info", 3), ("destroy_room", 0)):
            self.assertEqual(delta(before, after, "lee_request_duration_seconds_count", command=command), count)
            self.assertEqual(delta(before, after, "lee_request_duration_seconds_bucket", command=command, le="+Inf"),
                             count)
        self.assertGreater(delta(before, after, "lee_request_duration_seconds_sum", command="create_room"), 0)
        self.assertEqual(delta(before, after, "lee_rate_limited_total", command="create_room"), 0)

    def test_rate_limited_requests(self):
        self.freeze_clock(T0_MS)
        before = self.scrape()
        answers = [self.call("get_room_list", {"Next": "", "Count": 20}, LIMITED_APP) for _ in range(3)]
        self.assertEqual([a["ErrorCode"] for a in answers], [0, 0, 60007])
        after = self.scrape()
        self.assertEqual(delta(before, after, "lee_rate_limited_total", command="get_room_list"), 1)
        self.assertEqual(delta(before, after, "lee_requests_total", command="get_room_list", error_code="60007"), 1)
        self.assertEqual(delta(before, after, "lee_requests_total", command="get_room_list", error_code="0"), 2)
        for command in COMMANDS:
            if command != "get_room_list":
                self.assertEqual(delta(before, after, "lee_rate_limited_total", command=command), 0)

    def test_fault_counters(self):
        app = 1405006003
        self.freeze_clock(T0_MS)
        before = self.scrape()
        self.assertIsNone(before.get("lee_faults_fired_total", rule="m-rule"))
        self.add_fault({"id": "m-rule", "match": {"command": "destroy_room", "sdkappid": app},
                        "action": {"error_code": 100001}, "times": 2})
        self.add_fault({"id": "m-close", "match": {"command": "get_room_info", "sdkappid": app},
                        "action": {"network": "close"}, "times": 1})
        self.assertEqual(self.scrape().get("lee_faults_fired_total", rule="m-rule"), 0)  # in force, not fired yet
        codes = [self.call("destroy_room", {"RoomId": "m-x"}, app)["ErrorCode"] for _ in range(3)]
        self.assertEqual(codes, [100001, 100001, 100004])
        network_fault_request(self.emu, v4_target("get_room_info", app), {"RoomId": "m-x"})
        status, _ = self.send("get_room_info", {"RoomId": "m-x"}, app,
                              headers={"X-Emulator-Fault": "error_code=100001"})
        self.assertEqual(status, 200)
        status, _ = self.send("get_room_info", {"RoomId": "m-x"}, app, headers={"X-Emulator-Fault": "http_status=503"})
        self.assertEqual(status, 503)
        network_fault_request(self.emu, v4_target("create_room", app), create_body("m-x"),
                              headers={"X-Emulator-Fault": "network=reset"})
        after = self.scrape()
        self.assertEqual(after.get("lee_faults_fired_total", rule="m-rule"), 2)
        self.assertEqual(after.get("lee_faults_fired_total", rule="m-close"), 1)
        self.assertEqual(delta(before, after, "lee_header_faults_total"), 3)
        self.assertEqual(delta(before, after, "lee_network_faults_total", command="get_room_info", network="close"), 1)
        self.assertEqual(delta(before, after, "lee_network_faults_total", command="create_room", network="reset"), 1)
        self.assertEqual(delta(before, after, "lee_requests_total", command="destroy_room", error_code="100001"), 2)
        self.assertEqual(delta(before, after, "lee_requests_total", command="destroy_room", error_code="100004"), 1)
        self.assertEqual(delta(before, after, "lee_requests_total", command="get_room_info", error_code="100001"), 1)
        self.assertEqual(delta(before, after, "lee_requests_total", command="get_room_info", error_code="none"), 1)
        self.assertEqual(delta(before, after, "lee_http_responses_total", status="503"), 1)
        # the rules go with the reset, and their series with them
        self.emu.control("POST", "reset")
        self.assertIsNone(self.scrape().get("lee_faults_fired_total", rule="m-rule"))

    def test_injected_delay_is_not_in_the_duration(self):
        app = 1405006004
        before = self.scrape()
        status, _ = self.send("get_room_info", {"RoomId": "m-d"}, app, headers={"X-Emulator-Fault": "delay_ms=600"})
        self.assertEqual(status, 200)
        after = self.scrape()
        self.assertEqual(delta(before, after, "lee_request_duration_seconds_count", command="get_room_info"), 1)
        # decided in well under 0.5 s although answered 0.6 s late
        self.assertEqual(delta(before, after, "lee_request_duration_seconds_bucket", command="get_room_info",
                               le="0.5"), 1)

    def test_room_gauges(self):
        p, q, z = 1405006005, 1405006006, 1405006007
        for i in range(3):
            self.assertOk(self.call("create_room", create_body("p-%d" % i), p))
        for i in range(2):
            self.assertOk(self.call("create_room", create_body("q-%d" % i), q))
        self.assertOk(self.call("destroy_room", {"RoomId": "q-0"}, q))
        self.assertOk(self.call("create_room", create_body("z-0"), z))
        self.assertOk(self.call("destroy_room", {"RoomId": "z-0"}, z))
        expo = self.scrape()
        for app, count in ((p, 3), (q, 1)):
            status, rooms = self.emu.control("GET", "apps/%d/rooms" % app)
            self.assertEqual((status, rooms["count"]), (200, count))
            self.assertEqual(expo.get("lee_rooms", sdkappid=str(app)), count)
        self.assertIsNone(expo.get("lee_rooms", sdkappid=str(z)))  # apps holding no room are left out
        self.assertEqual(expo.get("lee_rooms_total"), 4)  # setUp reset every app
        self.assertEqual(sum(value for _, value in expo.samples("lee_rooms")), 4)
        self.assertGreaterEqual(expo.get("lee_apps"), 2)
        self.emu.control("POST", "reset?sdkappid=%d" % p)
        expo = self.scrape()
        self.assertIsNone(expo.get("lee_rooms", sdkappid=str(p)))
        self.assertEqual(expo.get("lee_rooms_total"), 1)

    def test_rooms_gauge_is_bounded_to_1000_apps(self):
        base = 1406000000
        for i in range(1002):
            self.assertOk(self.call("create_room", create_body("n"), base + 1001 - i))  # highest first
        expo, body = scrape(self.emu)
        shown = [(labels["sdkappid"], value) for labels, value in expo.samples("lee_rooms")]
        self.assertEqual(shown, [(str(base + i), 1) for i in range(1000)])  # the lowest 1,000, in order
        self.assertEqual(expo.get("lee_rooms_total"), 1002)
        self.assertNotIn(b'sdkappid="%d"' % (base + 1000), body)

    def test_process_gauges(self):
        self.call("create_room", create_body("g-1"), 1405006008)
        expo = self.scrape()
        journal = self.journal("control=true")
        self.assertGreaterEqual(expo.get("lee_connections_open"), 1)
        self.assertGreater(expo.get("lee_uptime_seconds"), 0)
        self.assertEqual(expo.get("lee_journal_entries"), journal["entries_held"])
        self.assertEqual(expo.get("lee_journal_bytes"), journal["bytes_held"])
        self.assertEqual(expo.get("lee_journal_dropped_total"), journal["dropped"])
        open_now = expo.get("lee_connections_open")
        with socket.create_connection(("127.0.0.1", self.emu.port)):
            self.assertEqual(self.poll_connections(lambda n: n >= open_now + 1), open_now + 1)
        self.assertEqual(self.poll_connections(lambda n: n == open_now), open_now)

    def poll_connections(self, wanted):
        """lee_connections_open once `wanted` holds (a connection is counted when the emulator has accepted it, and
        uncounted when it has seen it close), within 5 s."""
        deadline = time.monotonic() + 5
        while True:
            value = self.scrape().get("lee_connections_open")
            if wanted(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.02)

    def test_no_label_carries_a_room_id_or_identifier(self):
        app = 1405006009
        for i in range(3):
            self.assertOk(self.call("create_room", create_body("QXroomZZ-%d" % i), app, identifier="QXidentZZ"))
        self.call("get_room_info", {"RoomId": "QXroomZZ-missing"}, app)
        self.call("create_room", create_body("QXroomZZ-bad", RoomType="x"), app)
        self.add_fault({"id": "m-room", "match": {"room_id": "QXroomZZ-f*"}, "action": {"error_code": 100001}})
        self.call("destroy_room", {"RoomId": "QXroomZZ-f1"}, app)
        self.emu.request("GET", "/QXroomZZ-path")
        expo, body = scrape(self.emu)
        self.assertNotIn(b"QXroomZZ", body)
        self.assertNotIn(b"QXidentZZ", body)
        for family in expo.families.values():
            for _, labels, _ in family["samples"]:
                self.assertLessEqual(set(labels), LABEL_NAMES)


class AdminTokenTest(unittest.TestCase):
    def test_metrics_and_journal_need_the_token(self):
        with emulator("--admin-token", "s3cr3t-T") as emu:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cr3t-T"}):
                for path in ("/metrics", "/_emulator/journal"):
                    with self.subTest(headers=headers, path=path):
                        status, response_headers, data = emu.request("GET", path, headers=headers)
                        self.assertEqual(status, 401, data)
                        self.assertEqual(response_headers.get("content-type"), "application/json")
                        self.assertIn("error", json.loads(data))
                        self.assertNotIn(b"lee_", data)
            good = {"Authorization": "Bearer s3cr3t-T"}
            expo, _ = scrape(emu, headers=good)
            self.assertEqual(expo.families["lee_requests_total"]["type"], "counter")
            self.assertEqual(expo.get("lee_http_responses_total", status="401"), 6)
            self.assertEqual(emu.request("HEAD", "/metrics", headers=good)[0], 200)
            journal, _ = journal_of(emu, "control=true", headers=good)
            self.assertEqual(journal["entries"], [])  # refused reads of the journal are not recorded either


if __name__ == "__main__":
    unittest.main()
