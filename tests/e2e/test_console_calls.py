"""End-to-end tests of the calls Tencent's admin console (TUILiveKit_Manager) makes around create_room (issue 8,
parts 2-4): room metadata, statistics, robots, change_room_owner, get_seat_list on room_engine_http_mic, the whole
RoomInfo, and get_room_list as the console pages it. Includes a replay of the console's exact request bodies."""
import json
import os
import re
import subprocess
import threading
import unittest
import urllib.parse

import harness
from harness import EmulatorTest, create_body

ENVELOPE_KEYS = ["ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"]
REQUEST_ID = re.compile(r"^Id-[0-9a-f]{32}-O-Seq-[0-9]+$")
MIC = "room_engine_http_mic"
T0_MS = 1_800_000_000_000
T0_S = T0_MS // 1000
PARAM_PREFIX = "Invalid request parameters: "

TEXT = harness.ERROR_TEXTS
STATISTIC_KEYS = ["TotalViewers", "TotalGiftsSent", "TotalGiftCoins", "TotalUniqueGiftSenders", "TotalLikesReceived",
                  "TotalMsgCount"]
SEAT_KEYS = ["Index", "IsTakenDisabled", "IsVideoDisabled", "IsAudioDisabled"]
LIST_ENTRY_KEYS = ["RoomId", "RoomName", "Owner_Account", "CoverURL", "Category", "CreateTime", "ActivityStatus",
                   "ViewCount", "IsUnlimitedRoomEnabled", "SeatLayoutTemplateId", "CustomInfo"]

# Every room-scoped command of issue 8 with a valid body for room `r`: (command, service, body).
ROOM_SCOPED = [
    ("set_room_metadata", "live_engine_http_srv", lambda r: {"RoomId": r, "Metadata": [{"Key": "k", "Value": "v"}]}),
    ("get_room_metadata", "live_engine_http_srv", lambda r: {"RoomId": r, "Keys": []}),
    ("del_room_metadata", "live_engine_http_srv", lambda r: {"RoomId": r, "Keys": ["k"]}),
    ("get_room_statistic", "live_engine_http_srv", lambda r: {"RoomId": r}),
    ("get_room_stats", "live_engine_http_srv", lambda r: {"RoomId": r}),
    ("add_robot", "live_engine_http_srv", lambda r: {"RoomId": r, "RobotList_Account": ["bot"]}),
    ("get_robot", "live_engine_http_srv", lambda r: {"RoomId": r}),
    ("del_robot", "live_engine_http_srv", lambda r: {"RoomId": r, "RobotList_Account": ["bot"]}),
    ("change_room_owner", "live_engine_http_srv", lambda r: {"RoomId": r, "NewOwner_Account": "new-owner"}),
    ("get_seat_list", MIC, lambda r: {"RoomId": r}),
]


def pairs(data):
    """Decodes JSON keeping every object as a list of (key, value) pairs (order and duplicates visible)."""
    return json.loads(data, object_pairs_hook=lambda items: items)


def query_string(sdkappid, identifier="admin", usersig="xxx", contenttype="json", random_value="99999999"):
    params = [("sdkappid", sdkappid), ("identifier", identifier), ("usersig", usersig), ("random", random_value),
              ("contenttype", contenttype)]
    return urllib.parse.urlencode([(k, v) for k, v in params if v is not None], safe="*")


class ConsoleBase(EmulatorTest):
    def call(self, command, body, app, service="live_engine_http_srv", **kw):
        return self.emu.call(command, body, sdkappid=app, service=service, **kw)

    def raw(self, command, body, app, service="live_engine_http_srv"):
        """(decoded answer, raw bytes) of a call, with the envelope checked."""
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        status, headers, data = self.emu.request("POST", "/v4/%s/%s?%s" % (service, command, query_string(app)), body)
        self.assertEqual(status, 200, data)
        self.assertEqual(headers.get("content-type"), "application/json", headers)
        decoded = pairs(data)
        self.assertEqual([k for k, _ in decoded[:4]], ENVELOPE_KEYS, data)
        self.assertRegex(dict(decoded)["RequestId"], REQUEST_ID)
        return json.loads(data), data

    def create(self, app, room_id, **fields):
        answer = self.call("create_room", create_body(room_id, **fields), app)
        self.assertOk(answer)
        return answer

    def info(self, app, room_id):
        answer = self.call("get_room_info", {"RoomId": room_id}, app)
        self.assertOk(answer)
        return answer["Response"]["RoomInfo"]

    def metadata(self, app, room_id, keys=()):
        answer = self.call("get_room_metadata", {"RoomId": room_id, "Keys": list(keys)}, app)
        self.assertOk(answer)
        return answer["Response"]["Metadata"]

    def robots(self, app, room_id):
        answer = self.call("get_robot", {"RoomId": room_id}, app)
        self.assertOk(answer)
        return answer["Response"]["RobotList_Account"]

    def control_room(self, app, room_id):
        status, body = self.emu.control("GET", "apps/%d/rooms" % app)
        self.assertEqual(status, 200, body)
        matches = [room for room in body["rooms"] if room["RoomId"] == room_id]
        return matches[0] if matches else None

    def advance(self, ms):
        status, body = self.emu.control("POST", "clock", {"advance_ms": ms})
        self.assertEqual(status, 200, body)

    def assertCode(self, answer, code, field=None):
        """The documented text, followed by the field in parentheses when one is named."""
        self.assertError(answer, code, TEXT[code] if field is None else "%s (%s)" % (TEXT[code], field))
        self.assertEqual(list(answer.keys()), ENVELOPE_KEYS, answer)

    def assertParamError(self, answer, exact_detail):
        self.assertError(answer, 100002, PARAM_PREFIX + exact_detail)
        self.assertEqual(list(answer.keys()), ENVELOPE_KEYS, answer)

    def assertEnvelopeOnly(self, answer):
        self.assertOk(answer)
        self.assertEqual(list(answer.keys()), ENVELOPE_KEYS, answer)

    def journal_whys(self, app, command):
        status, body = self.emu.control("GET", "journal?sdkappid=%d&command=%s" % (app, command))
        self.assertEqual(status, 200, body)
        return [entry["why"] for entry in body["entries"]]


