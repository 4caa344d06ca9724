#pragma once
// One app's rooms. Sharded by RoomId: every operation on one RoomId runs under that shard's lock, which makes
// it linearizable per RoomId, while different RoomIds (and different apps) rarely contend.
//
// Memory: a shard exists only once a RoomId hashed to it was seen, so an app holding one room costs one small
// shard, not sixteen. Rooms live out of line and the maps hold a pointer with the key's hash, so growing a map
// moves small entries without touching the rooms (no long pause under the shard lock at a million rooms).
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/intrusive/set.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "state/room.hpp"

namespace lee::state {

// A RoomId with its hash, taken once per call: the shard, the interval window and the table each hashed the text
// again (six hashes a create, issue 11).
struct HashedId {
    explicit HashedId(std::string_view id) noexcept;  // with StringHash's hash
    std::string_view text;
    std::size_t hash;
};
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    std::size_t operator()(const HashedId& id) const noexcept { return id.hash; }
};
inline HashedId::HashedId(std::string_view id) noexcept : text(id), hash(StringHash{}(id)) {}
struct StringEqual {
    using is_transparent = void;
    static std::string_view text(std::string_view text) noexcept { return text; }
    static std::string_view text(const HashedId& id) noexcept { return id.text; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const noexcept {
        return text(a) == text(b);
    }
};

enum class CreateOutcome { created, too_frequent, exists_same_owner, exists_other_owner, full };

// An open 100012 interval: the last create of a RoomId that passed the interval check.
struct CreateWindow {
    std::int64_t started_ms;
    std::int64_t expires_ms;
};

// get_room_list's order: ViewCount descending, CreateTime descending, RoomId ascending ("descend"), or exactly
// its reverse ("ascend"). RoomIds are unique, so it is a strict total order.
enum class ListOrder { descend, ascend };
struct ListPosition {
    std::uint64_t view_count = 0;
    std::int64_t create_time = 0;
    std::string room_id;
};

class RoomRegistry {
public:
    // At most `max_rooms` rooms (a bound on memory; concurrent creates may pass it by a few).
    explicit RoomRegistry(std::size_t max_rooms = SIZE_MAX) : max_rooms_(max_rooms) {}
    ~RoomRegistry();
    RoomRegistry(const RoomRegistry&) = delete;
    RoomRegistry& operator=(const RoomRegistry&) = delete;

    // The create_room state checks 100012 → 100010 → 100003 and the insert, atomically for this RoomId.
    // Only an attempt that passes the interval check starts a new interval window. On too_frequent,
    // `window_age_ms` (when given) says how long ago the window opened.
    CreateOutcome create(const Room& room, std::int64_t now_ms, std::int64_t interval_ms,
                         std::int64_t* window_age_ms = nullptr);
    std::optional<Room> find(std::string_view room_id) const;
    // `removed`, when given, receives the room as it was (for the destroy webhook).
    bool destroy(std::string_view room_id, Room* removed = nullptr);
    // Applies `change` to the stored room under its shard lock; false when there is no such room. The RoomId
    // must not change.
    bool update(std::string_view room_id, const std::function<void(Room&)>& change);
    // Shows the stored room to `look` under its shard lock, without copying it; false when there is no such room.
    bool read(std::string_view room_id, const std::function<void(const Room&)>& look) const;
    std::vector<Room> snapshot() const;
    // The first `limit` rooms by RoomId after `after` (from the first without it); `more` says whether others
    // follow. Only the page is unpacked.
    std::vector<Room> list_by_id(const std::optional<std::string>& after, std::size_t limit, bool& more) const;
    // The first `limit` public rooms in `order` after `after` (from the start without it), each handed to `visit` in
    // order as it is read in place, under the shards' locks (no copy of it is made). Each shard keeps its public rooms
    // in that order, so a page costs O(shards × log rooms + limit), however many rooms the app holds. `more` says
    // whether public rooms follow the page.
    void visit_public(const std::optional<ListPosition>& after, ListOrder order, std::size_t limit, bool& more,
                      const std::function<void(const ListedRoom&)>& visit) const;
    std::size_t size() const { return count_.load(std::memory_order_relaxed); }
    std::size_t max_rooms() const { return max_rooms_; }
    std::size_t tracked_create_windows() const;  // for tests: memory held by 100012 windows
    // RoomId → window, for every window still open at `now_ms` (what a snapshot keeps).
    std::vector<std::pair<std::string, CreateWindow>> open_windows(std::int64_t now_ms) const;
    // Replaces everything with `rooms` and `windows` (RoomIds unique; checked by the caller).
    void replace(const std::vector<Room>& rooms, const std::vector<std::pair<std::string, CreateWindow>>& windows);
    // No rooms and no create window still open at `now_ms` (expired windows are dropped on the way).
    bool idle(std::int64_t now_ms);
    void clear();

