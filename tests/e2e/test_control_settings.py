"""Run-time settings through the control API: GET/PUT/DELETE /_emulator/apps/{id}, GET/PUT sensitive-words."""
import unittest

from harness import EmulatorTest, create_body


class AppSettingsTest(EmulatorTest):
    def tearDown(self):
        # Put the shared rules back for the next test.
        status, body = self.emu.control("POST", "reload")
        self.assertEqual(status, 200, body)

    def test_list_shows_listed_apps_in_order_and_defaults(self):
        status, body = self.emu.control("GET", "apps")
        self.assertEqual(status, 200)
        ids = [app["sdkappid"] for app in body["apps"]]
        self.assertEqual(ids, sorted(ids))
        self.assertIn(1400000001, ids)
        self.assertEqual(body["unknown_apps"], "auto")
        self.assertEqual(body["defaults"]["rate_limits"]["get_room_list"], 10)

    def test_get_unlisted_app_shows_defaults(self):
        status, body = self.emu.control("GET", "apps/910000001")
        self.assertEqual(status, 200)
        self.assertFalse(body["listed"])
        self.assertEqual(body["sdkappid"], 910000001)
        self.assertTrue(body["paid"])

    def test_put_applies_at_once_and_fills_the_rest_from_defaults(self):
        status, body = self.emu.control("PUT", "apps/910000002", {"paid": False, "max_seat_count": 4})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["listed"])
        self.assertEqual((body["paid"], body["max_seat_count"], body["disabled"]), (False, 4, False))
        self.assertError(self.emu.call("create_room", create_body("r1"), sdkappid=910000002), 100007)
        self.emu.control("PUT", "apps/910000002", {"max_seat_count": 4})
        answer = self.emu.call("create_room", create_body("r1", SeatTemplate="Karaoke", MaxSeatCount=5),
                               sdkappid=910000002)
        self.assertError(answer, 100002, "Invalid request parameters: RoomInfo.MaxSeatCount must be between 1 and 4")

    def test_put_disable_and_delete_restores_defaults(self):
        self.emu.control("PUT", "apps/910000003", {"disabled": True})
        self.assertError(self.emu.call("create_room", create_body(), sdkappid=910000003), 60016)
        status, body = self.emu.control("DELETE", "apps/910000003")
        self.assertEqual((status, body), (200, {"deleted": 910000003}))
        self.assertOk(self.emu.call("create_room", create_body(), sdkappid=910000003))
        status, _ = self.emu.control("DELETE", "apps/910000003")
        self.assertEqual(status, 404)

    def test_put_rejects_bad_settings_and_keeps_the_old_ones(self):
        self.emu.control("PUT", "apps/910000004", {"admins": ["boss"]})
        for bad in ({"paid": "yes"}, {"bogus": 1}, {"rate_limits": {"nope": 1}}, {"sdkappid": 5}, [1], "x"):
            status, body = self.emu.control("PUT", "apps/910000004", bad)
            self.assertEqual(status, 400, (bad, body))
            self.assertIn("error", body)
        self.assertError(self.emu.call("create_room", create_body(), sdkappid=910000004, identifier="x"), 60010)

    def test_bad_paths_and_methods(self):
        self.assertEqual(self.emu.control("GET", "apps/abc")[0], 400)
        self.assertEqual(self.emu.control("GET", "apps/0")[0], 200)  # any sdkappid the API accepts can be inspected
        self.assertEqual(self.emu.control("PUT", "apps/0", {})[0], 400)  # but a listed app needs a positive one
        self.assertEqual(self.emu.control("POST", "apps/910000005")[0], 405)
        self.assertEqual(self.emu.control("PUT", "apps")[0], 405)
        self.assertEqual(self.emu.control("GET", "apps/1/rooms/x")[0], 404)


class SensitiveWordsTest(EmulatorTest):
    def tearDown(self):
        status, body = self.emu.control("POST", "reload")
        self.assertEqual(status, 200, body)

    def test_get_lists_the_loaded_words(self):
        status, body = self.emu.control("GET", "sensitive-words")
        self.assertEqual(status, 200)
        self.assertEqual(body["words"], ["gambling", "Casino", "赌博"])

    def test_put_replaces_the_list(self):
        status, body = self.emu.control("PUT", "sensitive-words", {"words": ["spoiler", "剧透"]})
        self.assertEqual((status, body), (200, {"words": ["spoiler", "剧透"]}))
        self.assertOk(self.emu.call("create_room", create_body("casino-night"), sdkappid=910000010))
        answer = self.emu.call("create_room", create_body("r2", RoomName="No SPOILERS"), sdkappid=910000010)
        self.assertError(answer, 100026,
                         "Room name or other information contains sensitive content. (RoomInfo.RoomName)")
        answer = self.emu.call("create_room", create_body("r3", Category=[1, "有剧透"]), sdkappid=910000010)
        self.assertError(answer, 100026)

    def test_put_rejects_bad_lists(self):
        for bad in ({}, {"words": "x"}, {"words": [1]}, {"words": [""]}, {"words": ["a" * 257]}):
            status, _ = self.emu.control("PUT", "sensitive-words", bad)
            self.assertEqual(status, 400, bad)
        self.assertEqual(self.emu.control("GET", "sensitive-words")[1]["words"], ["gambling", "Casino", "赌博"])
        self.assertEqual(self.emu.control("DELETE", "sensitive-words")[0], 405)


class ClockControlTest(EmulatorTest):
    def test_advance_moves_forward_only_and_empty_commands_are_refused(self):
        self.freeze_clock(1_800_000_000_000)
        for bad in ({"advance_ms": -1}, {}, {"advance_ms": 1.5}, {"freeze": "yes"}, {"rewind": 1}, [1]):
            status, body = self.emu.control("POST", "clock", bad)
            self.assertEqual(status, 400, (bad, body))
        status, body = self.emu.control("POST", "clock", {"advance_ms": 0})
        self.assertEqual((status, body), (200, {"now_ms": 1_800_000_000_000, "frozen": True}))
        status, body = self.emu.control("POST", "clock", {"set_ms": 5})  # set_ms is the way back
        self.assertEqual((status, body), (200, {"now_ms": 5, "frozen": True}))


if __name__ == "__main__":
    unittest.main()
