// The calls Tencent's console makes around create_room (issue 8): room metadata and its limits, robots,
// change_room_owner, the fields only update_room_info takes, the seat templates' layout ids, and get_room_list
// in both directions, through the handlers of api/ on an in-memory tenant.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/command_handler.hpp"
#include "api/room_fields.hpp"
#include "api/room_metadata.hpp"
#include "rules/apps.hpp"
#include "rules/rule_set.hpp"
#include "rules/sensitive_words.hpp"
#include "state/room.hpp"
#include "state/tenants.hpp"

namespace json = boost::json;
using lee::api::CommandHandler;
using lee::api::CommandResult;
using lee::state::MetadataEntry;

namespace {

constexpr int kOk = 0;
constexpr int kInvalid = 100002;
constexpr int kAccountType = 60015;
constexpr int kNoRoom = 100004;
constexpr int kSensitive = 100026;
constexpr int kTooManyKeys = 100500;
constexpr int kValueTooLong = 100501;
constexpr int kValuesTooLong = 100502;
constexpr int kKeysNotFound = 100503;
constexpr int kKeyTooLong = 100504;
constexpr std::int64_t kNow = 1'700'000'000'000;

struct App {
    lee::rules::RuleSet rules;
    lee::rules::AppSettings app;
    lee::state::Tenant tenant;
    std::int64_t now_ms = kNow;

    App() {
        app.sdkappid = 1400000009;
        app.room_create_interval_ms = 0;
        rules.sensitive_words = lee::rules::SensitiveWordMatcher(std::vector<std::string>{"gambling"});
    }

    CommandResult run(CommandHandler handler, const json::object& body) { return run_value(handler, body); }
    CommandResult run(CommandHandler handler, std::string_view text) { return run_value(handler, json::parse(text)); }
    CommandResult run_value(CommandHandler handler, const json::value& body) {
        const lee::api::CommandContext context{app.sdkappid, "admin", app, rules, tenant, now_ms};
        return handler(context, body);
    }

    void create(std::string_view room_id, json::object fields = {}) {
        json::object info{{"RoomId", room_id}, {"RoomType", "Live"}, {"SeatTemplate", "VideoDynamicGrid9Seats"}};
        for (const auto& [key, value] : fields) info[key] = value;
        const auto result = run(&lee::api::create_room, json::object{{"RoomInfo", std::move(info)}});
        BOOST_TEST_REQUIRE(result.code == kOk, "create " << room_id << ": " << result.code << " " << result.detail);
    }
    lee::state::Room room(std::string_view room_id) const {
        return tenant.rooms.find(room_id).value_or(lee::state::Room{});
    }
};

bool is_result(const CommandResult& result, int code, std::string_view detail = {}) {
    if (result.code == code && result.detail == detail) return true;
    BOOST_TEST_MESSAGE("expected " << code << " '" << detail << "', got " << result.code << " '" << result.detail
                                   << "'");
    return false;
}

std::vector<MetadataEntry> entries(std::initializer_list<std::pair<std::string, std::string>> pairs) {
    std::vector<MetadataEntry> out;
    for (const auto& [key, value] : pairs) out.push_back({key, value});
    return out;
}

bool same(const std::vector<MetadataEntry>& a, const std::vector<MetadataEntry>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return x.key == y.key && x.value == y.value; });
}

json::object metadata_body(std::string_view room_id, const std::vector<MetadataEntry>& items) {
    json::array list;
    for (const auto& item : items) list.push_back(json::object{{"Key", item.key}, {"Value", item.value}});
    return json::object{{"RoomId", room_id}, {"Metadata", std::move(list)}};
}

// get_room_list's members after the envelope, as JSON (it writes its page as text).
json::object listed(const lee::api::CommandResult& result) {
    return json::parse("{" + result.payload_text + "}").as_object();
}