# ---------------------------------------------------------------------------------------------------------------
class ConsoleReplayTest(ConsoleBase):
    """The console's exact request bodies (research spec section 9), in the order its flows send them."""

    def send(self, command, text, app, service="live_engine_http_srv"):
        """Sends the body text exactly as written (key order as the console sends it); ErrorCode must be 0."""
        answer, data = self.raw(command, text.replace("<a>", self.anchor), app, service)
        self.assertOk(answer)
        return answer, data

    def test_console_flow_replayed(self):
        app = 1406000001
        self.anchor = "anchor01"
        room = "live_anchor01"
        self.freeze_clock(T0_MS)
        # 1 create_room: the console's form, with the landscape option off.
        answer, data = self.send("create_room", '{"RoomInfo":{"RoomId":"live_<a>","RoomType":"Live",'
                                 '"SeatTemplate":"VideoDynamicGrid9Seats","Owner_Account":"<a>",'
                                 '"IsUnlimitedRoomEnabled":true}}', app)
        self.assertEqual([k for k, _ in pairs(data)], ENVELOPE_KEYS + ["RoomId"])
        self.assertEqual(answer["RoomId"], room)
        # 2 set_room_metadata: the custom info entered in the form (two keys, one deleted in step 6).
        answer, _ = self.send("set_room_metadata", '{"RoomId":"live_<a>","Metadata":[{"Key":"k1","Value":"v1"},'
                              '{"Key":"old","Value":"gone soon"}]}', app)
        self.assertEqual(list(answer.keys()), ENVELOPE_KEYS)
        # 3 get_room_info and get_room_metadata (the detail view), 4 get_room_statistic.
        answer, data = self.send("get_room_info", '{"RoomId":"live_<a>"}', app)
        info = answer["Response"]["RoomInfo"]
        # What the console's mapper reads; RoomType present tells it this is the full RoomInfo.
        self.assertIn("RoomType", info)
        self.assertEqual((info["RoomId"], info["RoomName"], info["CoverURL"], info["Owner_Account"]),
                         (room, room, "", "anchor01"))
        self.assertEqual(info["MemberCount"], 0)
        self.assertGreater(info["CreateTime"], 10 ** 9)
        self.assertEqual((info["Category"], info["ActivityStatus"], info["ViewCount"]), ([], 0, 0))
        self.assertEqual((info["IsSeatEnabled"], info["MaxSeatCount"], info["MaxMemberCount"],
                          info["IsMessageDisabled"], info["IsLikeEnabled"], info["IsPublicVisible"],
                          info["SeatTemplate"], info["CustomInfo"], info["IsUnlimitedRoomEnabled"]),
                         (True, 9, 300, False, True, True, "VideoDynamicGrid9Seats", "", True))
        answer, _ = self.send("get_room_metadata", '{"RoomId":"live_<a>","Keys":[]}', app)
        self.assertEqual(answer["Response"], {"Metadata": [{"Key": "k1", "Value": "v1"},
                                                           {"Key": "old", "Value": "gone soon"}]})
        answer, data = self.send("get_room_statistic", '{"RoomId":"live_<a>"}', app)
        self.assertEqual([k for k, _ in dict(pairs(data))["Response"]], STATISTIC_KEYS, data)
        self.assertEqual(set(answer["Response"].values()), {0})
        # 5 get_room_list page 1 as the console sends it.
        answer, data = self.send("get_room_list", '{"Next":"0","Count":20,"SortDirection":"descend"}', app)
        self.assertEqual(answer["Response"]["Next"], "")
        [entry] = answer["Response"]["RoomList"]
        self.assertEqual(list(entry.keys()), LIST_ENTRY_KEYS)
        self.assertNotIn("RoomType", entry)  # a list item, for the console's mapper
        self.assertEqual((entry["RoomId"], entry["Owner_Account"], entry["IsUnlimitedRoomEnabled"],
                          entry["SeatLayoutTemplateId"]), (room, "anchor01", True, 600))
        # 6 edit: update_room_info, set_room_metadata and del_room_metadata in parallel (here one after another).
        self.send("update_room_info", '{"RoomInfo":{"RoomId":"live_<a>","IsUnlimitedRoomEnabled":true,"RoomName":"n",'
                  '"CoverURL":"u","IsMessageDisabled":false}}', app)
        self.send("set_room_metadata", '{"RoomId":"live_<a>","Metadata":[{"Key":"k2","Value":"v2"}]}', app)
        self.send("del_room_metadata", '{"RoomId":"live_<a>","Keys":["old"]}', app)
        # 7 mute all.
        self.send("update_room_info", '{"RoomInfo":{"RoomId":"live_<a>","IsMessageDisabled":true,'
                  '"IsUnlimitedRoomEnabled":true}}', app)
        info = self.info(app, room)
        self.assertEqual((info["RoomName"], info["CoverURL"], info["IsMessageDisabled"]), ("n", "u", True))
        self.assertEqual(self.metadata(app, room), [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])
        # 8 the OBS flow: get_robot and get_seat_list, add_robot, then both again (account_import and
        # pick_user_on_seat are not emulated).
        answer, _ = self.send("get_robot", '{"RoomId":"live_<a>"}', app)
        self.assertEqual(answer["Response"], {"RobotList_Account": []})
        answer, data = self.send("get_seat_list", '{"RoomId":"live_<a>"}', app, MIC)
        seats = answer["Response"]["SeatList"]
        self.assertEqual([seat["Index"] for seat in seats], list(range(9)))
        self.assertNotIn("Member_Account", seats[0])  # nobody is seated
        self.send("add_robot", '{"RoomId":"live_<a>","RobotList_Account":["live_obs_<a>"]}', app)
        answer, _ = self.send("get_robot", '{"RoomId":"live_<a>"}', app)
        self.assertEqual(answer["Response"], {"RobotList_Account": ["live_obs_anchor01"]})
        self.send("get_seat_list", '{"RoomId":"live_<a>"}', app, MIC)
        # 9 del_robot, 10 destroy_room.
        self.send("del_robot", '{"RoomId":"live_<a>","RobotList_Account":["live_obs_<a>"]}', app)
        self.assertEqual(self.robots(app, room), [])
        self.send("destroy_room", '{"RoomId":"live_<a>"}', app)
        self.assertCode(self.call("get_room_info", {"RoomId": room}, app), 100004)

    def test_console_create_variants(self):
        app = 1406000002
        self.anchor = "host2"
        self.freeze_clock(T0_MS)
        # An audio room with every optional field of call 1, in the console's order.
        self.send("create_room", '{"RoomInfo":{"RoomId":"live_<a>","RoomType":"Live","SeatTemplate":"AudioSalon",'
                  '"Owner_Account":"<a>","IsUnlimitedRoomEnabled":false,"KeepOwnerOnSeat":false,"RoomName":"Talk",'
                  '"CoverURL":"https://c/x.png","MaxSeatCount":8}}', app)
        info = self.info(app, "live_host2")
        self.assertEqual((info["SeatTemplate"], info["SeatLayoutTemplateId"], info["MaxSeatCount"], info["RoomName"]),
                         ("AudioSalon", 70, 8, "Talk"))
        answer = self.call("get_seat_list", {"RoomId": "live_host2"}, app, MIC)
        self.assertEqual(len(answer["Response"]["SeatList"]), 8)
        # The console's landscape option, and the SDK's spelling of it.
        for room_id, template in (("land-console", "VideoLandscape4Seat"), ("land-sdk", "VideoLandscape4Seats")):
            with self.subTest(template=template):
                self.create(app, room_id, SeatTemplate=template, MaxSeatCount=9)
                info = self.info(app, room_id)
                self.assertEqual((info["SeatTemplate"], info["SeatLayoutTemplateId"], info["MaxSeatCount"]),
                                 (template, 200, 4))
                answer = self.call("get_seat_list", {"RoomId": room_id}, app, MIC)
                self.assertEqual([s["Index"] for s in answer["Response"]["SeatList"]], [0, 1, 2, 3])


