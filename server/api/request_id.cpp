#include "api/request_id.hpp"

#include <array>
#include <string_view>

#include "api/envelope.hpp"

namespace lee::api {
namespace {

// splitmix64: a cheap, well-mixed bijection; enough to make ids look random and never repeat within a run.
std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Two digits per byte from a table, into a local buffer appended once: a push_back per digit cost more than the
// rest of the id.
constexpr auto kHexPairs = [] {
    constexpr std::string_view digits = "0123456789abcdef";
    std::array<char, 512> pairs{};
    for (std::size_t byte = 0; byte < 256; ++byte) {
        pairs[2 * byte] = digits[byte >> 4];
        pairs[2 * byte + 1] = digits[byte & 0xF];
    }
    return pairs;
}();

void append_hex(std::string& out, std::uint64_t value) {
    std::array<char, 16> text{};
    for (std::size_t i = 8; i-- > 0; value >>= 8) {
        const std::size_t byte = value & 0xFF;
        text[2 * i] = kHexPairs[2 * byte];
        text[2 * i + 1] = kHexPairs[2 * byte + 1];
    }
    out.append(text.data(), text.size());
}

}  // namespace

// Formatted by hand: snprintf was a measurable share of create_room's CPU (issue 11).
std::string RequestIdGenerator::next() {
    const std::uint64_t sequence = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
    const std::uint64_t high = mix(seed_ ^ mix(sequence));
    const std::uint64_t low = mix(high ^ sequence);
    std::string id;
    id.reserve(3 + 32 + 7 + 20);
    id.append("Id-");
    append_hex(id, high);
    append_hex(id, low);
    id.append("-O-Seq-");
    append_decimal(id, sequence);
    return id;
}

}  // namespace lee::api