    // The shard a RoomId's room is kept in: rooms of one shard share its lock and its listing index.
    static std::size_t shard_of(std::string_view room_id) noexcept { return shard_index(HashedId(room_id).hash); }

private:
    static constexpr std::size_t kShards = 16;
    static std::size_t shard_index(std::size_t hash) noexcept { return hash % kShards; }
    struct Stored;
    // A shard's table holds a pointer to each room and the hash of its RoomId: 16 bytes a slot, and a growing
    // table moves slots without rereading the rooms. The table owns what the pointers point to.
    struct Entry {
        mutable Stored* stored;  // replaced in place by update(): the RoomId, hence the hash, stays
        std::size_t hash;
    };
    struct EntryHash {
        using is_transparent = void;
        std::size_t operator()(const Entry& entry) const noexcept { return entry.hash; }
        std::size_t operator()(const HashedId& id) const noexcept { return id.hash; }
    };
    struct EntryEqual {
        using is_transparent = void;
        static std::string_view id(const Entry& entry);
        static std::string_view id(const HashedId& key) { return key.text; }
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const noexcept {
            return id(a) == id(b);
        }
    };
    // A shard's rooms by RoomId, grown without a stall. Boost's table rehashes every entry at once when it fills
    // (2.7 ms at 54,000 entries, measured; a shard holds 62,500 of a million rooms, and every create waits behind
    // it): a full table is set aside, one of twice its capacity takes the inserts, and each insert moves two
    // entries over, so the old one is empty before the new one fills. Lookups look in both meanwhile.
    class Table {
    public:
        const Entry* find(const HashedId& id) const;
        void insert(const Entry& entry);  // may throw (allocation), and then nothing has changed
        void erase(const HashedId& id);
        std::size_t size() const noexcept { return current_.size() + draining_.size(); }
        bool empty() const noexcept { return size() == 0; }
        template <typename Visit>
        void for_each(const Visit& visit) const {
            for (const Entry& entry : current_) visit(entry);
            for (const Entry& entry : draining_) visit(entry);
        }
        void swap(Table& other) noexcept;

    private:
        using Set = boost::unordered_flat_set<Entry, EntryHash, EntryEqual>;
        static constexpr std::size_t kIncrementalFrom = 4096;  // smaller tables rehash at once (microseconds)
        void move_some();
        void release_drained();  // draining_'s memory, once it is empty
        Set current_;
        Set draining_;             // the full table set aside, emptied by inserts
        Set::iterator next_ = {};  // draining_'s next entry to move (erasing others leaves it valid)
    };
    // A room packed into one allocation: what the index and create_room's checks read at fixed places (ViewCount,
    // CreateTime, visibility, RoomId, owner), every other field serialized behind them. A third of a Room's size,
    // and one allocation instead of one per long string.
    struct Stored {
        boost::intrusive::set_member_hook<> listed;  // its place in the shard's listing index, when public
        std::uint64_t view_count = 0;
        std::int64_t create_time = 0;
        std::uint32_t size = 0;     // bytes behind the header
        std::uint32_t id_size = 0;  // the RoomId is the first bytes, the owner (length-prefixed) the next
        bool is_public_visible = true;
        const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
        char* bytes() { return reinterpret_cast<char*>(this + 1); }
        std::string_view room_id() const { return {bytes(), id_size}; }
        std::string_view owner_account() const;
        Room unpack() const;
        // The fields a listing shows, as views into this room; `category` receives its tags.
        ListedRoom listing(std::vector<CategoryTag>& category) const;
        static Stored* pack(const Room& room);
        static void destroy(Stored* stored) noexcept;
    };
    struct StoredDelete {
        void operator()(Stored* stored) const noexcept { Stored::destroy(stored); }
    };
    struct ListedBefore {  // the "descend" order
        static bool before(std::uint64_t view_a, std::int64_t time_a, std::string_view id_a, std::uint64_t view_b,
                           std::int64_t time_b, std::string_view id_b) {
            if (view_a != view_b) return view_a > view_b;
            if (time_a != time_b) return time_a > time_b;
            return id_a < id_b;
        }
        bool operator()(const Stored& a, const Stored& b) const {
            return before(a.view_count, a.create_time, a.room_id(), b.view_count, b.create_time, b.room_id());
        }
        bool operator()(const ListPosition& a, const Stored& b) const {
            return before(a.view_count, a.create_time, a.room_id, b.view_count, b.create_time, b.room_id());
        }
        bool operator()(const Stored& a, const ListPosition& b) const {
            return before(a.view_count, a.create_time, a.room_id(), b.view_count, b.create_time, b.room_id);
        }
    };
    using ListIndex = boost::intrusive::set<
        Stored, boost::intrusive::member_hook<Stored, boost::intrusive::set_member_hook<>, &Stored::listed>,
        boost::intrusive::compare<ListedBefore>, boost::intrusive::constant_time_size<false>>;
    struct Shard {
        Shard() = default;
        Shard(const Shard&) = delete;
        Shard& operator=(const Shard&) = delete;
        ~Shard();
        mutable std::mutex mutex;
        Table rooms;
        ListIndex listed;                     // the public rooms
        const Stored* last_listed = nullptr;  // the room listed last by a create: where the next one likely goes
        // RoomId → the last create that passed the interval check. The check uses the app's current interval;
        // the interval in force at the time says when the entry may be forgotten, so ids seen once long ago do
        // not accumulate.
        boost::unordered_flat_map<std::string, CreateWindow, StringHash, StringEqual> create_windows;
        std::size_t prune_at = 64;
    };
    // The shard of `room_id`, made on first use.
    Shard& shard_for(const HashedId& room_id) const;
    // Every shard made so far, in a fixed order.
    template <typename Visit>
    void each_shard(const Visit& visit) const;
    // Calls `use` with the stored room under its shard lock; false when there is no such room.
    template <typename Self, typename Use>
    static bool with_room(Self& self, std::string_view room_id, const Use& use);
    static bool within(const CreateWindow& window, std::int64_t now_ms, std::int64_t interval_ms);
    // For idle(), which does not know the app's interval: the one in force when each window opened.
    static void prune_windows(Shard& shard, std::int64_t now_ms);
    static void insert(Shard& shard, const Room& room, std::size_t hash);  // hash: of room.room_id
    static void forget(Shard& shard, Stored& stored);
    mutable std::array<std::atomic<Shard*>, kShards> shards_{};
    std::size_t max_rooms_;
    std::atomic<std::size_t> count_{0};
};

}  // namespace lee::state
