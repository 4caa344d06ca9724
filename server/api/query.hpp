#pragma once
// The common query parameters of a /v4 request, percent-decoded; a parameter given twice keeps its first value.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lee::api {

// The values are views: into the target, which must outlive the query, or, for a value that had escapes, into text
// the query owns (on the heap, so the query may move). Copies cost an allocation for a real UserSig (issue 11).
struct CommonQuery {
    std::optional<std::string_view> sdkappid;
    std::optional<std::string_view> identifier;
    std::optional<std::string_view> usersig;
    std::optional<std::string_view> random;
    std::optional<std::string_view> contenttype;
    std::unique_ptr<std::array<std::string, 5>> decoded;  // the decoded values, when one had escapes
    // The target is not valid origin-form URL syntax (e.g. a broken percent escape). The parameters are still
    // read as far as they can be, so "sdkappid missing" (60012) is told apart from "malformed" (60002).
    bool malformed = false;
};

CommonQuery parse_common_query(std::string_view target);

// Strict decimal: digits only, no sign, no spaces, no overflow.
std::optional<std::uint64_t> parse_decimal_u64(std::string_view text) noexcept;

}  // namespace lee::api
