#pragma once
// The emulator's own API under /_emulator/ (emulator-interface.md): health, reset, inspection, clock, reload,
// fault rules, the journal; and GET /metrics.
#include <string_view>

#include "api/exchange.hpp"

namespace lee {
class Emulator;
}

namespace lee::control {

// `path` is the request path, starting with "/_emulator/".
api::ApiResponse handle_control(Emulator& emulator, const api::ApiRequest& request, std::string_view path);

// GET /metrics: Prometheus text format (same admin token as /_emulator/).
api::ApiResponse handle_metrics(Emulator& emulator, const api::ApiRequest& request);

}  // namespace lee::control