// The RoomIds of every page of get_room_list, `count` at a time, in `direction` ("" leaves it out).
std::vector<std::string> list_all(App& app, std::int64_t count, std::string_view direction) {
    std::vector<std::string> ids;
    std::string next = "0";
    for (int page = 0; page < 1000; ++page) {
        json::object body{{"Next", next}, {"Count", count}};
        if (!direction.empty()) body["SortDirection"] = direction;
        const auto result = app.run(&lee::api::get_room_list, body);
        BOOST_TEST_REQUIRE(result.code == kOk, result.detail);
        const json::object members = listed(result);
        const auto& response = members.at("Response").as_object();
        for (const auto& entry : response.at("RoomList").as_array()) {
            ids.emplace_back(entry.at("RoomId").as_string());
        }
        next = std::string(response.at("Next").as_string());
        if (next.empty()) return ids;
    }
    BOOST_FAIL("get_room_list never ended");
    return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(console_calls)

// ---------------------------------------------------------------------------------------------------------------
// Metadata limits (pure functions on a room's entries)

BOOST_AUTO_TEST_CASE(metadata_set_adds_updates_in_place_and_keeps_first_order) {
    std::vector<MetadataEntry> stored;
    BOOST_TEST(is_result(lee::api::set_metadata(stored, entries({{"a", "1"}, {"b", "2"}})), kOk));
    BOOST_TEST(is_result(lee::api::set_metadata(stored, entries({{"c", "3"}, {"a", "one"}})), kOk));
    BOOST_TEST(same(stored, entries({{"a", "one"}, {"b", "2"}, {"c", "3"}})));
    // The same key twice in one request: the last value wins, one key.
    BOOST_TEST(is_result(lee::api::set_metadata(stored, entries({{"d", "x"}, {"d", "y"}})), kOk));
    BOOST_TEST(same(stored, entries({{"a", "one"}, {"b", "2"}, {"c", "3"}, {"d", "y"}})));
    // Empty values are values.
    BOOST_TEST(is_result(lee::api::set_metadata(stored, entries({{"b", ""}})), kOk));
    BOOST_TEST(stored[1].value.empty());
}

BOOST_AUTO_TEST_CASE(metadata_key_count_is_per_room_after_the_merge) {
    std::vector<MetadataEntry> stored;
    std::vector<MetadataEntry> ten;
    for (int i = 0; i < 10; ++i) ten.push_back({"k" + std::to_string(i), "v"});
    BOOST_TEST(is_result(lee::api::set_metadata(stored, ten), kOk));
    BOOST_TEST(stored.size() == 10u);
    // Updating existing keys keeps the count at 10.
    BOOST_TEST(is_result(lee::api::set_metadata(stored, entries({{"k0", "new"}, {"k9", "new"}})), kOk));
    const auto before = stored;
    const auto refused = lee::api::set_metadata(stored, entries({{"k0", "again"}, {"k10", "v"}}));
    BOOST_TEST(is_result(refused, kTooManyKeys, "Metadata"));
    BOOST_TEST(refused.why == "state: 100500 the room would hold 11 keys (at most 10)");
    BOOST_TEST(same(stored, before));  // nothing applied, not even the update of k0

    std::vector<MetadataEntry> fresh;
    ten.push_back({"k10", "v"});
    BOOST_TEST(is_result(lee::api::set_metadata(fresh, ten), kTooManyKeys, "Metadata"));
    BOOST_TEST(fresh.empty());
}

BOOST_AUTO_TEST_CASE(metadata_key_and_value_bytes) {
    std::vector<MetadataEntry> stored;
    const std::string key50(50, 'k');
    const std::string value2048(2048, 'v');
    BOOST_TEST(is_result(lee::api::set_metadata(stored, entries({{key50, value2048}})), kOk));
    // Bytes, not characters: 17 × "中" is 51 bytes.
    std::string wide_key;
    for (int i = 0; i < 17; ++i) wide_key += "中";
    auto refused = lee::api::set_metadata(stored, entries({{"ok", "v"}, {wide_key, "v"}}));
    BOOST_TEST(is_result(refused, kKeyTooLong, "Metadata[1].Key"));
    BOOST_TEST(refused.why == "state: 100504 Metadata[1].Key is 51 bytes (at most 50)");
    refused = lee::api::set_metadata(stored, entries({{"ok", std::string(2049, 'v')}}));
    BOOST_TEST(is_result(refused, kValueTooLong, "Metadata[0].Value"));
    BOOST_TEST(refused.why == "state: 100501 Metadata[0].Value is 2049 bytes (at most 2048)");
    BOOST_TEST(stored.size() == 1u);
}

BOOST_AUTO_TEST_CASE(metadata_total_value_bytes_over_the_whole_room) {
    std::vector<MetadataEntry> stored;
    for (int i = 0; i < 8; ++i) {
        BOOST_TEST(is_result(
            lee::api::set_metadata(stored, entries({{"k" + std::to_string(i), std::string(2048, 'v')}})), kOk));
    }
    // 8 × 2048 = 16384 exactly: at the limit. One more byte anywhere is over it.
    const auto before = stored;
    auto refused = lee::api::set_metadata(stored, entries({{"extra", "x"}}));
    BOOST_TEST(is_result(refused, kValuesTooLong, "Metadata"));
    BOOST_TEST(refused.why == "state: 100502 the room's values would total 16385 bytes (at most 16384)");
    BOOST_TEST(same(stored, before));
    // Shrinking one value makes room for another.
    BOOST_TEST(
        is_result(lee::api::set_metadata(stored, entries({{"k0", std::string(2047, 'v')}, {"extra", "x"}})), kOk));
    BOOST_TEST(stored.size() == 9u);
}

BOOST_AUTO_TEST_CASE(metadata_checks_in_order) {
    // Per item: key length, then value length (item by item); then the key count; then the total.
    std::vector<MetadataEntry> full;
    for (int i = 0; i < 10; ++i) full.push_back({"k" + std::to_string(i), std::string(1600, 'v')});
    BOOST_TEST(is_result(lee::api::set_metadata(full, {}), kOk));
    const std::string long_key(51, 'k');
    const std::string long_value(2049, 'v');
    BOOST_TEST(is_result(lee::api::set_metadata(full, entries({{"n", long_value}, {long_key, "v"}})), kValueTooLong,
                         "Metadata[0].Value"));
    BOOST_TEST(
        is_result(lee::api::set_metadata(full, entries({{long_key, long_value}})), kKeyTooLong, "Metadata[0].Key"));
    // 11 keys and 16000 + 1000 bytes: the count is reported first.
    BOOST_TEST(
        is_result(lee::api::set_metadata(full, entries({{"n", std::string(1000, 'v')}})), kTooManyKeys, "Metadata"));
    BOOST_TEST(
        is_result(lee::api::set_metadata(full, entries({{"k0", std::string(2000, 'v')}})), kValuesTooLong, "Metadata"));
}

BOOST_AUTO_TEST_CASE(metadata_delete_and_select) {
    std::vector<MetadataEntry> stored = entries({{"a", "1"}, {"b", "2"}, {"c", "3"}});
    BOOST_TEST(same(lee::api::select_metadata(stored, {}), stored));
    BOOST_TEST(same(lee::api::select_metadata(stored, {"c", "missing", "a"}), entries({{"a", "1"}, {"c", "3"}})));
    BOOST_TEST(lee::api::select_metadata(stored, {"missing"}).empty());
    BOOST_TEST(lee::api::select_metadata({}, {}).empty());

    auto refused = lee::api::delete_metadata(stored, {"x", "y"});
    BOOST_TEST(is_result(refused, kKeysNotFound, "Keys"));
    BOOST_TEST(refused.why == "state: 100503 none of the 2 key(s) exists");
    BOOST_TEST(is_result(lee::api::delete_metadata(stored, {"ok", std::string(51, 'k')}), kKeyTooLong, "Keys[1]"));
    BOOST_TEST(stored.size() == 3u);
    // Some exist: those go, the others are ignored.
    BOOST_TEST(is_result(lee::api::delete_metadata(stored, {"x", "b"}), kOk));
    BOOST_TEST(same(stored, entries({{"a", "1"}, {"c", "3"}})));
    BOOST_TEST(is_result(lee::api::delete_metadata(stored, {"b"}), kKeysNotFound, "Keys"));
    BOOST_TEST(is_result(lee::api::delete_metadata(stored, {"a", "c"}), kOk));
    BOOST_TEST(stored.empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Metadata commands: field rules, then 100026, then 100004, then the limits

BOOST_AUTO_TEST_CASE(set_room_metadata_order_of_checks) {
    App app;
    const auto set = &lee::api::set_room_metadata;
    BOOST_TEST(is_result(app.run_value(set, json::array{}), kInvalid, "the request body must be a JSON object"));
    BOOST_TEST(is_result(app.run(set, R"({"Metadata":[]})"), kInvalid, "RoomId is required"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r"})"), kInvalid, "Metadata is required"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r","Metadata":{}})"), kInvalid, "Metadata must be an array"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r","Metadata":[]})"), kInvalid, "Metadata must not be empty"));
    BOOST_TEST(
        is_result(app.run(set, R"({"RoomId":"r","Metadata":["k"]})"), kInvalid, "Metadata[0] must be a JSON object"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r","Metadata":[{"Value":"v"}]})"), kInvalid,
                         "Metadata[0].Key is required"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r","Metadata":[{"Key":"","Value":"v"}]})"), kInvalid,
                         "Metadata[0].Key must not be empty"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r","Metadata":[{"Key":"k","Value":1}]})"), kInvalid,
                         "Metadata[0].Value must be a string"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r","Metadata":[{"Key":"k"}]})"), kInvalid,
                         "Metadata[0].Value is required"));
    // Sensitive words in keys and values, before the room is looked up.
    BOOST_TEST(is_result(
        app.run(set, R"({"RoomId":"r","Metadata":[{"Key":"k","Value":"v"},{"Key":"k2","Value":"GAMBLING"}]})"),
        kSensitive, "Metadata[1].Value"));
    BOOST_TEST(is_result(app.run(set, R"({"RoomId":"r","Metadata":[{"Key":"gambling","Value":"v"}]})"), kSensitive,
                         "Metadata[0].Key"));
    // 100004 before the limits.
    const std::string long_key(51, 'k');
    const auto over = metadata_body("r", entries({{long_key, "v"}}));
    const auto missing = app.run(set, over);
    BOOST_TEST(is_result(missing, kNoRoom));
    BOOST_TEST(missing.why == "state: 100004 no room r");
    app.create("r");
    BOOST_TEST(is_result(app.run(set, over), kKeyTooLong, "Metadata[0].Key"));
    const auto ok = app.run(set, metadata_body("r", entries({{"k1", "v1"}})));
    BOOST_TEST(is_result(ok, kOk));
    BOOST_TEST(ok.payload.empty());  // envelope only
    BOOST_TEST(ok.why == "ok: 1 metadata item(s) set; the room holds 1 key(s), 2 value bytes");
    BOOST_TEST(same(app.room("r").metadata, entries({{"k1", "v1"}})));
}

