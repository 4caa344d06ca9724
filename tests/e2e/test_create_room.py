"""End-to-end tests of create_room over real HTTP: envelope, defaults, every error code of the check order
(spec emulated-api.md section 2, except step 9 UserSig), the order of adjacent checks, query parsing, tenant
isolation, the concurrent-create race and the basic control endpoints.

Run: cd tests/e2e && python3 -m unittest -v test_create_room
"""
import http.client
import json
import re
import threading
import unittest
import urllib.parse

import harness
from harness import EmulatorTest, create_body

REQUEST_ID = re.compile(r"^Id-[0-9a-f]{32}-O-Seq-\d+$")
ENVELOPE_KEYS = ["ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"]
FROZEN_MS = 1_800_000_000_000

TEXT = harness.ERROR_TEXTS
PARAM_PREFIX = "Invalid request parameters: "

# The two request bodies of the seed document (its // comments removed).
SEED_VIDEO = {"RoomInfo": {"RoomId": "live_testA", "RoomType": "Live", "Owner_Account": "testA",
                           "TakeSeatMode": "ApplyToTake", "SeatTemplate": "VideoDynamicGrid9Seats",
                           "IsPublicVisible": True, "RoomName": "Happy new year", "CoverURL": "cover url"}}
SEED_VOICE = {"RoomInfo": {"RoomId": "voice_testA", "RoomType": "Live", "Owner_Account": "testA",
                           "TakeSeatMode": "FreeToTake", "MaxSeatCount": 10, "SeatTemplate": "AudioSalon",
                           "IsPublicVisible": True, "RoomName": "Happy new year", "CoverURL": "cover url"}}

ROOM_FIELDS = {"RoomId", "RoomName", "RoomType", "Owner_Account", "CreateTime", "TakeSeatMode", "SeatTemplate",
               "MaxSeatCount", "IsMessageDisabled", "IsPublicVisible", "CoverURL", "Category", "ActivityStatus",
               "ViewCount"}

APP_DISABLED = 1400000002
APP_UNPAID = 1400000001
APP_ADMINS = 1400000003      # admins ["boss"]
APP_CHAT = 1400000004        # chat group "@TGS#group1", max_seat_count 12
APP_LIMITED = 1400000005     # create_room 5/s, room_create_interval_ms 0


def make_query(sdkappid=88888888, identifier="admin", usersig="xxx", random="99999999", contenttype="json"):
    params = [("sdkappid", sdkappid), ("identifier", identifier), ("usersig", usersig),
              ("random", random), ("contenttype", contenttype)]
    return urllib.parse.urlencode([(k, v) for k, v in params if v is not None], safe="*")


def ordered(data):
    """Parses JSON keeping key order: objects become lists of (key, value) pairs."""
    return json.loads(data, object_pairs_hook=lambda pairs: pairs)


