// create_room field rules and state-check order (emulated-api.md sections 2 and 3), through the reader functions
// of api/room_fields and through lee::api::create_room itself. Every create here runs twice: on Boost.JSON's
// document and on the body read from the parser's events (api/room_info_body, what the pipeline runs), which must
// give the same answers and store the same rooms.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/command_handler.hpp"
#include "api/error_table.hpp"
#include "api/room_fields.hpp"
#include "rules/apps.hpp"
#include "rules/rule_set.hpp"
#include "rules/sensitive_words.hpp"
#include "state/room.hpp"
#include "state/tenants.hpp"

#include "../common/body_reader_twins.hpp"

namespace json = boost::json;
using lee::api::CommandResult;
using lee::api::FieldCheck;
using lee::state::CategoryTag;

namespace {

constexpr int kOk = 0;
constexpr int kInvalid = 100002;
constexpr int kAccountType = 60015;
constexpr std::int64_t kNow = 1'700'000'000'123;  // emulator ms; CreateTime is kNow / 1000

const std::array<std::string_view, 4> kVideoTemplates = {"VideoDynamicGrid9Seats", "VideoDynamicFloat7Seats",
                                                         "VideoFixedGrid9Seats", "VideoFixedFloat7Seats"};
const std::array<std::uint32_t, 4> kVideoSeats = {9, 7, 9, 7};
const std::array<std::string_view, 2> kAudioTemplates = {"AudioSalon", "Karaoke"};
// The SDKs' spelling and the console's: both a 4-seat video template.
const std::array<std::string_view, 2> kLandscapeTemplates = {"VideoLandscape4Seats", "VideoLandscape4Seat"};

std::string repeat(std::string_view piece, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out.append(piece);
    return out;
}

// A minimal valid RoomInfo.
json::object valid_info(std::string_view room_id = "room-1") {
    return json::object{{"RoomId", room_id}, {"RoomType", "Live"}, {"SeatTemplate", "AudioSalon"}};
}

json::value body_of(json::object info) { return json::object{{"RoomInfo", std::move(info)}}; }

// One app, its rules and its tenant; create_room runs against them, and each create runs on the twin tenant too,
// through the body read from the parser's events, which must answer alike.
struct Emulator : lee::testing::BodyReaderTwins {
    Emulator() {
        app.sdkappid = 1400000001;
        identifier = "alice";
        now_ms = kNow;
    }

