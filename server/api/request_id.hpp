#pragma once
// RequestId = "Id-" + 32 lowercase hex + "-O-Seq-" + a decimal sequence number, as the real service sends.
// The hex part is derived from the seed and the sequence number, so a seeded run repeats its ids exactly.
#include <atomic>
#include <cstdint>
#include <string>

namespace lee::api {

class RequestIdGenerator {
public:
    explicit RequestIdGenerator(std::uint64_t seed) : seed_(seed) {}
    std::string next();

private:
    std::uint64_t seed_;
    std::atomic<std::uint64_t> sequence_{0};
};

}  // namespace lee::api
