#include "state/room_registry.hpp"

#include <algorithm>

namespace lee::state {

// Open from the passing create until the interval has gone by. A clock set back before that create does not
// keep the RoomId locked for the whole jump.
bool RoomRegistry::within(const CreateWindow& window, std::int64_t now_ms, std::int64_t interval_ms) {
    return window.started_ms <= now_ms && now_ms - window.started_ms < interval_ms;
}

void RoomRegistry::prune_windows(Shard& shard, std::int64_t now_ms) {
    boost::unordered::erase_if(shard.create_windows,
                               [&](const auto& entry) { return entry.second.expires_ms <= now_ms; });
}

RoomRegistry::Shard& RoomRegistry::shard_for(std::string_view room_id) const {
    return shards_[StringHash{}(room_id) % kShards];
}

CreateOutcome RoomRegistry::create(Room room, std::int64_t now_ms, std::int64_t interval_ms,
                                   std::int64_t* window_age_ms) {
    Shard& shard = shard_for(room.room_id);
    std::lock_guard lock(shard.mutex);
    if (const auto window = shard.create_windows.find(room.room_id);
        window != shard.create_windows.end() && within(window->second, now_ms, interval_ms)) {
        if (window_age_ms) *window_age_ms = now_ms - window->second.started_ms;
        return CreateOutcome::too_frequent;
    }
    // A full registry refuses a new room before anything changes (no interval window either).
    if (count_.load(std::memory_order_relaxed) >= max_rooms_ && !shard.rooms.contains(room.room_id)) {
        return CreateOutcome::full;
    }
    if (interval_ms > 0) {
        shard.create_windows.insert_or_assign(room.room_id, CreateWindow{now_ms, now_ms + interval_ms});
    } else {
        shard.create_windows.erase(room.room_id);
    }
    if (shard.create_windows.size() >= shard.prune_at) {
        // Amortised O(1): a full pass only after the map has doubled since the last one.
        // With the interval the check itself uses, so pruning never changes an answer.
        boost::unordered::erase_if(shard.create_windows,
                                   [&](const auto& entry) { return !within(entry.second, now_ms, interval_ms); });
        shard.prune_at = std::max<std::size_t>(64, shard.create_windows.size() * 2);
    }
    if (const auto existing = shard.rooms.find(room.room_id); existing != shard.rooms.end()) {
        return existing->second.owner_account == room.owner_account ? CreateOutcome::exists_same_owner
                                                                    : CreateOutcome::exists_other_owner;
    }
    std::string key = room.room_id;
    shard.rooms.emplace(std::move(key), std::move(room));
    count_.fetch_add(1, std::memory_order_relaxed);
    return CreateOutcome::created;
}

bool RoomRegistry::destroy(std::string_view room_id, Room* removed) {
    Shard& shard = shard_for(room_id);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.rooms.find(room_id);
    if (it == shard.rooms.end()) return false;
    if (removed) *removed = std::move(it->second);
    shard.rooms.erase(it);
    count_.fetch_sub(1, std::memory_order_relaxed);
    return true;
}

template <typename Self, typename Use>
bool RoomRegistry::with_room(Self& self, std::string_view room_id, const Use& use) {
    Shard& shard = self.shard_for(room_id);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.rooms.find(room_id);
    if (it == shard.rooms.end()) return false;
    use(it->second);
    return true;
}

std::optional<Room> RoomRegistry::find(std::string_view room_id) const {
    std::optional<Room> found;
    with_room(*this, room_id, [&](const Room& room) { found = room; });
    return found;
}

bool RoomRegistry::update(std::string_view room_id, const std::function<void(Room&)>& change) {
    return with_room(*this, room_id, change);
}

bool RoomRegistry::read(std::string_view room_id, const std::function<void(const Room&)>& look) const {
    return with_room(*this, room_id, look);
}

std::vector<Room> RoomRegistry::snapshot() const {
    std::vector<Room> rooms;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (const auto& [id, room] : shard.rooms) rooms.push_back(room);
    }
    return rooms;
}

std::vector<Room> RoomRegistry::select(const std::function<bool(const Room&)>& keep,
                                       const std::function<bool(const Room&, const Room&)>& before, std::size_t limit,
                                       bool& more) const {
    // A max-heap under `before`: its top is the last room of the page so far, the first to give way.
    std::vector<Room> heap;
    std::size_t matched = 0;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (const auto& [id, room] : shard.rooms) {
            if (!keep(room)) continue;
            ++matched;
            if (heap.size() < limit) {
                heap.push_back(room);
                std::push_heap(heap.begin(), heap.end(), before);
            } else if (limit > 0 && before(room, heap.front())) {
                std::pop_heap(heap.begin(), heap.end(), before);
                heap.back() = room;
                std::push_heap(heap.begin(), heap.end(), before);
            }
        }
    }
    more = matched > heap.size();
    std::sort_heap(heap.begin(), heap.end(), before);
    return heap;
}

std::size_t RoomRegistry::size() const {
    std::size_t total = 0;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.rooms.size();
    }
    return total;
}

std::size_t RoomRegistry::tracked_create_windows() const {
    std::size_t total = 0;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.create_windows.size();
    }
    return total;
}

bool RoomRegistry::idle(std::int64_t now_ms) {
    for (Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        prune_windows(shard, now_ms);
        if (!shard.rooms.empty() || !shard.create_windows.empty()) return false;
    }
    return true;
}

void RoomRegistry::clear() {
    for (Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        count_.fetch_sub(shard.rooms.size(), std::memory_order_relaxed);
        // Swapped with empty maps, so the memory goes back too (clear() keeps the buckets).
        decltype(shard.rooms)().swap(shard.rooms);
        decltype(shard.create_windows)().swap(shard.create_windows);
        shard.prune_at = 64;
    }
}

}  // namespace lee::state