    CommandResult create(const json::value& body) { return create_text(json::serialize(body)); }
    CommandResult create_text(std::string_view text) {
        std::string difference;
        CommandResult result = BodyReaderTwins::create(text, difference);
        BOOST_TEST(difference.empty(), "body " << text << ": " << difference);
        return result;
    }
    CommandResult create_info(json::object info) { return create(body_of(std::move(info))); }
    // A valid RoomInfo changed by `edit`.
    CommandResult create_with(const std::function<void(json::object&)>& edit, std::string_view room_id = "room-1") {
        json::object info = valid_info(room_id);
        edit(info);
        return create_info(std::move(info));
    }
};

bool is_error(const FieldCheck& check, int code, std::string_view detail) {
    if (!check) {
        BOOST_TEST_MESSAGE("expected " << code << " '" << detail << "', got no error");
        return false;
    }
    if (check->code != code || check->detail != detail) {
        BOOST_TEST_MESSAGE("expected " << code << " '" << detail << "', got " << check->code << " '" << check->detail
                                       << "'");
        return false;
    }
    return true;
}

bool is_result(const CommandResult& result, int code, std::string_view detail = {}) {
    if (result.code != code || result.detail != detail) {
        BOOST_TEST_MESSAGE("expected " << code << " '" << detail << "', got " << result.code << " '" << result.detail
                                       << "'");
        return false;
    }
    if (code == kOk) return result.payload.empty() && result.payload_text.starts_with(R"("RoomId":")");
    return result.payload.empty() && result.payload_text.empty();
}

// The room as stored, or a default-constructed one (room_id empty) when there is none.
lee::state::Room stored(const Emulator& emu, std::string_view room_id) {
    return emu.tenant.rooms.find(room_id).value_or(lee::state::Room{});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(room_fields)

// ---------------------------------------------------------------------------------------------------------------
// Body shape, RoomInfo

BOOST_AUTO_TEST_CASE(body_must_be_an_object_with_a_room_info_object) {
    const json::object* out = nullptr;
    BOOST_TEST(is_error(lee::api::require_object(json::parse("[]"), "RoomInfo", out), kInvalid,
                        "the request body must be a JSON object"));
    BOOST_TEST(
        is_error(lee::api::require_object(json::parse("{}"), "RoomInfo", out), kInvalid, "RoomInfo is required"));
    BOOST_TEST(is_error(lee::api::require_object(json::parse(R"({"RoomInfo":[]})"), "RoomInfo", out), kInvalid,
                        "RoomInfo must be a JSON object"));
    BOOST_TEST(out == nullptr);
    const json::value good = json::parse(R"({"RoomInfo":{"RoomId":"x"}})");
    BOOST_TEST(!lee::api::require_object(good, "RoomInfo", out));
    BOOST_TEST(out == &good.at("RoomInfo").get_object());

    Emulator emu;
    for (const char* text : {"[]", "\"x\"", "null", "1", "true", "[{\"RoomInfo\":{}}]"}) {
        BOOST_TEST_CONTEXT("body " << text) {
            BOOST_TEST(is_result(emu.create(json::parse(text)), kInvalid, "the request body must be a JSON object"));
        }
    }
    BOOST_TEST(is_result(emu.create(json::parse("{}")), kInvalid, "RoomInfo is required"));
    BOOST_TEST(is_result(emu.create(json::parse(R"({"roominfo":{}})")), kInvalid, "RoomInfo is required"));
    for (const char* text :
         {R"({"RoomInfo":[]})", R"({"RoomInfo":"x"})", R"({"RoomInfo":null})", R"({"RoomInfo":5})"}) {
        BOOST_TEST_CONTEXT("body " << text) {
            BOOST_TEST(is_result(emu.create(json::parse(text)), kInvalid, "RoomInfo must be a JSON object"));
        }
    }
    BOOST_TEST(emu.tenant.rooms.size() == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored) {
    Emulator emu;
    json::object info = valid_info();
    info["Foo"] = 1;
    info["roomid"] = json::array{};
    json::object body{{"RoomInfo", info}, {"Extra", json::object{{"x", 1}}}};
    BOOST_TEST(is_result(emu.create(body), kOk));
    BOOST_TEST(stored(emu, "room-1").room_id == "room-1");
}

// Text a document cannot show (duplicate keys, escapes, kept names nested elsewhere, the depth bound, text that is
// not JSON), and every kept field with every kind of value: both readers answer alike (Emulator::create_text).
BOOST_AUTO_TEST_CASE(events_read_what_the_document_reads) {
    Emulator emu;
    std::size_t serial = 0;
    const auto fresh_id = [&] { return R"("RoomId":"r)" + std::to_string(serial++) + R"(")"; };
    const std::string rest = R"("RoomType":"Live","SeatTemplate":"AudioSalon")";
    const auto info = [&](const std::string& more) { return "{" + fresh_id() + "," + rest + more + "}"; };

    const std::array<std::string_view, 13> names = {
        "RoomId",       "RoomType",          "Owner_Account",   "SeatTemplate",           "MaxSeatCount",
        "TakeSeatMode", "IsMessageDisabled", "IsPublicVisible", "IsUnlimitedRoomEnabled", "RoomName",
        "CoverURL",     "Category",          "ActivityStatus"};
    const std::vector<std::string> values = {"null",
                                             "true",
                                             "false",
                                             "0",
                                             "-0",
                                             "-1",
                                             "1",
                                             "3",
                                             "7",
                                             "9",
                                             "10",
                                             "1.5",
                                             "1e2",
                                             "2147483647",
                                             "2147483648",
                                             "-2147483648",
                                             "-2147483649",
                                             "9223372036854775807",
                                             "9223372036854775808",
                                             "-9223372036854775808",
                                             "18446744073709551615",
                                             "18446744073709551616",
                                             R"("")",
                                             R"("x")",
                                             R"("Live")",
                                             R"("AudioSalon")",
                                             R"("Karaoke")",
                                             R"("VideoDynamicGrid9Seats")",
                                             R"("VideoLandscape4Seat")",
                                             R"("FreeToTake")",
                                             R"("ApplyToTake")",
                                             R"("\u0041udioSalon")",
                                             R"("Liv\u0065")",
                                             R"("caf\u00e9")",
                                             R"("\u0001")",
                                             R"("a\"b")",
                                             "\"" + repeat("o", 32) + "\"",
                                             "\"" + repeat("o", 33) + "\"",
                                             "\"" + repeat("i", 48) + "\"",
                                             "\"" + repeat("i", 49) + "\"",
                                             "\"" + repeat("n", 101) + "\"",
                                             "\"" + repeat("u", 201) + "\"",
                                             "\"" + repeat(R"(\u0041)", 150) + "\"",
                                             "[]",
                                             "[1]",
                                             R"(["a",2,"b"])",
                                             "[1,2,3,4]",
                                             "[{}]",
                                             "[[]]",
                                             "[1.5]",
                                             "[null]",
                                             "[9223372036854775808]",
                                             "[-9223372036854775808]",
                                             R"(["\u0041"])",
                                             R"([1,[2,3],4])",
                                             "{}",
                                             R"({"RoomId":"nested","Category":[1]})"};
    for (const std::string_view name : names) {
        for (const std::string& value : values) {
            emu.create_text(R"({"RoomInfo":)" + info(",\"" + std::string(name) + "\":" + value) + "}");
        }
    }

    const std::string valid = info("");
    const std::vector<std::string> bodies = {
        // The last of duplicate keys wins, at the top and inside RoomInfo.
        R"({"RoomInfo":)" + info(R"(,"RoomName":"first")") + R"(,"RoomInfo":)" + info("") + "}",
        R"({"RoomInfo":)" + info(R"(,"Category":[1,2])") + R"(,"RoomInfo":)" + info(R"(,"IsPublicVisible":false)") +
            "}",
        R"({"RoomInfo":)" + info("") + R"(,"RoomInfo":1})", R"({"RoomInfo":1,"RoomInfo":)" + info("") + "}",
        R"({"RoomInfo":)" + info(R"(,"Category":[1,2,3,4,5],"Category":["a"])") + "}",
        R"({"RoomInfo":)" + info(R"(,"Category":["a"],"Category":[1,2,3,4,5])") + "}",
        R"({"RoomInfo":)" + info(R"(,"Category":[1],"Category":"x")") + "}",
        R"({"RoomInfo":)" + info(R"(,"Owner_Account":5,"Owner_Account":"bob")") + "}",
        R"({"RoomInfo":)" + info(R"(,"Owner_Account":"bob","Owner_Account":5)") + "}",
        // Escaped keys name the same members; a long escaped key or value arrives in parts.
        R"({"Room\u0049nfo":{"Room\u0049d":"escaped-key","\u0052oomType":"Live","SeatTemplat\u0065":"Karaoke"}})",
        R"({"RoomInfo":)" +
            info(",\"" + repeat(R"(\u0041)", 2000) + R"(":1,"RoomName":")" + repeat(R"(\u00e9)", 40) + "\"") + "}",
        R"({"RoomInfo":)" + info(R"(,"RoomName":")" + repeat(R"(\u00e9)", 3000) + "\"") + "}",
        R"({"RoomInfo":{"RoomId":")" + repeat(R"(\u0041)", 40) + R"(","RoomType":"Live","SeatTemplate":"Karaoke"}})",
        // Kept names elsewhere than where they are kept.
        R"({"Other":{"RoomInfo":)" + valid + "}}",
        R"({"RoomInfo":)" + info(R"(,"Nested":{"RoomId":"x","Category":[1,2,3,4],"RoomInfo":{}})") + "}",
        R"([{"RoomInfo":)" + info("") + "}]", R"({"RoomId":"top"})", R"({"RoomId":"top","RoomInfo":1})",
        R"({"RoomId":5,"RoomInfo":{"RoomId":"inner"}})", R"({"RoomId":"top","RoomInfo":{"RoomId":7}})", R"("text")",
        "1", "null", "{}", "[]", "true", "\t {} \r\n",
        // The depth bound: the body and RoomInfo are two levels.
        R"({"RoomInfo":)" + info(R"(,"Deep":)" + repeat("[", 30) + repeat("]", 30)) + "}",
        R"({"RoomInfo":)" + info(R"(,"Deep":)" + repeat("[", 31) + repeat("]", 31)) + "}",
        // Not JSON.
        "", "{", R"({"RoomInfo":{})", "{} x", "{}}", "{\"RoomInfo\":{\"RoomId\":\"\xff\"}}", "{\"\xc3\":1}",
        R"({"a":1,})", "/*c*/{}", R"({"RoomInfo":{"RoomId":"r",}})", R"({"MaxSeatCount":01})", R"({"a":"\x"})",
        R"({"a":"\ud800"})", R"({"a":tru})", "{\"a\":\"\n\"}"};
    for (const std::string& body : bodies) emu.create_text(body);
    BOOST_TEST(emu.tenant.rooms.size() > 100u);  // the loops above made rooms, not only refusals
}

// The readers' one-pass member index (IndexedMembers) answers exactly what if_contains answers: keys that share a
// slot (same length, first and last byte), absent keys, the empty key, other objects while one is indexed, nested
// indexes, and objects too large to index.
BOOST_AUTO_TEST_CASE(indexed_members_find_what_if_contains_finds) {
    using lee::api::IndexedMembers;
    json::object colliding;
    for (const char* key : {"Axb", "Ayb", "Azb", "", "RoomId", "RoomName", "R", "Category", "CoverURL"}) {
        colliding[key] = std::string("value of ") + key;
    }
    json::object large;
    for (int i = 0; i < 40; ++i) large["key" + std::to_string(i)] = i;
    const std::vector<std::string> probes = {"Axb", "Ayb",  "Azb",   "Awb",   "",         "RoomId",   "RoomName", "R",
                                             "Q",   "key7", "key39", "key40", "Category", "CoverURL", "CoverURI"};
    const auto agree = [&](const json::object& object) {
        for (const auto& key : probes) {
            BOOST_TEST(IndexedMembers::member(object, key) == object.if_contains(key), "key \"" << key << "\"");
        }
    };
    {
        const IndexedMembers outer(colliding);
        agree(colliding);
        agree(large);  // not the indexed object
        {
            const IndexedMembers inner(large);  // too large to index: looked up as before
            agree(large);
            agree(colliding);
        }
        agree(colliding);  // the outer index is back in force
        BOOST_TEST(IndexedMembers::member(colliding, "Ayb")->as_string() == "value of Ayb");
    }
    agree(colliding);
}

// ---------------------------------------------------------------------------------------------------------------
// RoomId

BOOST_AUTO_TEST_CASE(room_id_length_boundaries) {
    std::string out;
    const std::string id48 = repeat("a", 48);
    BOOST_TEST(!lee::api::read_room_id(json::object{{"RoomId", id48}}, "RoomInfo", out));
    BOOST_TEST(out == id48);
    BOOST_TEST(is_error(lee::api::read_room_id(json::object{{"RoomId", id48 + "a"}}, "RoomInfo", out), kInvalid,
                        "RoomInfo.RoomId exceeds 48 bytes"));
    BOOST_TEST(is_error(lee::api::read_room_id(json::object{{"RoomId", ""}}, "RoomInfo", out), kInvalid,
                        "RoomInfo.RoomId must not be empty"));
    BOOST_TEST(
        is_error(lee::api::read_room_id(json::object{}, "RoomInfo", out), kInvalid, "RoomInfo.RoomId is required"));
    BOOST_TEST(is_error(lee::api::read_room_id(json::object{{"RoomId", 5}}, "RoomInfo", out), kInvalid,
                        "RoomInfo.RoomId must be a string"));
    BOOST_TEST(!lee::api::read_room_id(json::object{{"RoomId", "x"}}, "RoomInfo", out));
    BOOST_TEST(out == "x");

    Emulator emu;
    BOOST_TEST(is_result(emu.create_info(valid_info(id48)), kOk));
    BOOST_TEST(emu.create_info(valid_info(id48)).payload_text.empty());  // 100012, not a second success
    BOOST_TEST(is_result(emu.create_info(valid_info(id48 + "b")), kInvalid, "RoomInfo.RoomId exceeds 48 bytes"));
    BOOST_TEST(is_result(emu.create_info(valid_info("")), kInvalid, "RoomInfo.RoomId must not be empty"));
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info.erase("RoomId"); }), kInvalid,
                         "RoomInfo.RoomId is required"));
    for (const json::value& id :
         {json::value(5), json::value(nullptr), json::value(true), json::value(json::array{}), json::value(1.5)}) {
        BOOST_TEST_CONTEXT("RoomId " << id) {
            BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["RoomId"] = id; }), kInvalid,
                                 "RoomInfo.RoomId must be a string"));
        }
    }
    BOOST_TEST(emu.tenant.rooms.size() == 1u);
    BOOST_TEST(stored(emu, id48).room_id == id48);
}

