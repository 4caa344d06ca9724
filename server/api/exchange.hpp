#pragma once
// What the request handlers see and return: plain data, no sockets and no Beast types, so the handlers are
// pure functions that unit tests can call directly.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lee::api {

struct ApiRequest {
    std::string_view method;  // "POST", "GET", ...
    std::string_view target;  // path and query as sent
    std::string_view body;
    std::string_view authorization;  // the Authorization header, for the control API's admin token
};

struct ApiResponse {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    // For the access log.
    std::string_view command;  // empty when the request named no known command
    std::optional<std::uint64_t> sdkappid;
    int error_code = 0;
};

}  // namespace lee::api
