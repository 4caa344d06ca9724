#pragma once
// The types the transport and the handler exchange: a request in (http/request.hpp), an answer out. An answer is a
// response plus a transport directive (a delay, a network fault) that the session carries out on its own timers.
#include <functional>
#include <string>
#include <string_view>

#include "core/transport.hpp"
#include "http/request.hpp"

namespace lee::http {

// An answer as the session sends it. The session renders the status line and headers itself, into a buffer it
// keeps from one answer to the next (issue 11: Beast's response fields cost an allocation per header line).
struct Reply {
    unsigned status = 200;
    unsigned version = 11;                               // 10 or 11: the request's
    std::string_view content_type = "application/json";  // a literal
    std::string body;
    bool keep_alive = true;
    bool head = false;  // a HEAD answer: the Content-Length of the body, without the body
};

// The status line and headers of `reply`, in the order Beast's serializer used to write them: Server,
// Content-Type, Connection (only where it differs from the version's default), Content-Length.
void render_head(const Reply& reply, std::string& out);

struct Answer {
    Reply reply;
    core::TransportDirective directive;
    // An answer not ready yet (api::ApiResponse::pending): the session calls this on a timer, the I/O thread
    // serving other connections meanwhile, until it fills in the answer and returns true; `now` asks for it at once.
    std::function<bool(Answer& out, bool now)> pending;
};

// A request the transport refused itself (malformed, too large): method and target as far as they were read.
struct Refusal {
    unsigned status;
    std::string_view reason;
    std::string_view method;  // empty when the request line was not read
    std::string_view target;
};

// What the transport calls: the answer to one complete request, and the report of one it refused, so it can be
// logged and counted where requests are.
struct Handlers {
    std::function<Answer(const Request&)> answer;
    std::function<void(const Refusal&)> refused;
};

// A transport-level rejection (400, 413, 431, 500): a JSON explanation, and the connection closes after it.
Reply transport_error(unsigned status, std::string_view reason);

}  // namespace lee::http