BOOST_AUTO_TEST_CASE(room_id_must_be_printable_ascii) {
    Emulator emu;
    const std::string printable_edges = std::string(" ~!") + "\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}";
    BOOST_TEST(is_result(emu.create_info(valid_info(printable_edges)), kOk));
    BOOST_TEST(is_result(emu.create_info(valid_info(" ")), kOk));  // a single space is printable ASCII

    const std::string bad_rule = "RoomInfo.RoomId must be printable ASCII (0x20-0x7E)";
    const std::vector<std::string> bad_ids = {
        "a\tb", "a\nb",   std::string("a\0b", 3), "\x1f",           "\x7f", "room\x7f",
        "中",   "room中", "caf\xc3\xa9",          repeat("中", 16),  // 48 bytes: within the length limit, not ASCII
    };
    for (const auto& id : bad_ids) {
        BOOST_TEST_CONTEXT("RoomId bytes " << id.size()) {
            std::string out;
            BOOST_TEST(
                is_error(lee::api::read_room_id(json::object{{"RoomId", id}}, "RoomInfo", out), kInvalid, bad_rule));
            BOOST_TEST(is_result(emu.create_info(valid_info(id)), kInvalid, bad_rule));
        }
    }
    // 17 x "中" = 51 bytes: still a 100002, whichever rule is reported.
    BOOST_TEST(emu.create_info(valid_info(repeat("中", 17))).code == kInvalid);
    BOOST_TEST(emu.tenant.rooms.size() == 2u);
}

// ---------------------------------------------------------------------------------------------------------------
// RoomType, SeatTemplate

BOOST_AUTO_TEST_CASE(room_type_must_be_exactly_live) {
    std::string out;
    BOOST_TEST(!lee::api::read_room_type(json::object{{"RoomType", "Live"}}, "RoomInfo", out));
    BOOST_TEST(out == "Live");
    BOOST_TEST(
        is_error(lee::api::read_room_type(json::object{}, "RoomInfo", out), kInvalid, "RoomInfo.RoomType is required"));

    Emulator emu;
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info.erase("RoomType"); }), kInvalid,
                         "RoomInfo.RoomType is required"));
    for (const json::value& type :
         {json::value("live"), json::value("LIVE"), json::value("Live "), json::value(""), json::value("Voice"),
          json::value(1), json::value(nullptr), json::value(true), json::value(json::array{"Live"})}) {
        BOOST_TEST_CONTEXT("RoomType " << type) {
            BOOST_TEST(is_error(lee::api::read_room_type(json::object{{"RoomType", type}}, "RoomInfo", out), kInvalid,
                                "RoomInfo.RoomType must be \"Live\""));
            BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["RoomType"] = type; }), kInvalid,
                                 "RoomInfo.RoomType must be \"Live\""));
        }
    }
    BOOST_TEST(emu.tenant.rooms.size() == 0u);
}

BOOST_AUTO_TEST_CASE(seat_template_every_valid_value_and_wrong_case) {
    Emulator emu;
    std::vector<std::string> templates(kVideoTemplates.begin(), kVideoTemplates.end());
    templates.insert(templates.end(), kLandscapeTemplates.begin(), kLandscapeTemplates.end());
    templates.insert(templates.end(), kAudioTemplates.begin(), kAudioTemplates.end());
    int n = 0;
    for (const auto& name : templates) {
        std::string out;
        BOOST_TEST(!lee::api::read_seat_template(json::object{{"SeatTemplate", name}}, "RoomInfo", out));
        BOOST_TEST(out == name);
        const std::string id = "tmpl-" + std::to_string(n++);
        BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["SeatTemplate"] = name; }, id), kOk));
        BOOST_TEST(stored(emu, id).seat_template == name);  // stored as sent, either landscape spelling
    }
    BOOST_TEST(n == 8);

    const std::string rule =
        "RoomInfo.SeatTemplate must be one of VideoDynamicGrid9Seats, VideoDynamicFloat7Seats, VideoFixedGrid9Seats, "
        "VideoFixedFloat7Seats, VideoLandscape4Seats, VideoLandscape4Seat, AudioSalon, Karaoke";
    for (const json::value& bad :
         {json::value("audiosalon"), json::value("AUDIOSALON"), json::value("karaoke"),
          json::value("videoDynamicGrid9Seats"), json::value("VideoDynamicGrid9seats"), json::value("AudioSalon "),
          json::value("VideoLandscape4seats"), json::value("VideoLandscape4"), json::value("VideoLandscape4Seatss"),
          json::value(""), json::value("Video"), json::value(1), json::value(nullptr), json::value(json::object{})}) {
        BOOST_TEST_CONTEXT("SeatTemplate " << bad) {
            std::string out;
            BOOST_TEST(is_error(lee::api::read_seat_template(json::object{{"SeatTemplate", bad}}, "RoomInfo", out),
                                kInvalid, rule));
            BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["SeatTemplate"] = bad; }, "bad"),
                                 kInvalid, rule));
        }
    }
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info.erase("SeatTemplate"); }, "bad"), kInvalid,
                         "RoomInfo.SeatTemplate is required"));
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

// ---------------------------------------------------------------------------------------------------------------
// MaxSeatCount

