#pragma once
// The fault rules in force and their counters, and the decision for one request: the first rule that matches and
// whose schedule says "now" fires. Rules are an immutable list swapped as a whole (copy on write), so deciding
// takes no lock; counters are atomics on each rule. With no rules at all, deciding costs one atomic load.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "rules/fault_rules.hpp"

namespace lee::faults {

// What a request names, as far as the fault decision may look (emulated-api.md section 2: after step 2).
struct FaultSubject {
    core::Command command;
    std::optional<std::uint64_t> sdkappid;  // the sdkappid query value when it is a number
    std::optional<std::string_view> identifier;
    std::optional<std::string_view> room_id;  // when the body parses and names one
};

struct FaultDecision {
    rules::FaultAction action;
    std::string rule_id;
    std::string why;  // for the journal: which rule, and where in its schedule
};

enum class Source { file, api };

class FaultStore {
public:
    explicit FaultStore(std::uint64_t seed);

    // Replaces every rule with the file's, counters at zero (start, reload, reset).
    void load(const std::vector<rules::FaultRule>& from_file);
    // Appends rules, all or none: an id already in use, or more than rules::kMaxFaultRules in all, throws
    // std::invalid_argument. Rules without an id get one ("fault-N"). Returns the added rules' ids.
    std::vector<std::string> add(std::vector<rules::FaultRule> added);
    bool remove(std::string_view id);
    // Without an app: every rule goes. With one: the rules whose match names that sdkappid.
    void clear(std::optional<std::uint64_t> sdkappid);
    // Reset: run-time rules go, the file's come back with counters at zero; with an app, only rules naming it.
    void reset(const std::vector<rules::FaultRule>& from_file, std::optional<std::uint64_t> sdkappid);

    bool empty() const noexcept { return count_.load(std::memory_order_acquire) == 0; }
    // Whether any rule matches on RoomId, so the caller parses the body for it only when it matters.
    bool needs_room_id() const noexcept { return room_id_rules_.load(std::memory_order_acquire) != 0; }

    std::optional<FaultDecision> decide(const FaultSubject& subject) const;

    // The rules in order, each with "hits" (requests it matched), "fired" and "source".
    boost::json::array to_json() const;
    void for_each_fired(const std::function<void(std::string_view id, std::uint64_t fired)>& visit) const;

private:
    struct Active {
        rules::FaultRule rule;
        Source source;
        std::uint64_t stream;  // the rule's own stream of the seeded generator
        mutable std::atomic<std::uint64_t> hits{0};
        mutable std::atomic<std::uint64_t> fired{0};
    };
    using List = std::vector<std::shared_ptr<Active>>;

    std::shared_ptr<Active> make(rules::FaultRule rule, Source source) const;
    void publish(List next);  // under write_mutex_
    // Whether the rule fires on its `hit`-th match; counts the firing.
    bool schedule_fires(const Active& active, std::uint64_t hit, std::uint64_t& fired_number) const;

    std::uint64_t seed_;
    std::mutex write_mutex_;
    std::uint64_t next_number_ = 1;      // for ids the user did not give; under write_mutex_
    std::vector<std::string> file_ids_;  // faults.json's ids, kept for it even while deleted; under write_mutex_
    std::atomic<std::shared_ptr<const List>> rules_;
    std::atomic<std::size_t> count_{0};
    std::atomic<std::size_t> room_id_rules_{0};
};

// Matching alone (no schedule), for tests and for per-app reset.
bool matches(const rules::FaultMatch& match, const FaultSubject& subject);

}  // namespace lee::faults