def utf8_body(body):
    """JSON with raw UTF-8 (not \\u escapes)."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class CreateRoomBase(EmulatorTest):
    def create(self, body, sdkappid, **kw):
        return self.emu.call("create_room", body, sdkappid=sdkappid, **kw)

    def create_raw(self, body, sdkappid, query=None, method="POST", command="create_room",
                   service="live_engine_http_srv", **kw):
        """Returns (parsed answer, raw bytes) after checking the transport contract."""
        if query is None:
            query = make_query(sdkappid=sdkappid, **kw)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        status, headers, data = self.emu.request(method, "/v4/%s/%s?%s" % (service, command, query), body)
        self.assertEqual(status, 200, data)
        self.assertEqual(headers.get("content-type"), "application/json", headers)
        return json.loads(data), data

    def rooms(self, sdkappid):
        status, body = self.emu.control("GET", "apps/%d/rooms" % sdkappid)
        self.assertEqual(status, 200, body)
        rooms = body["rooms"] if isinstance(body, dict) else body
        self.assertIsInstance(rooms, list, body)
        return rooms

    def room(self, sdkappid, room_id):
        matches = [r for r in self.rooms(sdkappid) if r.get("RoomId") == room_id]
        self.assertEqual(len(matches), 1, self.rooms(sdkappid))
        return matches[0]

    def advance(self, ms):
        status, body = self.emu.control("POST", "clock", {"advance_ms": ms})
        self.assertEqual(status, 200, body)
        return body

    def assertEnvelope(self, data):
        """The four envelope fields come first and in order, RequestId well-formed."""
        pairs = ordered(data)
        self.assertIsInstance(pairs, list, data)
        self.assertEqual([k for k, _ in pairs[:4]], ENVELOPE_KEYS, data)
        self.assertRegex(dict(pairs)["RequestId"], REQUEST_ID)

    def assertCode(self, answer, code):
        """Error with the documented text exactly."""
        self.assertError(answer, code, TEXT[code])

    def assertParamError(self, answer, field=None, exact=None):
        self.assertError(answer, 100002)
        info = answer["ErrorInfo"]
        if exact is not None:
            self.assertEqual(info, exact, answer)
        self.assertTrue(info.startswith(PARAM_PREFIX), answer)
        self.assertGreater(len(info), len(PARAM_PREFIX), answer)
        if field is not None:
            self.assertIn(field, info, answer)


# ---------------------------------------------------------------------------------------------------------------
class SeedExamplesTest(CreateRoomBase):
    def test_seed_examples_success_body_shape(self):
        self.freeze_clock()
        request_ids = []
        for body in (SEED_VIDEO, SEED_VOICE):
            with self.subTest(room=body["RoomInfo"]["RoomId"]):
                answer, data = self.create_raw(body, 900000001)
                self.assertTrue(data.startswith(
                    b'{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-'), data)
                pairs = ordered(data)
                self.assertEqual([k for k, _ in pairs], ENVELOPE_KEYS + ["RoomId"], data)
                self.assertOk(answer)
                self.assertEqual(answer["RoomId"], body["RoomInfo"]["RoomId"])
                self.assertRegex(answer["RequestId"], REQUEST_ID)
                request_ids.append(answer["RequestId"])
        self.assertNotEqual(request_ids[0], request_ids[1])

    def test_seed_examples_stored_fields(self):
        self.freeze_clock()
        self.assertOk(self.create(SEED_VIDEO, 900000002))
        self.assertOk(self.create(SEED_VOICE, 900000002))
        rooms = self.rooms(900000002)
        self.assertEqual(sorted(r["RoomId"] for r in rooms), ["live_testA", "voice_testA"])
        for room in rooms:
            self.assertTrue(ROOM_FIELDS <= set(room), room)
        video = self.room(900000002, "live_testA")
        self.assertEqual(
            {k: video[k] for k in ("RoomName", "RoomType", "Owner_Account", "CreateTime", "TakeSeatMode",
                                   "SeatTemplate", "MaxSeatCount", "IsMessageDisabled", "IsPublicVisible",
                                   "CoverURL", "Category", "ViewCount")},
            {"RoomName": "Happy new year", "RoomType": "Live", "Owner_Account": "testA",
             "CreateTime": FROZEN_MS // 1000, "TakeSeatMode": "ApplyToTake",
             "SeatTemplate": "VideoDynamicGrid9Seats", "MaxSeatCount": 9, "IsMessageDisabled": False,
             "IsPublicVisible": True, "CoverURL": "cover url", "Category": [], "ViewCount": 0})
        voice = self.room(900000002, "voice_testA")
        self.assertEqual(
            {k: voice[k] for k in ("RoomName", "RoomType", "Owner_Account", "CreateTime", "TakeSeatMode",
                                   "SeatTemplate", "MaxSeatCount", "IsMessageDisabled", "IsPublicVisible",
                                   "CoverURL", "Category", "ViewCount")},
            {"RoomName": "Happy new year", "RoomType": "Live", "Owner_Account": "testA",
             "CreateTime": FROZEN_MS // 1000, "TakeSeatMode": "FreeToTake", "SeatTemplate": "AudioSalon",
             "MaxSeatCount": 10, "IsMessageDisabled": False, "IsPublicVisible": True, "CoverURL": "cover url",
             "Category": [], "ViewCount": 0})

    def test_defaults_filled_in(self):
        self.freeze_clock(FROZEN_MS + 123_999)   # CreateTime is unix seconds: floor(ms / 1000)
        self.assertOk(self.create(create_body("live_min"), 900000003, identifier="hostX"))
        self.assertOk(self.create(create_body("voice_min", SeatTemplate="AudioSalon", MaxSeatCount=10),
                                  900000003, identifier="hostX"))
        for room_id, seats, template in (("live_min", 9, "VideoDynamicGrid9Seats"),
                                         ("voice_min", 10, "AudioSalon")):
            with self.subTest(room=room_id):
                room = self.room(900000003, room_id)
                self.assertTrue(ROOM_FIELDS <= set(room), room)
                self.assertEqual(room["RoomName"], room_id)
                self.assertEqual(room["Owner_Account"], "hostX")
                self.assertEqual(room["RoomType"], "Live")
                self.assertEqual(room["SeatTemplate"], template)
                self.assertEqual(room["MaxSeatCount"], seats)
                self.assertEqual(room["CreateTime"], 1_800_000_123)
                self.assertEqual(room["ViewCount"], 0)
                self.assertIs(room["IsPublicVisible"], True)
                self.assertIs(room["IsMessageDisabled"], False)
                self.assertEqual(room["TakeSeatMode"], "FreeToTake")
                self.assertEqual(room["Category"], [])


    def test_an_empty_room_name_is_kept_not_replaced_by_the_room_id(self):
        # Only an absent RoomName defaults to the RoomId; an empty one is a name (0 bytes are allowed).
        self.assertOk(self.create(create_body("named_empty", RoomName=""), 900000003, identifier="hostX"))
        self.assertEqual(self.room(900000003, "named_empty")["RoomName"], "")

    def test_seat_counts_per_template_and_package(self):
        self.freeze_clock()
        app = 900000004
        cases = [("t1", "VideoDynamicGrid9Seats", None, 9), ("t2", "VideoDynamicFloat7Seats", None, 7),
                 ("t3", "VideoFixedGrid9Seats", 100, 9), ("t4", "VideoFixedFloat7Seats", 2, 7),
                 ("t5", "AudioSalon", None, 16), ("t6", "Karaoke", None, 16), ("t7", "Karaoke", 1, 1),
                 ("t8", "AudioSalon", 16, 16)]
        for room_id, template, seats, expected in cases:
            with self.subTest(template=template, seats=seats):
                fields = {"SeatTemplate": template}
                if seats is not None:
                    fields["MaxSeatCount"] = seats
                self.assertOk(self.create(create_body(room_id, **fields), app))
                self.assertEqual(self.room(app, room_id)["MaxSeatCount"], expected)
        # App 1400000004 has a package maximum of 12.
        self.assertOk(self.create(create_body("pkg_default", SeatTemplate="AudioSalon"), APP_CHAT))
        self.assertEqual(self.room(APP_CHAT, "pkg_default")["MaxSeatCount"], 12)
        self.assertOk(self.create(create_body("pkg_max", SeatTemplate="Karaoke", MaxSeatCount=12), APP_CHAT))
        self.assertParamError(self.create(create_body("pkg_over", SeatTemplate="AudioSalon", MaxSeatCount=13),
                                          APP_CHAT), "RoomInfo.MaxSeatCount")

    def test_all_fields_stored_as_given(self):
        self.freeze_clock()
        app = 900000005
        body = create_body("full", Owner_Account="owner1", TakeSeatMode="ApplyToTake", SeatTemplate="Karaoke",
                           MaxSeatCount=5, IsMessageDisabled=True, IsPublicVisible=False, RoomName="全部字段",
                           CoverURL="https://example.com/c.png", Category=[1, "music", 3], ActivityStatus=-7)
        self.assertOk(self.create(body, app))
        room = self.room(app, "full")
        expected = dict(body["RoomInfo"], CreateTime=FROZEN_MS // 1000, ViewCount=0)
        self.assertEqual({k: room[k] for k in expected}, expected)

    def test_request_ids_unique_and_well_formed_on_errors_too(self):
        seen = set()
        bodies = [create_body("rid%d" % i) for i in range(5)] + [b"", b"{", create_body("x" * 49)]
        for body in bodies:
            answer, data = self.create_raw(body, 900000006)
            self.assertEnvelope(data)
            seen.add(answer["RequestId"])
        answer, data = self.create_raw(create_body("a"), 900000006, method="GET")
        self.assertEnvelope(data)
        seen.add(answer["RequestId"])
        self.assertEqual(len(seen), len(bodies) + 1)


# ---------------------------------------------------------------------------------------------------------------
class CheckOrderCodesTest(CreateRoomBase):
    """Every step of section 2 (not 9) produces its code with the documented text."""

    def test_60008_method_not_post(self):
        for method in ("GET", "PUT", "DELETE"):
            with self.subTest(method=method):
                answer, data = self.create_raw(create_body("m"), 900000010, method=method)
                self.assertCode(answer, 60008)
                self.assertEnvelope(data)
        self.assertEqual(self.rooms(900000010), [])

    def test_60009_unknown_command_and_service(self):
        answer, _ = self.create_raw(create_body("c"), 900000011, command="create_rooom")
        self.assertCode(answer, 60009)
        answer, _ = self.create_raw(create_body("c"), 900000011, service="live_engine_http_srv_x")
        self.assertCode(answer, 60009)
        answer, _ = self.create_raw(create_body("c"), 900000011, service="group_open_http_svc")
        self.assertCode(answer, 60009)
        self.assertEqual(self.rooms(900000011), [])

    def test_60012_sdkappid_missing(self):
        self.assertCode(self.create(create_body("s"), None), 60012)
        # Names are case-sensitive: SDKAppID is not sdkappid.
        answer, _ = self.create_raw(create_body("s"), None,
                                    query="SDKAppID=900000012&identifier=admin&usersig=xxx&contenttype=json")
        self.assertCode(answer, 60012)

    def test_60002_bad_query_values(self):
        cases = {
            "sdkappid abc": make_query(sdkappid="abc"),
            "sdkappid -1": make_query(sdkappid="-1"),
            "contenttype missing": make_query(sdkappid=900000013, contenttype=None),
            "contenttype xml": make_query(sdkappid=900000013, contenttype="xml"),
            "contenttype JSON (case)": make_query(sdkappid=900000013, contenttype="JSON"),
            "random 4294967296": make_query(sdkappid=900000013, random="4294967296"),
            "random abc": make_query(sdkappid=900000013, random="abc"),
            "random -1": make_query(sdkappid=900000013, random="-1"),
        }
        for name, query in cases.items():
            with self.subTest(name):
                answer, _ = self.create_raw(create_body("q"), None, query=query)
                self.assertCode(answer, 60002)
        self.assertEqual(self.rooms(900000013), [])

    def test_random_absent_or_at_bounds_is_accepted(self):
        self.freeze_clock()
        for i, random in enumerate((None, "0", "4294967295")):
            with self.subTest(random=random):
                self.assertOk(self.create(create_body("r%d" % i), 900000014, random=random))

    def test_60004_identifier_or_usersig_missing(self):
        self.assertCode(self.create(create_body("i"), 900000015, identifier=None), 60004)
        self.assertCode(self.create(create_body("i"), 900000015, usersig=None), 60004)
        self.assertCode(self.create(create_body("i"), 900000015, identifier=None, usersig=None), 60004)
        self.assertEqual(self.rooms(900000015), [])

    def test_60016_disabled_app(self):
        self.assertCode(self.create(create_body("d"), APP_DISABLED), 60016)
        self.assertEqual(self.rooms(APP_DISABLED), [])

    def test_60010_not_an_admin(self):
        self.freeze_clock()
        self.assertCode(self.create(create_body("adm"), APP_ADMINS, identifier="admin"), 60010)
        self.assertCode(self.create(create_body("adm"), APP_ADMINS, identifier="Boss"), 60010)
        self.assertEqual(self.rooms(APP_ADMINS), [])
        self.assertOk(self.create(create_body("adm"), APP_ADMINS, identifier="boss"))
        self.assertEqual(self.room(APP_ADMINS, "adm")["Owner_Account"], "boss")

    def test_60007_rate_limit(self):
        self.freeze_clock()
        for i in range(5):
            self.assertOk(self.create(create_body("rl%d" % i), APP_LIMITED))
        self.assertCode(self.create(create_body("rl5"), APP_LIMITED), 60007)
        self.advance(999)    # same fixed window floor(ms / 1000)
        self.assertCode(self.create(create_body("rl5"), APP_LIMITED), 60007)
        self.advance(1)      # next window
        self.assertOk(self.create(create_body("rl5"), APP_LIMITED))
        self.assertEqual(len(self.rooms(APP_LIMITED)), 6)

    def test_60007_window_counts_only_requests_that_reached_it(self):
        self.freeze_clock()
        for _ in range(10):   # rejected at step 5, before the rate limit
            self.assertCode(self.create(create_body("early"), APP_LIMITED, usersig=None), 60004)
        for i in range(5):
            self.assertOk(self.create(create_body("cnt%d" % i), APP_LIMITED))
        self.assertCode(self.create(create_body("cnt5"), APP_LIMITED), 60007)

    def test_60003_bad_json(self):
        cases = {
            "empty": b"",
            "whitespace only": b"  \r\n ",
            "invalid": b"{RoomInfo: nope}",
            "trailing comma": b'{"RoomInfo":{"RoomId":"j","RoomType":"Live",}}',
            "truncated": b'{"RoomInfo":{"RoomId":"j","RoomType":"Live","SeatTemplate":"AudioSal',
            "truncated after object": b'{"RoomInfo":{"RoomId":"j"}',
            "invalid utf-8 ff fe": b'{"RoomInfo":{"RoomId":"j","RoomType":"Live","SeatTemplate":'
                                   b'"VideoDynamicGrid9Seats","RoomName":"\xff\xfe"}}',
            "lone continuation byte": b'{"RoomInfo":{"RoomId":"j","RoomType":"Live","SeatTemplate":'
                                      b'"VideoDynamicGrid9Seats","RoomName":"a\x80b"}}',
            "truncated multibyte sequence": b'{"RoomInfo":{"RoomId":"j","RoomType":"Live","SeatTemplate":'
                                            b'"VideoDynamicGrid9Seats","RoomName":"\xe8\xb5"}}',
            "overlong encoding": b'{"RoomInfo":{"RoomId":"j","RoomType":"Live","SeatTemplate":'
                                 b'"VideoDynamicGrid9Seats","RoomName":"\xc0\xaf"}}',
            "utf-8 encoded surrogate": b'{"RoomInfo":{"RoomId":"j","RoomType":"Live","SeatTemplate":'
                                       b'"VideoDynamicGrid9Seats","RoomName":"\xed\xa0\x80"}}',
        }
        for name, body in cases.items():
            with self.subTest(name):
                answer, data = self.create_raw(body, 900000016)
                self.assertCode(answer, 60003)
                self.assertEnvelope(data)
        self.assertEqual(self.rooms(900000016), [])

    def test_60015_owner_account_not_a_string(self):
        for value in (123, 1.5, True, ["a"], {"id": "a"}):
            with self.subTest(owner=value):
                answer = self.create(create_body("o", Owner_Account=value), 900000017)
                self.assertError(answer, 60015)
                self.assertTrue(answer["ErrorInfo"].startswith(TEXT[60015]), answer)
                self.assertIn("RoomInfo.Owner_Account", answer["ErrorInfo"])
        self.assertEqual(self.rooms(900000017), [])

    def test_100002_field_rules(self):
        self.freeze_clock()
        app = 900000018
        b = create_body
        no = lambda field: {"RoomInfo": {k: v for k, v in b("p")["RoomInfo"].items() if k != field}}
        cases = [
            ("RoomInfo missing", {"Other": {}}, "RoomInfo"),
            ("RoomInfo not an object", {"RoomInfo": ["p"]}, "RoomInfo"),
            ("RoomInfo a string", {"RoomInfo": "p"}, "RoomInfo"),
            ("RoomId missing", no("RoomId"), "RoomInfo.RoomId"),
            ("RoomId empty", b(""), "RoomInfo.RoomId"),
            ("RoomId not a string", b(123), "RoomInfo.RoomId"),
            ("RoomId control char", b("a\tb"), "RoomInfo.RoomId"),
            ("RoomId DEL", b("a\x7fb"), "RoomInfo.RoomId"),
            ("RoomId non-ASCII", b("房间"), "RoomInfo.RoomId"),
            ("RoomType missing", no("RoomType"), "RoomInfo.RoomType"),
            ("RoomType lower case", b("p", RoomType="live"), "RoomInfo.RoomType"),
            ("RoomType other", b("p", RoomType="Meeting"), "RoomInfo.RoomType"),
            ("Owner_Account empty", b("p", Owner_Account=""), "RoomInfo.Owner_Account"),
            ("Owner_Account 33 bytes", b("p", Owner_Account="o" * 33), "RoomInfo.Owner_Account"),
            ("TakeSeatMode other", b("p", TakeSeatMode="freetotake"), "RoomInfo.TakeSeatMode"),
            ("TakeSeatMode not a string", b("p", TakeSeatMode=1), "RoomInfo.TakeSeatMode"),
            ("SeatTemplate missing", no("SeatTemplate"), "RoomInfo.SeatTemplate"),
            ("SeatTemplate case", b("p", SeatTemplate="audiosalon"), "RoomInfo.SeatTemplate"),
            ("SeatTemplate unknown", b("p", SeatTemplate="VideoGrid"), "RoomInfo.SeatTemplate"),
            ("MaxSeatCount 0", b("p", SeatTemplate="AudioSalon", MaxSeatCount=0), "RoomInfo.MaxSeatCount"),
            ("MaxSeatCount 17", b("p", SeatTemplate="Karaoke", MaxSeatCount=17), "RoomInfo.MaxSeatCount"),
            ("MaxSeatCount string", b("p", SeatTemplate="AudioSalon", MaxSeatCount="10"),
             "RoomInfo.MaxSeatCount"),
            ("MaxSeatCount non-integer, video", b("p", MaxSeatCount=1.5), "RoomInfo.MaxSeatCount"),
            ("MaxSeatCount string, video", b("p", MaxSeatCount="9"), "RoomInfo.MaxSeatCount"),
            ("IsMessageDisabled string", b("p", IsMessageDisabled="true"), "RoomInfo.IsMessageDisabled"),
            ("IsMessageDisabled number", b("p", IsMessageDisabled=1), "RoomInfo.IsMessageDisabled"),
            ("IsPublicVisible string", b("p", IsPublicVisible="false"), "RoomInfo.IsPublicVisible"),
            ("RoomName 101 bytes", b("p", RoomName="n" * 101), "RoomInfo.RoomName"),
            ("RoomName 102 UTF-8 bytes in 34 characters", b("p", RoomName="房" * 34), "RoomInfo.RoomName"),
            ("RoomName not a string", b("p", RoomName=5), "RoomInfo.RoomName"),
            ("CoverURL 201 bytes", b("p", CoverURL="u" * 201), "RoomInfo.CoverURL"),
            ("CoverURL not a string", b("p", CoverURL=["u"]), "RoomInfo.CoverURL"),
            ("Category 4 tags", b("p", Category=[1, 2, 3, 4]), "RoomInfo.Category"),
            ("Category not an array", b("p", Category="music"), "RoomInfo.Category"),
            ("Category bool tag", b("p", Category=[True]), "RoomInfo.Category"),
            ("Category object tag", b("p", Category=[{"a": 1}]), "RoomInfo.Category"),
            ("Category float tag", b("p", Category=[1.5]), "RoomInfo.Category"),
            ("ActivityStatus string", b("p", ActivityStatus="1"), "RoomInfo.ActivityStatus"),
            ("ActivityStatus float", b("p", ActivityStatus=1.5), "RoomInfo.ActivityStatus"),
            ("ActivityStatus over int32", b("p", ActivityStatus=2 ** 31), "RoomInfo.ActivityStatus"),
            ("ActivityStatus under int32", b("p", ActivityStatus=-2 ** 31 - 1), "RoomInfo.ActivityStatus"),
        ]
        for name, body, field in cases:
            with self.subTest(name):
                self.assertParamError(self.create(body, app), field)
        self.assertEqual(self.rooms(app), [])
        # The spec's example text, exactly.
        self.assertParamError(self.create(b("r" * 49), app),
                              exact="Invalid request parameters: RoomInfo.RoomId exceeds 48 bytes")

    def test_100002_raw_utf8_byte_lengths(self):
        """Byte limits count UTF-8 bytes also when the body carries raw UTF-8 instead of \\u escapes."""
        self.freeze_clock()
        app = 900000019
        self.assertParamError(self.create(utf8_body(create_body("u1", RoomName="房" * 34)), app),
                              "RoomInfo.RoomName")
        self.assertOk(self.create(utf8_body(create_body("u1", RoomName="房" * 33)), app))
        self.assertEqual(self.room(app, "u1")["RoomName"], "房" * 33)

    def test_field_rule_bounds_accepted(self):
        self.freeze_clock()
        app = 900000020
        cases = [
            ("r" * 48, {}),
            (" ~printable ASCII!#$%&'()*+,-./:;<=>?@[\\]^_`{|}", {}),
            ("b1", {"Owner_Account": "o" * 32}),
            ("b2", {"Owner_Account": "o"}),
            ("b3", {"RoomName": "n" * 100, "CoverURL": "u" * 200}),
            ("b4", {"Category": [1, "two", 3]}),
            ("b5", {"Category": []}),
            ("b6", {"ActivityStatus": 2 ** 31 - 1}),
            ("b7", {"ActivityStatus": -2 ** 31}),
            ("b8", {"TakeSeatMode": "ApplyToTake", "IsMessageDisabled": True, "IsPublicVisible": False}),
        ]
        for room_id, fields in cases:
            with self.subTest(room=room_id, fields=fields):
                self.assertOk(self.create(create_body(room_id, **fields), app))
                room = self.room(app, room_id)
                for key, value in fields.items():
                    self.assertEqual(room[key], value)

    def test_unknown_fields_ignored(self):
        self.freeze_clock()
        body = create_body("extra", Foo=1, Bar={"nested": [1, 2]}, RoomIdX="y")
        body["Extra"] = {"anything": True}
        body["Version"] = 3
        self.assertOk(self.create(body, 900000021))
        self.assertEqual(self.room(900000021, "extra")["RoomName"], "extra")

    def test_json_not_an_object_is_100002(self):
        for body in ("[]", '"x"', "null", "1", "true", '[{"RoomInfo":{}}]'):
            with self.subTest(body=body):
                answer, data = self.create_raw(body, 900000022)
                self.assertParamError(answer)
                self.assertEnvelope(data)

    def test_100007_unpaid(self):
        self.assertCode(self.create(create_body("paid"), APP_UNPAID), 100007)
        self.assertEqual(self.rooms(APP_UNPAID), [])

    def test_100026_sensitive_words(self):
        self.freeze_clock()
        app = 900000023
        cases = [
            ("RoomName upper case", create_body("s1", RoomName="Big CASINO night"), "RoomName", "casino"),
            ("RoomName mixed case", create_body("s2", RoomName="cAsInO"), "RoomName", "casino"),
            ("RoomId", create_body("my-gambling-room"), "RoomId", "gambling"),
            ("RoomId upper case", create_body("GAMBLING"), "RoomId", "gambling"),
            ("CoverURL", create_body("s3", CoverURL="https://x/casino.png"), "CoverURL", "casino"),
            ("Category Chinese", create_body("s4", Category=[7, "赌博游戏"]), "Category", "赌博"),
            ("Category ASCII", create_body("s5", Category=["music", "Gambling"]), "Category", "gambling"),
        ]
        for name, body, field, word in cases:
            for encoding in ("escaped", "raw utf-8"):
                with self.subTest(name, encoding=encoding):
                    payload = body if encoding == "escaped" else utf8_body(body)
                    answer = self.create(payload, app)
                    self.assertError(answer, 100026)
                    info = answer["ErrorInfo"]
                    self.assertTrue(info.startswith(TEXT[100026]), answer)
                    self.assertIn(field, info)
                    self.assertNotIn(word, info.lower())
        self.assertEqual(self.rooms(app), [])

    def test_100026_not_triggered_by_near_misses(self):
        self.freeze_clock()
        app = 900000024
        self.assertOk(self.create(create_body("n1", RoomName="Casin o", Category=["赌", "博"]), app))
        # Owner_Account is not one of the checked fields (RoomId, RoomName, CoverURL, Category strings).
        self.assertOk(self.create(create_body("n2", Owner_Account="casino"), app))

    def test_100011_chat_group(self):
        self.assertCode(self.create(create_body("@TGS#group1"), APP_CHAT), 100011)
        self.assertOk(self.create(create_body("@TGS#group2"), APP_CHAT))
        self.assertEqual([r["RoomId"] for r in self.rooms(APP_CHAT)], ["@TGS#group2"])

    def test_100012_interval_then_100010(self):
        self.freeze_clock()
        app = 900000025
        self.assertOk(self.create(create_body("iv"), app))
        self.assertCode(self.create(create_body("iv"), app), 100012)
        self.advance(999)
        self.assertCode(self.create(create_body("iv"), app), 100012)   # a 100012 does not restart the window
        self.advance(1)
        self.assertCode(self.create(create_body("iv"), app), 100010)

    def test_100012_applies_to_other_owner_too(self):
        self.freeze_clock()
        app = 900000026
        self.assertOk(self.create(create_body("iv2", Owner_Account="a"), app))
        self.assertCode(self.create(create_body("iv2", Owner_Account="b"), app), 100012)
        self.advance(1000)
        self.assertCode(self.create(create_body("iv2", Owner_Account="b"), app), 100003)

    def test_100012_window_restarted_by_a_create_that_passed_it(self):
        self.freeze_clock()
        app = 900000027
        self.assertOk(self.create(create_body("iv3"), app))
        self.advance(1000)
        self.assertCode(self.create(create_body("iv3"), app), 100010)   # passed the interval check at t+1000
        self.advance(500)
        self.assertCode(self.create(create_body("iv3"), app), 100012)
        self.advance(500)
        self.assertCode(self.create(create_body("iv3"), app), 100010)

    def test_rejected_earlier_create_does_not_start_interval(self):
        self.freeze_clock()
        app = 900000028
        self.assertParamError(self.create(create_body("iv4", RoomType="live"), app), "RoomInfo.RoomType")
        self.assertError(self.create(create_body("iv4", RoomName="casino"), app), 100026)
        self.assertOk(self.create(create_body("iv4"), app))

    def test_100010_same_owner(self):
        self.freeze_clock()
        app = 900000029
        self.assertOk(self.create(create_body("same"), app, identifier="host1"))
        self.advance(1000)
        # Same owner: the default owner is the identifier, given explicitly this time.
        self.assertCode(self.create(create_body("same", Owner_Account="host1"), app, identifier="other"), 100010)
        self.advance(1000)
        self.assertCode(self.create(create_body("same"), app, identifier="host1"), 100010)
        self.assertEqual(len(self.rooms(app)), 1)

    def test_100010_immediately_with_zero_interval(self):
        self.freeze_clock()
        self.assertOk(self.create(create_body("zero"), APP_LIMITED))
        self.assertCode(self.create(create_body("zero"), APP_LIMITED), 100010)

    def test_100003_other_owner(self):
        self.freeze_clock()
        app = 900000030
        self.assertOk(self.create(create_body("other", Owner_Account="alice"), app))
        self.advance(1000)
        self.assertCode(self.create(create_body("other", Owner_Account="bob"), app), 100003)
        self.advance(1000)
        self.assertCode(self.create(create_body("other"), app, identifier="alice2"), 100003)
        self.assertEqual(self.room(app, "other")["Owner_Account"], "alice")


# ---------------------------------------------------------------------------------------------------------------
class CheckOrderPairsTest(CreateRoomBase):
    """Where two checks fail at once, the earlier one in section 2 decides."""

    def test_get_and_unknown_command_is_60008(self):
        answer, _ = self.create_raw(create_body("x"), 900000040, method="GET", command="no_such_command")
        self.assertCode(answer, 60008)

    def test_unknown_command_and_missing_sdkappid_is_60009(self):
        answer, _ = self.create_raw(create_body("x"), None, command="no_such_command",
                                    query=make_query(sdkappid=None))
        self.assertCode(answer, 60009)

    def test_missing_sdkappid_and_bad_contenttype_is_60012(self):
        answer, _ = self.create_raw(create_body("x"), None, query=make_query(sdkappid=None, contenttype="xml"))
        self.assertCode(answer, 60012)

    def test_missing_sdkappid_and_broken_percent_escape_is_60012(self):
        answer, _ = self.create_raw(create_body("x"), None, query=make_query(sdkappid=None) + "&x=%zz")
        self.assertCode(answer, 60012)
        # With the sdkappid there, the broken escape is a 60002.
        answer, _ = self.create_raw(create_body("x"), None, query=make_query(sdkappid=900000041) + "&x=%zz")
        self.assertCode(answer, 60002)

    def test_bad_contenttype_and_missing_identifier_is_60002(self):
        self.assertCode(self.create(create_body("x"), 900000041, contenttype="xml", identifier=None), 60002)
        self.assertCode(self.create(create_body("x"), "abc", identifier=None), 60002)
        self.assertCode(self.create(create_body("x"), 900000041, random="abc", usersig=None), 60002)

    def test_missing_usersig_and_disabled_app_is_60004(self):
        self.assertCode(self.create(create_body("x"), APP_DISABLED, usersig=None), 60004)
        self.assertCode(self.create(create_body("x"), APP_DISABLED, identifier=None), 60004)

    def test_disabled_app_with_bad_body_is_60016(self):
        self.assertCode(self.create(b"{not json", APP_DISABLED), 60016)
        self.assertCode(self.create(create_body("x" * 60), APP_DISABLED), 60016)

    def test_non_admin_with_bad_body_is_60010(self):
        self.assertCode(self.create(b"{not json", APP_ADMINS, identifier="admin"), 60010)
        self.assertCode(self.create(create_body("x", Owner_Account=5), APP_ADMINS, identifier="admin"), 60010)

    def test_rate_limited_with_bad_json_is_60007(self):
        self.freeze_clock()
        for i in range(5):
            self.assertOk(self.create(create_body("rb%d" % i), APP_LIMITED))
        self.assertCode(self.create(b"{not json", APP_LIMITED), 60007)
        self.assertCode(self.create(b"", APP_LIMITED), 60007)

    def test_bad_json_requests_count_toward_rate_window(self):
        self.freeze_clock()
        for _ in range(5):
            self.assertCode(self.create(b"{not json", APP_LIMITED), 60003)
        self.assertCode(self.create(create_body("after-bad"), APP_LIMITED), 60007)
        self.assertEqual(self.rooms(APP_LIMITED), [])
        self.advance(1000)
        self.assertOk(self.create(create_body("after-bad"), APP_LIMITED))

    def test_parameter_errors_count_toward_rate_window(self):
        self.freeze_clock()
        for _ in range(5):
            self.assertParamError(self.create(create_body("p" * 49), APP_LIMITED))
        self.assertCode(self.create(create_body("after-param"), APP_LIMITED), 60007)

    def test_bad_json_and_owner_account_problem_is_60003(self):
        self.assertCode(self.create(b'{"RoomInfo":{"RoomId":"x","Owner_Account":123', 900000042), 60003)
        self.assertCode(self.create(b'{"RoomInfo":{"RoomId":"x","Owner_Account":123,}}', 900000042), 60003)
        self.assertCode(self.create(b'{"RoomInfo":{"Owner_Account":"\xff"}}', 900000042), 60003)

    def test_60015_before_100002(self):
        answer = self.create({"RoomInfo": {"Owner_Account": 123, "RoomType": "Nope"}}, 900000043)
        self.assertError(answer, 60015)
        self.assertIn("RoomInfo.Owner_Account", answer["ErrorInfo"])
        answer = self.create(create_body("r" * 49, Owner_Account=False, SeatTemplate="x"), 900000043)
        self.assertError(answer, 60015)

    def test_60015_before_100007_and_100026(self):
        self.assertError(self.create(create_body("casino", Owner_Account=1), APP_UNPAID), 60015)

    def test_100002_before_100007(self):
        self.assertParamError(self.create(create_body("x", RoomType="live"), APP_UNPAID), "RoomInfo.RoomType")
        self.assertParamError(self.create("[]", APP_UNPAID))

    def test_100007_before_100026(self):
        self.assertCode(self.create(create_body("x", RoomName="casino"), APP_UNPAID), 100007)

    def test_100026_before_100011(self):
        answer = self.create(create_body("@TGS#group1", RoomName="CASINO royale"), APP_CHAT)
        self.assertError(answer, 100026)
        self.assertIn("RoomName", answer["ErrorInfo"])

    def test_100026_before_100012_and_100010(self):
        self.freeze_clock()
        app = 900000044
        self.assertOk(self.create(create_body("sw"), app))
        self.assertError(self.create(create_body("sw", RoomName="casino"), app), 100026)
        self.advance(1000)
        self.assertError(self.create(create_body("sw", CoverURL="casino"), app), 100026)

    def test_100012_before_100010_and_100003(self):
        self.freeze_clock()
        app = 900000045
        self.assertOk(self.create(create_body("pair", Owner_Account="a"), app))
        self.assertCode(self.create(create_body("pair", Owner_Account="a"), app), 100012)
        self.assertCode(self.create(create_body("pair", Owner_Account="b"), app), 100012)


class ChatGroupOrderTest(CreateRoomBase):
    """100011 before 100012/100010: a room is created, then its RoomId becomes a Chat group (rules reload)."""
    rules_files = {"apps": {"unknown_apps": "auto", "defaults": {}, "apps": []}, "words": "casino\n"}

    def test_100011_before_100012_and_100010(self):
        self.freeze_clock()
        app = 900000050
        self.assertOk(self.create(create_body("grp"), app))
        harness.write_rules(self.rules_dir, apps={"unknown_apps": "auto", "defaults": {},
                                                  "apps": [{"sdkappid": app, "chat_group_ids": ["grp"]}]})
        status, body = self.emu.control("POST", "reload")
        self.assertEqual(status, 200, body)
        self.assertCode(self.create(create_body("grp"), app), 100011)      # within the interval
        self.advance(1000)
        self.assertCode(self.create(create_body("grp"), app), 100011)      # room exists, same owner
        self.assertCode(self.create(create_body("grp", Owner_Account="z"), app), 100011)  # other owner


class UnknownAppsRejectedTest(CreateRoomBase):
    """60006 needs rules with "unknown_apps": "reject"."""

    rules_files = {"apps": {"unknown_apps": "reject", "defaults": {"max_seat_count": 16},
                            "apps": [{"sdkappid": 1400000100}, {"sdkappid": 1400000101, "disabled": True}]},
                   "words": "casino\n"}

    def test_60006_unknown_app(self):
        self.assertCode(self.create(create_body("u"), 88888888), 60006)
        self.assertCode(self.create(create_body("u"), 900000060), 60006)
        self.assertOk(self.create(create_body("u"), 1400000100))

    def test_60004_before_60006(self):
        self.assertCode(self.create(create_body("u"), 88888888, usersig=None), 60004)
        self.assertCode(self.create(create_body("u"), 88888888, identifier=None), 60004)

    def test_60002_before_60006(self):
        self.assertCode(self.create(create_body("u"), 88888888, contenttype="xml"), 60002)

    def test_60006_before_body_checks(self):
        self.assertCode(self.create(b"{not json", 88888888), 60006)

    def test_listed_disabled_app_is_60016(self):
        self.assertCode(self.create(create_body("u"), 1400000101), 60016)


# ---------------------------------------------------------------------------------------------------------------
class QueryDetailsTest(CreateRoomBase):
    def test_percent_encoded_identifier_is_decoded(self):
        self.freeze_clock()
        answer, _ = self.create_raw(create_body("pct"), None,
                                    query="sdkappid=900000070&identifier=ad%6Din&usersig=xxx&random=1"
                                          "&contenttype=json")
        self.assertOk(answer)
        self.assertEqual(self.room(900000070, "pct")["Owner_Account"], "admin")
        answer, _ = self.create_raw(create_body("pct2"), None,
                                    query="sdkappid=900000070&identifier=%E5%BC%A0%E4%B8%89&usersig=xxx"
                                          "&contenttype=js%6Fn")
        self.assertOk(answer)
        self.assertEqual(self.room(900000070, "pct2")["Owner_Account"], "张三")

    def test_percent_encoded_identifier_matches_admin_list(self):
        answer, _ = self.create_raw(create_body("pct3"), None,
                                    query="sdkappid=%d&identifier=b%%6Fss&usersig=xxx&contenttype=json"
                                          % APP_ADMINS)
        self.assertOk(answer)

    def test_first_occurrence_of_duplicated_parameter_wins(self):
        self.freeze_clock()
        answer, _ = self.create_raw(create_body("dup"), None,
                                    query="sdkappid=1400000002&sdkappid=88888888&identifier=admin&usersig=xxx"
                                          "&contenttype=json")
        self.assertCode(answer, 60016)
        answer, _ = self.create_raw(create_body("dup"), None,
                                    query="sdkappid=900000071&sdkappid=1400000002&identifier=first"
                                          "&identifier=second&usersig=xxx&contenttype=json&contenttype=xml")
        self.assertOk(answer)
        self.assertEqual(self.room(900000071, "dup")["Owner_Account"], "first")
        answer, _ = self.create_raw(create_body("dup2"), None,
                                    query="sdkappid=900000071&identifier=a&usersig=xxx&contenttype=xml"
                                          "&contenttype=json")
        self.assertCode(answer, 60002)


# ---------------------------------------------------------------------------------------------------------------
class TenantIsolationTest(CreateRoomBase):
    def test_same_room_id_in_two_apps(self):
        self.freeze_clock()
        self.assertOk(self.create(create_body("shared", Owner_Account="a"), 900000080))
        self.assertOk(self.create(create_body("shared", Owner_Account="b"), 900000081))
        self.assertEqual(self.room(900000080, "shared")["Owner_Account"], "a")
        self.assertEqual(self.room(900000081, "shared")["Owner_Account"], "b")

    def test_reset_one_app_then_all(self):
        self.freeze_clock()
        a, b = 900000082, 900000083
        self.assertOk(self.create(create_body("tr"), a))
        self.assertOk(self.create(create_body("tr"), b))
        status, _ = self.emu.control("POST", "reset?sdkappid=%d" % a)
        self.assertEqual(status, 200)
        self.assertEqual(self.rooms(a), [])
        self.assertEqual(len(self.rooms(b)), 1)
        self.advance(1000)
        self.assertOk(self.create(create_body("tr"), a))
        self.assertCode(self.create(create_body("tr"), b), 100010)
        status, _ = self.emu.control("POST", "reset")
        self.assertEqual(status, 200)
        self.assertEqual(self.rooms(a), [])
        self.assertEqual(self.rooms(b), [])
        self.advance(1000)
        self.assertOk(self.create(create_body("tr"), a))
        self.assertOk(self.create(create_body("tr"), b))

    def test_rate_window_is_per_app(self):
        self.freeze_clock()
        for i in range(5):
            self.assertOk(self.create(create_body("w%d" % i), APP_LIMITED))
        self.assertCode(self.create(create_body("w5"), APP_LIMITED), 60007)
        self.assertOk(self.create(create_body("w5"), 900000084))

    def test_interval_is_per_app(self):
        self.freeze_clock()
        self.assertOk(self.create(create_body("ia"), 900000085))
        self.assertOk(self.create(create_body("ia"), 900000086))
        self.assertCode(self.create(create_body("ia"), 900000085), 100012)


# ---------------------------------------------------------------------------------------------------------------
def concurrent_creates(port, sdkappid, bodies):
    """Each body on its own connection; all threads fire together. Returns the answers in body order."""
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)
    query = make_query(sdkappid=sdkappid)

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.connect()
            payload = json.dumps(bodies[index])
            barrier.wait(timeout=30)
            conn.request("POST", "/v4/live_engine_http_srv/create_room?" + query, body=payload,
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            results[index] = (response.status, json.loads(data))
        except Exception as exc:   # reported by the test
            results[index] = ("exception", repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


class ConcurrencyTest(CreateRoomBase):
    N = 64

    def test_concurrent_creates_of_one_room_id(self):
        self.freeze_clock()
        app = 900000090
        for room_id in ("race-1", "race-2", "race-3"):
            with self.subTest(room=room_id):
                bodies = [create_body(room_id, Owner_Account="u%d" % i) for i in range(self.N)]
                results = concurrent_creates(self.emu.port, app, bodies)
                for status, answer in results:
                    self.assertEqual(status, 200, answer)
                codes = [answer["ErrorCode"] for _, answer in results]
                winners = [i for i, code in enumerate(codes) if code == 0]
                self.assertEqual(len(winners), 1, codes)
                self.assertEqual(codes.count(100012), self.N - 1, codes)
                for i, (_, answer) in enumerate(results):
                    if i != winners[0]:
                        self.assertCode(answer, 100012)
                self.assertEqual(self.room(app, room_id)["Owner_Account"], "u%d" % winners[0])
        self.assertEqual(len(self.rooms(app)), 3)

    def test_concurrent_creates_of_distinct_room_ids(self):
        self.freeze_clock()
        app = 900000091
        bodies = [create_body("distinct-%02d" % i) for i in range(self.N)]
        results = concurrent_creates(self.emu.port, app, bodies)
        for status, answer in results:
            self.assertEqual(status, 200, answer)
            self.assertOk(answer)
        self.assertEqual(len({answer["RequestId"] for _, answer in results}), self.N)
        rooms = self.rooms(app)
        self.assertEqual(len(rooms), self.N)
        self.assertEqual(sorted(r["RoomId"] for r in rooms), sorted("distinct-%02d" % i for i in range(self.N)))


# ---------------------------------------------------------------------------------------------------------------
class ControlEndpointsTest(CreateRoomBase):
    def test_health(self):
        status, body = self.emu.control("GET", "health")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "ok")
        self.assertIn("version", body)
        self.assertIsInstance(body["version"], str)
        self.assertTrue(body["version"])
        self.assertIsInstance(body["uptime_ms"], int)
        self.assertGreaterEqual(body["uptime_ms"], 0)

    def test_reset(self):
        self.freeze_clock()
        self.assertOk(self.create(create_body("rs"), 900000100))
        status, _ = self.emu.control("POST", "reset")
        self.assertEqual(status, 200)
        self.assertEqual(self.rooms(900000100), [])

    def test_rooms_of_an_app_without_rooms(self):
        self.assertEqual(self.rooms(900000101), [])

    def test_wrong_methods_are_405(self):
        cases = [("POST", "health"), ("DELETE", "health"), ("GET", "reset"), ("PUT", "reset"),
                 ("POST", "apps/900000102/rooms"), ("DELETE", "apps/900000102/rooms"),
                 ("PUT", "apps/900000102/rooms"), ("DELETE", "clock")]
        for method, path in cases:
            with self.subTest(method=method, path=path):
                status, _, data = self.emu.request(method, "/_emulator/" + path,
                                                   b"{}" if method in ("POST", "PUT") else None)
                self.assertEqual(status, 405, data)
        self.assertEqual(self.rooms(900000102), [])


if __name__ == "__main__":
    unittest.main()
