#pragma once
// The types the transport and the handler exchange: a Beast request in, an answer out. An answer is a response
// plus a transport directive (a delay, a network fault) that the session carries out on its own timers.
#include <functional>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/transport.hpp"

namespace lee::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct Answer {
    Response response;
    core::TransportDirective directive;
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
Response transport_error(unsigned status, std::string_view reason);

}  // namespace lee::http