# ---------------------------------------------------------------------------------------------------------------
class MetadataTest(ConsoleBase):
    def test_set_get_del_success_shapes(self):
        app = 1406001001
        self.create(app, "m1")
        answer, data = self.raw("set_room_metadata", {"RoomId": "m1", "Metadata": [
            {"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}, {"Key": "中文", "Value": "值"}]}, app)
        self.assertEnvelopeOnly(answer)
        # An existing key is updated in place; a new one is appended.
        self.assertEnvelopeOnly(self.call("set_room_metadata", {"RoomId": "m1", "Metadata": [
            {"Key": "a", "Value": "one"}, {"Key": "c", "Value": ""}]}, app))
        answer, data = self.raw("get_room_metadata", {"RoomId": "m1", "Keys": []}, app)
        self.assertEqual([k for k, _ in pairs(data)], ENVELOPE_KEYS + ["Response"])
        self.assertEqual(answer["Response"], {"Metadata": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "one"},
                                                           {"Key": "中文", "Value": "值"}, {"Key": "c", "Value": ""}]})
        self.assertEqual([[k for k, _ in item] for item in dict(dict(pairs(data))["Response"])["Metadata"]],
                         [["Key", "Value"]] * 4)
        # Named keys: the ones that exist, in the room's order; unknown ones left out.
        self.assertEqual(self.metadata(app, "m1", ["c", "nope", "b", "x" * 80]),
                         [{"Key": "b", "Value": "2"}, {"Key": "c", "Value": ""}])
        self.assertEqual(self.metadata(app, "m1", ["nope"]), [])
        # del: the keys that exist go; the others are ignored.
        self.assertEnvelopeOnly(self.call("del_room_metadata", {"RoomId": "m1", "Keys": ["b", "nope"]}, app))
        self.assertEqual([e["Key"] for e in self.metadata(app, "m1")], ["a", "中文", "c"])
        self.assertCode(self.call("del_room_metadata", {"RoomId": "m1", "Keys": ["b", "nope"]}, app), 100503, "Keys")
        self.assertEqual(self.journal_whys(app, "del_room_metadata"),
                         ["ok: 1 metadata key(s) deleted; the room holds 3",
                          "state: 100503 none of the 2 key(s) exists"])

    def test_limits_at_and_over_the_edge(self):
        app = 1406001002
        self.create(app, "lim")
        key50, key51 = "k" * 50, "k" * 51
        self.assertOk(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": key50, "Value": "v"}]},
                                app))
        self.assertCode(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [
            {"Key": "fine", "Value": "v"}, {"Key": key51, "Value": "v"}]}, app), 100504, "Metadata[1].Key")
        self.assertCode(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "中" * 17, "Value": "v"}]},
                                  app), 100504, "Metadata[0].Key")  # 51 bytes
        self.assertCode(self.call("del_room_metadata", {"RoomId": "lim", "Keys": [key51]}, app), 100504, "Keys[0]")
        self.assertOk(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "v", "Value": "x" * 2048}]},
                                app))
        self.assertCode(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "v", "Value": "x" * 2049}]},
                                  app), 100501, "Metadata[0].Value")
        self.assertCode(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "v", "Value": "值" * 683}]},
                                  app), 100501, "Metadata[0].Value")  # 2049 bytes
        # Ten keys in the room; an eleventh is refused, updating one of the ten is not.
        self.assertOk(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [
            {"Key": "n%d" % i, "Value": "v"} for i in range(8)]}, app))
        self.assertEqual(len(self.metadata(app, "lim")), 10)
        self.assertCode(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "n8", "Value": "v"}]},
                                  app), 100500, "Metadata")
        self.assertOk(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "n0", "Value": "w"}]}, app))
        # Values total over the room: 16384 bytes is the most. Left: key50 (1 byte) and "v" (2048 bytes).
        self.assertOk(self.call("del_room_metadata", {"RoomId": "lim", "Keys": ["n%d" % i for i in range(8)]}, app))
        self.assertOk(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": key50, "Value": ""}] + [
            {"Key": "t%d" % i, "Value": "y" * 2048} for i in range(7)]}, app))
        self.assertEqual(sum(len(e["Value"]) for e in self.metadata(app, "lim")), 16384)
        self.assertCode(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "one", "Value": "z"}]},
                                  app), 100502, "Metadata")
        self.assertOk(self.call("set_room_metadata", {"RoomId": "lim", "Metadata": [{"Key": "v", "Value": "x" * 2047},
                                                                                    {"Key": "one", "Value": "z"}]},
                                app))
        self.assertEqual(sum(len(e["Value"]) for e in self.metadata(app, "lim")), 16384)
        self.assertEqual(len(self.metadata(app, "lim")), 10)
        whys = self.journal_whys(app, "set_room_metadata")
        self.assertIn("state: 100504 Metadata[1].Key is 51 bytes (at most 50)", whys)
        self.assertIn("state: 100501 Metadata[0].Value is 2049 bytes (at most 2048)", whys)
        self.assertIn("state: 100500 the room would hold 11 keys (at most 10)", whys)
        self.assertIn("state: 100502 the room's values would total 16385 bytes (at most 16384)", whys)

    def test_field_rules_and_sensitive_words(self):
        app = 1406001003
        self.create(app, "f1")
        set_cases = [
            ({"Metadata": []}, "RoomId is required"),
            ({"RoomId": "x" * 49, "Metadata": []}, "RoomId exceeds 48 bytes"),
            ({"RoomId": "f1"}, "Metadata is required"),
            ({"RoomId": "f1", "Metadata": {"Key": "a", "Value": "b"}}, "Metadata must be an array"),
            ({"RoomId": "f1", "Metadata": []}, "Metadata must not be empty"),
            ({"RoomId": "f1", "Metadata": [["a", "b"]]}, "Metadata[0] must be a JSON object"),
            ({"RoomId": "f1", "Metadata": [{"Key": "a", "Value": "b"}, {"Value": "b"}]}, "Metadata[1].Key is required"),
            ({"RoomId": "f1", "Metadata": [{"Key": "", "Value": "b"}]}, "Metadata[0].Key must not be empty"),
            ({"RoomId": "f1", "Metadata": [{"Key": 1, "Value": "b"}]}, "Metadata[0].Key must be a string"),
            ({"RoomId": "f1", "Metadata": [{"Key": "a"}]}, "Metadata[0].Value is required"),
            ({"RoomId": "f1", "Metadata": [{"Key": "a", "Value": {"x": 1}}]}, "Metadata[0].Value must be a string"),
        ]
        for body, detail in set_cases:
            with self.subTest(body=body):
                self.assertParamError(self.call("set_room_metadata", body, app), detail)
        keys_cases = [
            ("get_room_metadata", {"RoomId": "f1"}, "Keys is required"),
            ("get_room_metadata", {"RoomId": "f1", "Keys": "a"}, "Keys must be an array"),
            ("get_room_metadata", {"RoomId": "f1", "Keys": ["a", 2]}, "Keys[1] must be a string"),
            ("del_room_metadata", {"RoomId": "f1", "Keys": []}, "Keys must not be empty"),
            ("del_room_metadata", {"RoomId": "f1", "Keys": [""]}, "Keys[0] must not be empty"),
            ("del_room_metadata", {"Keys": ["a"]}, "RoomId is required"),
        ]
        for command, body, detail in keys_cases:
            with self.subTest(command=command, body=body):
                self.assertParamError(self.call(command, body, app), detail)
        for command in ("set_room_metadata", "get_room_metadata", "del_room_metadata"):
            self.assertError(self.call(command, "[]", app), 100002)
            self.assertCode(self.call(command, "{", app), 60003)
        # Sensitive words in values and keys; checked before the room is looked up, like update_room_info.
        self.assertCode(self.call("set_room_metadata", {"RoomId": "f1", "Metadata": [
            {"Key": "a", "Value": "ok"}, {"Key": "b", "Value": "网络赌博"}]}, app), 100026, "Metadata[1].Value")
        self.assertCode(self.call("set_room_metadata", {"RoomId": "f1", "Metadata": [{"Key": "CASINO", "Value": "v"}]},
                                  app), 100026, "Metadata[0].Key")
        self.assertCode(self.call("set_room_metadata", {"RoomId": "nobody", "Metadata": [
            {"Key": "k", "Value": "gambling"}]}, app), 100026, "Metadata[0].Value")
        self.assertEqual(self.metadata(app, "f1"), [])

    def test_control_view_and_gone_with_the_room(self):
        app = 1406001004
        self.freeze_clock(T0_MS)
        self.create(app, "g1")
        self.assertOk(self.call("set_room_metadata", {"RoomId": "g1", "Metadata": [{"Key": "k", "Value": "v"}]}, app))
        self.assertOk(self.call("add_robot", {"RoomId": "g1", "RobotList_Account": ["r1", "r2"]}, app))
        room = self.control_room(app, "g1")
        self.assertEqual(room["Metadata"], [{"Key": "k", "Value": "v"}])
        self.assertEqual(room["RobotList_Account"], ["r1", "r2"])
        self.assertEqual(list(room.keys())[-2:], ["Metadata", "RobotList_Account"])
        self.assertOk(self.call("destroy_room", {"RoomId": "g1"}, app))
        self.assertIsNone(self.control_room(app, "g1"))
        self.advance(1000)
        self.create(app, "g1")
        self.assertEqual(self.metadata(app, "g1"), [])
        self.assertEqual(self.robots(app, "g1"), [])
        room = self.control_room(app, "g1")
        self.assertEqual((room["Metadata"], room["RobotList_Account"]), ([], []))
        # Another app's room of the same id is another room.
        self.create(app + 1, "g1")
        self.assertOk(self.call("set_room_metadata", {"RoomId": "g1", "Metadata": [{"Key": "x", "Value": "y"}]},
                                app + 1))
        self.assertEqual(self.metadata(app, "g1"), [])


