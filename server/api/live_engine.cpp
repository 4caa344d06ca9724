#include "api/live_engine.hpp"

#include <array>

#include <boost/json.hpp>

#include "api/command_handler.hpp"
#include "api/envelope.hpp"
#include "api/error_table.hpp"
#include "api/query.hpp"
#include "auth/usersig.hpp"
#include "emulator.hpp"

namespace lee::api {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxJsonDepth = 32;

// Renders the envelope for a request that has identified itself as far as it got (command, sdkappid), which
// the access log reports too.
struct Responder {
    Emulator& emulator;
    ApiResponse response;

    ApiResponse answer(int error_code, std::string_view detail = {}, const json::object* payload = nullptr) {
        response.error_code = error_code;
        response.body = render_envelope(error_code, error_code == 0 ? std::string() : error_info(error_code, detail),
                                        emulator.request_ids().next(), payload);
        return std::move(response);
    }
};

int usersig_code(auth::UserSigVerdict verdict) {
    switch (verdict) {
        case auth::UserSigVerdict::ok:
            return code::ok;
        case auth::UserSigVerdict::empty:
            return code::usersig_empty;
        case auth::UserSigVerdict::illegal:
            return code::usersig_illegal;
        case auth::UserSigVerdict::identifier_mismatch:
            return code::usersig_identifier;
        case auth::UserSigVerdict::sdkappid_mismatch:
            return code::usersig_sdkappid;
        case auth::UserSigVerdict::signature_mismatch:
            return code::usersig_mismatch;
        case auth::UserSigVerdict::expired:
            return code::usersig_expired;
    }
    return code::usersig_illegal;
}

// "/v4/<service>/<command>" → the command, when the service is ours and the command is known.
std::optional<Command> command_of(std::string_view path) {
    path.remove_prefix(std::string_view("/v4/").size());
    const auto slash = path.find('/');
    if (slash == std::string_view::npos || path.substr(0, slash) != kServiceName) return std::nullopt;
    return command_from_name(path.substr(slash + 1));
}

bool is_uint32(const std::string& text) {
    const auto value = parse_decimal_u64(text);
    return value && *value <= 0xFFFFFFFFULL;
}

}  // namespace

ApiResponse handle_live_engine(Emulator& emulator, const ApiRequest& request, std::string_view path) {
    Responder responder{emulator, {}};
    if (request.method != "POST") return responder.answer(code::bad_method);
    const auto command = command_of(path);
    if (!command) return responder.answer(code::bad_resource);
    responder.response.command = command_name(*command);

    const auto query = parse_common_query(request.target);
    if (!query.sdkappid) return responder.answer(code::sdkappid_missing);
    const auto sdkappid = parse_decimal_u64(*query.sdkappid);
    if (query.malformed || !sdkappid || query.contenttype != "json" || (query.random && !is_uint32(*query.random))) {
        return responder.answer(code::http_parse);
    }
    responder.response.sdkappid = *sdkappid;
    if (!query.identifier || query.identifier->empty() || !query.usersig) {
        return responder.answer(code::account_or_signature);
    }

    const auto rules = emulator.rules().get();
    const rules::AppSettings* app = rules->apps.find(*sdkappid);
    if (!app) return responder.answer(code::sdkappid_invalid);
    if (app->disabled) return responder.answer(code::sdkappid_disabled);
    if (!app->is_admin(*query.identifier)) return responder.answer(code::admin_required);
    const std::int64_t now_ms = emulator.clock().now_ms();
    if (!app->secret_key.empty()) {
        const auto verdict =
            auth::verify_usersig(*query.usersig, app->secret_key, *query.identifier, *sdkappid, now_ms / 1000);
        if (verdict != auth::UserSigVerdict::ok) return responder.answer(usersig_code(verdict));
    }

    const auto tenant = emulator.tenants().get_or_create(*sdkappid, now_ms);
    if (!tenant->rate.admit(*command, now_ms, app->rate_limits[static_cast<std::size_t>(*command)])) {
        return responder.answer(code::rate_limited);
    }

    if (request.body.empty()) return responder.answer(code::json_parse);
    std::array<unsigned char, 4096> arena;
    json::monotonic_resource memory(arena.data(), arena.size());
    json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    json::error_code ec;
    const json::value body = json::parse(request.body, ec, &memory, options);
    if (ec) return responder.answer(code::json_parse);

    const CommandHandler handler = handler_for(*command);
    const CommandContext context{*sdkappid, *query.identifier, *app, *rules, *tenant, now_ms};
    const CommandResult result = handler(context, body);
    return responder.answer(result.code, result.detail, result.code == 0 ? &result.payload : nullptr);
}

CommandHandler handler_for(Command command) {
    // Indexed like kCommandNames.
    static constexpr std::array<CommandHandler, kCommandCount> kHandlers = {&create_room, &destroy_room, &get_room_info,
                                                                            &update_room_info, &get_room_list};
    return kHandlers[static_cast<std::size_t>(command)];
}

}  // namespace lee::api
