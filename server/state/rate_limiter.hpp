#pragma once
// Fixed one-second windows per command, floor(emulator_ms / 1000). One atomic word per command holds the
// window number and its count, so the hot path is a single CAS and a stale window costs nothing to forget.
#include <array>
#include <atomic>
#include <cstdint>

#include "core/commands.hpp"

namespace lee::state {

class RateLimiter {
public:
    // Counts this request in the current window; false when the window already holds `limit` (0 = unlimited).
    bool admit(core::Command command, std::int64_t now_ms, std::uint32_t limit) noexcept;
    void clear() noexcept;
    // True when no window is current at `now_ms` (nothing worth keeping).
    bool idle(std::int64_t now_ms) const noexcept;

private:
    std::array<std::atomic<std::uint64_t>, core::kCommandCount> windows_{};
};

}  // namespace lee::state