BOOST_AUTO_TEST_CASE(get_and_del_room_metadata) {
    App app;
    app.create("r");
    BOOST_TEST(
        is_result(app.run(&lee::api::set_room_metadata, metadata_body("r", entries({{"a", "1"}, {"b", "2"}}))), kOk));
    const auto get = &lee::api::get_room_metadata;
    const auto del = &lee::api::del_room_metadata;
    BOOST_TEST(is_result(app.run(get, R"({"RoomId":"r"})"), kInvalid, "Keys is required"));
    BOOST_TEST(is_result(app.run(get, R"({"RoomId":"r","Keys":"a"})"), kInvalid, "Keys must be an array"));
    BOOST_TEST(is_result(app.run(get, R"({"RoomId":"r","Keys":[1]})"), kInvalid, "Keys[0] must be a string"));
    BOOST_TEST(is_result(app.run(get, R"({"RoomId":"r","Keys":[""]})"), kInvalid, "Keys[0] must not be empty"));
    BOOST_TEST(is_result(app.run(get, R"({"RoomId":"gone","Keys":[]})"), kNoRoom));
    auto all = app.run(get, R"({"RoomId":"r","Keys":[]})");
    BOOST_TEST(is_result(all, kOk));
    BOOST_TEST(json::serialize(all.payload) ==
               R"({"Response":{"Metadata":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]}})");
    const std::string long_key(60, 'k');
    auto some = app.run(get, json::object{{"RoomId", "r"}, {"Keys", json::array{"b", "zz", long_key}}});
    BOOST_TEST(json::serialize(some.payload) == R"({"Response":{"Metadata":[{"Key":"b","Value":"2"}]}})");

    BOOST_TEST(is_result(app.run(del, R"({"RoomId":"r","Keys":[]})"), kInvalid, "Keys must not be empty"));
    BOOST_TEST(is_result(app.run(del, R"({"RoomId":"gone","Keys":["a"]})"), kNoRoom));
    BOOST_TEST(is_result(app.run(del, R"({"RoomId":"r","Keys":["zz"]})"), kKeysNotFound, "Keys"));
    const auto deleted = app.run(del, R"({"RoomId":"r","Keys":["zz","a"]})");
    BOOST_TEST(is_result(deleted, kOk));
    BOOST_TEST(deleted.payload.empty());
    BOOST_TEST(deleted.why == "ok: 1 metadata key(s) deleted; the room holds 1");
    BOOST_TEST(same(app.room("r").metadata, entries({{"b", "2"}})));
}

