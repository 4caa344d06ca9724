"""End-to-end tests of the room lifecycle commands: get_room_info, update_room_info, destroy_room, get_room_list
(emulated-api.md sections 1, 2, 3, 4, 6, 7)."""
import json
import os
import re
import unittest
import urllib.parse

import harness
from harness import EmulatorTest, create_body

ENVELOPE_KEYS = ["ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"]
ROOM_INFO_KEYS = ["RoomId", "RoomName", "RoomType", "Owner_Account", "CreateTime", "IsSeatEnabled", "TakeSeatMode",
                  "SeatTemplate", "SeatLayoutTemplateId", "MaxSeatCount", "MaxMemberCount", "IsMessageDisabled",
                  "IsPublicVisible", "IsLikeEnabled", "IsUnlimitedRoomEnabled", "CoverURL", "BackgroundURL",
                  "Category", "ActivityStatus", "ViewCount", "MemberCount", "CustomInfo", "Notice"]
LIST_ENTRY_KEYS = ["RoomId", "RoomName", "Owner_Account", "CoverURL", "Category", "CreateTime", "ActivityStatus",
                   "ViewCount", "IsUnlimitedRoomEnabled", "SeatLayoutTemplateId", "CustomInfo"]
# What a freshly created room shows for the fields no command of the emulator sets (issue 8).
FRESH_ROOM_EXTRAS = {"IsSeatEnabled": True, "MaxMemberCount": 300, "IsLikeEnabled": True,
                     "IsUnlimitedRoomEnabled": False, "BackgroundURL": "", "MemberCount": 0, "CustomInfo": "",
                     "Notice": ""}
REQUEST_ID = re.compile(r"^Id-[0-9a-f]{32}-O-Seq-[0-9]+$")

TEXT_60003 = "HTTP request JSON parsing error, please check the JSON format"
TEXT_60015 = "The request body has the wrong account type. Please ensure the account is in string format"
TEXT_100004 = "The room does not exist, or it once existed but now has been destroyed"
TEXT_100012 = "Room creation exceeds frequency limit. The same Room ID can only be created once per second."
TEXT_100026 = "Room name or other information contains sensitive content."
PARAM_PREFIX = "Invalid request parameters: "

T0_MS = 1_800_000_000_000  # a whole second
T0_S = T0_MS // 1000


def target(command, sdkappid, identifier="admin"):
    query = urllib.parse.urlencode([("sdkappid", sdkappid), ("identifier", identifier), ("usersig", "xxx"),
                                    ("random", 99999999), ("contenttype", "json")])
    return "%s%s?%s" % (harness.SERVICE, command, query)


def pairs(data):
    """Decodes JSON keeping every object as a list of (key, value) pairs (order and duplicates visible)."""
    return json.loads(data, object_pairs_hook=lambda items: items)


def list_order_key(entry):
    return (-entry["ViewCount"], -entry["CreateTime"], entry["RoomId"])


class LifecycleBase(EmulatorTest):
    def create(self, sdkappid, room_id, **fields):
        answer = self.emu.call("create_room", create_body(room_id, **fields), sdkappid=sdkappid)
        self.assertOk(answer)
        self.assertEqual(answer["RoomId"], room_id)
        return answer

    def info(self, sdkappid, room_id):
        return self.emu.call("get_room_info", {"RoomId": room_id}, sdkappid=sdkappid)

    def room(self, sdkappid, room_id):
        answer = self.info(sdkappid, room_id)
        self.assertOk(answer)
        return answer["Response"]["RoomInfo"]

    def update(self, sdkappid, room_id, **fields):
        info = {"RoomId": room_id}
        info.update(fields)
        return self.emu.call("update_room_info", {"RoomInfo": info}, sdkappid=sdkappid)

    def destroy(self, sdkappid, room_id):
        return self.emu.call("destroy_room", {"RoomId": room_id}, sdkappid=sdkappid)

    def page(self, sdkappid, next_cursor=None, count=None):
        body = {}
        if next_cursor is not None:
            body["Next"] = next_cursor
        if count is not None:
            body["Count"] = count
        answer = self.emu.call("get_room_list", body, sdkappid=sdkappid)
        self.assertOk(answer)
        response = answer["Response"]
        self.assertEqual(list(response.keys()), ["Next", "RoomList"], answer)
        self.assertIsInstance(response["Next"], str)
        for entry in response["RoomList"]:
            self.assertEqual(list(entry.keys()), LIST_ENTRY_KEYS, entry)
        if count is not None:
            self.assertLessEqual(len(response["RoomList"]), count, answer)
        return response

    def list_all(self, sdkappid, count=20, limit=200):
        """Pages to the end; returns the concatenated entries."""
        entries, cursor = [], ""
        for _ in range(limit):
            response = self.page(sdkappid, cursor, count)
            entries.extend(response["RoomList"])
            if response["Next"] == "":
                return entries
            self.assertEqual(len(response["RoomList"]), count, response)
            cursor = response["Next"]
        self.fail("get_room_list never ended")

    def assertEnvelopeOnly(self, data):
        decoded = pairs(data)
        self.assertEqual([k for k, _ in decoded], ENVELOPE_KEYS, data)
        values = dict(decoded)
        self.assertEqual((values["ActionStatus"], values["ErrorInfo"], values["ErrorCode"]), ("OK", "", 0), data)
        self.assertRegex(values["RequestId"], REQUEST_ID)

    def assertParamError(self, answer, field, exact=None):
        self.assertError(answer, 100002)
        info = answer["ErrorInfo"]
        if exact is not None:
            self.assertEqual(info, exact, answer)
        self.assertTrue(info.startswith(PARAM_PREFIX), answer)
        self.assertIn(field, info[len(PARAM_PREFIX):], answer)


