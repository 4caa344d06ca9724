#pragma once
// POST /v4/<service>/<command> (live_engine_http_srv, room_engine_http_mic): the order of checks of
// emulated-api.md section 2, then the command.
#include <string_view>

#include "api/exchange.hpp"

namespace lee {
class Emulator;
}

namespace lee::api {

// `path` is the request path, starting with "/v4/".
ApiResponse handle_live_engine(Emulator& emulator, const ApiRequest& request, std::string_view path);

}  // namespace lee::api