BOOST_AUTO_TEST_CASE(metadata_and_robots_go_away_with_the_room) {
    App app;
    app.create("r");
    BOOST_TEST(is_result(app.run(&lee::api::set_room_metadata, metadata_body("r", entries({{"a", "1"}}))), kOk));
    BOOST_TEST(is_result(app.run(&lee::api::add_robot, R"({"RoomId":"r","RobotList_Account":["bot"]})"), kOk));
    BOOST_TEST(is_result(app.run(&lee::api::destroy_room, R"({"RoomId":"r"})"), kOk));
    app.create("r");
    BOOST_TEST(app.room("r").metadata.empty());
    BOOST_TEST(app.room("r").robots.empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Robots and owners

BOOST_AUTO_TEST_CASE(robots_add_get_del) {
    App app;
    const auto add = &lee::api::add_robot;
    const auto del = &lee::api::del_robot;
    // Step 12 (60015) before step 13, even before RoomId.
    BOOST_TEST(is_result(app.run(add, R"({"RobotList_Account":["a",5]})"), kAccountType, "RobotList_Account[1]"));
    BOOST_TEST(
        is_result(app.run(del, R"({"RoomId":7,"RobotList_Account":[null]})"), kAccountType, "RobotList_Account[0]"));
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r"})"), kInvalid, "RobotList_Account is required"));
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r","RobotList_Account":"bot"})"), kInvalid,
                         "RobotList_Account must be an array"));
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r","RobotList_Account":[]})"), kInvalid,
                         "RobotList_Account must not be empty"));
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r","RobotList_Account":[""]})"), kInvalid,
                         "RobotList_Account[0] must not be empty"));
    BOOST_TEST(
        is_result(app.run(add, json::object{{"RoomId", "r"}, {"RobotList_Account", json::array{std::string(33, 'b')}}}),
                  kInvalid, "RobotList_Account[0] exceeds 32 bytes"));
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r","RobotList_Account":["bot"]})"), kNoRoom));
    BOOST_TEST(is_result(app.run(del, R"({"RoomId":"r","RobotList_Account":["bot"]})"), kNoRoom));

    app.create("r");
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r","RobotList_Account":["b1","b2","b1"]})"), kOk));
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r","RobotList_Account":["b2"]})"), kOk));  // already in
    BOOST_TEST((app.room("r").robots == std::vector<std::string>{"b1", "b2"}));
    BOOST_TEST(is_result(app.run(add, R"({"RoomId":"r","RobotList_Account":["b3"]})"), kOk));
    const auto fourth = app.run(add, R"({"RoomId":"r","RobotList_Account":["b4","b1"]})");
    BOOST_TEST(is_result(fourth, kInvalid, "RobotList_Account would make 4 robots; a room holds at most 3"));
    BOOST_TEST(fourth.why.starts_with("state: 100002"));
    BOOST_TEST((app.room("r").robots == std::vector<std::string>{"b1", "b2", "b3"}));

    const auto got = app.run(&lee::api::get_robot, R"({"RoomId":"r"})");
    BOOST_TEST(json::serialize(got.payload) == R"({"Response":{"RobotList_Account":["b1","b2","b3"]}})");
    BOOST_TEST(is_result(app.run(del, R"({"RoomId":"r","RobotList_Account":["b2","absent"]})"), kOk));
    BOOST_TEST(is_result(app.run(del, R"({"RoomId":"r","RobotList_Account":["absent"]})"), kOk));
    BOOST_TEST((app.room("r").robots == std::vector<std::string>{"b1", "b3"}));
}

