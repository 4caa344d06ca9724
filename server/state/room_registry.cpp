#include "state/room_registry.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

namespace lee::state {

namespace {

// Field by field, in one order for measuring, writing and reading. Lengths and counts are 32-bit.
struct Measure {
    std::size_t size = 0;
    void bytes(const void*, std::size_t n) { size += n; }
};
struct Write {
    char* at;
    void bytes(const void* from, std::size_t n) {
        if (n != 0) std::memcpy(at, from, n);
        at += n;
    }
};
template <typename Out, typename T>
void put(Out& out, const T& value) {
    out.bytes(&value, sizeof value);
}
template <typename Out>
void put_text(Out& out, std::string_view text) {
    put(out, static_cast<std::uint32_t>(text.size()));
    out.bytes(text.data(), text.size());
}
// The bits of put_room's flags byte.
constexpr unsigned kMessageDisabled = 1U;
constexpr unsigned kUnlimitedRoom = 2U;

// Everything behind the RoomId (which is written bare: its length is in the header).
template <typename Out>
void put_room(Out& out, const Room& room) {
    out.bytes(room.room_id.data(), room.room_id.size());
    put_text(out, room.owner_account);
    put_text(out, room.room_name);
    put_text(out, room.room_type);
    put_text(out, room.take_seat_mode);
    put_text(out, room.seat_template);
    put_text(out, room.cover_url);
    put_text(out, room.notice);
    put(out, room.max_seat_count);
    put(out, room.max_member_count);
    put(out, room.activity_status);
    const auto flags = static_cast<std::uint8_t>((room.is_message_disabled ? kMessageDisabled : 0U) |
                                                 (room.is_unlimited_room_enabled ? kUnlimitedRoom : 0U));
    put(out, flags);
    put(out, static_cast<std::uint32_t>(room.category.size()));
    for (const auto& tag : room.category) {
        if (const auto* number = std::get_if<std::int64_t>(&tag)) {
            put(out, std::uint8_t{0});
            put(out, *number);
        } else {
            put(out, std::uint8_t{1});
            put_text(out, std::get<std::string>(tag));
        }
    }
    put(out, static_cast<std::uint32_t>(room.metadata.size()));
    for (const auto& entry : room.metadata) {
        put_text(out, entry.key);
        put_text(out, entry.value);
    }
    put(out, static_cast<std::uint32_t>(room.robots.size()));
    for (const auto& robot : room.robots) put_text(out, robot);
}

struct Read {
    const char* at;
    template <typename T>
    T get() {
        T value;
        std::memcpy(&value, at, sizeof value);
        at += sizeof value;
        return value;
    }
    std::string_view text() {
        const auto size = get<std::uint32_t>();
        const std::string_view out(at, size);
        at += size;
        return out;
    }
};

// The fields put_room writes between the RoomId and Category, as views into the packed bytes: one reader of that
// order for unpack() and listing(). Inlined: a page reads 20 of them, and a call cost ~600 instructions a page.
struct Fields {
    std::string_view owner_account;
    std::string_view room_name;
    std::string_view room_type;
    std::string_view take_seat_mode;
    std::string_view seat_template;
    std::string_view cover_url;
    std::string_view notice;
    std::uint32_t max_seat_count = 0;
    std::uint32_t max_member_count = 0;
    std::int32_t activity_status = 0;
    std::uint8_t flags = 0;
};

[[gnu::always_inline]] inline Fields read_fields(Read& read) {
    Fields fields;
    fields.owner_account = read.text();
    fields.room_name = read.text();
    fields.room_type = read.text();
    fields.take_seat_mode = read.text();
    fields.seat_template = read.text();
    fields.cover_url = read.text();
    fields.notice = read.text();
    fields.max_seat_count = read.get<std::uint32_t>();
    fields.max_member_count = read.get<std::uint32_t>();
    fields.activity_status = read.get<std::int32_t>();
    fields.flags = read.get<std::uint8_t>();
    return fields;
}

// Category's tags as put_room writes them, into `tags` (its capacity reused).
void read_category(Read& read, std::vector<CategoryTag>& tags) {
    tags.resize(read.get<std::uint32_t>());
    for (auto& tag : tags) {
        if (read.get<std::uint8_t>() == 0) {
            tag = read.get<std::int64_t>();
        } else {
            tag = std::string(read.text());
        }
    }
}

}  // namespace

RoomRegistry::Stored* RoomRegistry::Stored::pack(const Room& room) {
    Measure measure;
    put_room(measure, room);
    void* memory = ::operator new(sizeof(Stored) + measure.size);
    auto* stored = new (memory) Stored;
    stored->view_count = room.view_count;
    stored->create_time = room.create_time;
    stored->size = static_cast<std::uint32_t>(measure.size);
    stored->id_size = static_cast<std::uint32_t>(room.room_id.size());
    stored->is_public_visible = room.is_public_visible;
    Write write{stored->bytes()};
    put_room(write, room);
    return stored;
}

void RoomRegistry::Stored::destroy(Stored* stored) noexcept {
    if (!stored) return;
    stored->~Stored();
    ::operator delete(stored);
}

std::string_view RoomRegistry::Stored::owner_account() const {
    Read read{bytes() + id_size};
    return read.text();
}

Room RoomRegistry::Stored::unpack() const {
    Room room;
    room.room_id = room_id();
    room.view_count = view_count;
    room.create_time = create_time;
    room.is_public_visible = is_public_visible;
    Read read{bytes() + id_size};
    const Fields fields = read_fields(read);
    room.owner_account = fields.owner_account;
    room.room_name = fields.room_name;
    room.room_type = fields.room_type;
    room.take_seat_mode = fields.take_seat_mode;
    room.seat_template = fields.seat_template;
    room.cover_url = fields.cover_url;
    room.notice = fields.notice;
    room.max_seat_count = fields.max_seat_count;
    room.max_member_count = fields.max_member_count;
    room.activity_status = fields.activity_status;
    room.is_message_disabled = (fields.flags & kMessageDisabled) != 0;
    room.is_unlimited_room_enabled = (fields.flags & kUnlimitedRoom) != 0;
    read_category(read, room.category);
    room.metadata.resize(read.get<std::uint32_t>());
    for (auto& entry : room.metadata) {
        entry.key = read.text();
        entry.value = read.text();
    }
    room.robots.resize(read.get<std::uint32_t>());
    for (auto& robot : room.robots) robot = read.text();
    return room;
}

ListedRoom RoomRegistry::Stored::listing(std::vector<CategoryTag>& category) const {
    Read read{bytes() + id_size};
    const Fields fields = read_fields(read);
    read_category(read, category);
    return ListedRoom{room_id(),
                      fields.room_name,
                      fields.owner_account,
                      fields.cover_url,
                      fields.seat_template,
                      category,
                      create_time,
                      view_count,
                      fields.activity_status,
                      (fields.flags & kUnlimitedRoom) != 0};
}

std::string_view RoomRegistry::EntryEqual::id(const Entry& entry) { return entry.stored->room_id(); }

const RoomRegistry::Entry* RoomRegistry::Table::find(const HashedId& id) const {
    if (const auto it = current_.find(id); it != current_.end()) return &*it;
    if (const auto it = draining_.find(id); it != draining_.end()) return &*it;
    return nullptr;
}

void RoomRegistry::Table::insert(const Entry& entry) {
    if (draining_.empty() && current_.size() >= kIncrementalFrom && current_.size() >= current_.max_load()) {
        Set bigger;
        bigger.reserve(2 * current_.size());  // the only allocation: if it throws, nothing has moved
        draining_.swap(current_);
        current_.swap(bigger);
        next_ = draining_.begin();
    }
    // Never a rehash while draining: the inserts that empty draining_ (two entries moved each) leave current_ at
    // 1.5 times draining_'s old size, under the 2 times reserved.
    current_.insert(entry);
    move_some();
}

void RoomRegistry::Table::move_some() {
    for (int moved = 0; moved < 2 && !draining_.empty(); ++moved) {
        const auto it = next_++;
        current_.insert(*it);
        draining_.erase(it);
    }
    release_drained();
}

void RoomRegistry::Table::release_drained() {
    if (draining_.empty() && draining_.bucket_count() != 0) Set().swap(draining_);
}

void RoomRegistry::Table::erase(const HashedId& id) {
    if (const auto it = current_.find(id); it != current_.end()) {
        current_.erase(it);
        return;
    }
    const auto it = draining_.find(id);
    if (it == draining_.end()) return;
    if (it == next_) ++next_;
    draining_.erase(it);
    release_drained();
}

void RoomRegistry::Table::swap(Table& other) noexcept {
    current_.swap(other.current_);
    draining_.swap(other.draining_);
    std::swap(next_, other.next_);
}

RoomRegistry::Shard::~Shard() {
    listed.clear();
    rooms.for_each([](const Entry& entry) { Stored::destroy(entry.stored); });
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

RoomRegistry::Shard& RoomRegistry::shard_for(const HashedId& room_id) const {
    std::atomic<Shard*>& slot = shards_[shard_index(room_id.hash)];
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

void RoomRegistry::insert(Shard& shard, const Room& room, std::size_t hash) {
    std::unique_ptr<Stored, StoredDelete> stored(Stored::pack(room));
    shard.rooms.insert(Entry{stored.get(), hash});  // may throw: the room is still ours
    if (stored->is_public_visible) {
        // A new room mostly lands right after the last one listed (ViewCount 0, the same second, RoomIds often in
        // order): with that hint the insert is two comparisons instead of a descent through cold nodes; a wrong
        // hint costs those two comparisons and then the descent.
        if (shard.last_listed) {
            shard.listed.insert(std::next(shard.listed.iterator_to(*shard.last_listed)), *stored);
        } else {
            shard.listed.insert(*stored);
        }
        shard.last_listed = stored.get();
    }
    static_cast<void>(stored.release());  // now the table's
}

void RoomRegistry::forget(Shard& shard, Stored& stored) {
    if (&stored == shard.last_listed) shard.last_listed = nullptr;
    if (stored.listed.is_linked()) shard.listed.erase(shard.listed.iterator_to(stored));
}

CreateOutcome RoomRegistry::create(const Room& room, std::int64_t now_ms, std::int64_t interval_ms,
                                   std::int64_t* window_age_ms) {
    const HashedId id(room.room_id);
    Shard& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    const auto window = shard.create_windows.find(id);
    if (window != shard.create_windows.end() && within(window->second, now_ms, interval_ms)) {
        if (window_age_ms) *window_age_ms = now_ms - window->second.started_ms;
        return CreateOutcome::too_frequent;
    }
    const Entry* existing = shard.rooms.find(id);
    // A full registry refuses a new room before anything changes (no interval window either).
    if (count_.load(std::memory_order_relaxed) >= max_rooms_ && !existing) {
        return CreateOutcome::full;
    }
    if (interval_ms > 0) {
        const CreateWindow opened{now_ms, now_ms + interval_ms};
        if (window != shard.create_windows.end()) {
            window->second = opened;
        } else {
            shard.create_windows.emplace(room.room_id, opened);
        }
    } else if (window != shard.create_windows.end()) {
        shard.create_windows.erase(window);
    }
    if (shard.create_windows.size() >= shard.prune_at) {
        // Amortised O(1): a full pass only after the map has doubled since the last one.
        // With the interval the check itself uses, so pruning never changes an answer.
        boost::unordered::erase_if(shard.create_windows,
                                   [&](const auto& entry) { return !within(entry.second, now_ms, interval_ms); });
        shard.prune_at = std::max<std::size_t>(64, shard.create_windows.size() * 2);
    }
    if (existing) {
        return existing->stored->owner_account() == room.owner_account ? CreateOutcome::exists_same_owner
                                                                       : CreateOutcome::exists_other_owner;
    }
    insert(shard, room, id.hash);
    count_.fetch_add(1, std::memory_order_relaxed);
    return CreateOutcome::created;
}

bool RoomRegistry::destroy(std::string_view room_id, Room* removed) {
    const HashedId id(room_id);
    Shard& shard = shard_for(id);
    std::unique_ptr<Stored, StoredDelete> gone;  // freed after the lock is let go
    std::lock_guard lock(shard.mutex);
    const Entry* entry = shard.rooms.find(id);
    if (!entry) return false;
    if (removed) *removed = entry->stored->unpack();
    forget(shard, *entry->stored);
    gone.reset(entry->stored);
    shard.rooms.erase(id);
    count_.fetch_sub(1, std::memory_order_relaxed);
    return true;
}

template <typename Self, typename Use>
bool RoomRegistry::with_room(Self& self, std::string_view room_id, const Use& use) {
    const HashedId id(room_id);
    Shard& shard = self.shard_for(id);
    std::lock_guard lock(shard.mutex);
    const Entry* entry = shard.rooms.find(id);
    if (!entry) return false;
    use(shard, *entry);
    return true;
}

std::optional<Room> RoomRegistry::find(std::string_view room_id) const {
    std::optional<Room> found;
    with_room(*this, room_id, [&](const Shard&, const Entry& entry) { found = entry.stored->unpack(); });
    return found;
}

bool RoomRegistry::update(std::string_view room_id, const std::function<void(Room&)>& change) {
    Stored* replaced = nullptr;  // freed after the lock is let go
    const bool found = with_room(*this, room_id, [&](Shard& shard, const Entry& entry) {
        Room room = entry.stored->unpack();
        change(room);
        std::unique_ptr<Stored, StoredDelete> repacked(Stored::pack(room));
        // The change may move the room in the listing order or in or out of it: taken out, put back.
        forget(shard, *entry.stored);
        if (repacked->is_public_visible) shard.listed.insert(*repacked);
        replaced = entry.stored;
        entry.stored = repacked.release();
    });
    Stored::destroy(replaced);
    return found;
}

bool RoomRegistry::read(std::string_view room_id, const std::function<void(const Room&)>& look) const {
    return with_room(*this, room_id, [&](const Shard&, const Entry& entry) { look(entry.stored->unpack()); });
}

std::vector<Room> RoomRegistry::snapshot() const {
    std::vector<Room> rooms;
    each_shard([&](const Shard& shard) {
        std::lock_guard lock(shard.mutex);
        shard.rooms.for_each([&](const Entry& entry) { rooms.push_back(entry.stored->unpack()); });
    });
    return rooms;
}

std::vector<Room> RoomRegistry::list_by_id(const std::optional<std::string>& after, std::size_t limit,
                                           bool& more) const {
    // A max-heap by RoomId of the best `limit` so far; a room is unpacked only when it enters the heap.
    std::vector<Room> heap;
    more = false;
    if (limit == 0) return heap;
    auto before = [](const Room& a, const Room& b) { return a.room_id < b.room_id; };
    each_shard([&](const Shard& shard) {
        std::lock_guard lock(shard.mutex);
        shard.rooms.for_each([&](const Entry& entry) {
            const std::string_view id = entry.stored->room_id();
            if (after && id <= *after) return;
            if (heap.size() < limit) {
                heap.push_back(entry.stored->unpack());
                std::push_heap(heap.begin(), heap.end(), before);
                return;
            }
            more = true;
            if (id >= heap.front().room_id) return;
            std::pop_heap(heap.begin(), heap.end(), before);
            heap.back() = entry.stored->unpack();
            std::push_heap(heap.begin(), heap.end(), before);
        });
    });
    std::sort_heap(heap.begin(), heap.end(), before);
    return heap;
}

void RoomRegistry::visit_public(const std::optional<ListPosition>& after, ListOrder order, std::size_t limit,
                                bool& more, const std::function<void(const ListedRoom&)>& visit) const {
    more = false;
    if (limit == 0) return;
    const ListedBefore descend;
    const bool backward = order == ListOrder::ascend;  // "ascend" walks the "descend" index from its end
    std::vector<CategoryTag> category;                 // each visited room's, its capacity reused
    // One walk per shard from the cursor, merged through a tournament over the walks' next rooms: a page costs one
    // search per shard and, per room taken, a comparison for each level of the tournament (log2 of the walks; a
    // heap's pop and push took about twice as many, a quarter of a page's instructions).
    struct Walk {
        ListIndex::const_iterator at;
        ListIndex::const_iterator stop;
        const Stored& next(bool back) const { return back ? *std::prev(at) : *at; }
    };
    std::vector<Walk> walks;
    walks.reserve(kShards);
    // Every shard stays locked until the page is visited (a few microseconds), so the walks stay valid.
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(kShards);
    each_shard([&](const Shard& shard) {
        locks.emplace_back(shard.mutex);
        Walk walk;
        if (backward) {
            walk.at = after ? shard.listed.lower_bound(*after, descend) : shard.listed.end();
            walk.stop = shard.listed.begin();
        } else {
            walk.at = after ? shard.listed.upper_bound(*after, descend) : shard.listed.begin();
            walk.stop = shard.listed.end();
        }
        if (walk.at != walk.stop) walks.push_back(walk);
    });
    // Walks by index; an index past the walks (the tournament's padding) is a walk that has ended.
    const auto ended = [&](std::size_t w) { return w >= walks.size() || walks[w].at == walks[w].stop; };
    // Whether walk a's next room is listed before walk b's (rooms are distinct: a strict order); an ended walk never
    // is.
    const auto first = [&](std::size_t a, std::size_t b) {
        if (ended(a)) return false;
        if (ended(b)) return true;
        const Stored& x = walks[a].next(backward);
        const Stored& y = walks[b].next(backward);
        return backward ? descend(y, x) : descend(x, y);
    };
    // A loser tree: leaves are the walks, each match keeps its loser, and loser[0] holds the overall winner.
    std::size_t leaves = 1;
    while (leaves < walks.size()) leaves *= 2;
    std::array<std::size_t, 2 * kShards> winner{};
    std::array<std::size_t, kShards> loser{};
    for (std::size_t leaf = 0; leaf < leaves; ++leaf) winner[leaves + leaf] = leaf;
    for (std::size_t node = leaves - 1; node >= 1; --node) {
        const std::size_t a = winner[2 * node];
        const std::size_t b = winner[2 * node + 1];
        const bool a_wins = first(a, b);
        winner[node] = a_wins ? a : b;
        loser[node] = a_wins ? b : a;
    }
    loser[0] = winner[1];
    for (std::size_t taken = 0; taken < limit && !ended(loser[0]); ++taken) {
        std::size_t w = loser[0];
        visit(walks[w].next(backward).listing(category));
        if (backward) {
            --walks[w].at;
        } else {
            ++walks[w].at;
        }
        // The walk plays its matches again from its leaf up, against the losers kept on the way.
        for (std::size_t node = (leaves + w) / 2; node >= 1; node /= 2) {
            if (first(loser[node], w)) std::swap(loser[node], w);
        }
        loser[0] = w;
    }
    more = !ended(loser[0]);
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

void RoomRegistry::replace(const std::vector<Room>& rooms,
                           const std::vector<std::pair<std::string, CreateWindow>>& windows) {
    clear();
    for (const Room& room : rooms) {
        const HashedId id(room.room_id);
        Shard& shard = shard_for(id);
        std::lock_guard lock(shard.mutex);
        insert(shard, room, id.hash);
        count_.fetch_add(1, std::memory_order_relaxed);
    }
    for (const auto& [id, window] : windows) {
        Shard& shard = shard_for(HashedId(id));
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
            shard.last_listed = nullptr;
            rooms.swap(shard.rooms);
            windows.swap(shard.create_windows);
            shard.prune_at = 64;
        }
        rooms.for_each([](const Entry& entry) { Stored::destroy(entry.stored); });
    });
}

}  // namespace lee::state
