#pragma once
// One app's rooms. Sharded by RoomId: every operation on one RoomId runs under that shard's lock, which makes
// it linearizable per RoomId, while different RoomIds (and different apps) rarely contend.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "state/room.hpp"

namespace lee::state {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};
struct StringEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

enum class CreateOutcome { created, too_frequent, exists_same_owner, exists_other_owner, full };

class RoomRegistry {
public:
    // At most `max_rooms` rooms (a bound on memory; concurrent creates may pass it by a few).
    explicit RoomRegistry(std::size_t max_rooms = SIZE_MAX) : max_rooms_(max_rooms) {}
    // The create_room state checks 100012 → 100010 → 100003 and the insert, atomically for this RoomId.
    // Only an attempt that passes the interval check starts a new interval window. On too_frequent,
    // `window_age_ms` (when given) says how long ago the window opened.
    CreateOutcome create(Room room, std::int64_t now_ms, std::int64_t interval_ms,
                         std::int64_t* window_age_ms = nullptr);
    std::optional<Room> find(std::string_view room_id) const;
    // `removed`, when given, receives the room as it was (for the destroy webhook).
    bool destroy(std::string_view room_id, Room* removed = nullptr);
    // Applies `change` to the stored room under its shard lock; false when there is no such room.
    bool update(std::string_view room_id, const std::function<void(Room&)>& change);
    // Shows the stored room to `look` under its shard lock, without copying it; false when there is no such room.
    bool read(std::string_view room_id, const std::function<void(const Room&)>& look) const;
    std::vector<Room> snapshot() const;
    // The first `limit` rooms that `keep` accepts, in `before` order, copying only rooms that can make the page:
    // O(rooms × log limit) instead of copying and sorting everything. `more` says whether others were left out.
    std::vector<Room> select(const std::function<bool(const Room&)>& keep,
                             const std::function<bool(const Room&, const Room&)>& before, std::size_t limit,
                             bool& more) const;
    std::size_t size() const;
    std::size_t max_rooms() const { return max_rooms_; }
    std::size_t tracked_create_windows() const;  // for tests: memory held by 100012 windows
    // No rooms and no create window still open at `now_ms` (expired windows are dropped on the way).
    bool idle(std::int64_t now_ms);
    void clear();

private:
    static constexpr std::size_t kShards = 16;
    struct CreateWindow {
        std::int64_t started_ms;
        std::int64_t expires_ms;
    };
    struct Shard {
        mutable std::mutex mutex;
        boost::unordered_flat_map<std::string, Room, StringHash, StringEqual> rooms;
        // RoomId → the last create that passed the interval check. The check uses the app's current interval;
        // the interval in force at the time says when the entry may be forgotten, so ids seen once long ago do
        // not accumulate.
        boost::unordered_flat_map<std::string, CreateWindow, StringHash, StringEqual> create_windows;
        std::size_t prune_at = 64;
    };
    Shard& shard_for(std::string_view room_id) const;
    // Calls `use` with the stored room under its shard lock; false when there is no such room.
    template <typename Self, typename Use>
    static bool with_room(Self& self, std::string_view room_id, const Use& use);
    static bool within(const CreateWindow& window, std::int64_t now_ms, std::int64_t interval_ms);
    // For idle(), which does not know the app's interval: the one in force when each window opened.
    static void prune_windows(Shard& shard, std::int64_t now_ms);
    mutable std::array<Shard, kShards> shards_;
    std::size_t max_rooms_;
    std::atomic<std::size_t> count_{0};
};

}  // namespace lee::state
