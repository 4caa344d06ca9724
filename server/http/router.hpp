#pragma once
// The one place that decides which handler answers a request: /v4/... goes to the emulated API,
// /_emulator/... to the control API. A plain function from request to response, as in Beast's examples.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace lee {
class Emulator;
}

namespace lee::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

Response handle_request(Emulator& emulator, const Request& request);

// A transport-level rejection (400, 413, 431): a JSON explanation, and the connection closes after it.
Response transport_error(unsigned status, std::string_view reason);

}  // namespace lee::http
