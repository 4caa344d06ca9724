#include "state/room_registry.hpp"

#include <algorithm>

namespace lee::state {

std::string_view RoomRegistry::EntryEqual::id(const Entry& entry) { return entry.stored->room.room_id; }

RoomRegistry::Shard::~Shard() {
    listed.clear();
    for (const Entry& entry : rooms) delete entry.stored;
}

RoomRegistry::~RoomRegistry() {
    for (auto& slot : shards_) delete slot.load(std::memory_order_relaxed);
}

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
    std::atomic<Shard*>& slot = shards_[StringHash{}(room_id) % kShards];
    Shard* shard = slot.load(std::memory_order_acquire);
    if (shard) return *shard;
    auto made = std::make_unique<Shard>();
    if (slot.compare_exchange_strong(shard, made.get(), std::memory_order_acq_rel)) return *made.release();
    return *shard;  // another thread made it first; ours goes away
}

template <typename Visit>
void RoomRegistry::each_shard(const Visit& visit) const {
    for (auto& slot : shards_) {
        if (Shard* shard = slot.load(std::memory_order_acquire)) visit(*shard);
    }
}

void RoomRegistry::insert(Shard& shard, Room room) {
    auto stored = std::make_unique<Stored>(std::move(room));
    const std::size_t hash = StringHash{}(stored->room.room_id);
    shard.rooms.insert(Entry{stored.get(), hash});  // may throw: the room is still ours to free
    if (stored->room.is_public_visible) shard.listed.insert(*stored);
    stored.release();  // now the table's
}