BOOST_AUTO_TEST_CASE(change_room_owner_rules_and_effect) {
    App app;
    const auto change = &lee::api::change_room_owner;
    for (const char* bad : {R"({"RoomId":"r","NewOwner_Account":5})", R"({"NewOwner_Account":null})",
                            R"({"RoomId":1,"NewOwner_Account":["x"]})"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(is_result(app.run(change, bad), kAccountType, "NewOwner_Account")); }
    }
    BOOST_TEST(is_result(app.run(change, R"({"NewOwner_Account":"bob"})"), kInvalid, "RoomId is required"));
    BOOST_TEST(is_result(app.run(change, R"({"RoomId":"r"})"), kInvalid, "NewOwner_Account is required"));
    BOOST_TEST(is_result(app.run(change, R"({"RoomId":"r","NewOwner_Account":""})"), kInvalid,
                         "NewOwner_Account must not be empty"));
    BOOST_TEST(is_result(app.run(change, json::object{{"RoomId", "r"}, {"NewOwner_Account", std::string(33, 'o')}}),
                         kInvalid, "NewOwner_Account exceeds 32 bytes"));
    BOOST_TEST(is_result(app.run(change, R"({"RoomId":"r","NewOwner_Account":"bob"})"), kNoRoom));

    app.create("r", {{"Owner_Account", "alice"}});
    const auto changed = app.run(change, R"({"RoomId":"r","NewOwner_Account":"bob"})");
    BOOST_TEST(is_result(changed, kOk));
    BOOST_TEST(changed.why == "ok: owner changed from alice to bob");
    BOOST_TEST(app.room("r").owner_account == "bob");
    BOOST_TEST(app.run(change, R"({"RoomId":"r","NewOwner_Account":"bob"})").why == "ok: bob already owns the room");
    // create_room's 100010 / 100003 follow the new owner.
    auto again = [&](std::string_view owner) {
        return app.run(&lee::api::create_room,
                       json::object{{"RoomInfo", json::object{{"RoomId", "r"},
                                                              {"RoomType", "Live"},
                                                              {"Owner_Account", owner},
                                                              {"SeatTemplate", "VideoDynamicGrid9Seats"}}}});
    };
    BOOST_TEST(again("bob").code == 100010);
    BOOST_TEST(again("alice").code == 100003);
}

