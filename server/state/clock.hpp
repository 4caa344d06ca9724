#pragma once
// The one source of "now" for every time-based rule (UserSig expiry, rate windows, create interval, CreateTime).
#include <atomic>
#include <cstdint>
#include <mutex>

namespace lee::state {

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t now_ms() const = 0;
    std::int64_t now_seconds() const { return now_ms() / 1000; }
};

// What a snapshot keeps of the clock: a frozen clock's time, or a running one's offset from wall time.
struct ClockState {
    bool frozen = false;
    std::int64_t now_ms = 0;     // the time it showed (what a frozen clock goes back to)
    std::int64_t offset_ms = 0;  // emulator time minus wall time (what a running clock goes back to)
};

// Wall time plus an offset, optionally frozen: what /_emulator/clock controls. Reads are lock-free because
// every request reads the clock; the rare writes serialise on a mutex.
class EmulatorClock final : public Clock {
public:
    std::int64_t now_ms() const override;
    bool frozen() const;
    void freeze();
    void resume();  // runs on from where it stands
    // Both keep the clock within [0, kMaxMs]: a value beyond it is clamped, never wrapped.
    void advance(std::int64_t delta_ms);
    void set(std::int64_t unix_ms);  // a frozen clock stays frozen, a running one runs on from unix_ms
    void reset();                    // back to wall time, running
    ClockState state() const;
    void restore(const ClockState& state);

    static constexpr std::int64_t kMaxMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

private:
    // Outside the clamped range, so no time the clock can show is mistaken for "running".
    static constexpr std::int64_t kRunning = INT64_MIN;
    static std::int64_t clamp(std::int64_t ms) { return ms < 0 ? 0 : (ms > kMaxMs ? kMaxMs : ms); }
    void set_locked(std::int64_t unix_ms);
    static std::int64_t wall_ms();
    mutable std::mutex write_mutex_;
    std::atomic<std::int64_t> offset_ms_{0};
    std::atomic<std::int64_t> frozen_at_ms_{kRunning};
};

// A clock that only moves when told to, for unit tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(std::int64_t start_ms) : now_(start_ms) {}
    std::int64_t now_ms() const override { return now_.load(); }
    void set(std::int64_t ms) { now_.store(ms); }
    void advance(std::int64_t delta_ms) { now_.fetch_add(delta_ms); }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace lee::state
