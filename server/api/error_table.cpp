#include "api/error_table.hpp"

namespace lee::api {

std::string error_info(int code, std::string_view detail) {
    if (detail.empty()) return std::string(error_text(code));
    // The spec's own example for 100002 replaces the generic advice with the field and the rule it broke.
    if (code == code::invalid_parameter) return "Invalid request parameters: " + std::string(detail);
    std::string info(error_text(code));
    info.append(" (").append(detail).append(")");
    return info;
}

}  // namespace lee::api