BOOST_AUTO_TEST_CASE(max_seat_count_audio_templates_range_and_default) {
    for (const std::uint32_t package_max : {16u, 1u, 50u}) {
        Emulator emu;
        emu.app.max_seat_count = package_max;
        const std::string range = "RoomInfo.MaxSeatCount must be between 1 and " + std::to_string(package_max);
        for (const auto seat_template : kAudioTemplates) {
            BOOST_TEST_CONTEXT("package max " << package_max << ", " << seat_template) {
                const std::string tmpl(seat_template);
                auto with_count = [&](const json::value& count) {
                    return [&tmpl, count](json::object& info) {
                        info["SeatTemplate"] = tmpl;
                        info["MaxSeatCount"] = count;
                    };
                };
                std::uint32_t out = 0;
                for (std::uint32_t count = 1; count <= package_max; ++count) {
                    BOOST_TEST(!lee::api::read_max_seat_count(json::object{{"MaxSeatCount", count}}, "RoomInfo", tmpl,
                                                              package_max, out));
                    BOOST_TEST(out == count);
                }
                const std::string lo = tmpl + "-lo";
                const std::string hi = tmpl + "-hi";
                BOOST_TEST(is_result(emu.create_with(with_count(1), lo), kOk));
                BOOST_TEST(stored(emu, lo).max_seat_count == 1u);
                BOOST_TEST(is_result(emu.create_with(with_count(package_max), hi), kOk));
                BOOST_TEST(stored(emu, hi).max_seat_count == package_max);

                for (const json::value& bad : {json::value(0), json::value(package_max + 1), json::value(-1),
                                               json::value(std::int64_t{-2147483648LL}), json::value(1000000)}) {
                    BOOST_TEST_CONTEXT("MaxSeatCount " << bad) {
                        BOOST_TEST(is_error(lee::api::read_max_seat_count(json::object{{"MaxSeatCount", bad}},
                                                                          "RoomInfo", tmpl, package_max, out),
                                            kInvalid, range));
                        BOOST_TEST(is_result(emu.create_with(with_count(bad), "bad"), kInvalid, range));
                    }
                }

                // Absent: the package maximum.
                BOOST_TEST(!lee::api::read_max_seat_count(json::object{}, "RoomInfo", tmpl, package_max, out));
                BOOST_TEST(out == package_max);
                const std::string def = tmpl + "-default";
                BOOST_TEST(
                    is_result(emu.create_with([&](json::object& info) { info["SeatTemplate"] = tmpl; }, def), kOk));
                BOOST_TEST(stored(emu, def).max_seat_count == package_max);
            }
        }
        BOOST_TEST(!emu.tenant.rooms.find("bad"));
    }
}

BOOST_AUTO_TEST_CASE(max_seat_count_non_integer_fails_for_every_template) {
    std::vector<std::string> templates(kVideoTemplates.begin(), kVideoTemplates.end());
    templates.insert(templates.end(), kAudioTemplates.begin(), kAudioTemplates.end());
    const std::string rule = "RoomInfo.MaxSeatCount must be an integer";
    // 10.0 and 1e1 are doubles in JSON terms; parse them from text so the test does not depend on how a C++
    // literal is stored.
    const std::vector<std::string> bad_texts = {"10.5",  "\"10\"", "10.0", "1e1", "true",
                                                "false", "null",   "[]",   "{}",  "-0.0"};
    Emulator emu;
    for (const auto& tmpl : templates) {
        for (const auto& text : bad_texts) {
            BOOST_TEST_CONTEXT(tmpl << " MaxSeatCount " << text) {
                const json::value bad = json::parse(text);
                std::uint32_t out = 1234;
                BOOST_TEST(is_error(
                    lee::api::read_max_seat_count(json::object{{"MaxSeatCount", bad}}, "RoomInfo", tmpl, 16, out),
                    kInvalid, rule));
                std::string body_text = R"({"RoomInfo":{"RoomId":"r","RoomType":"Live","SeatTemplate":")";
                body_text.append(tmpl).append(R"(","MaxSeatCount":)").append(text).append("}}");
                const auto body = json::parse(body_text);
                BOOST_TEST(is_result(emu.create(body), kInvalid, rule));
            }
        }
    }
    BOOST_TEST(emu.tenant.rooms.size() == 0u);
}

BOOST_AUTO_TEST_CASE(max_seat_count_is_ignored_for_video_templates) {
    Emulator emu;
    emu.app.max_seat_count = 16;
    int n = 0;
    for (std::size_t i = 0; i < kVideoTemplates.size(); ++i) {
        const std::string tmpl(kVideoTemplates[i]);
        for (const std::optional<std::int64_t> requested :
             {std::optional<std::int64_t>{}, std::optional<std::int64_t>{0}, std::optional<std::int64_t>{1},
              std::optional<std::int64_t>{9}, std::optional<std::int64_t>{17}, std::optional<std::int64_t>{-5},
              std::optional<std::int64_t>{1000000}}) {
            BOOST_TEST_CONTEXT(tmpl << " MaxSeatCount " << (requested ? std::to_string(*requested) : "absent")) {
                json::object fields;
                if (requested) fields["MaxSeatCount"] = *requested;
                std::uint32_t out = 0;
                BOOST_TEST(!lee::api::read_max_seat_count(fields, "RoomInfo", tmpl, 16, out));
                BOOST_TEST(out == kVideoSeats[i]);

                const std::string id = "video-" + std::to_string(n++);
                BOOST_TEST(is_result(emu.create_with(
                                         [&](json::object& info) {
                                             info["SeatTemplate"] = tmpl;
                                             if (requested) info["MaxSeatCount"] = *requested;
                                         },
                                         id),
                                     kOk));
                BOOST_TEST(stored(emu, id).max_seat_count == kVideoSeats[i]);
            }
        }
    }
    // The package maximum does not cap a video template either.
    emu.app.max_seat_count = 4;
    BOOST_TEST(is_result(
        emu.create_with([](json::object& info) { info["SeatTemplate"] = "VideoFixedGrid9Seats"; }, "small-package"),
        kOk));
    BOOST_TEST(stored(emu, "small-package").max_seat_count == 9u);
}

// 18446744073709551615 is a JSON integer (Boost.JSON stores it as uint64), and section 3 says a video template ignores
// MaxSeatCount's value; for an audio template it is out of range, not "not an integer".
BOOST_AUTO_TEST_CASE(max_seat_count_beyond_int64_is_still_an_integer) {
    Emulator emu;
    const auto body = json::parse(R"({"RoomInfo":{"RoomId":"big","RoomType":"Live",)"
                                  R"("SeatTemplate":"VideoDynamicGrid9Seats","MaxSeatCount":18446744073709551615}})");
    BOOST_TEST_REQUIRE(body.at("RoomInfo").at("MaxSeatCount").is_uint64());
    const CommandResult result = emu.create(body);
    BOOST_TEST(result.code == kOk, "code " << result.code << " '" << result.detail << "'");
    BOOST_TEST(stored(emu, "big").max_seat_count == 9u);
    const auto audio = json::parse(R"({"RoomInfo":{"RoomId":"big-audio","RoomType":"Live",)"
                                   R"("SeatTemplate":"AudioSalon","MaxSeatCount":18446744073709551615}})");
    const CommandResult rejected = emu.create(audio);
    BOOST_TEST(rejected.code == 100002);
    BOOST_TEST(rejected.detail == "RoomInfo.MaxSeatCount must be between 1 and 16");
    const auto category = json::parse(R"({"RoomInfo":{"RoomId":"big-tag","RoomType":"Live",)"
                                      R"("SeatTemplate":"AudioSalon","Category":[18446744073709551615]}})");
    BOOST_TEST(emu.create(category).detail == "RoomInfo.Category[0] is out of the 64-bit integer range");
}

