#include "http/router.hpp"

#include <chrono>
#include <optional>
#include <string>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <boost/url/parse.hpp>

#include "api/json_text.hpp"
#include "api/live_engine.hpp"
#include "control/control_api.hpp"
#include "core/utf8.hpp"
#include "emulator.hpp"
#include "http/request.hpp"
#include "tls/emulated_hosts.hpp"

namespace lee::http {
namespace beast_http = boost::beast::http;

namespace {

constexpr std::string_view kServerName = "live-engine-emulator";
constexpr std::string_view kFaultHeader = "X-Emulator-Fault";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// {"error": reason}, the body of the emulator's own refusals. The reason may quote bytes a client sent (a header
// value, a host), which need not be UTF-8 (obs-text): mended, as everywhere the emulator writes JSON.
std::string error_body(std::string_view reason) {
    return R"({"error":)" + boost::json::serialize(boost::json::string_view(core::to_valid_utf8(reason))) + "}";
}

api::ApiResponse not_found() {
    api::ApiResponse response;
    response.status = 404;
    response.body = R"({"error":"not found: the emulated API is under /v4/, the control API under /_emulator/"})";
    response.why = "no such path";
    return response;
}

Reply to_reply(api::ApiResponse& answer, unsigned version, bool keep_alive, bool head = false) {
    Reply reply;
    reply.status = answer.status;
    reply.version = version;
    reply.content_type = answer.content_type;
    reply.body = std::move(answer.body);
    reply.keep_alive = keep_alive;
    reply.head = head;
    return reply;
}

void count(Emulator& emulator, bool api, const api::ApiResponse& answer, double latency_ms) {
    if (answer.directive.network != core::NetworkFault::none) {
        emulator.metrics().count_network_fault(answer.command, answer.directive.network);
    } else if (api) {
        emulator.metrics().count_api(answer.command, answer.error_code, answer.status, latency_ms / 1000);
    } else {
        emulator.metrics().count_status(answer.status);
    }
}

void journal(Emulator& emulator, std::string_view method, std::string_view path, bool api,
             const api::ApiResponse& answer, double latency_ms) {
    if (!emulator.journal().enabled() || answer.unrecorded) return;
    const auto network = answer.directive.network;
    const bool answered = network == core::NetworkFault::none;
    // Only an answer in the envelope has an ErrorCode; a bare status or a network fault has none, and a network
    // fault sends no RequestId.
    const bool enveloped = answered && api && answer.status == 200 && !answer.request_id.empty();
    observe::JournalRecord entry;
    entry.time_ms = emulator.clock().now_ms();
    entry.kind = api ? observe::EntryKind::api : observe::EntryKind::control;
    entry.method = method;
    entry.path = path;
    entry.command = answer.command;
    entry.sdkappid = answer.sdkappid;
    entry.identifier = answer.identifier;
    entry.room_id = answer.room_id;
    if (answered) entry.request_id = answer.request_id.view();
    entry.status = answered ? answer.status : 0;
    if (enveloped) entry.error_code = answer.error_code;
    entry.latency_ms = latency_ms;
    entry.delay_ms = static_cast<std::uint32_t>(answer.directive.delay.count());
    if (!answered) entry.network = core::network_fault_name(network);
    entry.fault = answer.fault;
    entry.why = answer.why;
    emulator.journal().record(entry);
}

// An absolute-form target (what a client sends to an HTTP proxy, RFC 9112 section 3.2.2) → its origin form, when
// it names an emulated host; nullopt (and `refusal` set) otherwise. Nothing is ever forwarded.
std::optional<std::string_view> origin_form(std::string_view target, api::ApiResponse& refusal) {
    const auto url = boost::urls::parse_absolute_uri(target);
    if (!url || (url->scheme_id() != boost::urls::scheme::http && url->scheme_id() != boost::urls::scheme::https)) {
        refusal.status = 400;
        refusal.body = R"({"error":"the request target is neither a path nor an http(s) URL"})";
        refusal.why = "transport: bad request target";
        return std::nullopt;
    }
    const std::string host(url->encoded_host());
    if (!tls::is_emulated_host(host)) {
        refusal.status = 403;
        refusal.body = error_body(not_a_proxy(host));
        refusal.why = "proxy: host not emulated";
        return std::nullopt;
    }
    const std::string_view origin = url->encoded_target();
    return origin.empty() ? std::string_view("/") : origin;
}

// X-Emulator-Fault's lines as one list, ';'-joined: a second line is checked too, never silently dropped.
std::optional<std::string> fault_header(const Request& request) {
    std::optional<std::string> list;
    for (const HeaderLine& line : request.lines()) {
        if (line.name() != beast_http::field::unknown || !boost::beast::iequals(line.name_string(), kFaultHeader)) {
            continue;
        }
        if (list) {
            list->push_back(';');
        } else {
            list.emplace();
        }
        list->append(line.value());
    }
    return list;
}

// The last step of every answer: logged, counted and journaled, then handed to the transport.
struct Finish {
    std::string_view method;
    std::string_view path;
    bool api;
    unsigned version;
    bool keep_alive;
    bool head;
    std::chrono::steady_clock::time_point started;

