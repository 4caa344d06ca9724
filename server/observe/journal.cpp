#include "observe/journal.hpp"

#include <algorithm>
#include <utility>

#include <boost/json.hpp>

#include "core/utf8.hpp"

namespace lee::observe {
namespace {

// Request text can be as long as the header limit; the journal keeps enough to recognise it.
constexpr std::size_t kMaxIdentifierBytes = 128;
constexpr std::size_t kMaxRoomIdBytes = 128;
constexpr std::size_t kMaxPathBytes = 256;
constexpr std::size_t kMaxWhyBytes = 512;
constexpr std::size_t kMaxShortBytes = 64;

// The most stripes (up to the maximum, a power of two) that divide the entry bound evenly, so the stripes'
// bounds add up to it exactly.
std::size_t stripes_for(std::size_t entries, std::size_t max_stripes) {
    std::size_t stripes = max_stripes;
    while (stripes > 1 && (entries % stripes != 0 || entries / stripes == 0)) stripes /= 2;
    return stripes;
}

template <typename Slot>  // Journal::Slot, private to the journal
bool wanted(const Slot& entry, const JournalQuery& query) {
    if (entry.kind == EntryKind::control && !query.include_control) return false;
    if (query.sdkappid && entry.sdkappid != query.sdkappid) return false;
    if (query.command && entry.command != query.command) return false;
    if (query.error_code && entry.error_code != query.error_code) return false;
    if (query.room_id && entry.text(Slot::room_id) != *query.room_id) return false;
    if (query.since_ms && entry.time_ms < *query.since_ms) return false;
    if (query.after_seq && entry.seq <= *query.after_seq) return false;
    return true;
}

}  // namespace

std::size_t JournalEntry::bytes() const noexcept {
    return sizeof(JournalEntry) + method.size() + path.size() + identifier.size() + room_id.size() + request_id.size() +
           network.size() + fault.size() + why.size();
}

Journal::Journal(std::size_t max_entries, std::size_t max_bytes)
    : max_entries_(max_entries),
      max_bytes_(max_bytes),
      stripe_count_(stripes_for(max_entries, std::clamp<std::size_t>(max_bytes / kMinStripeBytes, 1, kMaxStripes))),
      stripe_entries_(max_entries / stripe_count_),
      stripe_bytes_(max_bytes / stripe_count_) {}

void Journal::Stripe::drop_oldest() {
    bytes -= at(0).bytes();
    head = slot(1);
    --count;
}

void Journal::Stripe::push(const JournalRecord& record, std::uint64_t seq) {
    if (count == ring.size()) {
        // The ring is full but below its bound: grow it, its oldest first so the new slot is the last one.
        std::rotate(ring.begin(), ring.begin() + static_cast<std::ptrdiff_t>(head), ring.end());
        head = 0;
        ring.emplace_back();
    }
    Slot& entry = at(count);  // a new slot, or one freed by an eviction
    entry.assign(record, seq);
    bytes += entry.bytes();
    ++count;
    // In sequence order even when two requests finish at once on different threads (the later one rarely lands
    // first, and only by a step or two).
    for (std::size_t i = count - 1; i > 0 && at(i - 1).seq > at(i).seq; --i) std::swap(at(i - 1), at(i));
}

void Journal::Slot::assign(const JournalRecord& record, std::uint64_t seq_number) {
    seq = seq_number;
    time_ms = record.time_ms;
    kind = record.kind;
    command = record.command;
    sdkappid = record.sdkappid;
    status = record.status;
    error_code = record.error_code;
    latency_ms = record.latency_ms;
    delay_ms = record.delay_ms;
    const std::array<std::pair<std::string_view, std::size_t>, kTexts> given = {{
        {record.method, kMaxShortBytes},
        {record.path, kMaxPathBytes},
        {record.identifier, kMaxIdentifierBytes},
        {record.room_id, kMaxRoomIdBytes},
        {record.request_id, kMaxShortBytes},
        {record.network, kMaxShortBytes},
        {record.fault, kMaxShortBytes},
        {record.why, kMaxWhyBytes},
    }};
    std::size_t total = 0;
    bool within = true;
    for (const auto& [text, max_bytes] : given) {
        total += text.size();
        within = within && text.size() <= max_bytes;
    }
    if (within) {
        // Into the capacity the slot already has, unless that is far more than the texts: the byte bound counts
        // text, so a slot must not hold on to a long text's memory for a short one.
        if (texts.capacity() > 2 * total + 32) std::string().swap(texts);
        texts.clear();
        for (std::size_t i = 0; i < kTexts; ++i) {
            texts.append(given[i].first);
            ends[i] = static_cast<std::uint16_t>(texts.size());
        }
        // ASCII is valid UTF-8 however it is cut into texts: the usual case, nothing to cut or mend.
        if (core::is_ascii(texts)) return;
        bool valid = true;
        for (const auto& field : given) valid = valid && core::is_valid_utf8(field.first);
        if (valid) return;  // not ASCII but valid UTF-8 (a Chinese RoomName): kept as given
    }
    // A text over its bound or not ASCII: each cut and mended on its own, into a string the size of what is kept
    // (never the texts as given: a request's 60 KiB RoomId must not stay in the slot uncounted).
    std::string kept;
    for (std::size_t i = 0; i < kTexts; ++i) {
        const auto& [text, max_bytes] = given[i];
        if (text.size() <= max_bytes && core::is_valid_utf8(text)) {
            kept.append(text);
        } else {
            kept.append(core::to_valid_utf8(text, max_bytes));
        }
        ends[i] = static_cast<std::uint16_t>(kept.size());
    }
    texts = std::move(kept);
}

JournalEntry Journal::Slot::entry() const {
    JournalEntry out;
    out.seq = seq;
    out.time_ms = time_ms;
    out.kind = kind;
    out.method = text(method);
    out.path = text(path);
    out.command = command;
    out.sdkappid = sdkappid;
    out.identifier = text(identifier);
    out.room_id = text(room_id);
    out.request_id = text(request_id);
    out.status = status;
    out.error_code = error_code;
    out.latency_ms = latency_ms;
    out.delay_ms = delay_ms;
    out.network = text(network);
    out.fault = text(fault);
    out.why = text(why);
    return out;
}

void Journal::Stripe::clear() {
    std::vector<Slot>().swap(ring);  // the memory goes back too
    head = 0;
    count = 0;
    bytes = 0;
}

void Journal::record(const JournalRecord& record) {
    if (!enabled()) return;
    const std::uint64_t seq = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
    Stripe& stripe = stripes_[seq % stripe_count_];
    std::uint64_t dropped = 0;
    {
        std::lock_guard lock(stripe.mutex);
        // Room for the entry by count before it goes in; by bytes once it is in, when its size is known (a text is
        // cut to its bound, and a mended one can grow: an invalid byte becomes U+FFFD's three). The newest entry
        // always stays (an entry is bounded, far below any byte bound).
        while (stripe.count > 0 && stripe.count >= stripe_entries_) {
            stripe.drop_oldest();
            ++dropped;
        }
        stripe.push(record, seq);
        while (stripe.count > 1 && stripe.bytes > stripe_bytes_) {
            stripe.drop_oldest();
            ++dropped;
        }
    }
    if (dropped != 0) dropped_.fetch_add(dropped, std::memory_order_relaxed);
}

std::vector<JournalEntry> Journal::query(const JournalQuery& query) const {
    std::vector<JournalEntry> out;
    for (std::size_t i = 0; i < stripe_count_; ++i) {
        const Stripe& stripe = stripes_[i];
        std::lock_guard lock(stripe.mutex);
        // Each stripe is in sequence order, so its newest `limit` matches are enough.
        std::size_t taken = 0;
        for (std::size_t k = stripe.count; k > 0 && taken < query.limit; --k) {
            const Slot& entry = stripe.at(k - 1);
            if (wanted(entry, query)) {
                out.push_back(entry.entry());
                ++taken;
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
    if (out.size() > query.limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(query.limit));
    return out;
}

void Journal::clear(std::optional<std::uint64_t> sdkappid) {
    for (std::size_t i = 0; i < stripe_count_; ++i) {
        Stripe& stripe = stripes_[i];
        std::lock_guard lock(stripe.mutex);
        std::vector<Slot> kept;
        if (sdkappid) {
            for (std::size_t k = 0; k < stripe.count; ++k) {
                if (stripe.at(k).sdkappid != sdkappid) kept.push_back(std::move(stripe.at(k)));
            }
        }
        stripe.clear();
        for (const auto& entry : kept) stripe.bytes += entry.bytes();
        stripe.count = kept.size();
        stripe.ring = std::move(kept);  // still in sequence order, oldest first
    }
}

JournalStats Journal::stats() const {
    JournalStats stats{max_entries_,
                       max_bytes_,
                       0,
                       0,
                       dropped_.load(std::memory_order_relaxed),
                       sequence_.load(std::memory_order_relaxed)};
    for (std::size_t i = 0; i < stripe_count_; ++i) {
        std::lock_guard lock(stripes_[i].mutex);
        stats.entries += stripes_[i].count;
        stats.bytes += stripes_[i].bytes;
    }
    return stats;
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const JournalEntry& entry) {
    auto text_or_null = [](const std::string& text) {
        return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
    };
    boost::json::object object;
    object["seq"] = entry.seq;
    object["time_ms"] = entry.time_ms;
    object["kind"] = entry.kind == EntryKind::api ? "api" : entry.kind == EntryKind::control ? "control" : "callback";
    object["method"] = entry.method;
    object["path"] = entry.path;
    object["command"] =
        entry.command ? boost::json::value(core::command_name(*entry.command)) : boost::json::value(nullptr);
    object["sdkappid"] = entry.sdkappid ? boost::json::value(*entry.sdkappid) : boost::json::value(nullptr);
    object["identifier"] = text_or_null(entry.identifier);
    object["room_id"] = text_or_null(entry.room_id);
    object["request_id"] = text_or_null(entry.request_id);
    object["status"] = entry.status;
    object["error_code"] = entry.error_code ? boost::json::value(*entry.error_code) : boost::json::value(nullptr);
    object["latency_ms"] = entry.latency_ms;
    object["delay_ms"] = entry.delay_ms;
    object["network"] = text_or_null(entry.network);
    object["fault"] = text_or_null(entry.fault);
    object["why"] = entry.why;
    out = std::move(object);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const JournalStats& stats) {
    out = boost::json::object{{"max_entries", stats.max_entries}, {"max_bytes", stats.max_bytes},
                              {"entries_held", stats.entries},    {"bytes_held", stats.bytes},
                              {"dropped", stats.dropped},         {"recorded", stats.recorded}};
}

}  // namespace lee::observe
