#pragma once
// The request journal: a bounded record of recent requests and why each got its answer. Bounded by entries and by
// bytes; the oldest go first and are counted. Entries are spread over stripes by sequence number, each with its own
// lock, so concurrent requests rarely meet on one lock and no lock is shared by all of them; since stripe k keeps
// the newest entries whose sequence is k modulo the stripe count, together the stripes keep exactly the newest
// `entries` requests. The byte bound is shared out among the stripes, which are few enough that each holds at
// least 64 KiB: small bounds use one stripe, and then the oldest entry always goes first.
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/commands.hpp"

namespace lee::observe {

inline constexpr std::size_t kDefaultJournalEntries = 10'000;
inline constexpr std::size_t kDefaultJournalBytes = std::size_t{16} * 1024 * 1024;
inline constexpr std::size_t kMaxJournalEntries = 10'000'000;

enum class EntryKind : std::uint8_t { api, control, callback };  // callback: a webhook the emulator sent

struct JournalEntry {
    std::uint64_t seq = 0;     // set by the journal: 1, 2, ... in the order requests finished
    std::int64_t time_ms = 0;  // emulator clock
    EntryKind kind = EntryKind::api;
    std::string method;
    std::string path;  // without the query (where UserSigs travel)
    std::optional<core::Command> command;
    std::optional<std::uint64_t> sdkappid;
    std::string identifier;
    std::string room_id;
    std::string request_id;
    unsigned status = 200;          // 0: no HTTP answer (a network fault)
    std::optional<int> error_code;  // only for answers in the envelope
    double latency_ms = 0;
    std::uint32_t delay_ms = 0;  // injected by a fault, on top of latency_ms
    std::string network;         // the network fault carried out, if any
    std::string fault;           // the rule that fired ("X-Emulator-Fault" for the header)
    std::string why;

    // What the entry counts against the byte bound.
    std::size_t bytes() const noexcept;
};

// What a request (or a webhook delivery) leaves in the journal, as views: the journal copies it into a slot it
// reuses, so recording allocates nothing once the ring has filled (issue 11).
struct JournalRecord {
    std::int64_t time_ms = 0;
    EntryKind kind = EntryKind::api;
    std::string_view method;
    std::string_view path;
    std::optional<core::Command> command;
    std::optional<std::uint64_t> sdkappid;
    std::string_view identifier;
    std::string_view room_id;
    std::string_view request_id;
    unsigned status = 200;
    std::optional<int> error_code;
    double latency_ms = 0;
    std::uint32_t delay_ms = 0;
    std::string_view network;
    std::string_view fault;
    std::string_view why;
};

// The entry as JSON, for GET /_emulator/journal.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const JournalEntry& entry);

struct JournalQuery {
    std::optional<std::uint64_t> sdkappid;
    std::optional<core::Command> command;
    std::optional<int> error_code;
    std::optional<std::string> room_id;
    std::optional<std::int64_t> since_ms;  // entries at or after this emulator time
    std::optional<std::uint64_t> after_seq;
    bool include_control = false;
    std::size_t limit = 100;  // the newest `limit` that match, returned oldest first
};

struct JournalStats {
    std::size_t max_entries;
    std::size_t max_bytes;
    std::size_t entries;
    std::size_t bytes;
    std::uint64_t dropped;   // pushed out by a bound
    std::uint64_t recorded;  // ever
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const JournalStats& stats);

class Journal {
public:
    // max_entries 0 turns the journal off (nothing is recorded).
    Journal(std::size_t max_entries, std::size_t max_bytes);

    bool enabled() const noexcept { return max_entries_ != 0; }
    // Text fields are cut to their bounds and made valid UTF-8 here.
    void record(const JournalRecord& record);
    std::vector<JournalEntry> query(const JournalQuery& query) const;
    // All entries, or those of one app.
    void clear(std::optional<std::uint64_t> sdkappid);
    JournalStats stats() const;

private:
    static constexpr std::size_t kMaxStripes = 16;
    // A stripe's share of the byte bound is at least this, so small bounds use one stripe (exact order).
    static constexpr std::size_t kMinStripeBytes = std::size_t{64} * 1024;
    // An entry as the ring keeps it: its eight texts end to end in one string, reused from entry to entry, where
    // eight strings were up to eight allocations to touch per request and eight checks of their text (issue 11).
    struct Slot {
        enum Text : std::size_t { method, path, identifier, room_id, request_id, network, fault, why, kTexts };
        std::uint64_t seq = 0;
        std::int64_t time_ms = 0;
        EntryKind kind = EntryKind::api;
        std::optional<core::Command> command;
        std::optional<std::uint64_t> sdkappid;
        unsigned status = 200;
        std::optional<int> error_code;
        double latency_ms = 0;
        std::uint32_t delay_ms = 0;
        std::array<std::uint16_t, kTexts> ends{};  // where each text ends in `texts`
        std::string texts;

        // Text fields cut to their bounds and made valid UTF-8.
        void assign(const JournalRecord& record, std::uint64_t seq_number);
        std::string_view text(Text which) const noexcept {
            const std::size_t begin = which == 0 ? 0 : ends[which - 1];
            return std::string_view(texts).substr(begin, ends[which] - begin);
        }
        // What the entry it gives counts (JournalEntry::bytes).
        std::size_t bytes() const noexcept { return sizeof(JournalEntry) + texts.size(); }
        JournalEntry entry() const;
    };
    // A ring of entries in sequence order that grows up to its bound and then reuses its slots, so recording
    // allocates nothing beyond the entry's own text.
    struct Stripe {
        mutable std::mutex mutex;
        std::vector<Slot> ring;
        std::size_t head = 0;  // the oldest entry
        std::size_t count = 0;
        std::size_t bytes = 0;
        // i < ring.size(), so one subtraction wraps it (no division on the request path).
        std::size_t slot(std::size_t i) const { return head + i < ring.size() ? head + i : head + i - ring.size(); }
        Slot& at(std::size_t i) { return ring[slot(i)]; }
        const Slot& at(std::size_t i) const { return ring[slot(i)]; }
        void drop_oldest();
        void push(const JournalRecord& record, std::uint64_t seq);
        void clear();
    };
    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::size_t stripe_count_;
    std::size_t stripe_entries_;
    std::size_t stripe_bytes_;
    std::array<Stripe, kMaxStripes> stripes_;
    std::atomic<std::uint64_t> sequence_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace lee::observe
