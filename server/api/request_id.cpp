#include "api/request_id.hpp"

#include <array>
#include <cstdio>

namespace lee::api {
namespace {

// splitmix64: a cheap, well-mixed bijection; enough to make ids look random and never repeat within a run.
std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

}  // namespace

std::string RequestIdGenerator::next() {
    const std::uint64_t sequence = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
    const std::uint64_t high = mix(seed_ ^ mix(sequence));
    const std::uint64_t low = mix(high ^ sequence);
    std::array<char, 80> buffer{};
    const int length = std::snprintf(buffer.data(), buffer.size(), "Id-%016llx%016llx-O-Seq-%llu",
                                     static_cast<unsigned long long>(high), static_cast<unsigned long long>(low),
                                     static_cast<unsigned long long>(sequence));
    return std::string(buffer.data(), static_cast<std::size_t>(length));
}

}  // namespace lee::api