# ---------------------------------------------------------------------------------------------------------------
class RobotsOwnerStatsSeatsTest(ConsoleBase):
    def test_robots(self):
        app = 1406002001
        self.create(app, "rb")
        answer, data = self.raw("get_robot", {"RoomId": "rb"}, app)
        self.assertEqual([k for k, _ in pairs(data)], ENVELOPE_KEYS + ["Response"])
        self.assertEqual(answer["Response"], {"RobotList_Account": []})
        self.assertEnvelopeOnly(self.call("add_robot", {"RoomId": "rb", "RobotList_Account": ["b1", "b2", "b1"]}, app))
        self.assertEnvelopeOnly(self.call("add_robot", {"RoomId": "rb", "RobotList_Account": ["b2"]}, app))
        self.assertEqual(self.robots(app, "rb"), ["b1", "b2"])
        self.assertOk(self.call("add_robot", {"RoomId": "rb", "RobotList_Account": ["机器人" * 2 + "x" * 14]}, app))
        self.assertParamError(self.call("add_robot", {"RoomId": "rb", "RobotList_Account": ["b4"]}, app),
                              "RobotList_Account would make 4 robots; a room holds at most 3")
        self.assertEnvelopeOnly(self.call("del_robot", {"RoomId": "rb", "RobotList_Account": ["b1", "absent"]}, app))
        self.assertEnvelopeOnly(self.call("del_robot", {"RoomId": "rb", "RobotList_Account": ["absent"]}, app))
        self.assertEqual(self.robots(app, "rb"), ["b2", "机器人机器人" + "x" * 14])
        for command in ("add_robot", "del_robot"):
            with self.subTest(command=command):
                for bad in (5, None, True, {"a": 1}, ["x"]):
                    self.assertCode(self.call(command, {"RoomId": "rb", "RobotList_Account": ["ok", bad]}, app),
                                    60015, "RobotList_Account[1]")
                # Step 12 before step 13: a bad RoomId does not hide a non-string account.
                self.assertCode(self.call(command, {"RoomId": 7, "RobotList_Account": [1]}, app), 60015,
                                "RobotList_Account[0]")
                self.assertParamError(self.call(command, {"RoomId": "rb"}, app), "RobotList_Account is required")
                self.assertParamError(self.call(command, {"RoomId": "rb", "RobotList_Account": "b"}, app),
                                      "RobotList_Account must be an array")
                self.assertParamError(self.call(command, {"RoomId": "rb", "RobotList_Account": []}, app),
                                      "RobotList_Account must not be empty")
                self.assertParamError(self.call(command, {"RoomId": "rb", "RobotList_Account": ["b" * 33]}, app),
                                      "RobotList_Account[0] exceeds 32 bytes")
                self.assertParamError(self.call(command, {"RobotList_Account": ["b"]}, app), "RoomId is required")
        self.assertEqual(self.robots(app, "rb"), ["b2", "机器人机器人" + "x" * 14])
        self.assertEqual(self.journal_whys(app, "add_robot")[:3],
                         ["ok: 2 robot(s) added; the room holds 2", "ok: 0 robot(s) added; the room holds 2",
                          "ok: 1 robot(s) added; the room holds 3"])

    def test_change_room_owner(self):
        app = 1406002002
        self.freeze_clock(T0_MS)
        self.create(app, "own", Owner_Account="alice")
        self.assertEnvelopeOnly(self.call("change_room_owner", {"RoomId": "own", "NewOwner_Account": "bob"}, app))
        self.assertEqual(self.info(app, "own")["Owner_Account"], "bob")
        status, body = self.emu.control("GET", "apps/%d/rooms" % app)
        self.assertEqual(body["rooms"][0]["Owner_Account"], "bob")
        listed = self.call("get_room_list", {"Next": "", "Count": 20}, app)["Response"]["RoomList"]
        self.assertEqual(listed[0]["Owner_Account"], "bob")
        self.assertEnvelopeOnly(self.call("change_room_owner", {"RoomId": "own", "NewOwner_Account": "bob"}, app))
        # create_room's duplicate answers follow the new owner.
        self.advance(1000)
        self.assertError(self.call("create_room", create_body("own", Owner_Account="bob"), app), 100010)
        self.advance(1000)
        self.assertError(self.call("create_room", create_body("own", Owner_Account="alice"), app), 100003)
        for bad in (5, None, ["bob"], {"id": "bob"}, False):
            with self.subTest(owner=bad):
                self.assertCode(self.call("change_room_owner", {"RoomId": "own", "NewOwner_Account": bad}, app), 60015,
                                "NewOwner_Account")
        self.assertCode(self.call("change_room_owner", {"RoomId": "r" * 49, "NewOwner_Account": 1}, app), 60015,
                        "NewOwner_Account")
        self.assertParamError(self.call("change_room_owner", {"RoomId": "own"}, app), "NewOwner_Account is required")
        self.assertParamError(self.call("change_room_owner", {"RoomId": "own", "NewOwner_Account": ""}, app),
                              "NewOwner_Account must not be empty")
        self.assertParamError(self.call("change_room_owner", {"RoomId": "own", "NewOwner_Account": "o" * 33}, app),
                              "NewOwner_Account exceeds 32 bytes")
        self.assertParamError(self.call("change_room_owner", {"NewOwner_Account": "bob"}, app), "RoomId is required")
        self.assertEqual(self.info(app, "own")["Owner_Account"], "bob")
        self.assertEqual(self.journal_whys(app, "change_room_owner")[:2],
                         ["ok: owner changed from alice to bob", "ok: bob already owns the room"])

    def test_statistics_under_both_names(self):
        app = 1406002003
        self.create(app, "st")
        for command in ("get_room_statistic", "get_room_stats"):
            with self.subTest(command=command):
                answer, data = self.raw(command, {"RoomId": "st"}, app)
                self.assertOk(answer)
                self.assertEqual([k for k, _ in pairs(data)], ENVELOPE_KEYS + ["Response"])
                self.assertEqual([k for k, _ in dict(pairs(data))["Response"]], STATISTIC_KEYS)
                self.assertEqual(answer["Response"], dict.fromkeys(STATISTIC_KEYS, 0))
                self.assertParamError(self.call(command, {"RoomId": ""}, app), "RoomId must not be empty")
                self.assertParamError(self.call(command, {}, app), "RoomId is required")

    def test_seat_lists(self):
        app = 1406002004
        cases = [("s-grid", "VideoDynamicGrid9Seats", {}, 9), ("s-float", "VideoFixedFloat7Seats", {}, 7),
                 ("s-salon", "AudioSalon", {"MaxSeatCount": 5}, 5), ("s-ktv", "Karaoke", {}, 16),
                 ("s-land", "VideoLandscape4Seats", {}, 4)]
        for room_id, template, extra, seats in cases:
            with self.subTest(template=template):
                self.create(app, room_id, SeatTemplate=template, **extra)
                answer, data = self.raw("get_seat_list", {"RoomId": room_id}, app, MIC)
                self.assertOk(answer)
                seat_list = dict(dict(pairs(data))["Response"])["SeatList"]
                self.assertEqual(len(seat_list), seats)
                for index, seat in enumerate(seat_list):
                    self.assertEqual([k for k, _ in seat], SEAT_KEYS)
                    self.assertEqual(dict(seat), {"Index": index, "IsTakenDisabled": False, "IsVideoDisabled": False,
                                                  "IsAudioDisabled": False})
        # get_seat_list is a command of room_engine_http_mic only, and that service has no other.
        self.assertCode(self.call("get_seat_list", {"RoomId": "s-grid"}, app), 60009)
        self.assertCode(self.call("create_room", create_body("mic-room"), app, MIC), 60009)
        self.assertCode(self.call("get_room_info", {"RoomId": "s-grid"}, app, MIC), 60009)
        self.assertParamError(self.call("get_seat_list", {"RoomId": 9}, app, MIC), "RoomId must be a string")

    def test_every_room_scoped_command_on_an_unknown_room(self):
        app = 1406002005
        self.freeze_clock(T0_MS)
        self.create(app, "exists")
        for command, service, body in ROOM_SCOPED:
            with self.subTest(command=command):
                for room_id in ("never-created", "x" * 48):
                    self.assertCode(self.call(command, body(room_id), app, service), 100004)
                # Another app's room does not exist here either.
                self.assertCode(self.call(command, body("exists"), app + 1, service), 100004)
        self.assertOk(self.call("destroy_room", {"RoomId": "exists"}, app))
        for command, service, body in ROOM_SCOPED:
            with self.subTest(command=command, destroyed=True):
                self.assertCode(self.call(command, body("exists"), app, service), 100004)
                self.assertEqual(self.journal_whys(app, command)[-1], "state: 100004 no room exists")


