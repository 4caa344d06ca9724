#pragma once
// What a command handler receives once the common checks (steps 1-11) have passed, and what it returns.
// One file per command implements steps 12-14 for that command.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/callback_events.hpp"
#include "core/commands.hpp"
#include "rules/rule_set.hpp"
#include "state/tenants.hpp"

namespace lee::api {

struct CommandContext {
    std::uint64_t sdkappid;
    std::string_view identifier;
    const rules::AppSettings& app;
    const rules::RuleSet& rules;
    state::Tenant& tenant;
    std::int64_t now_ms;

    // Whether the app wants this webhook, so a handler builds its body only then.
    bool wants(core::CallbackEvent event) const { return app.webhook.wants(core::callback_command(event)); }
};

// A webhook a successful command raises: the pipeline hands it to the dispatcher, after the answer is decided.
struct CallbackNotice {
    core::CallbackEvent event;
    boost::json::object body;
};

struct CommandResult {
    int code = 0;
    std::string detail;           // appended to ErrorInfo where the code calls for it
    boost::json::object payload;  // fields after the envelope on success
    std::string payload_text;     // more of them, already JSON text (create_room's RoomId, get_room_list's page)
    std::string why;              // for the journal; derived from code and detail when left empty
    std::optional<CallbackNotice> callback;  // on success, when the app wants it
    // On success, a change to the app's webhook settings (v4/live_config/*), applied to the settings in force.
    std::function<void(rules::WebhookSettings&)> webhook_change;
};

using CommandHandler = CommandResult (*)(const CommandContext&, const boost::json::value& body);

class RoomInfoBody;
// create_room as the pipeline runs it: on its body read from the parser's events (room_info_body.hpp: the command a
// load test sends most skips building the document). The command table's handler below reads the document; the
// unit tests hold the two to the same answers.
CommandResult create_room(const CommandContext& context, const RoomInfoBody& body);
CommandResult create_room(const CommandContext& context, const boost::json::value& body);
CommandResult destroy_room(const CommandContext& context, const boost::json::value& body);
CommandResult get_room_info(const CommandContext& context, const boost::json::value& body);
CommandResult update_room_info(const CommandContext& context, const boost::json::value& body);
CommandResult get_room_list(const CommandContext& context, const boost::json::value& body);
CommandResult set_room_metadata(const CommandContext& context, const boost::json::value& body);
CommandResult get_room_metadata(const CommandContext& context, const boost::json::value& body);
CommandResult del_room_metadata(const CommandContext& context, const boost::json::value& body);
// Serves both get_room_statistic and get_room_stats.
CommandResult get_room_statistic(const CommandContext& context, const boost::json::value& body);
CommandResult add_robot(const CommandContext& context, const boost::json::value& body);
CommandResult get_robot(const CommandContext& context, const boost::json::value& body);
CommandResult del_robot(const CommandContext& context, const boost::json::value& body);
CommandResult change_room_owner(const CommandContext& context, const boost::json::value& body);
CommandResult get_seat_list(const CommandContext& context, const boost::json::value& body);
CommandResult set_callback(const CommandContext& context, const boost::json::value& body);
CommandResult update_callback(const CommandContext& context, const boost::json::value& body);
CommandResult get_callback(const CommandContext& context, const boost::json::value& body);
CommandResult set_callback_token(const CommandContext& context, const boost::json::value& body);
CommandResult get_callback_token(const CommandContext& context, const boost::json::value& body);

// The handler of each row of the command table (a switch, so a command without one does not compile).
CommandHandler handler_for(core::Command command);

}  // namespace lee::api
