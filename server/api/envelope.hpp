#pragma once
// The response envelope every /v4 answer starts with, in the documented field order:
// {"ActionStatus":..,"ErrorInfo":..,"ErrorCode":..,"RequestId":.., ...payload}.
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace lee::api {

// `payload_text`: members already written as JSON text (`"Key":value,...`), after `payload`'s.
std::string render_envelope(int error_code, std::string_view error_info, std::string_view request_id,
                            const boost::json::object* payload = nullptr, std::string_view payload_text = {});

}  // namespace lee::api
