#pragma once
// The error table as the API renders it: the codes and texts live in core/error_codes.hpp; this adds ErrorInfo,
// which names the offending field where the code calls for it.
#include <string>
#include <string_view>

#include "core/error_codes.hpp"

namespace lee::api {

namespace code = core::code;
using core::error_text;
using core::is_known_error_code;

// ErrorInfo for a failure: the documented text, naming the offending field where the code calls for it.
std::string error_info(int code, std::string_view detail);

}  // namespace lee::api
