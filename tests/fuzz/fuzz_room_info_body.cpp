// create_room's body read two ways, on arbitrary text: Boost.JSON's document (what every other command reads) and
// the parser's events (api/room_info_body, what the pipeline runs for create_room). Both must refuse the same text
// with the same error, name the same RoomId, and give create_room the same answer and the same stored room.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "api/command_handler.hpp"
#include "api/command_result.hpp"
#include "api/room_fields.hpp"
#include "api/room_info_body.hpp"
#include "fuzz_check.hpp"
#include "rules/apps.hpp"
#include "rules/rule_set.hpp"
#include "state/room_json.hpp"
#include "state/tenants.hpp"

namespace {

namespace json = boost::json;
using lee::fuzz::check;

std::string text_of(const lee::state::Room& room) { return json::serialize(json::value_from(room)); }

struct Twins {
    lee::rules::RuleSet rules;
    lee::rules::AppSettings app;
    lee::state::Tenant document_tenant;
    lee::state::Tenant events_tenant;
    Twins() {
        app.sdkappid = 1400000001;
        app.room_create_interval_ms = 0;
        app.webhook.url = "http://127.0.0.1:9/callback";  // never sent: only the bodies create_room builds are compared
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Twins twins;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    json::parse_options options;
    options.max_depth = lee::api::kMaxBodyDepth;
    json::error_code document_error;
    const json::value document = json::parse(text, document_error, {}, options);
    const lee::api::RoomInfoBody events(text);
    const json::error_code& events_error = events.error();
    check(document_error == events_error, "the two readers refuse differently",
          document_error.message() + " / " + events_error.message());
    if (document_error) return 0;
    const auto room_id = lee::api::named_room_id(document);
    check(room_id == lee::api::named_room_id(events.document()), "the two readers name different RoomIds", text);

    // Each input starts from empty apps, so what one input left cannot mask a difference in the next.
    twins.document_tenant.clear();
    twins.events_tenant.clear();
    constexpr std::int64_t kNow = 1'700'000'000'000;
    const auto context = [&](lee::state::Tenant& tenant) {
        return lee::api::CommandContext{twins.app.sdkappid, "admin", twins.app, twins.rules, tenant, kNow};
    };
    const lee::api::CommandResult a = lee::api::create_room(context(twins.document_tenant), document);
    const lee::api::CommandResult b = lee::api::create_room(context(twins.events_tenant), events);
    check(a.code == b.code && a.detail == b.detail && a.why == b.why && a.payload_text == b.payload_text,
          "create_room answers differently", a.detail + " / " + b.detail);
    check(a.callback.has_value() == b.callback.has_value() &&
              (!a.callback || json::serialize(a.callback->body) == json::serialize(b.callback->body)),
          "create_room's webhook bodies differ", text);
    if (room_id) {
        const auto stored_a = twins.document_tenant.rooms.find(*room_id);
        const auto stored_b = twins.events_tenant.rooms.find(*room_id);
        check(stored_a.has_value() == stored_b.has_value(), "one reader stored the room, the other not", text);
        if (stored_a) check(text_of(*stored_a) == text_of(*stored_b), "the stored rooms differ", text_of(*stored_b));
    }
    return 0;
}