# ---------------------------------------------------------------------------------------------------------------
class NewCommandRateLimitTest(ConsoleBase):
    def test_robot_commands_allow_100_per_second(self):
        app = 1406003001
        self.freeze_clock(T0_MS + 250)
        self.create(app, "rate")
        for command, body in (("add_robot", {"RoomId": "rate", "RobotList_Account": ["bot"]}),
                              ("get_robot", {"RoomId": "rate"}),
                              ("del_robot", {"RoomId": "rate", "RobotList_Account": ["bot"]})):
            with self.subTest(command=command):
                codes = [self.call(command, body, app)["ErrorCode"] for _ in range(101)]
                self.assertEqual(codes, [0] * 100 + [60007])
        self.advance(750)  # next window
        self.assertOk(self.call("add_robot", {"RoomId": "rate", "RobotList_Account": ["bot"]}, app))

    def test_statistics_100_per_second_each_name_its_own_window(self):
        app = 1406003002
        self.freeze_clock(T0_MS)
        self.create(app, "rate")
        for command in ("get_room_statistic", "get_room_stats"):
            with self.subTest(command=command):
                codes = [self.call(command, {"RoomId": "rate"}, app)["ErrorCode"] for _ in range(101)]
                self.assertEqual(codes, [0] * 100 + [60007])

    def test_200_per_second_commands(self):
        app = 1406003003
        self.freeze_clock(T0_MS)
        self.create(app, "rate")
        for command, service, body in (
                ("get_seat_list", MIC, {"RoomId": "rate"}),
                ("get_room_metadata", "live_engine_http_srv", {"RoomId": "rate", "Keys": []}),
                ("change_room_owner", "live_engine_http_srv", {"RoomId": "rate", "NewOwner_Account": "o"})):
            with self.subTest(command=command):
                codes = [self.call(command, body, app, service)["ErrorCode"] for _ in range(201)]
                self.assertEqual(codes, [0] * 200 + [60007])
                self.assertCode(self.call(command, body, app, service), 60007)

    def test_limits_overridden_by_name(self):
        app = 1406003004
        status, body = self.emu.control("PUT", "apps/%d" % app, {"rate_limits": {"get_seat_list": 2, "add_robot": 0}})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rate_limits"]["get_seat_list"], 2)
        self.assertEqual(body["rate_limits"]["get_room_stats"], 100)
        try:
            self.freeze_clock(T0_MS)
            self.create(app, "rate")
            codes = [self.call("get_seat_list", {"RoomId": "rate"}, app, MIC)["ErrorCode"] for _ in range(3)]
            self.assertEqual(codes, [0, 0, 60007])
            codes = {self.call("add_robot", {"RoomId": "rate", "RobotList_Account": ["b"]}, app)["ErrorCode"]
                     for _ in range(150)}
            self.assertEqual(codes, {0})  # 0: unlimited
        finally:
            self.emu.control("DELETE", "apps/%d" % app)