class RoomLifecycleTest(LifecycleBase):
    """Uses the shipped end-to-end rules (default rate limits)."""

    def test_full_flow(self):
        app = 1401100001
        self.freeze_clock(T0_MS + 250)
        self.create(app, "flow-1", RoomName="before", IsPublicVisible=True)
        room = self.room(app, "flow-1")
        self.assertEqual(room["RoomName"], "before")
        self.assertEqual(room["CreateTime"], T0_S)

        status, headers, data = self.emu.request("POST", target("update_room_info", app),
                                                 {"RoomInfo": {"RoomId": "flow-1", "RoomName": "after",
                                                               "CoverURL": "https://img/c.png", "Category": [7],
                                                               "ActivityStatus": 3}})
        self.assertEqual(status, 200, data)
        self.assertEqual(headers.get("content-type"), "application/json")
        self.assertEnvelopeOnly(data)

        room = self.room(app, "flow-1")
        self.assertEqual((room["RoomName"], room["CoverURL"], room["Category"], room["ActivityStatus"]),
                         ("after", "https://img/c.png", [7], 3))
        self.assertEqual(room["CreateTime"], T0_S)  # an update is not a re-create

        listed = self.page(app, "", 20)
        self.assertEqual(listed["Next"], "")
        self.assertEqual(listed["RoomList"], [{"RoomId": "flow-1", "RoomName": "after", "Owner_Account": "admin",
                                               "CoverURL": "https://img/c.png", "Category": [7],
                                               "CreateTime": T0_S, "ActivityStatus": 3, "ViewCount": 0,
                                               "IsUnlimitedRoomEnabled": False, "SeatLayoutTemplateId": 600,
                                               "CustomInfo": ""}])

        status, headers, data = self.emu.request("POST", target("destroy_room", app), {"RoomId": "flow-1"})
        self.assertEqual(status, 200, data)
        self.assertEqual(headers.get("content-type"), "application/json")
        self.assertEnvelopeOnly(data)

        self.assertError(self.info(app, "flow-1"), 100004, TEXT_100004)
        self.assertError(self.destroy(app, "flow-1"), 100004, TEXT_100004)
        self.assertError(self.update(app, "flow-1", RoomName="again"), 100004, TEXT_100004)
        self.assertEqual(self.page(app, "", 20), {"Next": "", "RoomList": []})
        status, body = self.emu.control("GET", "apps/%d/rooms" % app)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rooms"], [])

    def test_get_room_info_all_fields_explicit(self):
        app = 1401100002
        self.freeze_clock(T0_MS + 999)
        self.create(app, "explicit-1", RoomName="直播 room", Owner_Account="owner_x", TakeSeatMode="ApplyToTake",
                    SeatTemplate="AudioSalon", MaxSeatCount=8, IsMessageDisabled=True, IsPublicVisible=False,
                    CoverURL="https://cdn.example.com/cover.png", Category=[1, "music", 3], ActivityStatus=-5)
        status, headers, data = self.emu.request("POST", target("get_room_info", app), {"RoomId": "explicit-1"})
        self.assertEqual(status, 200, data)
        self.assertEqual(headers.get("content-type"), "application/json")
        decoded = pairs(data)
        self.assertEqual([k for k, _ in decoded], ENVELOPE_KEYS + ["Response"], data)
        values = dict(decoded)
        self.assertEqual((values["ActionStatus"], values["ErrorInfo"], values["ErrorCode"]), ("OK", "", 0))
        self.assertRegex(values["RequestId"], REQUEST_ID)
        self.assertEqual([k for k, _ in values["Response"]], ["RoomInfo"], data)
        info = values["Response"][0][1]
        self.assertEqual([k for k, _ in info], ROOM_INFO_KEYS, data)
        self.assertEqual(dict(info), dict(FRESH_ROOM_EXTRAS, **{
            "RoomId": "explicit-1", "RoomName": "直播 room", "RoomType": "Live", "Owner_Account": "owner_x",
            "CreateTime": T0_S, "TakeSeatMode": "ApplyToTake", "SeatTemplate": "AudioSalon", "MaxSeatCount": 8,
            "IsMessageDisabled": True, "IsPublicVisible": False, "CoverURL": "https://cdn.example.com/cover.png",
            "Category": [1, "music", 3], "ActivityStatus": -5, "ViewCount": 0, "SeatLayoutTemplateId": 70}))
        for key in ("IsMessageDisabled", "IsPublicVisible", "IsSeatEnabled", "IsLikeEnabled", "IsUnlimitedRoomEnabled"):
            self.assertIsInstance(dict(info)[key], bool, key)  # JSON booleans, not 0/1

    def test_get_room_info_defaults(self):
        app = 1401100003
        self.freeze_clock(T0_MS + 42_000)
        self.assertOk(self.emu.call("create_room", {"RoomInfo": {"RoomId": "defaults-1", "RoomType": "Live",
                                                                 "SeatTemplate": "VideoDynamicGrid9Seats"}},
                                    sdkappid=app, identifier="creator"))
        status, _, data = self.emu.request("POST", target("get_room_info", app), {"RoomId": "defaults-1"})
        self.assertEqual(status, 200)
        info = pairs(data)
        info = dict(dict(dict(info)["Response"])["RoomInfo"])
        self.assertEqual(info, dict(FRESH_ROOM_EXTRAS, **{
            "RoomId": "defaults-1", "RoomName": "defaults-1", "RoomType": "Live", "Owner_Account": "creator",
            "CreateTime": T0_S + 42, "TakeSeatMode": "FreeToTake", "SeatTemplate": "VideoDynamicGrid9Seats",
            "MaxSeatCount": 9, "IsMessageDisabled": False, "IsPublicVisible": True, "CoverURL": "",
            "Category": [], "ActivityStatus": 0, "ViewCount": 0, "SeatLayoutTemplateId": 600}))
        for key in ("IsMessageDisabled", "IsPublicVisible", "IsSeatEnabled", "IsLikeEnabled", "IsUnlimitedRoomEnabled"):
            self.assertIsInstance(info[key], bool, key)

    def test_get_room_info_seat_counts(self):
        app = 1401100004
        self.create(app, "seats-float", SeatTemplate="VideoDynamicFloat7Seats", MaxSeatCount=3)
        self.assertEqual(self.room(app, "seats-float")["MaxSeatCount"], 7)  # video: the template's count
        self.create(app, "seats-fixed9", SeatTemplate="VideoFixedGrid9Seats", MaxSeatCount=16)
        self.assertEqual(self.room(app, "seats-fixed9")["MaxSeatCount"], 9)
        self.create(app, "seats-karaoke", SeatTemplate="Karaoke")
        self.assertEqual(self.room(app, "seats-karaoke")["MaxSeatCount"], 16)  # package maximum of the defaults
        # App 1400000004's package maximum is 12.
        self.create(1400000004, "seats-salon", SeatTemplate="AudioSalon")
        self.assertEqual(self.room(1400000004, "seats-salon")["MaxSeatCount"], 12)

    def test_room_id_errors_get_room_info_and_destroy_room(self):
        app = 1401100005
        self.freeze_clock()
        self.create(app, "x" * 48)
        for command in ("get_room_info", "destroy_room"):
            with self.subTest(command=command):
                call = lambda body: self.emu.call(command, body, sdkappid=app)
                self.assertParamError(call({}), "RoomId")
                self.assertParamError(call({"Other": "x"}), "RoomId")
                self.assertParamError(call({"RoomId": 123}), "RoomId")
                self.assertParamError(call({"RoomId": None}), "RoomId")
                self.assertParamError(call({"RoomId": ["a"]}), "RoomId")
                self.assertParamError(call({"RoomId": ""}), "RoomId")
                self.assertParamError(call({"RoomId": "y" * 49}), "RoomId")
                self.assertParamError(call({"RoomId": "中" * 17}), "RoomId")  # 17 characters, 51 bytes
                for body in ([], "\"x\"", "5", "null"):
                    answer = call(body)
                    self.assertError(answer, 100002)
                    self.assertTrue(answer["ErrorInfo"].startswith(PARAM_PREFIX), answer)
                for body in ("{", "{\"RoomId\":", "{\"RoomId\": 'a'}", "not json", "", b"{\"RoomId\":\"\xff\"}"):
                    self.assertError(call(body), 60003, TEXT_60003)
                self.assertError(call({"RoomId": "y" * 48}), 100004, TEXT_100004)
                self.assertError(call({"RoomId": "missing-room"}), 100004, TEXT_100004)
        # A 48-byte RoomId is valid, and none of the errors above touched the room.
        self.assertEqual(self.room(app, "x" * 48)["RoomId"], "x" * 48)
        self.assertOk(self.destroy(app, "x" * 48))
        self.assertError(self.info(app, "x" * 48), 100004, TEXT_100004)

    def test_room_id_errors_do_not_touch_the_room(self):
        app = 1401100006
        self.create(app, "keep-me")
        self.assertParamError(self.emu.call("destroy_room", {"RoomId": 5}, sdkappid=app), "RoomId")
        self.assertError(self.emu.call("destroy_room", "{\"RoomId\":\"keep-me\"", sdkappid=app), 60003, TEXT_60003)
        self.assertEqual(self.room(app, "keep-me")["RoomId"], "keep-me")
        # Extra fields are ignored.
        self.assertOk(self.emu.call("get_room_info", {"RoomId": "keep-me", "Extra": {"a": 1}}, sdkappid=app))
        self.assertOk(self.emu.call("destroy_room", {"RoomId": "keep-me", "Extra": [1]}, sdkappid=app))
        self.assertError(self.info(app, "keep-me"), 100004, TEXT_100004)

    def test_update_field_rules(self):
        app = 1401100007
        self.freeze_clock()
        self.create(app, "upd-1", RoomName="orig", CoverURL="https://orig", Category=[1], ActivityStatus=1,
                    TakeSeatMode="FreeToTake", IsPublicVisible=True, IsMessageDisabled=False)
        original = self.room(app, "upd-1")
        cases = [
            ({"RoomName": "n" * 101}, "RoomInfo.RoomName",
             "Invalid request parameters: RoomInfo.RoomName exceeds 100 bytes"),
            ({"RoomName": "中" * 34}, "RoomInfo.RoomName",
             "Invalid request parameters: RoomInfo.RoomName exceeds 100 bytes"),  # 34 characters, 102 bytes
            ({"RoomName": 5}, "RoomInfo.RoomName", None),
            ({"CoverURL": "c" * 201}, "RoomInfo.CoverURL",
             "Invalid request parameters: RoomInfo.CoverURL exceeds 200 bytes"),
            ({"CoverURL": False}, "RoomInfo.CoverURL", None),
            ({"Category": [1, 2, 3, 4]}, "RoomInfo.Category", None),
            ({"Category": ["a", "b", "c", "d"]}, "RoomInfo.Category", None),
            ({"Category": "music"}, "RoomInfo.Category", None),
            ({"Category": [1, {"a": 1}]}, "RoomInfo.Category", None),
            ({"Category": [1.5]}, "RoomInfo.Category", None),
            ({"ActivityStatus": 2 ** 31}, "RoomInfo.ActivityStatus", None),
            ({"ActivityStatus": -2 ** 31 - 1}, "RoomInfo.ActivityStatus", None),
            ({"ActivityStatus": "1"}, "RoomInfo.ActivityStatus", None),
            ({"ActivityStatus": 1.5}, "RoomInfo.ActivityStatus", None),
            ({"TakeSeatMode": "Other"}, "RoomInfo.TakeSeatMode", None),
            ({"TakeSeatMode": "freetotake"}, "RoomInfo.TakeSeatMode", None),
            ({"TakeSeatMode": 1}, "RoomInfo.TakeSeatMode", None),
            ({"IsPublicVisible": "yes"}, "RoomInfo.IsPublicVisible", None),
            ({"IsPublicVisible": 1}, "RoomInfo.IsPublicVisible", None),
            ({"IsMessageDisabled": "true"}, "RoomInfo.IsMessageDisabled", None),
            # A valid change next to an invalid one: nothing is applied.
            ({"RoomName": "changed", "CoverURL": "c" * 201}, "RoomInfo.CoverURL", None),
            ({"ActivityStatus": 9, "TakeSeatMode": "Other"}, "RoomInfo.TakeSeatMode", None),
        ]
        for fields, field, exact in cases:
            with self.subTest(fields=str(fields)[:80]):
                self.assertParamError(self.update(app, "upd-1", **fields), field, exact)
        self.assertEqual(self.room(app, "upd-1"), original)

        # RoomId rules.
        self.assertParamError(self.emu.call("update_room_info", {"RoomInfo": {"RoomName": "x"}}, sdkappid=app),
                              "RoomId")
        self.assertParamError(self.emu.call("update_room_info", {"RoomInfo": {"RoomId": 7}}, sdkappid=app), "RoomId")
        self.assertParamError(self.emu.call("update_room_info", {"RoomInfo": {"RoomId": "r" * 49}}, sdkappid=app),
                              "RoomId")
        self.assertParamError(self.emu.call("update_room_info", {"RoomId": "upd-1", "RoomName": "x"}, sdkappid=app),
                              "RoomInfo")
        self.assertParamError(self.emu.call("update_room_info", {"RoomInfo": "upd-1"}, sdkappid=app), "RoomInfo")
        for body in ([], "\"x\""):
            answer = self.emu.call("update_room_info", body, sdkappid=app)
            self.assertError(answer, 100002)
            self.assertTrue(answer["ErrorInfo"].startswith(PARAM_PREFIX), answer)
        self.assertError(self.emu.call("update_room_info", "{\"RoomInfo\":", sdkappid=app), 60003, TEXT_60003)
        self.assertError(self.emu.call("update_room_info", "", sdkappid=app), 60003, TEXT_60003)
        self.assertEqual(self.room(app, "upd-1"), original)

    def test_update_boundaries_accepted(self):
        app = 1401100008
        self.create(app, "upd-2", IsPublicVisible=False)
        fields = {"RoomName": "中" * 33 + "a", "CoverURL": "c" * 200, "Category": [1, "two", 3],
                  "ActivityStatus": 2 ** 31 - 1, "TakeSeatMode": "ApplyToTake", "IsPublicVisible": True,
                  "IsMessageDisabled": True}
        self.assertOk(self.update(app, "upd-2", **fields))
        room = self.room(app, "upd-2")
        for key, value in fields.items():
            self.assertEqual(room[key], value, key)
        self.assertOk(self.update(app, "upd-2", ActivityStatus=-2 ** 31, Category=[], RoomName="", CoverURL=""))
        room = self.room(app, "upd-2")
        self.assertEqual((room["ActivityStatus"], room["Category"], room["RoomName"], room["CoverURL"]),
                         (-2 ** 31, [], "", ""))
        # Only the fields sent change.
        self.assertOk(self.update(app, "upd-2", RoomName="only-name"))
        room = self.room(app, "upd-2")
        self.assertEqual((room["RoomName"], room["TakeSeatMode"], room["IsMessageDisabled"]),
                         ("only-name", "ApplyToTake", True))
        self.assertEqual((room["RoomType"], room["SeatTemplate"], room["MaxSeatCount"], room["Owner_Account"]),
                         ("Live", "VideoDynamicGrid9Seats", 9, "admin"))

    def test_update_sensitive_words(self):
        app = 1401100009
        self.create(app, "upd-3", RoomName="clean", CoverURL="https://clean", Category=["ok"])
        original = self.room(app, "upd-3")
        cases = [({"RoomName": "big gambling night"}, "RoomName", "gambling"),
                 ({"RoomName": "GAMBLING"}, "RoomName", "gambling"),
                 ({"CoverURL": "https://cdn/casino.png"}, "CoverURL", "casino"),
                 ({"Category": [1, "ok", "网络赌博"]}, "Category", "赌博"),
                 ({"RoomName": "fine", "Category": ["cAsInO"]}, "Category", "casino")]
        for fields, field, word in cases:
            with self.subTest(fields=fields):
                answer = self.update(app, "upd-3", **fields)
                self.assertError(answer, 100026)
                self.assertTrue(answer["ErrorInfo"].startswith(TEXT_100026), answer)
                self.assertIn(field, answer["ErrorInfo"], answer)
                self.assertNotIn(word, answer["ErrorInfo"].lower(), answer)
        self.assertEqual(self.room(app, "upd-3"), original)
        # A sensitive word inside an integer tag cannot exist; an unrelated string is fine.
        self.assertOk(self.update(app, "upd-3", Category=[5, "sports"]))
        self.assertEqual(self.room(app, "upd-3")["Category"], [5, "sports"])

    def test_update_owner_account_type(self):
        app = 1401100010
        self.create(app, "upd-4", RoomName="orig")
        original = self.room(app, "upd-4")
        for bad in (5, None, ["a"], {"a": 1}, True):
            with self.subTest(owner=bad):
                answer = self.update(app, "upd-4", Owner_Account=bad, RoomName="changed")
                self.assertError(answer, 60015)
                self.assertTrue(answer["ErrorInfo"].startswith(TEXT_60015), answer)
                self.assertIn("Owner_Account", answer["ErrorInfo"], answer)
        # Step 12 comes before step 13: a non-string account wins over a parameter error.
        answer = self.update(app, "upd-4", Owner_Account=5, RoomName="n" * 101)
        self.assertError(answer, 60015)
        self.assertEqual(self.room(app, "upd-4"), original)

    def test_update_unknown_room(self):
        app = 1401100011
        self.assertError(self.update(app, "nobody", RoomName="x"), 100004, TEXT_100004)
        self.assertError(self.update(app, "nobody"), 100004, TEXT_100004)
        status, body = self.emu.control("GET", "apps/%d/rooms" % app)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rooms"], [])  # update never creates

    def test_destroy_then_create_same_room_id(self):
        app = 1401100012
        self.freeze_clock(T0_MS)
        self.create(app, "again-1")
        self.assertOk(self.destroy(app, "again-1"))
        self.assertError(self.emu.call("create_room", create_body("again-1"), sdkappid=app), 100012, TEXT_100012)
        self.assertError(self.info(app, "again-1"), 100004, TEXT_100004)
        self.emu.control("POST", "clock", {"advance_ms": 999})
        self.assertError(self.emu.call("create_room", create_body("again-1"), sdkappid=app), 100012, TEXT_100012)
        self.emu.control("POST", "clock", {"advance_ms": 1})
        self.create(app, "again-1", RoomName="second life")
        room = self.room(app, "again-1")
        self.assertEqual((room["CreateTime"], room["RoomName"]), (T0_S + 1, "second life"))

    def test_tenant_isolation(self):
        app_a, app_b = 1401100013, 1401100014
        self.create(app_a, "iso-1", RoomName="A's room")
        self.assertError(self.info(app_b, "iso-1"), 100004, TEXT_100004)
        self.assertError(self.update(app_b, "iso-1", RoomName="hijack"), 100004, TEXT_100004)
        self.assertError(self.destroy(app_b, "iso-1"), 100004, TEXT_100004)
        self.assertEqual(self.page(app_b, "", 20), {"Next": "", "RoomList": []})
        room = self.room(app_a, "iso-1")
        self.assertEqual(room["RoomName"], "A's room")
        self.assertEqual([e["RoomId"] for e in self.page(app_a, "", 20)["RoomList"]], ["iso-1"])
        # The same RoomId in B is a different room; destroying it leaves A's.
        self.create(app_b, "iso-1", RoomName="B's room")
        self.assertOk(self.destroy(app_b, "iso-1"))
        self.assertEqual(self.room(app_a, "iso-1")["RoomName"], "A's room")