// ---------------------------------------------------------------------------------------------------------------
// Room fields the console sends or reads

BOOST_AUTO_TEST_CASE(update_only_fields_notice_and_max_member_count) {
    App app;
    app.create("r", {{"Notice", "ignored by create"}, {"MaxMemberCount", 7}, {"IsUnlimitedRoomEnabled", true}});
    BOOST_TEST(app.room("r").notice.empty());
    BOOST_TEST(app.room("r").max_member_count == 300u);
    BOOST_TEST(app.room("r").is_unlimited_room_enabled);
    const auto update = [&](json::object fields) {
        fields["RoomId"] = "r";
        return app.run(&lee::api::update_room_info, json::object{{"RoomInfo", std::move(fields)}});
    };
    BOOST_TEST(is_result(update({{"Notice", std::string(101, 'n')}}), kInvalid, "RoomInfo.Notice exceeds 100 bytes"));
    BOOST_TEST(is_result(update({{"Notice", 1}}), kInvalid, "RoomInfo.Notice must be a string"));
    BOOST_TEST(is_result(update({{"Notice", "big gambling night"}}), kSensitive, "RoomInfo.Notice"));
    for (const json::value& bad : {json::value(0), json::value(100001), json::value(-1), json::value("5"),
                                   json::value(5.0), json::value(nullptr)}) {
        BOOST_TEST_CONTEXT("MaxMemberCount " << bad) {
            const auto result = update({{"MaxMemberCount", bad}});
            BOOST_TEST(result.code == kInvalid);
            BOOST_TEST(result.detail.starts_with("RoomInfo.MaxMemberCount must be"));
        }
    }
    BOOST_TEST(is_result(update({{"IsUnlimitedRoomEnabled", "yes"}}), kInvalid,
                         "RoomInfo.IsUnlimitedRoomEnabled must be true or false"));
    BOOST_TEST(app.room("r").max_member_count == 300u);
    BOOST_TEST(is_result(
        update({{"Notice", std::string(100, 'n')}, {"MaxMemberCount", 100000}, {"IsUnlimitedRoomEnabled", false}}),
        kOk));
    BOOST_TEST(app.room("r").notice == std::string(100, 'n'));
    BOOST_TEST(app.room("r").max_member_count == 100000u);
    BOOST_TEST(!app.room("r").is_unlimited_room_enabled);
    BOOST_TEST(is_result(update({{"MaxMemberCount", 1}}), kOk));
    BOOST_TEST(app.room("r").max_member_count == 1u);
}