# ---------------------------------------------------------------------------------------------------------------
KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
ORDER_APP = 1406004001       # admins ["boss"], a secret key, one request per second for the tested commands
DISABLED_APP = 1406004002
UNKNOWN_APP = 1406004999


def signed(identifier, sdkappid=ORDER_APP):
    return subprocess.run([harness.BINARY, "usersig", "--sdkappid", str(sdkappid), "--key", KEY, "--identifier",
                           identifier, "--time", str(T0_S - 60), "--expire", "86400"],
                          check=True, capture_output=True, text=True).stdout.strip()


class OrderOfChecksTest(ConsoleBase):
    """Steps 1-14 of the order of checks for the new commands: each request breaks one step and every step after
    it, and gets the code of the step it breaks."""
    COMMANDS = {
        # command: (service, step 12 body or None, step 13 body, step 14 body, valid body once "ord" exists)
        "add_robot": ("live_engine_http_srv", {"RoomId": "r" * 49, "RobotList_Account": [5]},
                      {"RoomId": "r" * 49, "RobotList_Account": ["b"]}, {"RoomId": "ord", "RobotList_Account": ["b"]}),
        "change_room_owner": ("live_engine_http_srv", {"RoomId": "r" * 49, "NewOwner_Account": 5},
                              {"RoomId": "r" * 49, "NewOwner_Account": "b"}, {"RoomId": "ord", "NewOwner_Account": "b"}),
        "set_room_metadata": ("live_engine_http_srv", None, {"RoomId": "ord", "Metadata": [{"Key": "k"}]},
                              {"RoomId": "ord", "Metadata": [{"Key": "k", "Value": "v"}]}),
        "get_seat_list": (MIC, None, {"RoomId": ""}, {"RoomId": "ord"}),
    }
    rules_files = {"apps": {"unknown_apps": "reject", "defaults": {"max_seat_count": 16}, "apps": [
        {"sdkappid": ORDER_APP, "secret_key": KEY, "admins": ["boss"],
         "rate_limits": {name: 1 for name in ("add_robot", "change_room_owner", "set_room_metadata", "get_seat_list",
                                              "create_room")}},
        {"sdkappid": DISABLED_APP, "secret_key": KEY, "admins": ["boss"], "disabled": True}]},
        "words": "gambling\n"}

    def send(self, command, service, body, query, method="POST"):
        status, _, data = self.emu.request(method, "/v4/%s/%s?%s" % (service, command, query), body)
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def test_each_step_decides_in_order(self):
        self.freeze_clock(T0_MS)
        usersig = signed("boss")
        good = query_string(ORDER_APP, identifier="boss", usersig=usersig)
        for command, (service, step12, step13, step14) in self.COMMANDS.items():
            with self.subTest(command=command):
                self.emu.control("POST", "reset")
                self.freeze_clock(T0_MS)
                broken = "{"
                # This second's one request: every later request of the second meets a full window at step 10.
                self.assertCode(self.send(command, service, broken, good), 60003)
                steps = [
                    (60008, command, service, query_string(None, identifier=None, contenttype="xml"), "GET"),
                    (60009, command + "s", service, query_string(None, identifier=None, contenttype="xml"), "POST"),
                    (60012, command, service, query_string(None, identifier=None, contenttype="xml"), "POST"),
                    (60002, command, service, query_string(ORDER_APP, identifier=None, contenttype="xml"), "POST"),
                    (60004, command, service, query_string(UNKNOWN_APP, identifier=None), "POST"),
                    (60006, command, service, query_string(UNKNOWN_APP, identifier="nobody"), "POST"),
                    (60016, command, service, query_string(DISABLED_APP, identifier="nobody"), "POST"),
                    (60010, command, service, query_string(ORDER_APP, identifier="nobody"), "POST"),
                    (70003, command, service, query_string(ORDER_APP, identifier="boss", usersig="garbage"), "POST"),
                    (60007, command, service, good, "POST"),
                ]
                for code, name, svc, query, method in steps:
                    self.assertCode(self.send(name, svc, broken, query, method), code)
                bodies = [(60003, broken)]
                if step12 is not None:
                    bodies.append((60015, json.dumps(step12)))
                bodies += [(100002, json.dumps(step13)), (100004, json.dumps(step14))]
                for code, body in bodies:
                    self.advance(1000)  # a fresh window for each
                    answer = self.send(command, service, body, good)
                    self.assertEqual(answer["ErrorCode"], code, (body, answer))
                # And then it works.
                self.advance(1000)
                self.assertOk(self.send("create_room", "live_engine_http_srv", json.dumps(create_body("ord")), good))
                self.assertOk(self.send(command, service, json.dumps(step14), good))