// ---------------------------------------------------------------------------------------------------------------
// TakeSeatMode, IsMessageDisabled, IsPublicVisible

BOOST_AUTO_TEST_CASE(take_seat_mode_values) {
    Emulator emu;
    BOOST_TEST(is_result(emu.create_info(valid_info("default")), kOk));
    BOOST_TEST(stored(emu, "default").take_seat_mode == "FreeToTake");
    for (const char* mode : {"FreeToTake", "ApplyToTake"}) {
        const std::string id = std::string("mode-") + mode;
        BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["TakeSeatMode"] = mode; }, id), kOk));
        BOOST_TEST(stored(emu, id).take_seat_mode == mode);
        lee::api::EditableFields fields;
        BOOST_TEST(!lee::api::read_editable_fields(json::object{{"TakeSeatMode", mode}}, "RoomInfo", fields));
        BOOST_TEST(fields.take_seat_mode.value_or("") == mode);
    }
    const std::string rule = "RoomInfo.TakeSeatMode must be \"FreeToTake\" or \"ApplyToTake\"";
    for (const json::value& bad : {json::value("freetotake"), json::value("APPLYTOTAKE"), json::value(""),
                                   json::value("Free"), json::value(0), json::value(nullptr), json::value(false)}) {
        BOOST_TEST_CONTEXT("TakeSeatMode " << bad) {
            lee::api::EditableFields fields;
            BOOST_TEST(is_error(lee::api::read_editable_fields(json::object{{"TakeSeatMode", bad}}, "RoomInfo", fields),
                                kInvalid, rule));
            BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["TakeSeatMode"] = bad; }, "bad"),
                                 kInvalid, rule));
        }
    }
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

BOOST_AUTO_TEST_CASE(boolean_fields_and_their_defaults) {
    Emulator emu;
    BOOST_TEST(is_result(emu.create_info(valid_info("defaults")), kOk));
    BOOST_TEST(stored(emu, "defaults").is_message_disabled == false);
    BOOST_TEST(stored(emu, "defaults").is_public_visible == true);

    BOOST_TEST(is_result(emu.create_with(
                             [](json::object& info) {
                                 info["IsMessageDisabled"] = true;
                                 info["IsPublicVisible"] = false;
                             },
                             "flipped"),
                         kOk));
    BOOST_TEST(stored(emu, "flipped").is_message_disabled == true);
    BOOST_TEST(stored(emu, "flipped").is_public_visible == false);

    BOOST_TEST(is_result(emu.create_with(
                             [](json::object& info) {
                                 info["IsMessageDisabled"] = false;
                                 info["IsPublicVisible"] = true;
                             },
                             "explicit"),
                         kOk));
    BOOST_TEST(stored(emu, "explicit").is_message_disabled == false);
    BOOST_TEST(stored(emu, "explicit").is_public_visible == true);

    for (const char* key : {"IsMessageDisabled", "IsPublicVisible"}) {
        const std::string rule = std::string("RoomInfo.") + key + " must be true or false";
        for (const json::value& bad : {json::value("true"), json::value(1), json::value(0), json::value(nullptr),
                                       json::value(json::array{true}), json::value(1.0)}) {
            BOOST_TEST_CONTEXT(key << " " << bad) {
                lee::api::EditableFields fields;
                BOOST_TEST(is_error(lee::api::read_editable_fields(json::object{{key, bad}}, "RoomInfo", fields),
                                    kInvalid, rule));
                BOOST_TEST(
                    is_result(emu.create_with([&](json::object& info) { info[key] = bad; }, "bad"), kInvalid, rule));
            }
        }
    }
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

// ---------------------------------------------------------------------------------------------------------------
// RoomName, CoverURL: byte limits with multi-byte UTF-8

BOOST_AUTO_TEST_CASE(room_name_byte_limit) {
    const std::string rule = "RoomInfo.RoomName exceeds 100 bytes";
    const std::vector<std::string> ok = {
        repeat("a", 100),
        repeat("中", 33),                      // 99 bytes
        "a" + repeat("中", 33),                // 100 bytes
        repeat("a", 97) + "中",                // 100 bytes, the last character ends exactly at the limit
        repeat("a", 96) + "\xF0\x9F\x8E\xA4",  // 100 bytes, a 4-byte character (U+1F3A4) ends at the limit
        "x",
    };
    const std::vector<std::string> too_long = {
        repeat("a", 101),
        repeat("中", 34),                      // 102 bytes
        "aa" + repeat("中", 33),               // 101 bytes
        repeat("a", 98) + "中",                // 101 bytes: the limit falls inside the last character
        repeat("a", 99) + "中",                // 102 bytes: the limit falls after its first byte
        repeat("a", 97) + "\xF0\x9F\x8E\xA4",  // 101 bytes: 4-byte character crossing the limit
        repeat("a", 5000),
    };
    Emulator emu;
    int n = 0;
    for (const auto& name : ok) {
        BOOST_TEST_CONTEXT("RoomName of " << name.size() << " bytes") {
            const std::string id = "name-ok-" + std::to_string(n++);
            BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["RoomName"] = name; }, id), kOk));
            BOOST_TEST(stored(emu, id).room_name == name);
        }
    }
    for (const auto& name : too_long) {
        BOOST_TEST_CONTEXT("RoomName of " << name.size() << " bytes") {
            lee::api::EditableFields fields;
            BOOST_TEST(is_error(lee::api::read_editable_fields(json::object{{"RoomName", name}}, "RoomInfo", fields),
                                kInvalid, rule));
            BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["RoomName"] = name; }, "bad"), kInvalid,
                                 rule));
        }
    }
    for (const json::value& bad : {json::value(1), json::value(nullptr), json::value(json::array{"a"})}) {
        BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["RoomName"] = bad; }, "bad"), kInvalid,
                             "RoomInfo.RoomName must be a string"));
    }
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

BOOST_AUTO_TEST_CASE(cover_url_byte_limit) {
    const std::string rule = "RoomInfo.CoverURL exceeds 200 bytes";
    const std::string prefix = "https://example.com/";  // 20 bytes
    const std::vector<std::string> ok = {
        prefix + repeat("a", 180),         // 200
        repeat("中", 66) + "ab",           // 200
        prefix + repeat("中", 60),         // 200
        prefix + repeat("a", 177) + "中",  // 200: the last character ends exactly at the limit
        "",
    };
    const std::vector<std::string> too_long = {
        prefix + repeat("a", 181),         // 201
        repeat("中", 67),                  // 201
        prefix + repeat("a", 178) + "中",  // 201: the limit falls inside the last character
        prefix + repeat("a", 179) + "中",  // 202
    };
    Emulator emu;
    int n = 0;
    for (const auto& url : ok) {
        BOOST_TEST_CONTEXT("CoverURL of " << url.size() << " bytes") {
            const std::string id = "cover-ok-" + std::to_string(n++);
            BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["CoverURL"] = url; }, id), kOk));
            BOOST_TEST(stored(emu, id).cover_url == url);
        }
    }
    for (const auto& url : too_long) {
        BOOST_TEST_CONTEXT("CoverURL of " << url.size() << " bytes") {
            lee::api::EditableFields fields;
            BOOST_TEST(is_error(lee::api::read_editable_fields(json::object{{"CoverURL", url}}, "RoomInfo", fields),
                                kInvalid, rule));
            BOOST_TEST(
                is_result(emu.create_with([&](json::object& info) { info["CoverURL"] = url; }, "bad"), kInvalid, rule));
        }
    }
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["CoverURL"] = 7; }, "bad"), kInvalid,
                         "RoomInfo.CoverURL must be a string"));
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