class RoomListTest(LifecycleBase):
    """get_room_list needs many calls per second here: these apps get an unlimited get_room_list rate."""

    with open(os.path.join(harness.TEST_RULES, "sensitive_words.txt"), "rb") as words_file:
        rules_files = {"apps": {"unknown_apps": "auto",
                                "defaults": {"max_seat_count": 16, "rate_limits": {"get_room_list": 0}}},
                       "words": words_file.read()}

    def assertListingConsistent(self, entries, survivors, gone=()):
        ids = [e["RoomId"] for e in entries]
        self.assertEqual(len(ids), len(set(ids)), "a room was listed twice: %s" % ids)
        for room_id in survivors:
            self.assertEqual(ids.count(room_id), 1, "%s missing from %s" % (room_id, ids))
        for room_id in gone:
            self.assertNotIn(room_id, ids)
        keys = [list_order_key(e) for e in entries]
        self.assertEqual(keys, sorted(keys), "listing out of order: %s" % ids)

    def test_only_public_rooms(self):
        app = 1401200001
        self.freeze_clock(T0_MS)
        self.create(app, "pub-1")
        self.create(app, "priv-1", IsPublicVisible=False)
        self.create(app, "pub-2", IsPublicVisible=True)
        self.assertEqual(sorted(e["RoomId"] for e in self.list_all(app)), ["pub-1", "pub-2"])
        self.assertOk(self.update(app, "priv-1", IsPublicVisible=True))
        self.assertEqual(sorted(e["RoomId"] for e in self.list_all(app)), ["priv-1", "pub-1", "pub-2"])
        self.assertOk(self.update(app, "pub-1", IsPublicVisible=False))
        self.assertEqual(sorted(e["RoomId"] for e in self.list_all(app)), ["priv-1", "pub-2"])
        # A hidden room still exists.
        self.assertFalse(self.room(app, "pub-1")["IsPublicVisible"])

    def test_order_and_entry_values(self):
        app = 1401200002
        self.freeze_clock(T0_MS)
        for room_id in ("c", "a", "B", "b"):
            self.create(app, room_id)
        self.emu.control("POST", "clock", {"advance_ms": 1000})
        self.create(app, "z", RoomName="zed", CoverURL="https://z", Category=["x", 2], ActivityStatus=4,
                    Owner_Account="zoe")
        self.emu.control("POST", "clock", {"advance_ms": 1500})
        self.create(app, "m")
        self.create(app, "d")
        self.emu.control("POST", "clock", {"advance_ms": 1000})
        self.create(app, "hidden", IsPublicVisible=False)
        response = self.page(app, "", 20)
        self.assertEqual(response["Next"], "")
        self.assertEqual([e["RoomId"] for e in response["RoomList"]], ["d", "m", "z", "B", "a", "b", "c"])
        self.assertEqual([e["CreateTime"] for e in response["RoomList"]],
                         [T0_S + 2, T0_S + 2, T0_S + 1, T0_S, T0_S, T0_S, T0_S])
        self.assertEqual(response["RoomList"][2], {"RoomId": "z", "RoomName": "zed", "Owner_Account": "zoe",
                                                   "CoverURL": "https://z", "Category": ["x", 2],
                                                   "CreateTime": T0_S + 1, "ActivityStatus": 4, "ViewCount": 0,
                                                   "IsUnlimitedRoomEnabled": False, "SeatLayoutTemplateId": 600,
                                                   "CustomInfo": ""})
        self.assertEqual(response["RoomList"][3], {"RoomId": "B", "RoomName": "B", "Owner_Account": "admin",
                                                   "CoverURL": "", "Category": [], "CreateTime": T0_S,
                                                   "ActivityStatus": 0, "ViewCount": 0,
                                                   "IsUnlimitedRoomEnabled": False, "SeatLayoutTemplateId": 600,
                                                   "CustomInfo": ""})
        # The same order when paged one by one.
        self.assertEqual([e["RoomId"] for e in self.list_all(app, count=1)], ["d", "m", "z", "B", "a", "b", "c"])
        self.assertEqual([e["RoomId"] for e in self.list_all(app, count=3)], ["d", "m", "z", "B", "a", "b", "c"])

    def test_count_bounds(self):
        app = 1401200003
        self.freeze_clock(T0_MS)
        for i in range(25):
            self.create(app, "cnt-%02d" % i)
        first = self.page(app, "", 1)
        self.assertEqual([e["RoomId"] for e in first["RoomList"]], ["cnt-00"])
        self.assertNotEqual(first["Next"], "")
        full = self.page(app, "", 20)
        self.assertEqual([e["RoomId"] for e in full["RoomList"]], ["cnt-%02d" % i for i in range(20)])
        self.assertNotEqual(full["Next"], "")
        rest = self.page(app, full["Next"], 20)
        self.assertEqual([e["RoomId"] for e in rest["RoomList"]], ["cnt-%02d" % i for i in range(20, 25)])
        self.assertEqual(rest["Next"], "")
        for count in (0, 21, -1, "5", 2.5, None, True, [5], 2 ** 64):
            with self.subTest(count=count):
                answer = self.emu.call("get_room_list", {"Next": "", "Count": count}, sdkappid=app)
                self.assertParamError(answer, "Count")

    def test_next_absent_and_end(self):
        app = 1401200004
        self.freeze_clock(T0_MS)
        self.assertEqual(self.page(app, None, 20), {"Next": "", "RoomList": []})
        for room_id in ("n1", "n2", "n3", "n4"):
            self.create(app, room_id)
        without = self.page(app, None, 2)
        with_empty = self.page(app, "", 2)
        self.assertEqual(without["RoomList"], with_empty["RoomList"])
        self.assertEqual([e["RoomId"] for e in without["RoomList"]], ["n1", "n2"])
        self.assertNotEqual(without["Next"], "")
        last = self.page(app, without["Next"], 2)
        self.assertEqual([e["RoomId"] for e in last["RoomList"]], ["n3", "n4"])
        self.assertEqual(last["Next"], "")  # nothing after: the end
        everything = self.page(app, None, 20)
        self.assertEqual([e["RoomId"] for e in everything["RoomList"]], ["n1", "n2", "n3", "n4"])
        self.assertEqual(everything["Next"], "")
        # A cursor stays usable: the same page again.
        self.assertEqual(self.page(app, without["Next"], 2)["RoomList"], last["RoomList"])

    def test_bad_cursors(self):
        app = 1401200005
        self.freeze_clock(T0_MS)
        for room_id in ("k1", "k2", "k3"):
            self.create(app, room_id)
        cursor = self.page(app, "", 1)["Next"]
        self.assertNotEqual(cursor, "")
        # "0" is not here: it is the console's first page, like "" (test_console_calls).
        for bad in ("zz", "abc", "00", cursor + "zz", cursor[:-1], "Next", " ", "%00"):
            with self.subTest(cursor=bad):
                self.assertParamError(self.emu.call("get_room_list", {"Next": bad, "Count": 2}, sdkappid=app),
                                      "Next")
        for bad in (5, None, [cursor], {"c": cursor}, True):
            with self.subTest(cursor=bad):
                self.assertParamError(self.emu.call("get_room_list", {"Next": bad, "Count": 2}, sdkappid=app),
                                      "Next")
        for body in ([], "\"x\"", "7"):
            answer = self.emu.call("get_room_list", body, sdkappid=app)
            self.assertError(answer, 100002)
            self.assertTrue(answer["ErrorInfo"].startswith(PARAM_PREFIX), answer)
        for body in ("{", "", "{\"Next\":\"\",}"):
            self.assertError(self.emu.call("get_room_list", body, sdkappid=app), 60003, TEXT_60003)
        # The good cursor still works after all that.
        self.assertEqual([e["RoomId"] for e in self.page(app, cursor, 5)["RoomList"]], ["k2", "k3"])

    def test_cursor_of_another_app(self):
        app_a, app_b = 1401200006, 1401200007
        self.freeze_clock(T0_MS)
        for room_id in ("s1", "s2", "s3"):
            self.create(app_a, room_id)
            self.create(app_b, room_id)
        cursor_a = self.page(app_a, "", 1)["Next"]
        cursor_b = self.page(app_b, "", 1)["Next"]
        self.assertNotEqual(cursor_a, "")
        self.assertParamError(self.emu.call("get_room_list", {"Next": cursor_a, "Count": 1}, sdkappid=app_b), "Next")
        self.assertParamError(self.emu.call("get_room_list", {"Next": cursor_b, "Count": 1}, sdkappid=app_a), "Next")
        self.assertEqual([e["RoomId"] for e in self.page(app_a, cursor_a, 5)["RoomList"]], ["s2", "s3"])
        # An app with no rooms at all rejects a foreign cursor too.
        self.assertParamError(self.emu.call("get_room_list", {"Next": cursor_a}, sdkappid=1401200008), "Next")

    def test_tenant_isolation_of_list(self):
        app_a, app_b = 1401200009, 1401200010
        self.create(app_a, "only-a-1")
        self.create(app_a, "only-a-2")
        self.create(app_b, "only-b-1")
        self.assertEqual(sorted(e["RoomId"] for e in self.list_all(app_a)), ["only-a-1", "only-a-2"])
        self.assertEqual([e["RoomId"] for e in self.list_all(app_b)], ["only-b-1"])
        self.assertEqual(self.list_all(1401200011), [])

    def test_paging_with_changes_distinct_seconds(self):
        app = 1401200012
        self.freeze_clock(T0_MS)
        originals = ["r%d" % i for i in range(7)]
        for i, room_id in enumerate(originals):
            self.emu.control("POST", "clock", {"set_ms": T0_MS + 1000 * i + 17})
            self.create(app, room_id)
        first = self.page(app, "", 2)
        self.assertEqual([e["RoomId"] for e in first["RoomList"]], ["r6", "r5"])
        # Changes between pages: one room newer than everything (sorts before the cursor), one in the same
        # second as r3 (sorts after the cursor), one in the same second as r1 sorting before it.
        self.emu.control("POST", "clock", {"set_ms": T0_MS + 7000})
        self.create(app, "new-late")
        self.emu.control("POST", "clock", {"set_ms": T0_MS + 3000})
        self.create(app, "new-mid")
        self.emu.control("POST", "clock", {"set_ms": T0_MS + 1000})
        self.create(app, "new-early")
        self.assertOk(self.destroy(app, "r3"))  # not yet listed
        self.assertOk(self.destroy(app, "r6"))  # already listed
        entries = list(first["RoomList"])
        cursor = first["Next"]
        pages = 1
        while cursor:
            response = self.page(app, cursor, 2)
            entries.extend(response["RoomList"])
            cursor = response["Next"]
            pages += 1
            if pages == 2:
                # More changes after the second page: destroy a room not yet listed and one just listed.
                self.assertEqual(response["RoomList"][0]["RoomId"], "r4")
                self.assertOk(self.destroy(app, "r1"))
                self.assertOk(self.destroy(app, "r4"))
            self.assertLess(pages, 20)
        ids = [e["RoomId"] for e in entries]
        # Rooms created during the listing (new-mid, new-early) may or may not be listed; if they are, in order.
        self.assertListingConsistent(entries, ["r0", "r2", "r5"], gone=("r3", "r1", "new-late"))
        self.assertEqual([i for i in ids if i in originals], ["r6", "r5", "r4", "r2", "r0"])
        self.assertLessEqual(set(ids), set(originals) | {"new-mid", "new-early"})

    def test_paging_with_changes_same_second(self):
        app = 1401200013
        self.freeze_clock(T0_MS + 500)
        originals = ["s-%03d" % (10 * i) for i in range(1, 13)]  # s-010 .. s-120
        for room_id in reversed(originals):
            self.create(app, room_id)
        first = self.page(app, "", 2)
        self.assertEqual([e["RoomId"] for e in first["RoomList"]], ["s-010", "s-020"])
        self.create(app, "s-015")  # sorts before the cursor
        self.create(app, "s-055")  # after the cursor
        self.create(app, "s-125")  # after everything
        self.assertOk(self.destroy(app, "s-010"))  # already listed
        self.assertOk(self.destroy(app, "s-070"))  # not yet listed
        entries = list(first["RoomList"])
        cursor = first["Next"]
        pages = 1
        cursor_room = None
        while cursor:
            response = self.page(app, cursor, 2)
            entries.extend(response["RoomList"])
            cursor = response["Next"]
            pages += 1
            if pages == 4:
                # Destroy the room the cursor points at, and create one right after it.
                cursor_room = response["RoomList"][-1]["RoomId"]
                self.assertIn(cursor_room, originals)
                self.assertOk(self.destroy(app, cursor_room))
                self.create(app, cursor_room + "5")
            self.assertLess(pages, 20)
        self.assertIsNotNone(cursor_room)
        ids = [e["RoomId"] for e in entries]
        survivors = [r for r in originals if r not in ("s-010", "s-070", cursor_room)]
        self.assertListingConsistent(entries, survivors, gone=("s-015", "s-070"))
        self.assertEqual([i for i in ids if i in originals], [r for r in originals if r != "s-070"])
        # Rooms created during the listing after the cursor may or may not be listed; if they are, in order.
        self.assertLessEqual(set(ids), set(originals) | {"s-055", "s-125", cursor_room + "5"})

    def test_paging_many_rooms_same_second(self):
        app = 1401200014
        self.freeze_clock(T0_MS)
        room_ids = ["many-%03d" % i for i in range(60)]
        for room_id in reversed(room_ids):
            self.create(app, room_id)
        # A few in other seconds as well.
        self.emu.control("POST", "clock", {"advance_ms": 1000})
        self.create(app, "zz-newer")
        self.emu.control("POST", "clock", {"set_ms": T0_MS - 1000})
        self.create(app, "aa-older")
        for count in (1, 2, 7, 20):
            with self.subTest(count=count):
                entries = self.list_all(app, count=count)
                self.assertEqual([e["RoomId"] for e in entries], ["zz-newer"] + room_ids + ["aa-older"])
                self.assertListingConsistent(entries, room_ids)


if __name__ == "__main__":
    unittest.main()
