#include "core/utf8.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace lee::core {

std::size_t utf8_sequence_length(std::string_view text, std::size_t at) noexcept {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    if ((lead & 0xE0U) == 0xC0U) {
        length = 2;
    } else if ((lead & 0xF0U) == 0xE0U) {
        length = 3;
    } else if ((lead & 0xF8U) == 0xF0U) {
        length = 4;
    } else {
        return 0;
    }
    static constexpr std::array<std::uint32_t, 5> kLeadMask = {0, 0, 0x1F, 0x0F, 0x07};
    static constexpr std::array<std::uint32_t, 5> kMinCodePoint = {0, 0, 0x80, 0x800, 0x10000};
    if (text.size() - at < length) return 0;
    std::uint32_t code_point = lead & kLeadMask[length];
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[at + k]);
        if ((next & 0xC0U) != 0x80U) return 0;
        code_point = (code_point << 6U) | (next & 0x3FU);
    }
    if (code_point < kMinCodePoint[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        return 0;
    }
    return length;
}

bool is_valid_utf8(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size();) {
        // ASCII eight bytes at a time: most text the emulator checks is plain ASCII.
        if (std::uint64_t word; text.size() - i >= sizeof word) {
            std::memcpy(&word, text.data() + i, sizeof word);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += sizeof word;
                continue;
            }
        }
        if (static_cast<unsigned char>(text[i]) < 0x80) {  // a short text's ASCII, without the decoder's call
            ++i;
            continue;
        }
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

bool is_ascii(std::string_view text) noexcept {
    std::uint64_t bits = 0;
    std::size_t at = 0;
    for (; at + sizeof bits <= text.size(); at += sizeof bits) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + at, sizeof word);
        bits |= word;
    }
    for (; at < text.size(); ++at) bits |= static_cast<unsigned char>(text[at]);
    return (bits & 0x8080808080808080ULL) == 0;
}

std::string to_valid_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes && is_valid_utf8(text)) return std::string(text);  // the usual case, one copy
    static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_sequence_length(text, i);
        const std::string_view piece = length == 0 ? kReplacement : text.substr(i, length);
        if (out.size() + piece.size() > max_bytes) break;
        out.append(piece);
        i += length == 0 ? 1 : length;
    }
    return out;
}

}  // namespace lee::core
