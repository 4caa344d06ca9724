// Fault rules as data (rules/fault_rules), the fault decision and its seeded schedules (faults/fault_store), the
// request journal's bounds (observe/journal), the metrics text, and the command table and UTF-8 helpers they rest
// on. Spec: emulator-interface.md "Fault rules", README "Using it in tests".
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/commands.hpp"
#include "core/error_codes.hpp"
#include "core/utf8.hpp"
#include "faults/fault_store.hpp"
#include "observe/journal.hpp"
#include "observe/metrics.hpp"
#include "rules/fault_rules.hpp"
#include "rules/rules_error.hpp"
#include "rules/rules_json.hpp"

namespace lee::core {
std::ostream& operator<<(std::ostream& out, Command command) { return out << command_name(command); }
std::ostream& operator<<(std::ostream& out, NetworkFault fault) { return out << network_fault_name(fault); }
}  // namespace lee::core

namespace json = boost::json;
using lee::core::Command;
using lee::faults::FaultStore;
using lee::faults::FaultSubject;
using lee::rules::FaultRule;

namespace {

FaultRule rule_from(std::string_view text) { return lee::rules::parse_fault_rule(json::parse(text), "$"); }

// The SettingError message parse_fault_rule gives for `text`, or "" when it accepts it.
std::string rule_error(std::string_view text) {
    try {
        (void)rule_from(text);
    } catch (const lee::rules::SettingError& error) {
        return error.what();
    }
    return "";
}

std::string header_error(std::string_view header) {
    std::string problem;
    const auto action = lee::rules::parse_fault_header(header, problem);
    return action ? "" : problem;
}

FaultSubject subject(Command command = Command::create_room, std::uint64_t sdkappid = 1,
                     std::optional<std::string_view> room_id = std::nullopt) {
    return FaultSubject{command, sdkappid, std::string_view("admin"), room_id};
}

// Which of `count` consecutive requests a store fires on, as a string of 0 and 1.
std::string firing_pattern(FaultStore& store, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out.push_back(store.decide(subject()) ? '1' : '0');
    return out;
}

// `why` must outlive the record call (a temporary in the same full expression does).
lee::observe::JournalRecord entry_for(std::uint64_t sdkappid, std::string_view why = "ok") {
    lee::observe::JournalRecord entry;
    entry.command = Command::create_room;
    entry.sdkappid = sdkappid;
    entry.why = why;
    return entry;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_table)

BOOST_AUTO_TEST_CASE(names_round_trip_and_default_rates) {
    for (const auto& row : lee::core::kCommands) {
        BOOST_TEST((lee::core::command_from_name(row.name) == row.command));
        BOOST_TEST((lee::core::find_command(row.service, row.name) == row.command));
        BOOST_TEST(lee::core::command_name(row.command) == row.name);
    }
    BOOST_TEST(lee::core::spec_of(Command::get_room_list).default_rate == 10u);
    BOOST_TEST(lee::core::spec_of(Command::create_room).default_rate == 200u);
    // The docs' rates for the console's calls: robots and statistics 100/s, the rest 200/s.
    for (const Command command : {Command::add_robot, Command::get_robot, Command::del_robot,
                                  Command::get_room_statistic, Command::get_room_stats}) {
        BOOST_TEST(lee::core::spec_of(command).default_rate == 100u);
    }
    for (const Command command : {Command::set_room_metadata, Command::get_room_metadata, Command::del_room_metadata,
                                  Command::change_room_owner, Command::get_seat_list}) {
        BOOST_TEST(lee::core::spec_of(command).default_rate == 200u);
    }
    // get_seat_list is the one command of the mic service.
    BOOST_TEST((lee::core::find_command("room_engine_http_mic", "get_seat_list") == Command::get_seat_list));
    BOOST_TEST(!lee::core::find_command("live_engine_http_srv", "get_seat_list"));
    BOOST_TEST(!lee::core::find_command("room_engine_http_mic", "create_room"));
    BOOST_TEST(!lee::core::find_command("other_srv", "create_room"));
    BOOST_TEST(!lee::core::command_from_name("Create_Room"));
}

BOOST_AUTO_TEST_CASE(error_code_index_is_dense_and_invertible) {
    std::set<std::size_t> seen;
    for (std::size_t i = 0; i <= lee::core::kErrorCodeCount; ++i) {
        const int code = lee::core::error_code_at(i);
        BOOST_TEST(lee::core::error_code_index(code) == i);
        seen.insert(i);
    }
    BOOST_TEST(lee::core::error_code_index(12345) == lee::core::kErrorCodeCount + 1);
    BOOST_TEST(seen.size() == lee::core::kErrorCodeCount + 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(invalid_bytes_become_replacement_characters) {
    BOOST_TEST(lee::core::to_valid_utf8("ad\xFF") == "ad\xEF\xBF\xBD");
    BOOST_TEST(lee::core::to_valid_utf8("caf\xC3\xA9") == "caf\xC3\xA9");
    BOOST_TEST(lee::core::to_valid_utf8("\xC3") == "\xEF\xBF\xBD");  // truncated sequence
    BOOST_TEST(lee::core::to_valid_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    BOOST_TEST(lee::core::is_valid_utf8(lee::core::to_valid_utf8("\x80\xC0\xAF\xF5")));
}

// One byte of 0x80 or more anywhere, in the eight-byte words or in the tail, makes a text not ASCII.
BOOST_AUTO_TEST_CASE(ascii_in_words_and_tail) {
    for (std::size_t size = 0; size <= 17; ++size) {
        std::string text(size, 'a');
        BOOST_TEST(lee::core::is_ascii(text), "size " << size);
        for (std::size_t at = 0; at < size; ++at) {
            std::string marked = text;
            marked[at] = '\x80';
            BOOST_TEST(!lee::core::is_ascii(marked), "size " << size << " at " << at);
        }
    }
}

BOOST_AUTO_TEST_CASE(cut_on_a_character_boundary) {
    BOOST_TEST(lee::core::to_valid_utf8("ab\xC3\xA9", 3) == "ab");
    BOOST_TEST(lee::core::to_valid_utf8("ab\xC3\xA9", 4) == "ab\xC3\xA9");
    BOOST_TEST(lee::core::to_valid_utf8("\xFF\xFF", 4) == "\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_rules)

BOOST_AUTO_TEST_CASE(a_full_rule_reads_and_writes_back) {
    const auto rule = rule_from(
        R"({"id":"slow-create","match":{"command":"create_room","sdkappid":5,"room_id":"a*","identifier":"admin"},
            "action":{"error_code":100001,"delay_ms":200},"times":3,"after":1,"probability":0.5})");
    BOOST_TEST(rule.id == "slow-create");
    BOOST_TEST((rule.match.command == Command::create_room));
    BOOST_TEST(*rule.match.sdkappid == 5u);
    BOOST_TEST(*rule.match.room_id == "a*");
    BOOST_TEST(rule.action.error_code == 100001);
    BOOST_TEST(rule.action.delay_ms == 200u);
    BOOST_TEST(*rule.times == 3u);
    BOOST_TEST(rule.after == 1u);
    BOOST_TEST(rule.probability == 0.5);
    // What GET shows (counters included) reads back as the same rule.
    json::value shown = json::value_from(rule);
    shown.as_object()["hits"] = 4;
    shown.as_object()["fired"] = 2;
    shown.as_object()["source"] = "api";
    const auto again = lee::rules::parse_fault_rule(shown, "$");
    BOOST_TEST(json::serialize(json::value_from(again)) == json::serialize(json::value_from(rule)));
}

BOOST_AUTO_TEST_CASE(bad_rules_name_the_field) {
    BOOST_TEST(rule_error(R"({"match":{}})") == "$.action: is required");
    BOOST_TEST(rule_error(R"({"action":{}})") ==
               "$.action: needs one of error_code, http_status, network, delay_ms or callback");
    BOOST_TEST(rule_error(R"({"action":{"error_code":1}})") ==
               "$.action.error_code: must be a code of the error table (e.g. 100001, 60007, 70001)");
    BOOST_TEST(rule_error(R"({"action":{"error_code":0}})").find("$.action.error_code") == 0u);
    BOOST_TEST(rule_error(R"({"action":{"http_status":199}})") ==
               "$.action.http_status: must be an HTTP status 200..599 other than 204, 205 and 304");
    BOOST_TEST(rule_error(R"({"action":{"network":"explode"}})") ==
               "$.action.network: must be reset, close, garbage, truncated or stall");
    BOOST_TEST(rule_error(R"({"action":{"error_code":100001,"http_status":503}})") ==
               "$.action: error_code, http_status and network exclude each other");
    BOOST_TEST(rule_error(R"({"action":{"delay_ms":600001}})") == "$.action.delay_ms: must be at most 600000");
    BOOST_TEST(rule_error(R"({"action":{"delay_ms":1},"times":0})") ==
               "$.times: must be at least 1 (leave it out for no limit)");
    BOOST_TEST(rule_error(R"({"action":{"delay_ms":1},"probability":1.5})") ==
               "$.probability: must be a number from 0 to 1");
    BOOST_TEST(rule_error(R"({"action":{"delay_ms":1},"match":{"command":"nope"}})") ==
               "$.match.command: unknown command nope");
    BOOST_TEST(rule_error(R"({"action":{"delay_ms":1},"match":{"room":"x"}})") ==
               "$.match.room: unknown match field (command, sdkappid, room_id, identifier)");
    BOOST_TEST(rule_error(R"({"action":{"delay_ms":1},"id":"has space"})").find("$.id: must be 1..64") == 0u);
    BOOST_TEST(rule_error(R"({"action":{"delay_ms":1},"priority":1})") ==
               "$.priority: unknown field (id, match, action, times, after, probability)");
    BOOST_TEST(rule_error(R"([])") == "$: must be a fault rule object");
    BOOST_TEST(rule_error(R"({"action":{"network":"stall","delay_ms":5},"times":null})").empty());
}

BOOST_AUTO_TEST_CASE(faults_file_errors_name_file_and_line) {
    try {
        (void)lee::rules::parse_faults_file(
            "{\n  // comment\n  \"faults\": [\n    {\"action\": {\"error_code\": 42}}\n  ]\n}", "rules/faults.json");
        BOOST_FAIL("accepted a bad faults.json");
    } catch (const lee::rules::RulesError& error) {
        BOOST_TEST(error.file() == "rules/faults.json");
        BOOST_TEST(error.line() == 4u);
        BOOST_TEST(std::string(error.what()).find("faults[0].action.error_code") != std::string::npos);
    }
    try {
        (void)lee::rules::parse_faults_file(
            "{\"faults\": [\n{\"id\":\"a\",\"action\":{\"delay_ms\":1}},\n"
            "{\"id\":\"a\",\"action\":{\"delay_ms\":1}}]}",
            "f.json");
        BOOST_FAIL("accepted a duplicate id");
    } catch (const lee::rules::RulesError& error) {
        BOOST_TEST(error.line() == 3u);
        BOOST_TEST(std::string(error.what()).find("is used twice") != std::string::npos);
    }
    try {
        (void)lee::rules::parse_faults_file("{\"faults\": [\n  {\"action\": }\n]}", "f.json");
        BOOST_FAIL("accepted broken JSON");
    } catch (const lee::rules::RulesError& error) {
        BOOST_TEST(error.line() == 2u);
    }
}

BOOST_AUTO_TEST_CASE(unnamed_file_rules_are_named_by_their_place) {
    const auto rules = lee::rules::parse_faults_file(
        R"([{"action":{"delay_ms":1}}, {"id":"mine","action":{"delay_ms":1}}, {"action":{"delay_ms":1}}])", "f.json");
    BOOST_TEST(rules.size() == 3u);
    BOOST_TEST(rules[0].id == "file-1");
    BOOST_TEST(rules[1].id == "mine");
    BOOST_TEST(rules[2].id == "file-3");
}

BOOST_AUTO_TEST_CASE(header_syntax) {
    std::string problem;
    const auto action = lee::rules::parse_fault_header(" error_code=100001 ; delay_ms=200", problem);
    BOOST_TEST_REQUIRE(action.has_value());
    BOOST_TEST(action->error_code == 100001);
    BOOST_TEST(action->delay_ms == 200u);
    BOOST_TEST(lee::rules::parse_fault_header("network=reset", problem)->network == lee::core::NetworkFault::reset);
    BOOST_TEST(lee::rules::parse_fault_header("http_status=503", problem)->http_status == 503u);

    BOOST_TEST(header_error("") == "X-Emulator-Fault: empty item (items are name=value joined by ;)");
    BOOST_TEST(header_error("error_code=100001;") == "X-Emulator-Fault: empty item (items are name=value joined by ;)");
    BOOST_TEST(header_error("error_code") == "X-Emulator-Fault: 'error_code' is not name=value");
    BOOST_TEST(header_error("error_code=abc") == "X-Emulator-Fault error_code: must be a decimal integer, got 'abc'");
    BOOST_TEST(header_error("error_code=-1") == "X-Emulator-Fault error_code: must be a decimal integer, got '-1'");
    BOOST_TEST(header_error("error_code=99999999999999999999").find("must be a decimal integer") != std::string::npos);
    BOOST_TEST(header_error("error_code=1") ==
               "X-Emulator-Fault error_code: must be a code of the error table (e.g. 100001, 60007, 70001)");
    BOOST_TEST(header_error("network=boom") ==
               "X-Emulator-Fault network: must be reset, close, garbage, truncated or stall");
    BOOST_TEST(header_error("delay_ms=600001") == "X-Emulator-Fault delay_ms: must be at most 600000");
    BOOST_TEST(header_error("delay_ms=1;delay_ms=2") == "X-Emulator-Fault delay_ms: is given twice");
    BOOST_TEST(header_error("error_code=100001;network=reset") ==
               "X-Emulator-Fault: error_code, http_status and network exclude each other");
    BOOST_TEST(header_error("flood=1") ==
               "X-Emulator-Fault: unknown action 'flood' (error_code, http_status, delay_ms, network, callback)");
}

BOOST_AUTO_TEST_CASE(globs) {
    using lee::rules::glob_match;
    BOOST_TEST(glob_match("*", ""));
    BOOST_TEST(glob_match("*", "anything"));
    BOOST_TEST(glob_match("order-*", "order-1"));
    BOOST_TEST(!glob_match("order-*", "xorder-1"));
    BOOST_TEST(glob_match("a?c", "abc"));
    BOOST_TEST(!glob_match("a?c", "ac"));
    BOOST_TEST(glob_match("*-live-*", "room-live-7"));
    BOOST_TEST(glob_match("a*b*c", "aXXbYYc"));
    BOOST_TEST(!glob_match("a*b*c", "aXXbYY"));
    BOOST_TEST(glob_match("exact", "exact"));
    BOOST_TEST(!glob_match("exact", "exactly"));
    // No exponential blow-up on hostile patterns.
    BOOST_TEST(!glob_match(std::string(100, '*') + "b", std::string(10000, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_store)

BOOST_AUTO_TEST_CASE(nothing_to_decide_without_rules) {
    FaultStore store(1);
    BOOST_TEST(store.empty());
    BOOST_TEST(!store.decide(subject()));
}

BOOST_AUTO_TEST_CASE(matching_on_each_field) {
    FaultStore store(1);
    store.add({rule_from(R"({"id":"r","match":{"command":"get_room_info","sdkappid":7,"room_id":"live-?",
                                              "identifier":"admin"},"action":{"error_code":100001}})")});
    BOOST_TEST(store.needs_room_id());
    BOOST_TEST(store.decide(subject(Command::get_room_info, 7, "live-1")).has_value());
    BOOST_TEST(!store.decide(subject(Command::create_room, 7, "live-1")));
    BOOST_TEST(!store.decide(subject(Command::get_room_info, 8, "live-1")));
    BOOST_TEST(!store.decide(subject(Command::get_room_info, 7, "live-12")));
    BOOST_TEST(!store.decide(subject(Command::get_room_info, 7, std::nullopt)));
    BOOST_TEST(!store.decide(FaultSubject{Command::get_room_info, 7, std::string_view("other"), "live-1"}));
    BOOST_TEST(!store.decide(FaultSubject{Command::get_room_info, std::nullopt, std::string_view("admin"), "live-1"}));
}

BOOST_AUTO_TEST_CASE(times_and_after) {
    FaultStore store(1);
    store.add({rule_from(R"({"id":"r","action":{"error_code":100001},"after":2,"times":3})")});
    BOOST_TEST(firing_pattern(store, 8) == "00111000");
    const auto shown = store.to_json();
    BOOST_TEST(shown[0].at("hits").as_uint64() == 8u);
    BOOST_TEST(shown[0].at("fired").as_uint64() == 3u);
}

BOOST_AUTO_TEST_CASE(an_exhausted_rule_steps_aside) {
    FaultStore store(1);
    store.add({rule_from(R"({"id":"first","action":{"error_code":100001},"times":2})"),
               rule_from(R"({"id":"second","action":{"http_status":503}})")});
    std::vector<std::string> fired;
    fired.reserve(4);
    for (int i = 0; i < 4; ++i) fired.push_back(store.decide(subject())->rule_id);
    BOOST_TEST(fired == (std::vector<std::string>{"first", "first", "second", "second"}),
               boost::test_tools::per_element());
    BOOST_TEST(store.decide(subject())->why == "fault: rule \"second\" (hit 3)");
}

BOOST_AUTO_TEST_CASE(the_why_names_rule_and_schedule) {
    FaultStore store(1);
    store.add({rule_from(R"({"id":"slow-create","action":{"delay_ms":5},"times":5})")});
    (void)store.decide(subject());
    (void)store.decide(subject());
    BOOST_TEST(store.decide(subject())->why == "fault: rule \"slow-create\" (hit 3 of times=5)");
}

BOOST_AUTO_TEST_CASE(probability_is_reproducible_per_seed) {
    const auto pattern = [](std::uint64_t seed) {
        FaultStore store(seed);
        store.add({rule_from(R"({"id":"coin","action":{"error_code":100001},"probability":0.5})")});
        return firing_pattern(store, 200);
    };
    const std::string first = pattern(42);
    BOOST_TEST(first == pattern(42));
    BOOST_TEST(first != pattern(43));
    const auto ones = std::count(first.begin(), first.end(), '1');
    BOOST_TEST(ones > 60);
    BOOST_TEST(ones < 140);

    FaultStore never(1);
    never.add({rule_from(R"({"action":{"error_code":100001},"probability":0})")});
    BOOST_TEST(firing_pattern(never, 50) == std::string(50, '0'));
}

BOOST_AUTO_TEST_CASE(probability_draws_do_not_depend_on_other_rules) {
    // A rule's draws are keyed by its own id and match number, so adding an unrelated rule changes nothing.
    FaultStore alone(9);
    alone.add({rule_from(R"({"id":"coin","match":{"sdkappid":1},"action":{"error_code":100001},"probability":0.3})")});
    FaultStore crowded(9);
    crowded.add(
        {rule_from(R"({"id":"other","match":{"sdkappid":2},"action":{"error_code":100001},"probability":0.3})"),
         rule_from(R"({"id":"coin","match":{"sdkappid":1},"action":{"error_code":100001},"probability":0.3})")});
    std::string a;
    std::string b;
    for (int i = 0; i < 100; ++i) {
        (void)crowded.decide(subject(Command::create_room, 2));
        a.push_back(alone.decide(subject()) ? '1' : '0');
        b.push_back(crowded.decide(subject()) ? '1' : '0');
    }
    BOOST_TEST(a == b);
}

BOOST_AUTO_TEST_CASE(times_holds_under_concurrency) {
    FaultStore store(1);
    store.add({rule_from(R"({"id":"r","action":{"error_code":100001},"times":100})")});
    std::atomic<int> fired{0};
    std::vector<std::thread> threads;
    threads.reserve(8);
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                if (store.decide(subject())) ++fired;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(fired.load() == 100);
}

BOOST_AUTO_TEST_CASE(ids_duplicates_and_removal) {
    FaultStore store(1);
    const auto ids = store.add({rule_from(R"({"action":{"delay_ms":1}})"), rule_from(R"({"action":{"delay_ms":1}})")});
    BOOST_TEST(ids == (std::vector<std::string>{"fault-1", "fault-2"}), boost::test_tools::per_element());
    BOOST_CHECK_THROW(store.add({rule_from(R"({"id":"fault-1","action":{"delay_ms":1}})")}), std::invalid_argument);
    // All or nothing: a batch with one bad rule adds none.
    BOOST_CHECK_THROW(store.add({rule_from(R"({"id":"new","action":{"delay_ms":1}})"),
                                 rule_from(R"({"id":"fault-2","action":{"delay_ms":1}})")}),
                      std::invalid_argument);
    BOOST_TEST(store.to_json().size() == 2u);
    BOOST_TEST(store.remove("fault-1"));
    BOOST_TEST(!store.remove("fault-1"));
    BOOST_TEST(store.to_json().size() == 1u);
}

BOOST_AUTO_TEST_CASE(reset_restores_file_rules_and_scopes_to_an_app) {
    const std::vector<FaultRule> file = {rule_from(R"({"id":"f5","match":{"sdkappid":5},"action":{"delay_ms":1}})"),
                                         rule_from(R"({"id":"f6","match":{"sdkappid":6},"action":{"delay_ms":1}})")};
    FaultStore store(1);
    store.load(file);
    store.add({rule_from(R"({"id":"a5","match":{"sdkappid":5},"action":{"delay_ms":1}})"),
               rule_from(R"({"id":"a6","match":{"sdkappid":6},"action":{"delay_ms":1}})"),
               rule_from(R"({"id":"all","action":{"delay_ms":1}})")});
    for (int i = 0; i < 3; ++i) {
        (void)store.decide(subject(Command::create_room, 5));
        (void)store.decide(subject(Command::create_room, 6));
    }
    store.reset(file, 5);
    auto shown = store.to_json();
    std::vector<std::string> ids;
    for (const auto& rule : shown) ids.emplace_back(rule.at("id").as_string());
    BOOST_TEST(ids == (std::vector<std::string>{"f5", "f6", "a6", "all"}), boost::test_tools::per_element());
    BOOST_TEST(shown[0].at("fired").as_uint64() == 0u);  // f5 renewed
    BOOST_TEST(shown[1].at("fired").as_uint64() == 3u);  // f6 kept its counters
    BOOST_TEST(shown[0].at("source").as_string() == "file");

    store.reset(file, std::nullopt);
    shown = store.to_json();
    BOOST_TEST(shown.size() == 2u);
    BOOST_TEST(shown[1].at("fired").as_uint64() == 0u);
}

BOOST_AUTO_TEST_CASE(clear_by_app) {
    FaultStore store(1);
    store.add({rule_from(R"({"id":"a5","match":{"sdkappid":5},"action":{"delay_ms":1}})"),
               rule_from(R"({"id":"all","action":{"delay_ms":1}})")});
    store.clear(5);
    BOOST_TEST(store.to_json().size() == 1u);
    store.clear(std::nullopt);
    BOOST_TEST(store.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(journal)

BOOST_AUTO_TEST_CASE(keeps_exactly_the_newest_entries) {
    lee::observe::Journal journal(32, std::size_t{1} << 20);
    for (int i = 0; i < 100; ++i) journal.record(entry_for(1));
    const auto stats = journal.stats();
    BOOST_TEST(stats.entries == 32u);
    BOOST_TEST(stats.dropped == 68u);
    BOOST_TEST(stats.recorded == 100u);
    lee::observe::JournalQuery query;
    query.limit = 1000;
    const auto entries = journal.query(query);
    BOOST_TEST_REQUIRE(entries.size() == 32u);
    for (std::size_t i = 0; i < entries.size(); ++i) BOOST_TEST(entries[i].seq == 69 + i);
}

BOOST_AUTO_TEST_CASE(bounded_by_bytes) {
    lee::observe::Journal journal(1000, 8192);
    for (int i = 0; i < 500; ++i) journal.record(entry_for(1, std::string(400, 'w')));
    const auto stats = journal.stats();
    BOOST_TEST(stats.bytes <= 8192u);
    BOOST_TEST(stats.entries > 0u);
    BOOST_TEST(stats.dropped == 500u - stats.entries);
}

// A text mended to valid UTF-8 can grow (an invalid byte becomes three): the byte bound still holds after the push.
BOOST_AUTO_TEST_CASE(bounded_by_bytes_when_mending_grows_text) {
    lee::observe::Journal journal(1000, 8192);
    const std::string invalid(170, '\xFF');  // 170 bytes given, 510 kept
    for (int i = 0; i < 100; ++i) {
        auto entry = entry_for(1, invalid);
        entry.path = invalid;
        entry.identifier = std::string_view(invalid).substr(0, 42);
        journal.record(entry);
        BOOST_TEST_REQUIRE(journal.stats().bytes <= 8192u, "after record " << i);
    }
    BOOST_TEST(journal.stats().entries > 0u);
    BOOST_TEST(journal.query({}).back().why == lee::core::to_valid_utf8(invalid, 512));
}

BOOST_AUTO_TEST_CASE(the_ring_grows_again_after_byte_evictions) {
    // Large entries push the oldest out by bytes while the ring is below its entry bound; small ones then need
    // more slots than the ring has: it grows without losing the order.
    lee::observe::Journal journal(1000, std::size_t{64} * 1024);
    for (int i = 0; i < 200; ++i) journal.record(entry_for(1, std::string(500, 'w')));
    for (int i = 0; i < 500; ++i) journal.record(entry_for(1));
    const auto stats = journal.stats();
    BOOST_TEST(stats.bytes <= 64u * 1024u);
    lee::observe::JournalQuery query;
    query.limit = 1000;
    const auto entries = journal.query(query);
    BOOST_TEST_REQUIRE(entries.size() == stats.entries);
    BOOST_TEST(entries.back().seq == 700u);
    for (std::size_t i = 1; i < entries.size(); ++i) BOOST_TEST_REQUIRE(entries[i].seq == entries[i - 1].seq + 1);
    BOOST_TEST(stats.dropped == 700u - stats.entries);
}

BOOST_AUTO_TEST_CASE(filters_limit_and_clear_by_app) {
    lee::observe::Journal journal(100, std::size_t{1} << 20);
    for (int i = 0; i < 10; ++i) journal.record(entry_for(i % 2 == 0 ? 1 : 2));
    lee::observe::JournalQuery query;
    query.sdkappid = 2;
    query.limit = 3;
    const auto entries = journal.query(query);
    BOOST_TEST_REQUIRE(entries.size() == 3u);
    BOOST_TEST(entries[0].seq == 6u);
    BOOST_TEST(entries[2].seq == 10u);
    journal.clear(2);
    BOOST_TEST(journal.query(query).empty());
    query.sdkappid = 1;
    BOOST_TEST(journal.query(query).size() == 3u);
    BOOST_TEST(journal.stats().entries == 5u);
}

BOOST_AUTO_TEST_CASE(text_is_bounded_and_valid_utf8) {
    lee::observe::Journal journal(10, std::size_t{1} << 20);
    auto entry = entry_for(1);
    const std::string identifier = "ad\xFF" + std::string(1000, 'x');
    entry.identifier = identifier;
    journal.record(entry);
    const auto entries = journal.query({});
    BOOST_TEST_REQUIRE(entries.size() == 1u);
    BOOST_TEST(entries[0].identifier.substr(0, 5) == "ad\xEF\xBF\xBD");
    BOOST_TEST(entries[0].identifier.size() <= 128u);
}

// A slot keeps its eight texts end to end: each comes back whole and in its own field, ASCII or not, when a
// neighbour had to be mended or cut, and when the slot is reused by a shorter entry.
BOOST_AUTO_TEST_CASE(each_text_comes_back_in_its_field) {
    lee::observe::Journal journal(1, std::size_t{1} << 20);  // one slot, reused by every entry
    lee::observe::JournalQuery by_room;
    by_room.room_id = "r\u00e9";
    const auto recorded = [&](std::array<std::string, 8> texts) {
        lee::observe::JournalRecord record;
        record.method = texts[0];
        record.path = texts[1];
        record.identifier = texts[2];
        record.room_id = texts[3];
        record.request_id = texts[4];
        record.network = texts[5];
        record.fault = texts[6];
        record.why = texts[7];
        journal.record(record);
        const auto entries = journal.query({});
        BOOST_TEST_REQUIRE(entries.size() == 1u);
        const auto& e = entries[0];
        return std::array<std::string, 8>{e.method,     e.path,    e.identifier, e.room_id,
                                          e.request_id, e.network, e.fault,      e.why};
    };
    const std::array<std::string, 8> ascii = {"POST", "/v4/x", "admin", "room-1", "id-1", "reset", "rule", "ok: why"};
    BOOST_TEST((recorded(ascii) == ascii));
    const std::array<std::string, 8> accented = {"POST", "/v4/\u00e9", "\u7528\u6237", "r\u00e9",
                                                 "",     "",           "r\u00e8gle",   "ok: \u00e9"};
    BOOST_TEST((recorded(accented) == accented));
    BOOST_TEST(journal.query(by_room).size() == 1u);
    std::array<std::string, 8> cut = accented;
    cut[7] = std::string(600, 'w');
    const auto kept = recorded(cut);
    for (std::size_t i = 0; i < 7; ++i) BOOST_TEST(kept[i] == cut[i], "text " << i);
    BOOST_TEST(kept[7] == std::string(512, 'w'));  // why is cut to its bound
    std::array<std::string, 8> broken = accented;
    broken[2] = "ad\xFF";
    const auto mended = recorded(broken);
    BOOST_TEST(mended[2] == "ad\xEF\xBF\xBD");
    for (std::size_t i = 0; i < 8; ++i) {
        if (i != 2) BOOST_TEST(mended[i] == broken[i], "text " << i);
    }
    BOOST_TEST((recorded({"GET", "/", "", "", "", "", "", "ok"}) ==
                std::array<std::string, 8>{"GET", "/", "", "", "", "", "", "ok"}));
    BOOST_TEST(journal.query(by_room).empty());
}

BOOST_AUTO_TEST_CASE(off_records_nothing) {
    lee::observe::Journal journal(0, 4096);
    journal.record(entry_for(1));
    BOOST_TEST(!journal.enabled());
    BOOST_TEST(journal.stats().entries == 0u);
}

BOOST_AUTO_TEST_CASE(concurrent_recording_loses_nothing) {
    lee::observe::Journal journal(64000, std::size_t{64} << 20);
    std::vector<std::thread> threads;
    threads.reserve(8);
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) journal.record(entry_for(1));
        });
    }
    for (auto& thread : threads) thread.join();
    lee::observe::JournalQuery query;
    query.limit = 100000;
    const auto entries = journal.query(query);
    BOOST_TEST_REQUIRE(entries.size() == 16000u);
    for (std::size_t i = 0; i < entries.size(); ++i) BOOST_TEST_REQUIRE(entries[i].seq == i + 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(counts_land_in_their_series) {
    lee::observe::Metrics metrics;
    metrics.count_api(Command::create_room, 0, 200, 0.0003);
    metrics.count_api(Command::create_room, 100012, 200, 0.002);
    metrics.count_api(std::nullopt, 60009, 200, 0.00005);
    metrics.count_api(Command::get_room_info, 0, 503, 0.0001);
    metrics.count_network_fault(Command::destroy_room, lee::core::NetworkFault::reset);
    lee::observe::MetricsSnapshot snapshot;
    snapshot.faults_fired = {{"a\"b", 2}};
    const std::string text = metrics.render(snapshot);
    auto has = [&](std::string_view line) { return text.find(std::string(line) + "\n") != std::string::npos; };
    BOOST_TEST(has(R"(lee_requests_total{command="create_room",error_code="0"} 1)"));
    BOOST_TEST(has(R"(lee_requests_total{command="create_room",error_code="100012"} 1)"));
    BOOST_TEST(has(R"(lee_requests_total{command="unknown",error_code="60009"} 1)"));
    BOOST_TEST(has(R"(lee_requests_total{command="get_room_info",error_code="none"} 1)"));
    BOOST_TEST(has(R"(lee_http_responses_total{status="200"} 3)"));
    BOOST_TEST(has(R"(lee_http_responses_total{status="503"} 1)"));
    BOOST_TEST(has(R"(lee_request_duration_seconds_bucket{command="create_room",le="0.0005"} 1)"));
    BOOST_TEST(has(R"(lee_request_duration_seconds_bucket{command="create_room",le="0.0025"} 2)"));
    BOOST_TEST(has(R"(lee_request_duration_seconds_bucket{command="create_room",le="+Inf"} 2)"));
    BOOST_TEST(has(R"(lee_request_duration_seconds_count{command="create_room"} 2)"));
    BOOST_TEST(has(R"(lee_network_faults_total{command="destroy_room",network="reset"} 1)"));
    BOOST_TEST(has(R"(lee_faults_fired_total{rule="a\"b"} 2)"));
    BOOST_TEST(text.find("command=\"update_room_info\",le=") == std::string::npos);  // never called: no series
}

BOOST_AUTO_TEST_SUITE_END()
