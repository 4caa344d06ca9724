#pragma once
// The one place that decides which handler answers a request: /v4/... goes to the emulated API, /_emulator/... and
// /metrics to the control API. A plain function from request to answer, as in Beast's examples; it also records
// each request in the journal, the metrics and the access log.
#include <string_view>

#include "http/message.hpp"

namespace lee {
class Emulator;
}

namespace lee::http {

Answer handle_request(Emulator& emulator, const Request& request);

// Records a request the transport refused before it could be handled.
void record_refusal(Emulator& emulator, const Refusal& refusal);

}  // namespace lee::http
