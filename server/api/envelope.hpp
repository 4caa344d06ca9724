#pragma once
// The response envelope every /v4 answer starts with, in the documented field order:
// {"ActionStatus":..,"ErrorInfo":..,"ErrorCode":..,"RequestId":.., ...payload}.
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace lee::api {

std::string render_envelope(int error_code, std::string_view error_info, std::string_view request_id,
                            const boost::json::object* payload = nullptr);

}  // namespace lee::api
