#pragma once
// What the request handlers see and return: plain data, no sockets and no Beast types, so the handlers are
// pure functions that unit tests can call directly.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/request_id.hpp"
#include "core/commands.hpp"
#include "core/transport.hpp"

namespace lee::api {

struct ApiRequest {
    std::string_view method;  // "POST", "GET", ...
    std::string_view target;  // path and query as sent
    std::string_view body;
    std::string_view authorization;  // the Authorization header, for the control API's admin token
    std::string_view host;           // the Host header, for the control API's DNS-rebinding check
    // X-Emulator-Fault, unless the emulator runs --strict.
    std::optional<std::string_view> fault_header;
};

struct ApiResponse {
    unsigned status = 200;
    std::string_view content_type = "application/json";  // always a literal
    std::string body;
    core::TransportDirective directive;  // carried out by http/ (delay, network fault)
    // What the request named and what decided its answer, for the journal, the metrics and the access log.
    std::optional<core::Command> command;
    std::optional<std::uint64_t> sdkappid;
    int error_code = 0;
    std::string identifier;
    std::string room_id;
    RequestId request_id;
    std::string fault;  // the fault rule that fired, "X-Emulator-Fault" for the header
    std::string why;
    bool unrecorded = false;  // reading the journal or the metrics: kept out of the journal it would change
    // Set when the answer waits on something outside the request (POST /_emulator/callbacks/wait): the transport
    // asks again on a timer, never blocking its thread, until this fills in the answer and returns true. `now`
    // (the emulator is stopping) asks for the answer as things stand.
    std::function<bool(ApiResponse& out, bool now)> pending;
};

}  // namespace lee::api
