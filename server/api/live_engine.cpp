#include "api/live_engine.hpp"

#include <array>

#include <boost/beast/http/status.hpp>
#include <boost/json.hpp>

#include "api/command_handler.hpp"
#include "api/envelope.hpp"
#include "api/error_table.hpp"
#include "api/query.hpp"
#include "api/room_fields.hpp"
#include "api/room_info_body.hpp"
#include "auth/usersig.hpp"
#include "core/utf8.hpp"
#include "emulator.hpp"

namespace lee::api {
namespace json = boost::json;

namespace {

constexpr std::string_view kFaultHeader = "X-Emulator-Fault";

// Renders the answer for a request that has identified itself as far as it got (command, sdkappid, ...), which
// the journal and the access log report too, with the reason for the answer.
struct Responder {
    Emulator& emulator;
    ApiResponse response;
    std::string fault_note;             // a delay-only fault: the answer is the normal one, sent late
    rules::FaultAction callback_fault;  // what a fault rule does to the webhook this request raises

    ApiResponse answer(int error_code, std::string_view detail, std::string why, const json::object* payload = nullptr,
                       std::string_view payload_text = {}) {
        response.error_code = error_code;
        response.request_id = emulator.request_ids().next();
        response.body = render_envelope(error_code, error_code == 0 ? std::string() : error_info(error_code, detail),
                                        response.request_id.view(), payload, payload_text);
        response.why = fault_note.empty() ? std::move(why) : std::move(why) + "; " + fault_note;
        return std::move(response);
    }
};

struct UserSigOutcome {
    int code;
    std::string_view why;
};

UserSigOutcome usersig_outcome(auth::UserSigVerdict verdict) {
    switch (verdict) {
        case auth::UserSigVerdict::ok:
            return {code::ok, "valid"};
        case auth::UserSigVerdict::empty:
            return {code::usersig_empty, "empty"};
        case auth::UserSigVerdict::illegal:
            return {code::usersig_illegal, "not decodable"};
        case auth::UserSigVerdict::identifier_mismatch:
            return {code::usersig_identifier, "signed for another identifier"};
        case auth::UserSigVerdict::sdkappid_mismatch:
            return {code::usersig_sdkappid, "signed for another sdkappid"};
        case auth::UserSigVerdict::signature_mismatch:
            return {code::usersig_mismatch, "HMAC does not match the app's key"};
        case auth::UserSigVerdict::expired:
            return {code::usersig_expired, "expired on the emulator clock"};
    }
    return {code::usersig_illegal, "not decodable"};
}

// "/v4/<service>/<command>" → the command, when the service and the command are in the table.
std::optional<core::Command> command_of(std::string_view path) {
    path.remove_prefix(std::string_view("/v4/").size());
    const auto slash = path.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    return core::find_command(path.substr(0, slash), path.substr(slash + 1));
}

bool is_uint32(std::string_view text) {
    const auto value = parse_decimal_u64(text);
    return value && *value <= 0xFFFFFFFFULL;
}

json::value parse_body(std::string_view body, json::monotonic_resource& memory, json::error_code& ec) {
    json::parse_options options;
    options.max_depth = kMaxBodyDepth;
    return json::parse(body, ec, &memory, options);
}

// The why of a handler's answer, taken out of the result (a why over 15 bytes, "ok: room created", would cost an
// allocation to copy); when the handler gives none, the step its code belongs to.
std::string take_why(CommandResult& result) {
    if (!result.why.empty()) return std::move(result.why);
    if (result.code == code::ok) return "ok";
    if (result.code == code::account_type) return "step 12: " + result.detail;
    if (result.code == code::invalid_parameter) return "step 13: " + result.detail;
    std::string why = "state: " + std::to_string(result.code);
    if (!result.detail.empty()) why += " " + result.detail;
    return why;
}

std::string gateway_page(unsigned status) {
    std::string_view reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
    if (reason == "<unknown-status>") reason = "Error";
    const std::string line = std::to_string(status) + " " + std::string(reason);
    return "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line +
           "</h1></center>\r\n</body>\r\n</html>\r\n";
}

// Faults are decided right after step 2 (emulated-api.md section 2), on what the request names. A fault that
// replaces the answer returns it here, before any state is touched; a delay alone lets the pipeline go on.
std::optional<ApiResponse> apply_fault(Responder& responder, const ApiRequest& request, core::Command command,
                                       const CommonQuery& query, std::optional<std::uint64_t> sdkappid) {
    Emulator& emulator = responder.emulator;
    // The body is parsed at most once here: for rules that match on RoomId, and for the journal once a fault fires.
    std::array<unsigned char, 4096> arena;
    json::monotonic_resource memory(arena.data(), arena.size());
    std::optional<std::optional<std::string_view>> body_room_id;
    json::value body;
    auto room_id = [&]() -> std::optional<std::string_view> {
        if (!body_room_id) {
            json::error_code ec;
            body = parse_body(request.body, memory, ec);
            body_room_id = ec ? std::nullopt : named_room_id(body);
        }
        return *body_room_id;
    };
    rules::FaultAction action;
    std::string why;
    if (request.fault_header) {
        std::string problem;
        const auto parsed = rules::parse_fault_header(*request.fault_header, problem);
        if (!parsed) {
            // Never a silent ignore: a test that meant to inject a fault must learn it did not.
            responder.response.status = 400;
            responder.response.body = json::serialize(json::object{{"error", problem}});
            responder.response.why = "fault header refused: " + problem;
            return std::move(responder.response);
        }
        action = *parsed;
        responder.response.fault = kFaultHeader;
        why = "fault: header X-Emulator-Fault";
        emulator.metrics().count_header_fault();
    } else {
        faults::FaultSubject subject{command, sdkappid, std::nullopt, std::nullopt};
        if (query.identifier) subject.identifier = *query.identifier;
        if (emulator.faults().needs_room_id()) subject.room_id = room_id();
        auto decision = emulator.faults().decide(subject);
        if (!decision) return std::nullopt;
        action = decision->action;
        responder.response.fault = std::move(decision->rule_id);
        why = std::move(decision->why);
    }
    if (const auto named = room_id()) responder.response.room_id = *named;
    responder.response.directive.delay = std::chrono::milliseconds(action.delay_ms);
    if (action.callback != rules::CallbackFault::none) responder.callback_fault = action;
    if (!action.replaces_answer()) {
        responder.fault_note = why;
        if (action.delay_ms != 0) responder.fault_note += " delayed " + std::to_string(action.delay_ms) + " ms";
        if (action.callback != rules::CallbackFault::none) {
            responder.fault_note += " callback " + rules::callback_fault_text(action);
        }
        return std::nullopt;
    }
    if (action.delay_ms != 0) why += " after " + std::to_string(action.delay_ms) + " ms";
    if (action.error_code != 0) return responder.answer(action.error_code, {}, std::move(why));
    if (action.http_status != 0) {
        responder.response.status = action.http_status;
        responder.response.content_type = "text/html";
        responder.response.body = gateway_page(action.http_status);
        responder.response.why = std::move(why) + ": HTTP " + std::to_string(action.http_status);
        return std::move(responder.response);
    }
    responder.response.directive.network = action.network;
    // What a truncated answer is cut from: the envelope a failing backend would have sent.
    ApiResponse response = responder.answer(code::internal_error, {},
                                            why + ": network " + std::string(core::network_fault_name(action.network)));
    response.error_code = 0;  // nothing reaches the client as an ErrorCode
    return response;
}

// The side effects of a success beyond the command's own state: a change to the app's webhook settings, and the
// webhook the command raised, handed to the dispatcher (which never delays or changes the answer).
void after_success(Responder& responder, core::Command command, std::uint64_t sdkappid, CommandResult& result) {
    Emulator& emulator = responder.emulator;
    if (result.webhook_change) {
        emulator.rules().modify([&](rules::RuleSet& rules) {
            const rules::AppSettings* current = rules.apps.find(sdkappid);
            if (!current) return;  // deleted meanwhile, with unknown apps rejected
            rules::AppSettings app = *current;
            app.sdkappid = sdkappid;
            result.webhook_change(app.webhook);
            rules.apps.apps.insert_or_assign(sdkappid, std::move(app));
        });
    }
    if (!result.callback) return;
    // The settings in force now: a set_callback that raced this request may have changed them.
    const auto rules = emulator.rules().get();
    const rules::AppSettings* app = rules->apps.find(sdkappid);
    if (!app || !app->webhook.wants(core::callback_command(result.callback->event))) return;
    webhooks::Delivery delivery;
    delivery.sdkappid = sdkappid;
    delivery.event = result.callback->event;
    delivery.trigger = command;
    delivery.room_id = responder.response.room_id;
    delivery.url = app->webhook.url;
    if (app->webhook.signs()) delivery.token = app->webhook.token;
    delivery.body = json::serialize(result.callback->body);
    delivery.fault = responder.callback_fault.callback;
    delivery.fault_delay_ms = responder.callback_fault.callback_delay_ms;
    if (delivery.fault != rules::CallbackFault::none) delivery.fault_rule = responder.response.fault;
    emulator.webhooks().enqueue(std::move(delivery));
}

ApiResponse invalid_json(Responder& responder, const json::error_code& ec) {
    return responder.answer(code::json_parse, {}, "step 11: body is not valid JSON (" + ec.message() + ")");
}

// Steps 12-14 on a parsed body, either kind (room_fields.hpp); the RoomId it names is reported whatever the answer.
template <class Value, class Handler>
ApiResponse decide(Responder& responder, core::Command command, std::uint64_t sdkappid, const Value& body,
                   Handler handler) {
    if (const auto room_id = named_room_id(body)) responder.response.room_id = *room_id;
    CommandResult result = handler();
    const bool ok = result.code == 0;
    if (ok) after_success(responder, command, sdkappid, result);
    return responder.answer(result.code, result.detail, take_why(result), ok ? &result.payload : nullptr,
                            ok ? std::string_view(result.payload_text) : std::string_view());
}

}  // namespace

ApiResponse handle_live_engine(Emulator& emulator, const ApiRequest& request, std::string_view path) {
    Responder responder{emulator, {}, {}, {}};
    if (request.method != "POST") {
        return responder.answer(code::bad_method, {}, "step 1: method " + std::string(request.method) + " is not POST");
    }
    const auto command = command_of(path);
    if (!command) return responder.answer(code::bad_resource, {}, "step 2: no such service or command");
    responder.response.command = *command;

    const auto query = parse_common_query(request.target);
    const auto sdkappid = query.sdkappid ? parse_decimal_u64(*query.sdkappid) : std::nullopt;
    // Reported (journal, log) as far as the query names them, even when a later check refuses them.
    responder.response.sdkappid = sdkappid;
    if (query.identifier) responder.response.identifier = *query.identifier;
    if (request.fault_header || !emulator.faults().empty()) {
        if (auto faulted = apply_fault(responder, request, *command, query, sdkappid)) return std::move(*faulted);
    }

    if (!query.sdkappid) return responder.answer(code::sdkappid_missing, {}, "step 3: sdkappid missing");
    if (query.malformed) return responder.answer(code::http_parse, {}, "step 4: query is not valid URL syntax");
    if (!sdkappid) return responder.answer(code::http_parse, {}, "step 4: sdkappid is not a decimal integer");
    if (query.contenttype != "json") return responder.answer(code::http_parse, {}, "step 4: contenttype is not json");
    if (query.random && !is_uint32(*query.random)) {
        return responder.answer(code::http_parse, {}, "step 4: random is not a uint32");
    }
    if (!query.identifier || query.identifier->empty()) {
        return responder.answer(code::account_or_signature, {}, "step 5: identifier missing");
    }
    // An account is text: one that is not UTF-8 is an incorrect account, never stored (it would become the
    // default Owner_Account and make every later answer invalid JSON).
    if (!core::is_valid_utf8(*query.identifier)) {
        return responder.answer(code::account_or_signature, {}, "step 5: identifier is not valid UTF-8");
    }
    if (!query.usersig) return responder.answer(code::account_or_signature, {}, "step 5: usersig missing");

    const auto rules = emulator.rules().get();
    const rules::AppSettings* app = rules->apps.find(*sdkappid);
    if (!app) return responder.answer(code::sdkappid_invalid, {}, "step 6: unknown app (unknown_apps is reject)");
    if (app->disabled) return responder.answer(code::sdkappid_disabled, {}, "step 7: app disabled");
    if (!app->is_admin(*query.identifier)) {
        return responder.answer(code::admin_required, {}, "step 8: identifier not in admins");
    }
    const std::int64_t now_ms = emulator.clock().now_ms();
    if (!app->secret_key.empty()) {
        const auto verdict =
            auth::verify_usersig(*query.usersig, app->secret_key, *query.identifier, *sdkappid, now_ms / 1000);
        if (verdict != auth::UserSigVerdict::ok) {
            const auto outcome = usersig_outcome(verdict);
            return responder.answer(outcome.code, {}, "step 9: UserSig " + std::string(outcome.why));
        }
    }

    const auto tenant = emulator.tenants().get_or_create(*sdkappid, now_ms);
    if (!tenant) {
        const std::string bound = std::to_string(emulator.tenants().limits().max_apps);
        return responder.answer(code::sdkappid_invalid, "the emulator holds at most " + bound + " apps: --max-apps",
                                "step 10: the emulator already holds " + bound + " apps, its bound");
    }
    const std::uint32_t limit = app->rate_limits[core::index_of(*command)];
    if (!tenant->rate.admit(*command, now_ms, limit)) {
        return responder.answer(code::rate_limited, {},
                                "step 10: rate limit of " + std::to_string(limit) + "/s reached in this second");
    }

    if (request.body.empty()) return responder.answer(code::json_parse, {}, "step 11: body empty");
    const CommandContext context{*sdkappid, *query.identifier, *app, *rules, *tenant, now_ms};
    if (*command == core::Command::create_room) {
        // The command a load test sends most reads only the members it checks, from the parser's events (issue 11).
        const RoomInfoBody body(request.body);
        if (body.error()) return invalid_json(responder, body.error());
        return decide(responder, *command, *sdkappid, body.document(), [&] { return create_room(context, body); });
    }
    std::array<unsigned char, 4096> arena;
    json::monotonic_resource memory(arena.data(), arena.size());
    json::error_code ec;
    const json::value body = parse_body(request.body, memory, ec);
    if (ec) return invalid_json(responder, ec);
    return decide(responder, *command, *sdkappid, body, [&] { return handler_for(*command)(context, body); });
}

CommandHandler handler_for(core::Command command) {
    switch (command) {
        case core::Command::create_room:
            return &create_room;
        case core::Command::destroy_room:
            return &destroy_room;
        case core::Command::get_room_info:
            return &get_room_info;
        case core::Command::update_room_info:
            return &update_room_info;
        case core::Command::get_room_list:
            return &get_room_list;
        case core::Command::set_room_metadata:
            return &set_room_metadata;
        case core::Command::get_room_metadata:
            return &get_room_metadata;
        case core::Command::del_room_metadata:
            return &del_room_metadata;
        case core::Command::get_room_statistic:
        case core::Command::get_room_stats:
            return &get_room_statistic;
        case core::Command::add_robot:
            return &add_robot;
        case core::Command::get_robot:
            return &get_robot;
        case core::Command::del_robot:
            return &del_robot;
        case core::Command::change_room_owner:
            return &change_room_owner;
        case core::Command::get_seat_list:
            return &get_seat_list;
        case core::Command::set_callback:
            return &set_callback;
        case core::Command::update_callback:
            return &update_callback;
        case core::Command::get_callback:
            return &get_callback;
        case core::Command::set_callback_token:
            return &set_callback_token;
        case core::Command::get_callback_token:
            return &get_callback_token;
    }
    return nullptr;  // unreachable: -Wswitch (an error here) makes every command have a case
}

}  // namespace lee::api
