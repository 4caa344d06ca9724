#pragma once
// RequestId = "Id-" + 32 lowercase hex + "-O-Seq-" + a decimal sequence number, as the real service sends.
// The hex part is derived from the seed and the sequence number, so a seeded run repeats its ids exactly.
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace lee::api {

// One id, in a buffer of its own: every answer carries one, and as a std::string (over 15 bytes) it cost an
// allocation per request (issue 11). Empty until a generator writes it.
class RequestId {
public:
    std::string_view view() const noexcept { return {text_.data(), size_}; }
    bool empty() const noexcept { return size_ == 0; }

private:
    friend class RequestIdGenerator;
    std::array<char, 3 + 32 + 7 + 20> text_{};  // "Id-", the hex, "-O-Seq-", a uint64 in decimal
    std::uint8_t size_ = 0;
};

class RequestIdGenerator {
public:
    explicit RequestIdGenerator(std::uint64_t seed) : seed_(seed) {}
    RequestId next();

private:
    std::uint64_t seed_;
    std::atomic<std::uint64_t> sequence_{0};
};

}  // namespace lee::api
