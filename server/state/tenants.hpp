#pragma once
// State per sdkappid, so parallel suites using different apps never see each other. Looking an app up takes
// a shared lock on the directory only; all further work happens on the app's own structures.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "state/rate_limiter.hpp"
#include "state/room_registry.hpp"

namespace lee::state {

struct Tenant {
    explicit Tenant(std::size_t max_rooms = SIZE_MAX) : rooms(max_rooms) {}
    RoomRegistry rooms;
    RateLimiter rate;
    void clear() {
        rooms.clear();
        rate.clear();
    }
};

// Bounds on memory: apps with state, and rooms per app.
struct TenantLimits {
    std::size_t max_apps = 50'000;
    std::size_t max_rooms_per_app = 2'000'000;
};

// What one app holds, as a snapshot carries it.
struct TenantContents {
    std::vector<Room> rooms;
    std::vector<std::pair<std::string, CreateWindow>> windows;
};

class TenantDirectory {
public:
    explicit TenantDirectory(TenantLimits limits = {}) : limits_(limits) {}
    const TenantLimits& limits() const { return limits_; }
    // nullptr when max_apps apps already hold state (after forgetting the ones that hold nothing).
    std::shared_ptr<Tenant> get_or_create(std::uint64_t sdkappid, std::int64_t now_ms);
    std::shared_ptr<Tenant> find(std::uint64_t sdkappid) const;
    void reset(std::optional<std::uint64_t> sdkappid);
    // Every app holding state, by sdkappid.
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Tenant>>> all() const;
    // Resets `only` (or every app), then gives each app of `contents` what it lists. The caller has checked the
    // bounds (apps, rooms per app) and that RoomIds are unique.
    void replace(std::optional<std::uint64_t> only, std::vector<std::pair<std::uint64_t, TenantContents>> contents);
    std::size_t size() const;
    // sdkappid → rooms held, for every app holding at least one, by sdkappid.
    std::vector<std::pair<std::uint64_t, std::size_t>> room_counts() const;
    // Forgets apps that hold nothing (no rooms, no create window, no current rate window) and that no request
    // is using, so apps seen once long ago do not accumulate. Runs by itself when the directory has doubled.
    void prune(std::int64_t now_ms);

private:
    void prune_locked(std::int64_t now_ms);
    mutable std::shared_mutex mutex_;
    boost::unordered_flat_map<std::uint64_t, std::shared_ptr<Tenant>> tenants_;
    std::size_t prune_at_ = 1024;
    TenantLimits limits_;
    std::chrono::steady_clock::time_point last_bound_prune_{};
};

}  // namespace lee::state
