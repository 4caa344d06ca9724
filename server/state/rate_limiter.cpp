#include "state/rate_limiter.hpp"

namespace lee::state {
namespace {

// Upper bits: the window (second) number + 1, so 0 means "never used"; lower bits: requests seen in it. The emulator
// clock stays within 1970..9999 (about 2^38 seconds), so the whole window number fits and a window never repeats,
// however far the clock jumps.
constexpr unsigned kCountBits = 26;
constexpr std::uint64_t kCountMask = (std::uint64_t{1} << kCountBits) - 1;
static_assert(core::kMaxRateLimit <= kCountMask, "a full window's count must fit its field");

std::uint64_t window_of(std::int64_t now_ms) noexcept {
    const std::int64_t seconds = now_ms >= 0 ? now_ms / 1000 : 0;
    return static_cast<std::uint64_t>(seconds) + 1;
}

}  // namespace

bool RateLimiter::admit(core::Command command, std::int64_t now_ms, std::uint32_t limit) noexcept {
    if (limit == 0) return true;
    const std::uint64_t window = window_of(now_ms);
    auto& slot = windows_[core::index_of(command)];
    std::uint64_t current = slot.load(std::memory_order_relaxed);
    for (;;) {
        const bool same_window = (current >> kCountBits) == window;
        const std::uint64_t count = same_window ? (current & kCountMask) : 0;
        if (count >= limit) return false;  // already full: nothing to record
        const std::uint64_t next = (window << kCountBits) | (count + 1);
        if (slot.compare_exchange_weak(current, next, std::memory_order_relaxed)) return true;
    }
}

void RateLimiter::clear() noexcept {
    for (auto& slot : windows_) slot.store(0, std::memory_order_relaxed);
}

bool RateLimiter::idle(std::int64_t now_ms) const noexcept {
    const std::uint64_t window = window_of(now_ms);
    for (const auto& slot : windows_) {
        if ((slot.load(std::memory_order_relaxed) >> kCountBits) == window) return false;
    }
    return true;
}

}  // namespace lee::state