// ---------------------------------------------------------------------------------------------------------------
// Category, ActivityStatus

BOOST_AUTO_TEST_CASE(category_tags) {
    Emulator emu;
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Category"] = json::parse("[]"); }, "c0"), kOk));
    BOOST_TEST(stored(emu, "c0").category.empty());
    BOOST_TEST(
        is_result(emu.create_with([](json::object& info) { info["Category"] = json::parse("[1,2,3]"); }, "c1"), kOk));
    BOOST_TEST(
        (stored(emu, "c1").category == std::vector<CategoryTag>{std::int64_t{1}, std::int64_t{2}, std::int64_t{3}}));
    BOOST_TEST(is_result(
        emu.create_with([](json::object& info) { info["Category"] = json::parse(R"(["music","中文",""])"); }, "c2"),
        kOk));
    BOOST_TEST((stored(emu, "c2").category ==
                std::vector<CategoryTag>{std::string("music"), std::string("中文"), std::string()}));
    BOOST_TEST(is_result(
        emu.create_with([](json::object& info) { info["Category"] = json::parse(R"([-7,"7",9223372036854775807])"); },
                        "c3"),
        kOk));
    BOOST_TEST((stored(emu, "c3").category ==
                std::vector<CategoryTag>{std::int64_t{-7}, std::string("7"), std::int64_t{9223372036854775807LL}}));

    BOOST_TEST(
        is_result(emu.create_with([](json::object& info) { info["Category"] = json::parse("[1,2,3,4]"); }, "bad"),
                  kInvalid, "RoomInfo.Category has more than 3 tags"));
    BOOST_TEST(is_result(
        emu.create_with([](json::object& info) { info["Category"] = json::parse(R"(["a","b","c","d"])"); }, "bad"),
        kInvalid, "RoomInfo.Category has more than 3 tags"));

    const std::vector<std::pair<std::string, std::string>> bad_elements = {
        {"[1.5]", "RoomInfo.Category[0] must be an integer or a string"},
        {"[1.0]", "RoomInfo.Category[0] must be an integer or a string"},
        {"[1,{}]", "RoomInfo.Category[1] must be an integer or a string"},
        {"[\"a\",\"b\",null]", "RoomInfo.Category[2] must be an integer or a string"},
        {"[true]", "RoomInfo.Category[0] must be an integer or a string"},
        {"[[1]]", "RoomInfo.Category[0] must be an integer or a string"},
    };
    for (const auto& [element_text, detail] : bad_elements) {
        const std::string& text = element_text;  // a lambda below captures it (clang 14 cannot capture a binding)
        BOOST_TEST_CONTEXT("Category " << text) {
            lee::api::EditableFields fields;
            BOOST_TEST(is_error(
                lee::api::read_editable_fields(json::object{{"Category", json::parse(text)}}, "RoomInfo", fields),
                kInvalid, detail));
            BOOST_TEST(!fields.category);
            BOOST_TEST(
                is_result(emu.create_with([&](json::object& info) { info["Category"] = json::parse(text); }, "bad"),
                          kInvalid, detail));
        }
    }
    for (const char* text : {"\"music\"", "1", "{}", "null", "true"}) {
        BOOST_TEST_CONTEXT("Category " << text) {
            BOOST_TEST(
                is_result(emu.create_with([&](json::object& info) { info["Category"] = json::parse(text); }, "bad"),
                          kInvalid, "RoomInfo.Category must be an array"));
        }
    }
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

BOOST_AUTO_TEST_CASE(activity_status_is_int32) {
    Emulator emu;
    BOOST_TEST(is_result(emu.create_info(valid_info("default")), kOk));
    BOOST_TEST(stored(emu, "default").activity_status == 0);
    int n = 0;
    for (const char* text : {"2147483647", "-2147483648", "0", "-1", "1"}) {
        const std::string id = "as-" + std::to_string(n++);
        BOOST_TEST_CONTEXT("ActivityStatus " << text) {
            BOOST_TEST(is_result(
                emu.create_with([&](json::object& info) { info["ActivityStatus"] = json::parse(text); }, id), kOk));
            BOOST_TEST(stored(emu, id).activity_status == std::stoll(text));
        }
    }
    for (const char* text : {"2147483648", "-2147483649", "9223372036854775807", "18446744073709551615", "1.0", "1.5",
                             "\"1\"", "true", "null", "[1]"}) {
        BOOST_TEST_CONTEXT("ActivityStatus " << text) {
            lee::api::EditableFields fields;
            BOOST_TEST(is_error(
                lee::api::read_editable_fields(json::object{{"ActivityStatus", json::parse(text)}}, "RoomInfo", fields),
                kInvalid, "RoomInfo.ActivityStatus must be a 32-bit integer"));
            BOOST_TEST(is_result(
                emu.create_with([&](json::object& info) { info["ActivityStatus"] = json::parse(text); }, "bad"),
                kInvalid, "RoomInfo.ActivityStatus must be a 32-bit integer"));
        }
    }
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

// ---------------------------------------------------------------------------------------------------------------
// Owner_Account

BOOST_AUTO_TEST_CASE(owner_account_type_is_60015_before_any_100002) {
    json::object numeric_owner = valid_info();
    numeric_owner["Owner_Account"] = 5;
    BOOST_TEST(is_error(lee::api::check_account_type(numeric_owner, "RoomInfo", "Owner_Account"), kAccountType,
                        "RoomInfo.Owner_Account"));
    BOOST_TEST(!lee::api::check_account_type(valid_info(), "RoomInfo", "Owner_Account"));
    BOOST_TEST(!lee::api::check_account_type(json::object{{"Owner_Account", ""}}, "RoomInfo", "Owner_Account"));

    Emulator emu;
    for (const char* text : {"5", "null", "true", "1.5", "[\"bob\"]", "{\"id\":\"bob\"}"}) {
        BOOST_TEST_CONTEXT("Owner_Account " << text) {
            BOOST_TEST(is_result(emu.create_with([&](json::object& o) { o["Owner_Account"] = json::parse(text); }),
                                 kAccountType, "RoomInfo.Owner_Account"));
        }
    }
    // Checked before every 100002 of the RoomInfo object.
    BOOST_TEST(is_result(emu.create_info(json::object{{"Owner_Account", 5}}), kAccountType, "RoomInfo.Owner_Account"));
    numeric_owner.erase("RoomId");
    BOOST_TEST(is_result(emu.create_info(numeric_owner), kAccountType, "RoomInfo.Owner_Account"));
    BOOST_TEST(is_result(emu.create_info(json::object{{"RoomId", repeat("x", 49)},
                                                      {"RoomType", "live"},
                                                      {"SeatTemplate", "nope"},
                                                      {"MaxSeatCount", "many"},
                                                      {"Owner_Account", json::array{}}}),
                         kAccountType, "RoomInfo.Owner_Account"));
    // ... and also before the state checks.
    emu.app.paid = false;
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Owner_Account"] = 5; }), kAccountType,
                         "RoomInfo.Owner_Account"));
    BOOST_TEST(emu.tenant.rooms.size() == 0u);
}

