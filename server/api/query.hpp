#pragma once
// The common query parameters of a /v4 request, percent-decoded; a parameter given twice keeps its first value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lee::api {

struct CommonQuery {
    std::optional<std::string> sdkappid;
    std::optional<std::string> identifier;
    std::optional<std::string> usersig;
    std::optional<std::string> random;
    std::optional<std::string> contenttype;
    // The target is not valid origin-form URL syntax (e.g. a broken percent escape). The parameters are still
    // read as far as they can be, so "sdkappid missing" (60012) is told apart from "malformed" (60002).
    bool malformed = false;
};

CommonQuery parse_common_query(std::string_view target);

// Strict decimal: digits only, no sign, no spaces, no overflow.
std::optional<std::uint64_t> parse_decimal_u64(std::string_view text) noexcept;

}  // namespace lee::api
