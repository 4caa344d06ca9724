#include <algorithm>
#include <memory>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "rules/apps.hpp"
#include "rules/json_location.hpp"
#include "rules/rules_error.hpp"

using lee::rules::line_of_json_path;

BOOST_AUTO_TEST_SUITE(json_location)

constexpr std::string_view kText = R"(// comment line 1
{
  "unknown_apps": "auto",
  "defaults": {
    "rate_limits": {"create_room": 5,
                    "nope": 1}
  },
  "apps": [
    {"sdkappid": 1},
    {"sdkappid": 2,
     "paid": "yes"},
    7,
    true
  ]
})";

BOOST_AUTO_TEST_CASE(finds_keys_values_and_array_elements) {
    BOOST_TEST(line_of_json_path(kText, "$") == 3u);  // an object is located by its first member
    BOOST_TEST(line_of_json_path(kText, "unknown_apps") == 3u);
    BOOST_TEST(line_of_json_path(kText, "defaults") == 4u);
    BOOST_TEST(line_of_json_path(kText, "defaults.rate_limits.create_room") == 5u);
    BOOST_TEST(line_of_json_path(kText, "defaults.rate_limits.nope") == 6u);
    BOOST_TEST(line_of_json_path(kText, "apps[1].sdkappid") == 10u);
    BOOST_TEST(line_of_json_path(kText, "apps[1].paid") == 11u);
    BOOST_TEST(line_of_json_path(kText, "apps[2]") == 12u);
    BOOST_TEST(line_of_json_path(kText, "apps[3]") == 13u);
    BOOST_TEST(line_of_json_path("// empty\n{\n}\n", "$") == 2u);  // nothing inside: the opening bracket
    BOOST_TEST(line_of_json_path("[1,\n 2]", "[1]") == 2u);
    BOOST_TEST(line_of_json_path("[1,\n 2]", "[0]") == 1u);
    BOOST_TEST(line_of_json_path("[\n{},\n1\n]", "[0]") == 2u);            // an empty container, with more after it
    BOOST_TEST(line_of_json_path("[\n  [\n    1]]", "$") == 2u);           // a bracket is the first thing inside
    BOOST_TEST(line_of_json_path("\n7", "$") == 2u);                       // a number that ends the text
    BOOST_TEST(line_of_json_path("{\"a\": /* x\n y */\n 1}", "a") == 1u);  // a comment over two lines
    BOOST_TEST(line_of_json_path("[/*\n*/ 1,\n 2]", "[0]") == 2u);
    BOOST_TEST(line_of_json_path("{\r\n\"a\": 1,\r\n\"b\": 2\r\n}", "b") == 3u);  // CRLF
    BOOST_TEST(line_of_json_path("{\"a\": {\"\": {\"b\": 1}}}", "a..b") == 1u);   // an empty key
}

// Text the loader refused is located too (the tests above pass broken text). Under ASan these caught Boost.JSON
// 1.81 reading a byte past a chunk that ends a comment begun in an earlier one.
BOOST_AUTO_TEST_CASE(broken_text_ending_in_a_comment_is_read_within_bounds) {
    for (const std::string_view text : {"/*\n*/", "{\"a\": /*\n*/", "[1, /*\n\n*/"}) {
        // On the heap at its exact size (no terminating zero, no spare capacity), so ASan sees a byte past it.
        const auto exact = std::make_unique<char[]>(text.size());
        std::copy(text.begin(), text.end(), exact.get());
        BOOST_TEST(line_of_json_path(std::string_view(exact.get(), text.size()), "$") <= 2u);
    }
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_broken_text_give_zero) {
    BOOST_TEST(line_of_json_path(kText, "apps[9]") == 0u);
    BOOST_TEST(line_of_json_path(kText, "nothing.here") == 0u);
    BOOST_TEST(line_of_json_path("", "$") == 0u);
}

// Boost.JSON hands over a string with escapes from its own buffer, not from the text: fuzz_rules found the line
// count running past the text's end with a top-level "\\...X\\" in apps.json.
BOOST_AUTO_TEST_CASE(escaped_strings_are_located_within_the_text) {
    const std::string long_escaped = "\"" + std::string(60, '\\') + "X\\\\\"";
    BOOST_TEST(line_of_json_path(long_escaped, "$") == 1u);
    BOOST_TEST(line_of_json_path("\"\\n\"", "$") == 1u);
    const std::string in_array = "[\n\"a\",\n" + long_escaped + ",\n\"\\u0041\\n\",\n7\n]";
    BOOST_TEST(line_of_json_path(in_array, "[0]") == 2u);
    BOOST_TEST(line_of_json_path(in_array, "[1]") == 3u);
    BOOST_TEST(line_of_json_path(in_array, "[2]") == 4u);
    BOOST_TEST(line_of_json_path(in_array, "[3]") == 5u);
    const std::string keyed = "{\n\"a\\tb\": " + long_escaped + ",\n\"c\": \"\\\\\"\n}";
    BOOST_TEST(line_of_json_path(keyed, "a\tb") == 2u);
    BOOST_TEST(line_of_json_path(keyed, "c") == 3u);
    try {
        lee::rules::parse_apps(long_escaped, "apps.json");
        BOOST_FAIL("parse_apps accepted a string");
    } catch (const lee::rules::RulesError& error) {
        BOOST_TEST(error.line() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(rules_errors_name_the_line_of_the_bad_setting) {
    try {
        lee::rules::parse_apps(kText, "apps.json");
        BOOST_FAIL("parse_apps accepted an unknown command");
    } catch (const lee::rules::RulesError& error) {
        BOOST_TEST(error.line() == 6u);
        BOOST_TEST(std::string(error.what()) == "apps.json:6: defaults.rate_limits.nope: unknown command");
    }
}

BOOST_AUTO_TEST_CASE(a_missing_required_field_is_reported_where_its_object_is) {
    try {
        lee::rules::parse_apps("{\n \"apps\": [\n  {\"sdkappid\": 1},\n  {\"paid\": true}\n ]\n}", "apps.json");
        BOOST_FAIL("parse_apps accepted an app without sdkappid");
    } catch (const lee::rules::RulesError& error) {
        BOOST_TEST(error.line() == 4u);
        BOOST_TEST(std::string(error.what()) ==
                   "apps.json:4: apps[1].sdkappid: is required and must be a positive integer");
    }
}

BOOST_AUTO_TEST_SUITE_END()
