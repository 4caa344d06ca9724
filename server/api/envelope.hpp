#pragma once
// The response envelope every /v4 answer starts with, in the documented field order:
// {"ActionStatus":..,"ErrorInfo":..,"ErrorCode":..,"RequestId":.., ...payload}.
#include <array>
#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace lee::api {

// `payload_text`: members already written as JSON text (`"Key":value,...`), after `payload`'s.
std::string render_envelope(int error_code, std::string_view error_info, std::string_view request_id,
                            const boost::json::object* payload = nullptr, std::string_view payload_text = {});

// Appends `text` as a JSON string (quoted and escaped by Boost.JSON's serializer) to `out`.
void append_json_string(std::string& out, std::string_view text);

// Appends `value` in decimal (a JSON number, or any decimal the answers carry) to `out`.
template <std::integral Integer>
void append_decimal(std::string& out, Integer value) {
    std::array<char, 24> digits;  // uninitialised: to_chars writes every byte that is read
    const char* end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    // Pointer and length: the iterator-pair append goes through the general replace.
    out.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
}

}  // namespace lee::api
