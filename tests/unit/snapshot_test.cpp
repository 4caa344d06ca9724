// Snapshots: a room through JSON and back, the registry's windows and replace, the clock's state, and the
// document's validation (every problem named by its JSON path).
#include <boost/test/unit_test.hpp>

#include <string>

#include <boost/json.hpp>

#include "rules/rules_json.hpp"
#include "state/room_json.hpp"
#include "state/snapshot.hpp"

using namespace lee::state;
namespace json = boost::json;

namespace {

Room full_room() {
    Room room;
    room.room_id = "r-1";
    room.room_name = "名前";
    room.owner_account = "alice";
    room.seat_template = "AudioSalon";
    room.max_seat_count = 9;
    room.is_public_visible = false;
    room.category = {std::int64_t{3}, std::string("music")};
    room.create_time = 1'800'000'000;
    room.notice = "n";
    room.metadata = {{"k", "v"}, {"a", ""}};
    room.robots = {"bot"};
    return room;
}

std::string problem_of(const json::value& document) {
    try {
        parse_snapshot(document, lee::rules::AppsConfig{}, TenantLimits{}, std::nullopt);
    } catch (const lee::rules::SettingError& error) {
        return error.what();
    }
    return "accepted";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(snapshot)

BOOST_AUTO_TEST_CASE(a_room_reads_back_as_it_was_written) {
    const Room room = full_room();
    const json::value written = json::value_from(room);
    const Room read = read_room(written, "$");
    BOOST_TEST(json::serialize(json::value_from(read)) == json::serialize(written));
    BOOST_TEST(read.metadata.size() == 2U);
    BOOST_TEST(std::get<std::string>(read.category[1]) == "music");
}

BOOST_AUTO_TEST_CASE(registry_replace_and_open_windows) {
    RoomRegistry registry;
    BOOST_TEST((registry.create(full_room(), 10'000, 1000) == CreateOutcome::created));
    registry.replace({full_room()}, {{"gone", {9'000, 9'500}}, {"open", {9'900, 10'900}}});
    BOOST_TEST(registry.size() == 1U);
    const auto windows = registry.open_windows(10'000);
    BOOST_TEST_REQUIRE(windows.size() == 1U);
    BOOST_TEST(windows[0].first == "open");
    BOOST_TEST((registry.create(full_room(), 10'000, 1000) == CreateOutcome::exists_same_owner));
    Room other = full_room();
    other.room_id = "open";
    BOOST_TEST((registry.create(other, 10'000, 1000) == CreateOutcome::too_frequent));
}

BOOST_AUTO_TEST_CASE(the_clock_state_comes_back) {
    EmulatorClock clock;
    clock.freeze();
    clock.set(1'234);
    const ClockState frozen = clock.state();
    EmulatorClock other;
    other.restore(frozen);
    BOOST_TEST(other.frozen());
    BOOST_TEST(other.now_ms() == 1'234);
    other.resume();
    other.set(5'000'000'000'000);
    EmulatorClock third;
    third.restore(other.state());
    BOOST_TEST(!third.frozen());
    BOOST_TEST(std::abs(third.now_ms() - 5'000'000'000'000) < 60'000);
}

BOOST_AUTO_TEST_CASE(problems_are_named_by_path) {
    const json::value base = json::parse(R"({"format":"live-engine-emulator snapshot","version":1,
        "clock":{"frozen":true,"now_ms":5,"offset_ms":0},"apps":[]})");
    BOOST_TEST(problem_of(base) == "accepted");
    auto with = [&](const char* key, json::value value) {
        json::value copy = base;
        copy.as_object()[key] = std::move(value);
        return problem_of(copy);
    };
    BOOST_TEST(with("version", 2).starts_with("$.version"));
    BOOST_TEST(with("extra", 1) == "$.extra: unknown field");
    BOOST_TEST(with("apps", json::parse(R"([{"sdkappid":0}])")).starts_with("$.apps[0].sdkappid"));
    BOOST_TEST(with("apps", json::parse(R"([{"sdkappid":1},{"sdkappid":1}])")) ==
               "$.apps[1].sdkappid: is listed twice");
    BOOST_TEST(with("apps", json::parse(R"([{"sdkappid":1,"rooms":[{"RoomId":"a"},{"RoomId":"a"}]}])")) ==
               "$.apps[0].rooms[1].RoomId: is listed twice");
    BOOST_TEST(
        with("apps", json::parse(R"([{"sdkappid":1,"rooms":[{"RoomId":"a","Metadata":[{"Key":1,"Value":""}]}]}])"))
            .starts_with("$.apps[0].rooms[0].Metadata[0].Key"));
    BOOST_TEST(
        with("apps",
             json::parse(R"([{"sdkappid":1,"create_windows":[{"RoomId":"a","started_ms":9,"expires_ms":3}]}])")) ==
        "$.apps[0].create_windows[0].expires_ms: is before started_ms");
    BOOST_TEST(
        with("clock", json::parse(R"({"frozen":true,"now_ms":-1,"offset_ms":0})")).starts_with("$.clock.now_ms"));
}

BOOST_AUTO_TEST_CASE(bounds_are_checked_before_anything_changes) {
    const json::value document = json::parse(R"({"format":"live-engine-emulator snapshot","version":1,
        "clock":{"frozen":true,"now_ms":5,"offset_ms":0},
        "apps":[{"sdkappid":1,"rooms":[{"RoomId":"a"},{"RoomId":"b"}]},{"sdkappid":2,"rooms":[{"RoomId":"a"}]}]})");
    TenantLimits limits;
    limits.max_rooms_per_app = 1;
    BOOST_CHECK_THROW(parse_snapshot(document, lee::rules::AppsConfig{}, limits, std::nullopt),
                      lee::rules::SettingError);
    limits.max_rooms_per_app = 2;
    limits.max_apps = 1;
    BOOST_CHECK_THROW(parse_snapshot(document, lee::rules::AppsConfig{}, limits, std::nullopt),
                      lee::rules::SettingError);
    limits.max_apps = 2;
    const Snapshot parsed = parse_snapshot(document, lee::rules::AppsConfig{}, limits, std::nullopt);
    BOOST_TEST(parsed.apps.size() == 2U);
}

BOOST_AUTO_TEST_SUITE_END()
