#pragma once
// The Live webhook authentication scheme (cloud.tencent.com/document/product/269/117703, "安全问题"): with a token
// set and enabled, the callback URL carries Sign and RequestTime, Sign = hex(sha256(Token + RequestTime)), the
// time in unix seconds.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/callback_events.hpp"

namespace lee::webhooks {

// Lower-case hex of SHA-256 over the token followed by the decimal time.
std::string callback_sign(std::string_view token, std::int64_t request_time_seconds);

// `<url>?SdkAppid=..&CallbackCommand=..&contenttype=json&ClientIP=..&OptPlatform=RESTAPI`, appended with `&` when
// the URL already has a query. The documented parameters, in the documented order.
std::string callback_target_url(std::string_view url, std::uint64_t sdkappid, std::string_view callback_command);

// The authentication parameters that follow, in the doc's order: `&Sign=<sign>&RequestTime=<seconds>`.
std::string signature_params(std::string_view token, std::int64_t request_time_seconds);

// ClientIP for a call made through the REST API (inferred: the room_engine callback doc says REST calls carry
// 0.0.0.0; the Live docs only give the format).
inline constexpr std::string_view kRestClientIp = "0.0.0.0";

}  // namespace lee::webhooks
