#include "http/router.hpp"

#include <chrono>

#include <boost/beast/http/field.hpp>
#include <boost/beast/version.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include "api/live_engine.hpp"
#include "control/control_api.hpp"
#include "emulator.hpp"

namespace lee::http {
namespace beast_http = boost::beast::http;

namespace {

constexpr std::string_view kServerName = "live-engine-emulator";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

api::ApiResponse not_found() {
    api::ApiResponse response;
    response.status = 404;
    response.body = R"({"error":"not found: the emulated API is under /v4/, the control API under /_emulator/"})";
    return response;
}

Response to_beast(api::ApiResponse&& answer, unsigned version, bool keep_alive, bool head = false) {
    Response response{static_cast<beast_http::status>(answer.status), version};
    response.set(beast_http::field::server, kServerName);
    response.set(beast_http::field::content_type, answer.content_type);
    response.body() = std::move(answer.body);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    // A HEAD answer announces the length of the body it leaves out; sending the body would desynchronise the
    // client's next read on this connection.
    if (head) response.body().clear();
    return response;
}

}  // namespace

Response handle_request(Emulator& emulator, const Request& request) {
    const auto started = std::chrono::steady_clock::now();
    const std::string_view target = request.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const std::string_view authorization = request[beast_http::field::authorization];
    const bool head = request.method() == beast_http::verb::head;
    // HEAD is answered as the GET it describes (without the body), so health checks can use either.
    const std::string_view method = head && starts_with(path, "/_emulator/") ? "GET" : request.method_string();
    const api::ApiRequest api_request{method, target, request.body(), authorization};

    api::ApiResponse answer;
    if (starts_with(path, "/v4/")) {
        answer = api::handle_live_engine(emulator, api_request, path);
    } else if (starts_with(path, "/_emulator/")) {
        answer = control::handle_control(emulator, api_request, path);
    } else {
        answer = not_found();
    }

    const double latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    emulator.access_log().request(log::RequestRecord{request.method_string(), path, answer.command, answer.sdkappid,
                                                     answer.status, answer.error_code, latency_ms});
    return to_beast(std::move(answer), request.version(), request.keep_alive(), head);
}

Response transport_error(unsigned status, std::string_view reason) {
    api::ApiResponse answer;
    answer.status = status;
    answer.body = R"({"error":)" + boost::json::serialize(boost::json::string_view(reason)) + "}";
    return to_beast(std::move(answer), 11, false);
}

}  // namespace lee::http