    Answer operator()(Emulator& emulator, api::ApiResponse& answer) const {
        const double latency_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        emulator.access_log().request(
            log::RequestRecord{method, path, answer.command ? core::command_name(*answer.command) : "", answer.sdkappid,
                               answer.status, answer.error_code, latency_ms});
        Answer out{to_reply(answer, version, keep_alive, head), answer.directive, {}};
        count(emulator, api, answer, latency_ms);
        journal(emulator, method, path, api, answer, latency_ms);
        return out;
    }
};

}  // namespace

Answer handle_request(Emulator& emulator, const Request& request) {
    const auto started = std::chrono::steady_clock::now();
    std::string_view target = request.target();
    api::ApiResponse refused;
    if (!target.empty() && target.front() != '/') {
        const auto origin = origin_form(target, refused);
        if (!origin) {
            count(emulator, false, refused, 0);
            journal(emulator, request.method_string(), "", false, refused, 0);
            return {to_reply(refused, request.version(), false, request.method() == beast_http::verb::head), {}, {}};
        }
        target = *origin;
    }
    const std::string_view path = target.substr(0, target.find('?'));
    const bool head = request.method() == beast_http::verb::head;
    // HEAD is answered as the GET it describes (without the body), so health checks can use either.
    const bool control = starts_with(path, "/_emulator/") || path == "/metrics";
    const std::string_view method = head && control ? "GET" : request.method_string();
    api::ApiRequest api_request{
        method, target, request.body(), request[beast_http::field::authorization], request[beast_http::field::host],
        {}};
    std::optional<std::string> faults;
    if (!emulator.options().strict) faults = fault_header(request);
    if (faults) api_request.fault_header = *faults;

    const bool api = starts_with(path, "/v4/");
    // Built in place (an answer is large, and moving it into a default one cost about 160 instructions).
    api::ApiResponse answer = api                  ? api::handle_live_engine(emulator, api_request, path)
                              : path == "/metrics" ? control::handle_metrics(emulator, api_request)
                              : control            ? control::handle_control(emulator, api_request, path)
                                                   : not_found();

    const Finish finish{request.method_string(), path, api, request.version(), request.keep_alive(), head, started};
    if (!answer.pending) return finish(emulator, answer);
    // Counted, journaled and logged once it is there, with the time it took. What it needs of the request is
    // copied: the session keeps the request only until it is answered, and is free to go meanwhile.
    return {{},
            {},
            [&emulator, pending = std::move(answer.pending), finish, method = std::string(finish.method),
             path_copy = std::string(path)](Answer& out, bool now) {
                api::ApiResponse done;
                if (!pending(done, now)) return false;
                Finish owned = finish;  // its views into the request, pointed at the copies
                owned.method = method;
                owned.path = path_copy;
                out = owned(emulator, done);
                return true;
            }};
}

void record_refusal(Emulator& emulator, const Refusal& refusal) {
    api::ApiResponse answer;
    answer.status = refusal.status;
    answer.why = "transport: " + std::string(refusal.reason);
    emulator.access_log().message(
        log::Level::debug, "refused with " + std::to_string(refusal.status) + ": " + std::string(refusal.reason));
    emulator.metrics().count_status(refusal.status);
    const std::string_view path = refusal.target.substr(0, refusal.target.find('?'));
    const bool control = starts_with(path, "/_emulator/") || path == "/metrics";
    journal(emulator, refusal.method, path, !control, answer, 0);
}

void render_head(const Reply& reply, std::string& out) {
    out.clear();
    out.append(reply.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    api::append_decimal(out, reply.status);
    // A status Beast has no reason phrase for (an injected 520, say) gets a plain one, not "<unknown-status>".
    std::string_view reason = beast_http::obsolete_reason(static_cast<beast_http::status>(reply.status));
    if (reason == "<unknown-status>") reason = "Error";
    out.append(" ").append(reason).append("\r\nServer: ").append(kServerName);
    out.append("\r\nContent-Type: ").append(reply.content_type);
    if (reply.version == 10 && reply.keep_alive) out.append("\r\nConnection: keep-alive");
    if (reply.version != 10 && !reply.keep_alive) out.append("\r\nConnection: close");
    out.append("\r\nContent-Length: ");
    api::append_decimal(out, reply.body.size());
    out.append("\r\n\r\n");
}

Reply transport_error(unsigned status, std::string_view reason) {
    api::ApiResponse answer;
    answer.status = status;
    answer.body = error_body(reason);
    return to_reply(answer, 11, false);
}

}  // namespace lee::http