BOOST_AUTO_TEST_CASE(owner_account_length_and_default) {
    Emulator emu;
    emu.identifier = "admin-identifier";
    BOOST_TEST(is_result(emu.create_info(valid_info("default-owner")), kOk));
    BOOST_TEST(stored(emu, "default-owner").owner_account == "admin-identifier");

    const std::string owner32 = repeat("o", 32);
    BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["Owner_Account"] = owner32; }, "o32"), kOk));
    BOOST_TEST(stored(emu, "o32").owner_account == owner32);
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Owner_Account"] = "主播"; }, "o-utf8"), kOk));
    BOOST_TEST(stored(emu, "o-utf8").owner_account == "主播");

    BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["Owner_Account"] = owner32 + "o"; }, "bad"),
                         kInvalid, "RoomInfo.Owner_Account exceeds 32 bytes"));
    BOOST_TEST(is_result(emu.create_with([&](json::object& info) { info["Owner_Account"] = repeat("中", 11); }, "bad"),
                         kInvalid, "RoomInfo.Owner_Account exceeds 32 bytes"));  // 33 bytes
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Owner_Account"] = ""; }, "bad"), kInvalid,
                         "RoomInfo.Owner_Account must not be empty"));

    std::string out = "unchanged";
    BOOST_TEST(!lee::api::read_owner_account(json::object{}, "RoomInfo", "caller", out));
    BOOST_TEST(out == "caller");  // absent: the caller's identifier
    BOOST_TEST(!lee::api::read_owner_account(json::object{{"Owner_Account", "bob"}}, "RoomInfo", "caller", out));
    BOOST_TEST(out == "bob");
    // The default obeys the 32-byte rule too.
    const auto error = lee::api::read_owner_account(json::object{}, "RoomInfo", owner32 + "x", out);
    BOOST_TEST_REQUIRE(error.has_value());
    BOOST_TEST(error->detail == "RoomInfo.Owner_Account (defaulted to the identifier) exceeds 32 bytes");
    BOOST_TEST(!lee::api::read_owner_account(json::object{}, "RoomInfo", owner32, out));
    BOOST_TEST(out == owner32);
    BOOST_TEST(!emu.tenant.rooms.find("bad"));
}

BOOST_AUTO_TEST_CASE(field_errors_are_reported_in_a_fixed_order) {
    // Several violations at once: the first field in the documented order is named.
    Emulator emu;
    json::object info{{"RoomId", ""}, {"RoomType", "x"}, {"SeatTemplate", "x"}, {"RoomName", 1}, {"Category", 1}};
    BOOST_TEST(is_result(emu.create_info(info), kInvalid, "RoomInfo.RoomId must not be empty"));
    info["RoomId"] = "ok";
    BOOST_TEST(is_result(emu.create_info(info), kInvalid, "RoomInfo.RoomType must be \"Live\""));
    info["RoomType"] = "Live";
    BOOST_TEST(emu.create_info(info).detail.starts_with("RoomInfo.SeatTemplate must be one of"));
    info["SeatTemplate"] = "Karaoke";
    BOOST_TEST(is_result(emu.create_info(info), kInvalid, "RoomInfo.RoomName must be a string"));
    info["RoomName"] = "name";
    BOOST_TEST(is_result(emu.create_info(info), kInvalid, "RoomInfo.Category must be an array"));
    info["Category"] = json::array{};
    BOOST_TEST(is_result(emu.create_info(info), kOk));
}

BOOST_AUTO_TEST_CASE(details_become_error_info) {
    Emulator emu;
    const CommandResult result = emu.create_info(valid_info(repeat("r", 49)));
    BOOST_TEST(lee::api::error_info(result.code, result.detail) ==
               "Invalid request parameters: RoomInfo.RoomId exceeds 48 bytes");
    const CommandResult account = emu.create_with([](json::object& info) { info["Owner_Account"] = 1; });
    BOOST_TEST(lee::api::error_info(account.code, account.detail) ==
               "The request body has the wrong account type. Please ensure the account is in string format "
               "(RoomInfo.Owner_Account)");
}

// ---------------------------------------------------------------------------------------------------------------
// State checks, in the order of section 3

BOOST_AUTO_TEST_CASE(unpaid_comes_first) {
    Emulator emu;
    BOOST_TEST(is_result(emu.create_info(valid_info("existing")), kOk));
    emu.rules.sensitive_words = lee::rules::SensitiveWordMatcher({"gamble"});
    emu.app.chat_group_ids = {"gamble-group", "existing"};
    emu.app.paid = false;
    // Sensitive, a chat group, within the interval of a create that passed, and existing: still 100007.
    BOOST_TEST(is_result(emu.create_info(valid_info("existing")), 100007));
    BOOST_TEST(is_result(emu.create_info(valid_info("gamble-group")), 100007));
    BOOST_TEST(is_result(emu.create_info(valid_info("fresh")), 100007));
    // Parameter errors still come before it.
    BOOST_TEST(is_result(emu.create_info(valid_info("")), kInvalid, "RoomInfo.RoomId must not be empty"));
    BOOST_TEST(emu.tenant.rooms.size() == 1u);

    // An unpaid attempt leaves no create window behind.
    emu.app.paid = true;
    emu.app.chat_group_ids.clear();
    BOOST_TEST(is_result(emu.create_info(valid_info("fresh")), kOk));
}

BOOST_AUTO_TEST_CASE(sensitive_comes_before_chat_group_interval_and_exists) {
    Emulator emu;
    emu.rules.sensitive_words = lee::rules::SensitiveWordMatcher({"gamble", "赌博"});
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["RoomName"] = "fine"; }, "r1"), kOk));
    emu.app.chat_group_ids = {"r1", "gamble-group"};
    BOOST_TEST(is_result(emu.create_info(valid_info("gamble-group")), 100026, "RoomInfo.RoomId"));
    // r1 is a chat group, within the interval and existing, but its new name is sensitive.
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["RoomName"] = "赌博"; }, "r1"), 100026,
                         "RoomInfo.RoomName"));
    BOOST_TEST(stored(emu, "r1").room_name == "fine");
}

BOOST_AUTO_TEST_CASE(sensitive_names_the_field) {
    Emulator emu;
    emu.rules.sensitive_words = lee::rules::SensitiveWordMatcher({"gamble", "赌博", "123"});
    BOOST_TEST(is_result(emu.create_info(valid_info("my-GAMBLE-room")), 100026, "RoomInfo.RoomId"));
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["RoomName"] = "今晚赌博直播"; }), 100026,
                         "RoomInfo.RoomName"));
    BOOST_TEST(
        is_result(emu.create_with([](json::object& info) { info["CoverURL"] = "https://cdn.example.com/Gamble.png"; }),
                  100026, "RoomInfo.CoverURL"));
    BOOST_TEST(is_result(
        emu.create_with([](json::object& info) { info["Category"] = json::parse(R"([1,"music","gamble night"])"); }),
        100026, "RoomInfo.Category[2]"));
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Category"] = json::parse(R"(["赌博",2])"); }),
                         100026, "RoomInfo.Category[0]"));
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Category"] = json::parse(R"(["x123"])"); }),
                         100026, "RoomInfo.Category[0]"));
    // The first field in the order RoomId, RoomName, CoverURL, Category is named.
    BOOST_TEST(is_result(emu.create_with(
                             [](json::object& info) {
                                 info["RoomName"] = "gamble";
                                 info["CoverURL"] = "gamble";
                             },
                             "gamble"),
                         100026, "RoomInfo.RoomId"));
    const auto both_name_and_cover = [](json::object& info) {
        info["CoverURL"] = "gamble";
        info["RoomName"] = "gamble";
    };
    BOOST_TEST(is_result(emu.create_with(both_name_and_cover), 100026, "RoomInfo.RoomName"));
    BOOST_TEST(emu.tenant.rooms.size() == 0u);

    // An integer tag is never matched, even when its decimal text is a sensitive word.
    BOOST_TEST(
        is_result(emu.create_with([](json::object& info) { info["Category"] = json::parse("[123, 1234]"); }), kOk));
    BOOST_TEST((stored(emu, "room-1").category == std::vector<CategoryTag>{std::int64_t{123}, std::int64_t{1234}}));
    // Rejected attempts used no create window: room-1 was created at the same instant as they were made.
}