# ---------------------------------------------------------------------------------------------------------------
class ListDirectionTest(ConsoleBase):
    """get_room_list as the console sends it; these apps get an unlimited get_room_list rate."""
    with open(os.path.join(harness.TEST_RULES, "sensitive_words.txt"), "rb") as words_file:
        rules_files = {"apps": {"unknown_apps": "auto",
                                "defaults": {"max_seat_count": 16, "rate_limits": {"get_room_list": 0}}},
                       "words": words_file.read()}

    def page(self, app, next_cursor, count, direction=None):
        body = {"Next": next_cursor, "Count": count}
        if direction is not None:
            body["SortDirection"] = direction
        answer = self.call("get_room_list", body, app)
        self.assertOk(answer)
        for entry in answer["Response"]["RoomList"]:
            self.assertEqual(list(entry.keys()), LIST_ENTRY_KEYS)
        return answer["Response"]

    def list_all(self, app, count, direction=None):
        """(RoomId, CreateTime) of every page from the console's first page ("0") to the end."""
        ids, cursor = [], "0"
        for _ in range(1000):
            response = self.page(app, cursor, count, direction)
            ids.extend((e["RoomId"], e["CreateTime"]) for e in response["RoomList"])
            if not response["Next"]:
                return ids
            cursor = response["Next"]
        self.fail("get_room_list never ended")

    def test_next_zero_and_directions(self):
        app = 1406005001
        self.freeze_clock(T0_MS)
        for second, names in enumerate((["c", "a"], ["e", "b", "d"], ["f"])):
            self.emu.control("POST", "clock", {"set_ms": T0_MS + 1000 * second})
            for name in names:
                self.create(app, name)
        self.create(app, "hidden", IsPublicVisible=False)
        descend = ["f", "b", "d", "e", "a", "c"]
        self.assertEqual(self.page(app, "0", 20), self.page(app, "", 20))
        self.assertEqual(self.page(app, "0", 20, "descend"), self.page(app, "", 20))
        self.assertEqual([e["RoomId"] for e in self.page(app, "0", 20, "descend")["RoomList"]], descend)
        self.assertEqual([e["RoomId"] for e in self.page(app, "0", 20, "ascend")["RoomList"]], descend[::-1])
        for count in (1, 2, 4):
            with self.subTest(count=count):
                self.assertEqual([i for i, _ in self.list_all(app, count, "descend")], descend)
                self.assertEqual([i for i, _ in self.list_all(app, count)], descend)
                self.assertEqual([i for i, _ in self.list_all(app, count, "ascend")], descend[::-1])
        for bad in ("Descend", "ASCEND", "desc", "asc", "", " ascend", 1, None, True, ["ascend"], {"d": 1}):
            with self.subTest(direction=bad):
                self.assertParamError(self.call("get_room_list", {"Next": "0", "Count": 20, "SortDirection": bad}, app),
                                      'SortDirection must be "descend" or "ascend"')
        ascending_cursor = self.page(app, "0", 2, "ascend")["Next"]
        descending_cursor = self.page(app, "0", 2, "descend")["Next"]
        self.assertParamError(self.call("get_room_list", {"Next": ascending_cursor, "Count": 2}, app),
                              'Next was issued for SortDirection "ascend"')
        self.assertParamError(self.call("get_room_list", {"Next": descending_cursor, "Count": 2,
                                                          "SortDirection": "ascend"}, app),
                              'Next was issued for SortDirection "descend"')

    def test_paging_under_concurrent_creates_both_directions(self):
        for app, direction in ((1406005002, "descend"), (1406005003, "ascend")):
            with self.subTest(direction=direction):
                self.freeze_clock(T0_MS)
                survivors, doomed = [], []
                for i in range(40):
                    self.emu.control("POST", "clock", {"set_ms": T0_MS + 1000 * (i % 4)})
                    room_id = "r%03d" % (i * 7 % 40)
                    self.create(app, room_id)
                    (doomed if i % 4 == 1 else survivors).append(room_id)
                stop = threading.Event()
                errors = []
                churned = []  # RoomIds the other client created

                def churn():
                    # Another client creates rooms in every second of the listing (before and after any cursor) and
                    # destroys some that were there when the listing began.
                    conn = self.emu.connection()
                    number = 0
                    try:
                        # At most 150: the second the clock shows already holds 10 of this app's creates (200/s).
                        while not stop.is_set() and number < 150:
                            room_id = "n%03d" % number
                            body = json.dumps(create_body(room_id))
                            status, _, data = self.emu.request(
                                "POST", "/v4/live_engine_http_srv/create_room?" + query_string(app), body, conn=conn)
                            if status != 200 or json.loads(data)["ErrorCode"] != 0:
                                raise AssertionError(data)
                            churned.append(room_id)
                            if number < len(doomed):
                                self.emu.request("POST", "/v4/live_engine_http_srv/destroy_room?" + query_string(app),
                                                 json.dumps({"RoomId": doomed[number]}), conn=conn)
                            number += 1
                    except Exception as exc:  # reported by the test thread
                        errors.append(exc)
                    finally:
                        conn.close()

                # Rooms the other client creates land in the second the clock shows: keep it inside the listing's
                # seconds, the middle ones, so they sort on both sides of the cursors.
                self.emu.control("POST", "clock", {"set_ms": T0_MS + 1500})
                thread = threading.Thread(target=churn)
                thread.start()
                try:
                    entries = self.list_all(app, 3, direction)
                finally:
                    stop.set()
                    thread.join(60)
                self.assertEqual(errors, [])
                self.assertGreater(len(churned), 0)
                ids = [i for i, _ in entries]
                self.assertEqual(len(ids), len(set(ids)), "a room was listed twice: %s" % ids)
                for room_id in survivors:
                    self.assertEqual(ids.count(room_id), 1, "%s missing from %s" % (room_id, ids))
                keys = [(-t, i) for i, t in entries]  # descend: CreateTime desc, RoomId asc (ViewCount always 0)
                self.assertEqual(keys, sorted(keys, reverse=(direction == "ascend")), ids)
                final = [i for i, _ in self.list_all(app, 20, direction)]
                self.assertEqual([i for i in ids if i in survivors], [i for i in final if i in survivors])
                self.assertEqual(set(final), set(survivors) | set(churned) | set(doomed[len(churned):]))
                # Rooms the other client made during the listing may or may not be listed; if they are, in order.
                self.assertLessEqual(set(ids), set(survivors) | set(churned) | set(doomed))


if __name__ == "__main__":
    unittest.main()