BOOST_AUTO_TEST_CASE(seat_layout_ids_and_landscape_seats) {
    const std::vector<std::pair<std::string_view, std::uint32_t>> ids = {{"VideoDynamicGrid9Seats", 600},
                                                                         {"VideoDynamicFloat7Seats", 601},
                                                                         {"VideoFixedGrid9Seats", 800},
                                                                         {"VideoFixedFloat7Seats", 801},
                                                                         {"VideoLandscape4Seats", 200},
                                                                         {"VideoLandscape4Seat", 200},
                                                                         {"AudioSalon", 70},
                                                                         {"Karaoke", 50},
                                                                         {"Unknown", 0}};
    for (const auto& [name, id] : ids) {
        BOOST_TEST_CONTEXT(name) { BOOST_TEST(lee::api::seat_layout_template_id(name) == id); }
    }
    for (const char* landscape : {"VideoLandscape4Seats", "VideoLandscape4Seat"}) {
        std::uint32_t seats = 0;
        BOOST_TEST(!lee::api::read_max_seat_count(json::object{{"MaxSeatCount", 9}}, "RoomInfo", landscape, 16, seats));
        BOOST_TEST(seats == 4u);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// get_room_list: "0", SortDirection, cursors in both directions

BOOST_AUTO_TEST_CASE(list_ascend_is_exactly_descend_reversed) {
    App app;
    // Three seconds, several rooms per second, RoomIds out of order.
    const std::vector<std::pair<std::int64_t, std::vector<std::string>>> rooms = {
        {0, {"m", "b", "x"}}, {1000, {"a", "z"}}, {2000, {"q", "c", "k", "d"}}, {1500, {"hidden"}}};
    for (const auto& [offset, ids] : rooms) {
        app.now_ms = kNow + offset;
        for (const auto& id : ids)
            app.create(id, id == "hidden" ? json::object{{"IsPublicVisible", false}} : json::object{});
    }
    const std::vector<std::string> descend = {"c", "d", "k", "q", "a", "z", "b", "m", "x"};
    for (const std::int64_t count : {1, 2, 3, 4, 20}) {
        BOOST_TEST_CONTEXT("Count " << count) {
            BOOST_TEST(list_all(app, count, "") == descend);
            BOOST_TEST(list_all(app, count, "descend") == descend);
            BOOST_TEST(list_all(app, count, "ascend") == std::vector<std::string>(descend.rbegin(), descend.rend()));
        }
    }
}

// Each entry is read in place from the stored room (the fields it skips lie between those it shows): every field
// as the room holds it, text that needs escaping included, and the rooms separated by one comma.
BOOST_AUTO_TEST_CASE(list_entries_show_the_stored_fields) {
    App app;
    app.create("plain");
    app.now_ms = kNow + 1000;
    app.create("full-one", json::object{{"RoomName", "quote \" back \\ \u4e2d\u6587"},
                                        {"CoverURL", "https://img/c.png?a=1\n"},
                                        {"Category", json::array{"tag\"", -3, "\u4e2d"}},
                                        {"IsUnlimitedRoomEnabled", true},
                                        {"TakeSeatMode", "ApplyToTake"},
                                        {"ActivityStatus", -5},
                                        {"SeatTemplate", "AudioSalon"}});
    BOOST_TEST_REQUIRE(app.run(&lee::api::update_room_info,
                               json::object{{"RoomInfo", json::object{{"RoomId", "full-one"},
                                                                      {"Notice", "a notice between the fields"},
                                                                      {"MaxMemberCount", 1000}}}})
                           .code == kOk);
    const auto result = app.run(&lee::api::get_room_list, json::object{{"Next", ""}, {"Count", 20}});
    BOOST_TEST_REQUIRE(result.code == kOk, result.detail);
    BOOST_TEST(result.payload_text.find("}},{") == std::string::npos);
    const json::object members = listed(result);
    const json::array& list = members.at("Response").at("RoomList").as_array();
    BOOST_TEST_REQUIRE(list.size() == 2U);
    for (const auto& entry : list) {
        const lee::state::Room room = app.room(std::string(entry.at("RoomId").as_string()));
        BOOST_TEST_CONTEXT(room.room_id) {
            BOOST_TEST_REQUIRE(!room.room_id.empty());
            BOOST_TEST(entry.at("RoomName").as_string() == room.room_name);
            BOOST_TEST(entry.at("Owner_Account").as_string() == room.owner_account);
            BOOST_TEST(entry.at("CoverURL").as_string() == room.cover_url);
            BOOST_TEST(entry.at("CreateTime").as_int64() == room.create_time);
            BOOST_TEST(entry.at("ActivityStatus").as_int64() == room.activity_status);
            BOOST_TEST(entry.at("ViewCount").to_number<std::uint64_t>() == room.view_count);
            BOOST_TEST(entry.at("IsUnlimitedRoomEnabled").as_bool() == room.is_unlimited_room_enabled);
            const json::array& category = entry.at("Category").as_array();
            BOOST_TEST_REQUIRE(category.size() == room.category.size());
            for (std::size_t i = 0; i < category.size(); ++i) {
                if (const auto* text = std::get_if<std::string>(&room.category[i])) {
                    BOOST_TEST(category[i].as_string() == *text);
                } else {
                    BOOST_TEST(category[i].as_int64() == std::get<std::int64_t>(room.category[i]));
                }
            }
        }
    }
    const json::object& full = list[0].as_object();  // the later CreateTime first
    BOOST_TEST(full.at("RoomName").as_string() == "quote \" back \\ \u4e2d\u6587");
    BOOST_TEST(json::serialize(full.at("Category")) == "[\"tag\\\"\",-3,\"\u4e2d\"]");
    BOOST_TEST(full.at("ActivityStatus").as_int64() == -5);
    BOOST_TEST(full.at("IsUnlimitedRoomEnabled").as_bool());
    BOOST_TEST(full.at("SeatLayoutTemplateId").as_int64() != list[1].at("SeatLayoutTemplateId").as_int64());
}

BOOST_AUTO_TEST_CASE(list_next_zero_and_bad_directions) {
    App app;
    app.create("a");
    app.create("b");
    const auto list = &lee::api::get_room_list;
    const auto zero = app.run(list, R"({"Next":"0","Count":20,"SortDirection":"descend"})");
    const auto empty = app.run(list, R"({"Next":"","Count":20})");
    BOOST_TEST(is_result(zero, kOk));
    BOOST_TEST(zero.payload_text == empty.payload_text);
    for (const char* bad : {R"("Descend")", R"("desc")", R"("")", R"("asc")", "1", "null", "true", R"(["ascend"])"}) {
        BOOST_TEST_CONTEXT("SortDirection " << bad) {
            BOOST_TEST(is_result(app.run(list, std::string(R"({"Next":"","SortDirection":)") + bad + "}"), kInvalid,
                                 R"(SortDirection must be "descend" or "ascend")"));
        }
    }
    // A cursor belongs to its direction: in the other one it would list the rooms already seen again.
    const auto page = app.run(list, R"({"Next":"0","Count":1,"SortDirection":"ascend"})");
    const std::string cursor(listed(page).at("Response").at("Next").as_string());
    BOOST_TEST_REQUIRE(!cursor.empty());
    for (const char* other : {R"(,"SortDirection":"descend")", ""}) {
        BOOST_TEST(is_result(app.run(list, R"({"Next":")" + cursor + R"(","Count":1)" + other + "}"), kInvalid,
                             R"(Next was issued for SortDirection "ascend")"));
    }
    const auto rest = app.run(list, R"({"Next":")" + cursor + R"(","Count":1,"SortDirection":"ascend"})");
    BOOST_TEST(is_result(rest, kOk));
    BOOST_TEST(listed(rest).at("Response").at("RoomList").at(0).at("RoomId").as_string() == "a");
}

// Rooms created and destroyed between pages: every room that exists throughout is listed exactly once, in order,
// in both directions.
BOOST_AUTO_TEST_CASE(list_cursors_survive_changes_in_both_directions) {
    for (const std::string direction : {"descend", "ascend"}) {
        BOOST_TEST_CONTEXT(direction) {
            App app;
            std::vector<std::string> survivors;
            for (int i = 0; i < 30; ++i) {
                app.now_ms = kNow + 1000 * (i % 3);
                const std::string id = "r" + std::to_string(100 + i);
                app.create(id);
                if (i % 5 != 0) survivors.push_back(id);
            }
            std::vector<std::string> seen;
            std::string next = "0";
            int page = 0;
            int created = 0;
            do {
                const auto result = app.run(&lee::api::get_room_list,
                                            json::object{{"Next", next}, {"Count", 4}, {"SortDirection", direction}});
                BOOST_TEST_REQUIRE(result.code == kOk, result.detail);
                const json::object members = listed(result);
                for (const auto& entry : members.at("Response").at("RoomList").as_array()) {
                    seen.emplace_back(entry.at("RoomId").as_string());
                }
                next = std::string(members.at("Response").at("Next").as_string());
                // Between pages: destroy two of the rooms that do not survive, create two new ones in the same
                // seconds (before and after wherever the cursor is).
                for (int k = 0; k < 2; ++k) {
                    const int doomed = 5 * ((2 * page + k) % 6);
                    app.run(&lee::api::destroy_room, json::object{{"RoomId", "r" + std::to_string(100 + doomed)}});
                    app.now_ms = kNow + 1000 * (created % 3);
                    app.create("n" + std::to_string(100 + created++));
                }
                BOOST_TEST_REQUIRE(++page < 100);
            } while (!next.empty());
            std::vector<std::string> listed_survivors;
            for (const auto& id : seen) {
                if (std::find(survivors.begin(), survivors.end(), id) != survivors.end())
                    listed_survivors.push_back(id);
            }
            std::vector<std::string> unique = seen;
            std::sort(unique.begin(), unique.end());
            BOOST_TEST((std::adjacent_find(unique.begin(), unique.end()) == unique.end()), "a room was listed twice");
            // Every survivor exactly once, in the direction's order.
            const auto order = list_all(app, 20, direction);
            std::vector<std::string> expected;
            for (const auto& id : order) {
                if (std::find(survivors.begin(), survivors.end(), id) != survivors.end()) expected.push_back(id);
            }
            BOOST_TEST(listed_survivors == expected);
            BOOST_TEST(expected.size() == survivors.size());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