BOOST_AUTO_TEST_CASE(sensitive_matcher_helper_directly) {
    lee::api::EditableFields fields;
    fields.room_name = "clean";
    fields.cover_url = "clean";
    fields.category = std::vector<CategoryTag>{std::int64_t{1}, std::string("Bad")};
    BOOST_TEST(!lee::api::find_sensitive_field(lee::rules::SensitiveWordMatcher(), "RoomInfo", "bad", fields));
    const lee::rules::SensitiveWordMatcher words({"bad"});
    BOOST_TEST(lee::api::find_sensitive_field(words, "RoomInfo", "bad", fields).value_or("") == "RoomInfo.RoomId");
    BOOST_TEST(lee::api::find_sensitive_field(words, "RoomInfo", "ok", fields).value_or("") == "RoomInfo.Category[1]");
    BOOST_TEST(lee::api::find_sensitive_field(words, "", "ok", fields).value_or("") == "Category[1]");
    fields.category->pop_back();
    BOOST_TEST(!lee::api::find_sensitive_field(words, "RoomInfo", "ok", fields));
}

BOOST_AUTO_TEST_CASE(chat_group_comes_before_interval_and_exists) {
    Emulator emu;
    BOOST_TEST(is_result(emu.create_info(valid_info("grp")), kOk));
    emu.app.chat_group_ids = {"other", "grp"};
    // Same instant: 100012 and 100010 would apply, 100011 wins.
    BOOST_TEST(is_result(emu.create_info(valid_info("grp")), 100011));
    emu.now_ms += 5000;
    BOOST_TEST(is_result(emu.create_info(valid_info("grp")), 100011));
    BOOST_TEST(is_result(emu.create_info(valid_info("other")), 100011));
    BOOST_TEST(!emu.tenant.rooms.find("other"));
    BOOST_TEST(is_result(emu.create_info(valid_info("grp2")), kOk));  // exact match, not a prefix
    // A rejected (100011) attempt did not start a create window.
    emu.app.chat_group_ids.clear();
    BOOST_TEST(is_result(emu.create_info(valid_info("other")), kOk));
}

BOOST_AUTO_TEST_CASE(interval_comes_before_exists) {
    Emulator emu;
    emu.app.room_create_interval_ms = 1000;
    const std::int64_t t0 = emu.now_ms;
    BOOST_TEST(is_result(emu.create_info(valid_info("r")), kOk));
    emu.now_ms = t0 + 1;
    BOOST_TEST(is_result(emu.create_info(valid_info("r")), 100012));
    emu.identifier = "bob";
    BOOST_TEST(is_result(emu.create_info(valid_info("r")), 100012));
    emu.now_ms = t0 + 999;
    BOOST_TEST(is_result(emu.create_info(valid_info("r")), 100012));
    emu.now_ms = t0 + 1000;  // a full interval after the create that passed
    BOOST_TEST(is_result(emu.create_info(valid_info("r")), 100003));
    emu.now_ms = t0 + 1500;  // the 100003 attempt passed the interval check and started a new window
    emu.identifier = "alice";
    BOOST_TEST(is_result(emu.create_info(valid_info("r")), 100012));
    emu.now_ms = t0 + 2000;
    BOOST_TEST(is_result(emu.create_info(valid_info("r")), 100010));
    emu.now_ms = t0 + 3000;
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Owner_Account"] = "alice"; }, "r"), 100010));
    emu.now_ms = t0 + 4000;
    emu.identifier = "admin";  // same Owner_Account given explicitly by another caller: same owner
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Owner_Account"] = "alice"; }, "r"), 100010));
    emu.now_ms = t0 + 5000;
    BOOST_TEST(is_result(emu.create_with([](json::object& info) { info["Owner_Account"] = "carol"; }, "r"), 100003));
    BOOST_TEST(stored(emu, "r").owner_account == "alice");
    BOOST_TEST(stored(emu, "r").create_time == t0 / 1000);

    // The interval is per RoomId and follows the app's setting.
    BOOST_TEST(is_result(emu.create_info(valid_info("r-other")), kOk));
    emu.app.room_create_interval_ms = 0;
    BOOST_TEST(is_result(emu.create_info(valid_info("r-other")), 100010));
}

BOOST_AUTO_TEST_CASE(success_fills_in_defaults) {
    Emulator emu;
    emu.identifier = "host-1";
    emu.app.max_seat_count = 24;
    const CommandResult result = emu.create_info(valid_info("defaults-room"));
    BOOST_TEST(is_result(result, kOk));
    BOOST_TEST(result.payload_text == R"("RoomId":"defaults-room")");
    const auto room = emu.tenant.rooms.find("defaults-room");
    BOOST_TEST_REQUIRE(room.has_value());
    BOOST_TEST(room->room_id == "defaults-room");
    BOOST_TEST(room->room_name == "defaults-room");
    BOOST_TEST(room->room_type == "Live");
    BOOST_TEST(room->owner_account == "host-1");
    BOOST_TEST(room->take_seat_mode == "FreeToTake");
    BOOST_TEST(room->seat_template == "AudioSalon");
    BOOST_TEST(room->max_seat_count == 24u);
    BOOST_TEST(room->is_message_disabled == false);
    BOOST_TEST(room->is_public_visible == true);
    BOOST_TEST(room->cover_url == "");
    BOOST_TEST(room->category.empty());
    BOOST_TEST(room->activity_status == 0);
    BOOST_TEST(room->create_time == kNow / 1000);
    BOOST_TEST(room->view_count == 0u);
}

BOOST_AUTO_TEST_CASE(success_stores_every_given_field) {
    Emulator emu;
    const auto body = json::parse(R"({"RoomInfo":{
        "RoomId":"full","RoomType":"Live","Owner_Account":"owner","TakeSeatMode":"ApplyToTake",
        "SeatTemplate":"Karaoke","MaxSeatCount":8,"IsMessageDisabled":true,"IsPublicVisible":false,
        "RoomName":"直播间","CoverURL":"https://example.com/c.png","Category":[5,"music"],"ActivityStatus":-3}})");
    BOOST_TEST(is_result(emu.create(body), kOk));
    const auto room = emu.tenant.rooms.find("full");
    BOOST_TEST_REQUIRE(room.has_value());
    BOOST_TEST(room->owner_account == "owner");
    BOOST_TEST(room->take_seat_mode == "ApplyToTake");
    BOOST_TEST(room->seat_template == "Karaoke");
    BOOST_TEST(room->max_seat_count == 8u);
    BOOST_TEST(room->is_message_disabled == true);
    BOOST_TEST(room->is_public_visible == false);
    BOOST_TEST(room->room_name == "直播间");
    BOOST_TEST(room->cover_url == "https://example.com/c.png");
    BOOST_TEST((room->category == std::vector<CategoryTag>{std::int64_t{5}, std::string("music")}));
    BOOST_TEST(room->activity_status == -3);
    BOOST_TEST(room->create_time == kNow / 1000);
    BOOST_TEST(room->view_count == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