void RoomRegistry::forget(Shard& shard, Stored& stored) {
    if (stored.listed.is_linked()) shard.listed.erase(shard.listed.iterator_to(stored));
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
    const auto existing = shard.rooms.find(std::string_view(room.room_id));
    // A full registry refuses a new room before anything changes (no interval window either).
    if (count_.load(std::memory_order_relaxed) >= max_rooms_ && existing == shard.rooms.end()) {
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
    if (existing != shard.rooms.end()) {
        return existing->stored->room.owner_account == room.owner_account ? CreateOutcome::exists_same_owner
                                                                          : CreateOutcome::exists_other_owner;
    }
    insert(shard, std::move(room));
    count_.fetch_add(1, std::memory_order_relaxed);
    return CreateOutcome::created;
}

bool RoomRegistry::destroy(std::string_view room_id) {
    Shard& shard = shard_for(room_id);
    std::unique_ptr<Stored> gone;  // freed after the lock is let go
    std::lock_guard lock(shard.mutex);
    const auto it = shard.rooms.find(room_id);
    if (it == shard.rooms.end()) return false;
    forget(shard, *it->stored);
    gone.reset(it->stored);
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
    use(shard, *it->stored);
    return true;
}

std::optional<Room> RoomRegistry::find(std::string_view room_id) const {
    std::optional<Room> found;
    with_room(*this, room_id, [&](const Shard&, const Stored& stored) { found = stored.room; });
    return found;
}

bool RoomRegistry::update(std::string_view room_id, const std::function<void(Room&)>& change) {
    return with_room(*this, room_id, [&](Shard& shard, Stored& stored) {
        // The change may move the room in the listing order or in or out of it: taken out, put back.
        forget(shard, stored);
        change(stored.room);
        if (stored.room.is_public_visible) shard.listed.insert(stored);
    });
}

bool RoomRegistry::read(std::string_view room_id, const std::function<void(const Room&)>& look) const {
    return with_room(*this, room_id, [&](const Shard&, const Stored& stored) { look(stored.room); });
}

std::vector<Room> RoomRegistry::snapshot() const {
    std::vector<Room> rooms;
    each_shard([&](const Shard& shard) {
        std::lock_guard lock(shard.mutex);
        for (const Entry& entry : shard.rooms) rooms.push_back(entry.stored->room);
    });
    return rooms;
}

std::vector<Room> RoomRegistry::select(const std::function<bool(const Room&)>& keep,
                                       const std::function<bool(const Room&, const Room&)>& before, std::size_t limit,
                                       bool& more) const {
    // A max-heap under `before`: its top is the last room of the page so far, the first to give way.
    std::vector<Room> heap;
    std::size_t matched = 0;
    each_shard([&](const Shard& shard) {
        std::lock_guard lock(shard.mutex);
        for (const Entry& entry : shard.rooms) {
            const Room& room = entry.stored->room;
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
    });
    more = matched > heap.size();
    std::sort_heap(heap.begin(), heap.end(), before);
    return heap;
}

std::vector<Room> RoomRegistry::list_public(const std::optional<ListPosition>& after, ListOrder order,
                                            std::size_t limit, bool& more) const {
    more = false;
    std::vector<Room> page;
    if (limit == 0) return page;
    const ListedBefore descend;
    // True when `a` is listed before `b` in `order`.
    auto before = [&](const Room& a, const Room& b) {
        const bool a_first =
            ListedBefore::before(a.view_count, a.create_time, a.room_id, b.view_count, b.create_time, b.room_id);
        return order == ListOrder::descend ? a_first : !a_first && a.room_id != b.room_id;
    };
    // A max-heap under `before` holds the best `limit` so far; its top is the first to give way. Each shard is
    // walked in order from the cursor only while its rooms can still make the page.
    auto offer = [&](const Room& room) {
        if (page.size() < limit) {
            page.push_back(room);
            std::push_heap(page.begin(), page.end(), before);
            return true;
        }
        if (!before(room, page.front())) {
            more = true;
            return false;  // neither this room nor any after it in this shard makes the page
        }
        std::pop_heap(page.begin(), page.end(), before);
        page.back() = room;
        std::push_heap(page.begin(), page.end(), before);
        more = true;  // the one pushed out follows the page
        return true;
    };
    each_shard([&](const Shard& shard) {
        std::lock_guard lock(shard.mutex);
        if (order == ListOrder::descend) {
            auto it = after ? shard.listed.upper_bound(*after, descend) : shard.listed.begin();
            for (; it != shard.listed.end() && offer(it->room); ++it) {
            }
        } else {
            auto it = after ? shard.listed.lower_bound(*after, descend) : shard.listed.end();
            while (it != shard.listed.begin()) {
                --it;
                if (!offer(it->room)) break;
            }
        }
    });
    std::sort_heap(page.begin(), page.end(), before);
    return page;
}

std::size_t RoomRegistry::tracked_create_windows() const {
    std::size_t total = 0;
    each_shard([&](const Shard& shard) {
        std::lock_guard lock(shard.mutex);
        total += shard.create_windows.size();
    });
    return total;
}

std::vector<std::pair<std::string, CreateWindow>> RoomRegistry::open_windows(std::int64_t now_ms) const {
    std::vector<std::pair<std::string, CreateWindow>> out;
    each_shard([&](const Shard& shard) {
        std::lock_guard lock(shard.mutex);
        for (const auto& [id, window] : shard.create_windows) {
            if (window.started_ms <= now_ms && now_ms < window.expires_ms) out.emplace_back(id, window);
        }
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

void RoomRegistry::replace(std::vector<Room> rooms, const std::vector<std::pair<std::string, CreateWindow>>& windows) {
    clear();
    for (Room& room : rooms) {
        Shard& shard = shard_for(room.room_id);
        std::lock_guard lock(shard.mutex);
        insert(shard, std::move(room));
        count_.fetch_add(1, std::memory_order_relaxed);
    }
    for (const auto& [id, window] : windows) {
        Shard& shard = shard_for(id);
        std::lock_guard lock(shard.mutex);
        shard.create_windows.insert_or_assign(id, window);
    }
}

bool RoomRegistry::idle(std::int64_t now_ms) {
    bool idle = true;
    each_shard([&](Shard& shard) {
        std::lock_guard lock(shard.mutex);
        prune_windows(shard, now_ms);
        if (!shard.rooms.empty() || !shard.create_windows.empty()) idle = false;
    });
    return idle;
}

void RoomRegistry::clear() {
    each_shard([&](Shard& shard) {
        // Swapped with empty maps, so the memory goes back too (clear() keeps the buckets); freed unlocked.
        decltype(shard.rooms) rooms;
        decltype(shard.create_windows) windows;
        {
            std::lock_guard lock(shard.mutex);
            count_.fetch_sub(shard.rooms.size(), std::memory_order_relaxed);
            shard.listed.clear();
            rooms.swap(shard.rooms);
            windows.swap(shard.create_windows);
            shard.prune_at = 64;
        }
        for (const Entry& entry : rooms) delete entry.stored;
    });
}

}  // namespace lee::state
