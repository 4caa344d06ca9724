#include "api/request_id.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <string_view>

namespace lee::api {
namespace {

// splitmix64: a cheap, well-mixed bijection; enough to make ids look random and never repeat within a run.
std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Two digits per byte from a table: a push_back per digit cost more than the rest of the id.
constexpr auto kHexPairs = [] {
    constexpr std::string_view digits = "0123456789abcdef";
    std::array<char, 512> pairs{};
    for (std::size_t byte = 0; byte < 256; ++byte) {
        pairs[2 * byte] = digits[byte >> 4];
        pairs[2 * byte + 1] = digits[byte & 0xF];
    }
    return pairs;
}();

// The 16 hex digits of `value` at `out`.
void write_hex(char* out, std::uint64_t value) {
    for (std::size_t i = 8; i-- > 0; value >>= 8) {
        const std::size_t byte = value & 0xFF;
        out[2 * i] = kHexPairs[2 * byte];
        out[2 * i + 1] = kHexPairs[2 * byte + 1];
    }
}

}  // namespace

// Formatted by hand: snprintf was a measurable share of create_room's CPU (issue 11).
RequestId RequestIdGenerator::next() {
    const std::uint64_t sequence = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
    const std::uint64_t high = mix(seed_ ^ mix(sequence));
    const std::uint64_t low = mix(high ^ sequence);
    constexpr std::string_view kHead = "Id-";
    constexpr std::string_view kMiddle = "-O-Seq-";
    RequestId id;
    static_assert(kHead.size() + 32 + kMiddle.size() + std::numeric_limits<std::uint64_t>::digits10 + 1 ==
                  std::tuple_size_v<decltype(id.text_)>);
    char* at = std::copy(kHead.begin(), kHead.end(), id.text_.data());
    write_hex(at, high);
    write_hex(at + 16, low);
    at = std::copy(kMiddle.begin(), kMiddle.end(), at + 32);
    at = std::to_chars(at, id.text_.data() + id.text_.size(), sequence).ptr;
    id.size_ = static_cast<std::uint8_t>(at - id.text_.data());
    return id;
}

}  // namespace lee::api
