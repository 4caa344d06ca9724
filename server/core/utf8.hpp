#pragma once
// Strict UTF-8: stray continuation bytes, truncated sequences, overlong forms, surrogates and code points above
// U+10FFFF are all invalid. Used wherever text from a request may end up in JSON (which must be valid UTF-8).
#include <cstddef>
#include <string>
#include <string_view>

namespace lee::core {

// The length of the valid UTF-8 sequence starting at text[at], or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) noexcept;

bool is_valid_utf8(std::string_view text) noexcept;
// Every byte below 0x80 (checked eight at a time).
bool is_ascii(std::string_view text) noexcept;

// `text` with each invalid byte replaced by U+FFFD, cut to at most `max_bytes` on a character boundary.
std::string to_valid_utf8(std::string_view text, std::size_t max_bytes = std::string::npos);

}  // namespace lee::core
