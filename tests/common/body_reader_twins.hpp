#pragma once
// create_room on one body text read both ways: Boost.JSON's document on one tenant, the JSON parser's events
// (api/room_info_body, what the pipeline runs) on a twin. The unit tests (room_fields_test) and the fuzz target
// (fuzz_room_info_body) share this one definition of "the same answer".
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "api/command_handler.hpp"
#include "api/command_result.hpp"
#include "api/room_fields.hpp"
#include "api/room_info_body.hpp"
#include "rules/apps.hpp"
#include "rules/rule_set.hpp"
#include "state/room_json.hpp"
#include "state/tenants.hpp"

namespace lee::testing {

struct BodyReaderTwins {
    rules::RuleSet rules;
    rules::AppSettings app;
    state::Tenant tenant;  // creates on the document
    state::Tenant twin;    // the same creates on the events
    std::string identifier = "admin";
    std::int64_t now_ms = 1'700'000'000'000;

    // The document's answer. `difference` says what the events' reading did otherwise (the parse error, the RoomId
    // named, the answer, the webhook body, the room stored), empty when nothing; text that is not JSON gives a
    // default answer.
    api::CommandResult create(std::string_view text, std::string& difference) {
        namespace json = boost::json;
        difference.clear();
        json::parse_options options;
        options.max_depth = api::kMaxBodyDepth;
        json::error_code document_error;
        const json::value document = json::parse(text, document_error, {}, options);
        const api::RoomInfoBody events(text);
        if (document_error != events.error()) {
            difference = "parse errors: " + document_error.message() + " / " + events.error().message();
        }
        if (document_error || events.error()) return {};
        const auto room_id = api::named_room_id(document);
        if (room_id != api::named_room_id(events.document())) difference += "; the RoomId named";

        api::CommandResult result =
            api::create_room(api::CommandContext{app.sdkappid, identifier, app, rules, tenant, now_ms}, document);
        const api::CommandResult other =
            api::create_room(api::CommandContext{app.sdkappid, identifier, app, rules, twin, now_ms}, events);
        if (result.code != other.code || result.detail != other.detail || result.why != other.why ||
            result.payload_text != other.payload_text) {
            difference += "; answers: " + std::to_string(result.code) + " " + result.detail + " / " +
                          std::to_string(other.code) + " " + other.detail;
        }
        if (result.callback.has_value() != other.callback.has_value() ||
            (result.callback && json::serialize(result.callback->body) != json::serialize(other.callback->body))) {
            difference += "; webhook bodies";
        }
        if (room_id) {
            const auto room = tenant.rooms.find(*room_id);
            const auto twin_room = twin.rooms.find(*room_id);
            if (room.has_value() != twin_room.has_value() || (room && text_of(*room) != text_of(*twin_room))) {
                difference += "; rooms stored";
            }
        }
        if (tenant.rooms.size() != twin.rooms.size()) difference += "; room counts";
        if (difference.starts_with("; ")) difference.erase(0, 2);
        return result;
    }

    static std::string text_of(const state::Room& room) {
        return boost::json::serialize(boost::json::value_from(room));
    }
};

}  // namespace lee::testing
