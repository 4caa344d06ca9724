#include "state/clock.hpp"

#include <chrono>

namespace lee::state {

std::int64_t EmulatorClock::wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t EmulatorClock::now_ms() const {
    const std::int64_t frozen_at = frozen_at_ms_.load(std::memory_order_acquire);
    if (frozen_at != kRunning) return frozen_at;
    return wall_ms() + offset_ms_.load(std::memory_order_acquire);
}

bool EmulatorClock::frozen() const { return frozen_at_ms_.load(std::memory_order_acquire) != kRunning; }

void EmulatorClock::freeze() {
    std::lock_guard lock(write_mutex_);
    if (!frozen()) frozen_at_ms_.store(now_ms(), std::memory_order_release);
}

void EmulatorClock::resume() {
    std::lock_guard lock(write_mutex_);
    const std::int64_t frozen_at = frozen_at_ms_.load(std::memory_order_acquire);
    if (frozen_at == kRunning) return;
    offset_ms_.store(frozen_at - wall_ms(), std::memory_order_release);
    frozen_at_ms_.store(kRunning, std::memory_order_release);
}

void EmulatorClock::advance(std::int64_t delta_ms) {
    std::lock_guard lock(write_mutex_);
    const std::int64_t now = now_ms();
    // Saturating: now is within [0, kMaxMs], so only a delta beyond that range can overflow.
    const std::int64_t target = delta_ms > kMaxMs ? kMaxMs : (delta_ms < -kMaxMs ? 0 : now + delta_ms);
    set_locked(target);
}

void EmulatorClock::set(std::int64_t unix_ms) {
    std::lock_guard lock(write_mutex_);
    set_locked(unix_ms);
}

void EmulatorClock::set_locked(std::int64_t unix_ms) {
    const std::int64_t target = clamp(unix_ms);
    if (frozen()) {
        frozen_at_ms_.store(target, std::memory_order_release);
    } else {
        offset_ms_.store(target - wall_ms(), std::memory_order_release);
    }
}

void EmulatorClock::reset() {
    std::lock_guard lock(write_mutex_);
    offset_ms_.store(0, std::memory_order_release);
    frozen_at_ms_.store(kRunning, std::memory_order_release);
}

ClockState EmulatorClock::state() const {
    std::lock_guard lock(write_mutex_);
    const std::int64_t now = now_ms();
    return {frozen(), now, frozen() ? offset_ms_.load(std::memory_order_acquire) : now - wall_ms()};
}

void EmulatorClock::restore(const ClockState& state) {
    std::lock_guard lock(write_mutex_);
    offset_ms_.store(state.offset_ms, std::memory_order_release);
    frozen_at_ms_.store(state.frozen ? clamp(state.now_ms) : kRunning, std::memory_order_release);
}

}  // namespace lee::state
