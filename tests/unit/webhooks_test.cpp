// Webhooks: the Sign/RequestTime scheme (webhooks/signature), the callback URL's parameters, the webhook settings
// of apps.json and the control API (rules/apps, rules/webhook_settings), the `callback` fault action
// (rules/fault_rules), and the dispatcher's behaviour without an I/O thread. Spec: README "Webhooks".
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/callback_events.hpp"
#include "rules/apps.hpp"
#include "rules/fault_rules.hpp"
#include "rules/rules_error.hpp"
#include "rules/rules_json.hpp"
#include "state/clock.hpp"
#include "webhooks/dispatcher.hpp"
#include "webhooks/signature.hpp"

namespace json = boost::json;

namespace {

lee::rules::AppSettings app_from(std::string_view text) {
    return lee::rules::parse_app_settings(json::parse(text).as_object(), lee::rules::AppSettings{}, "$");
}

std::string app_error(std::string_view text) {
    try {
        app_from(text);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(webhook_signature)

BOOST_AUTO_TEST_CASE(matches_the_docs_example) {
    // cloud.tencent.com/document/product/269/117703: Token=xxxxyyyy, RequestTime=1669872112.
    BOOST_TEST(lee::webhooks::callback_sign("xxxxyyyy", 1669872112) ==
               "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
    BOOST_TEST(lee::webhooks::signature_params("xxxxyyyy", 1669872112) ==
               "&Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061&RequestTime=1669872112");
}

BOOST_AUTO_TEST_CASE(depends_on_token_and_time) {
    const auto base = lee::webhooks::callback_sign("token", 100);
    BOOST_TEST(base.size() == 64u);
    BOOST_TEST(lee::webhooks::callback_sign("token", 101) != base);
    BOOST_TEST(lee::webhooks::callback_sign("tokem", 100) != base);
    // The time is appended in decimal, so token "t1" at 23 and token "t" at 123 sign the same text.
    BOOST_TEST(lee::webhooks::callback_sign("t1", 23) == lee::webhooks::callback_sign("t", 123));
}

BOOST_AUTO_TEST_CASE(url_carries_the_documented_parameters_in_order) {
    BOOST_TEST(
        lee::webhooks::callback_target_url("https://www.example.com", 88888888, "Live.CallbackAfterCreateRoom") ==
        "https://www.example.com?SdkAppid=88888888&CallbackCommand=Live.CallbackAfterCreateRoom"
        "&contenttype=json&ClientIP=0.0.0.0&OptPlatform=RESTAPI");
    // A URL with a query of its own keeps it; the parameters follow it.
    BOOST_TEST(lee::webhooks::callback_target_url("http://h:8080/cb?team=a", 1, "Live.CallbackAfterDelMetadata") ==
               "http://h:8080/cb?team=a&SdkAppid=1&CallbackCommand=Live.CallbackAfterDelMetadata"
               "&contenttype=json&ClientIP=0.0.0.0&OptPlatform=RESTAPI");
}

BOOST_AUTO_TEST_CASE(event_table_round_trips) {
    for (std::size_t i = 0; i < lee::core::kCallbackEventCount; ++i) {
        const auto event = static_cast<lee::core::CallbackEvent>(i);
        BOOST_TEST((lee::core::callback_event_from_command(lee::core::callback_command(event)) == event));
    }
    BOOST_TEST(!lee::core::callback_event_from_command("Live.CallbackMemberStateChanged"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook_settings)

BOOST_AUTO_TEST_CASE(defaults_are_off_and_all_events) {
    const auto app = app_from("{}");
    BOOST_TEST(app.webhook.url.empty());
    BOOST_TEST(!app.webhook.events.has_value());
    BOOST_TEST(!app.webhook.wants("Live.CallbackAfterCreateRoom"));  // no URL: nothing is wanted
}

BOOST_AUTO_TEST_CASE(url_token_and_events_are_read) {
    const auto app = app_from(R"({"callback_url":"https://hooks.example.com:8443/live?x=1","callback_token":"abc",
                                  "callback_events":["Live.CallbackAfterCreateRoom","Live.CallbackAfterCreateRoom",
                                                     "Live.CallbackMemberStateChanged"]})");
    BOOST_TEST(app.webhook.url == "https://hooks.example.com:8443/live?x=1");
    BOOST_TEST(app.webhook.token == "abc");
    BOOST_TEST(app.webhook.token_enabled);  // a token in a file signs unless told otherwise
    BOOST_TEST(app.webhook.signs());
    BOOST_REQUIRE(app.webhook.events.has_value());
    BOOST_TEST(app.webhook.events->size() == 2u);  // duplicates kept once
    BOOST_TEST(app.webhook.wants("Live.CallbackAfterCreateRoom"));
    BOOST_TEST(!app.webhook.wants("Live.CallbackAfterDestroyRoom"));

    const auto unsigned_app = app_from(R"({"callback_url":"http://h/","callback_token":"abc",
                                           "callback_token_enabled":false})");
    BOOST_TEST(!unsigned_app.webhook.signs());
    BOOST_TEST(app_from(R"({"callback_url":"http://h/","callback_events":"all"})")
                   .webhook.wants("Live.Callback"
                                  "AfterChangeOwner"));
    BOOST_TEST(app_from(R"({"callback_url":null})").webhook.url.empty());
}

BOOST_AUTO_TEST_CASE(bad_settings_name_the_field_and_rule) {
    BOOST_TEST(app_error(R"({"callback_url":"ftp://h/"})") == "$.callback_url: must start with http:// or https://");
    BOOST_TEST(app_error(R"({"callback_url":"hooks"})") == "$.callback_url: must be an absolute http or https URL");
    BOOST_TEST(app_error(R"({"callback_url":"http://u:p@h/"})") == "$.callback_url: must not carry user info");
    BOOST_TEST(app_error(R"({"callback_url":"http://h/#x"})") == "$.callback_url: must not carry a fragment (#...)");
    BOOST_TEST(app_error(R"({"callback_url":"http://h:0/"})") == "$.callback_url: has a bad port");
    BOOST_TEST(app_error(R"({"callback_url":7})") == "$.callback_url: must be a string");
    BOOST_TEST(app_error(R"({"callback_url":")" + std::string(1100, 'a') + R"("})") ==
               "$.callback_url: must be at most 1024 bytes");
    BOOST_TEST(app_error(R"({"callback_token":""})") ==
               "$.callback_token: must be 1..128 characters of printable ASCII");
    BOOST_TEST(app_error(R"({"callback_token":"a b"})") ==
               "$.callback_token: must be 1..128 characters of printable ASCII");
    BOOST_TEST(app_error(R"({"callback_token":")" + std::string(129, 'a') + R"("})") ==
               "$.callback_token: must be 1..128 characters of printable ASCII");
    BOOST_TEST(app_error(R"({"callback_token_enabled":"yes"})") == "$.callback_token_enabled: must be true or false");
    BOOST_TEST(app_error(R"({"callback_events":["Group.CallbackAfterNewMemberJoin"]})") ==
               "$.callback_events[0]: must be a Live callback command such as Live.CallbackAfterCreateRoom");
    BOOST_TEST(app_error(R"({"callback_events":"some"})") ==
               "$.callback_events: must be \"all\" or an array of callback commands");
    BOOST_TEST(app_error(R"({"callback_hook":"x"})") == "$.callback_hook: unknown setting");
}

BOOST_AUTO_TEST_CASE(control_api_view_hides_the_token) {
    const auto app = app_from(R"({"callback_url":"http://h/","callback_token":"secret-token"})");
    const json::object shown = lee::rules::app_settings_to_json(app);
    BOOST_TEST(shown.at("callback_url").as_string() == "http://h/");
    BOOST_TEST(shown.at("has_callback_token").as_bool());
    BOOST_TEST(shown.at("callback_token_fingerprint").as_string().size() == 8u);
    BOOST_TEST(shown.at("callback_events").as_string() == "all");
    BOOST_TEST(json::serialize(shown).find("secret-token") == std::string::npos);
    // What GET shows reads back (the token itself is kept by the control API, by its fingerprint).
    const auto again = lee::rules::parse_app_settings(shown, lee::rules::AppSettings{}, "$");
    BOOST_TEST(again.webhook.url == app.webhook.url);
    BOOST_TEST(again.webhook.token_enabled == app.webhook.token_enabled);
    BOOST_TEST(!again.webhook.events.has_value());
}

BOOST_AUTO_TEST_CASE(apps_file_error_names_the_line) {
    try {
        lee::rules::parse_apps("{\"apps\": [\n {\"sdkappid\": 1,\n  \"callback_url\": \"ftp://x/\"}]}", "apps.json");
        BOOST_FAIL("accepted");
    } catch (const lee::rules::RulesError& error) {
        BOOST_TEST(error.line() == 3);
        BOOST_TEST(std::string(error.what()).find("apps[0].callback_url") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(callback_fault_action)

BOOST_AUTO_TEST_CASE(rule_and_header_read_the_same_text) {
    using lee::rules::CallbackFault;
    const auto drop = lee::rules::parse_fault_rule(json::parse(R"({"action":{"callback":"drop"}})"), "$");
    BOOST_TEST((drop.action.callback == CallbackFault::drop));
    BOOST_TEST(!drop.action.replaces_answer());
    const auto late = lee::rules::parse_fault_rule(
        json::parse(R"({"action":{"callback":"delay_ms=1500","error_code":100001}})"), "$");
    BOOST_TEST((late.action.callback == CallbackFault::delay));
    BOOST_TEST(late.action.callback_delay_ms == 1500u);
    BOOST_TEST(json::serialize(json::value_from(late.action)) == R"({"error_code":100001,"callback":"delay_ms=1500"})");

    std::string problem;
    const auto header = lee::rules::parse_fault_header("callback=duplicate; delay_ms=20", problem);
    BOOST_REQUIRE(header.has_value());
    BOOST_TEST((header->callback == CallbackFault::duplicate));
    BOOST_TEST(header->delay_ms == 20u);
    BOOST_TEST(!lee::rules::parse_fault_header("callback=later", problem).has_value());
    BOOST_TEST(problem == "X-Emulator-Fault callback: must be drop, duplicate or delay_ms=N, got 'later'");
    BOOST_TEST(!lee::rules::parse_fault_header("callback=delay_ms=600001", problem).has_value());
    BOOST_TEST(problem == "X-Emulator-Fault callback: delay_ms must be a decimal integer 0..600000");
}

BOOST_AUTO_TEST_CASE(bad_rule_names_the_field) {
    try {
        lee::rules::parse_fault_rule(json::parse(R"({"action":{"callback":7}})"), "$");
        BOOST_FAIL("accepted");
    } catch (const lee::rules::SettingError& error) {
        BOOST_TEST(std::string(error.what()) == "$.action.callback: must be a string");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook_dispatcher)

BOOST_AUTO_TEST_CASE(without_its_thread_records_a_failure_and_queues_nothing) {
    lee::state::ManualClock clock(1'700'000'000'000);
    lee::webhooks::Dispatcher dispatcher(lee::webhooks::DispatcherOptions{}, clock);
    int observed = 0;
    dispatcher.set_observer([&](const lee::webhooks::DeliveryRecord&) { ++observed; });
    lee::webhooks::Delivery delivery;
    delivery.sdkappid = 7;
    delivery.url = "http://127.0.0.1:9/";
    delivery.body = "{}";
    dispatcher.enqueue(delivery);
    const auto records = dispatcher.records({});
    BOOST_REQUIRE(records.size() == 1u);
    BOOST_TEST((records[0].outcome == lee::core::CallbackOutcome::failed));
    BOOST_TEST(records[0].time_ms == 1'700'000'000'000);
    BOOST_TEST(dispatcher.stats().pending == 0u);
    BOOST_TEST(observed == 1);
    dispatcher.clear(7);
    BOOST_TEST(dispatcher.records({}).empty());
}

BOOST_AUTO_TEST_CASE(records_are_bounded_and_drops_by_fault_are_kept) {
    lee::state::ManualClock clock(0);
    lee::webhooks::DispatcherOptions options;
    options.max_records = 3;
    lee::webhooks::Dispatcher dispatcher(options, clock);
    lee::webhooks::Delivery delivery;
    delivery.url = "http://127.0.0.1:9/";
    delivery.fault = lee::rules::CallbackFault::drop;
    delivery.fault_rule = "r";
    for (std::uint64_t app = 1; app <= 5; ++app) {
        delivery.sdkappid = app;
        dispatcher.enqueue(delivery);
    }
    const auto records = dispatcher.records({});
    BOOST_REQUIRE(records.size() == 3u);
    BOOST_TEST(records.front().sdkappid == 3u);  // the oldest went first
    BOOST_TEST((records.back().outcome == lee::core::CallbackOutcome::dropped_fault));
    lee::webhooks::RecordQuery query;
    query.sdkappid = 4;
    BOOST_TEST(dispatcher.records(query).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
