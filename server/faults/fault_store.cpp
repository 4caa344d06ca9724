#include "faults/fault_store.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/json.hpp>

namespace lee::faults {
namespace json = boost::json;

namespace {

// SplitMix64: a fixed, well-mixed function of its input, so a draw depends only on (seed, rule, match number)
// and never on which thread asked first.
std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31U);
}

std::uint64_t hash_text(std::string_view text) noexcept {
    std::uint64_t hash = 0xCBF29CE484222325ULL;  // FNV-1a
    for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    return hash;
}

std::string describe(const rules::FaultRule& rule, std::uint64_t fired, std::uint64_t hit) {
    std::string why = "fault: rule \"" + rule.id + "\" (hit " + std::to_string(fired);
    if (rule.times) why += " of times=" + std::to_string(*rule.times);
    if (rule.after != 0) why += ", match " + std::to_string(hit) + " after=" + std::to_string(rule.after);
    if (rule.probability < 1.0) why += ", probability=" + json::serialize(json::value(rule.probability));
    return why + ")";
}

}  // namespace

bool matches(const rules::FaultMatch& match, const FaultSubject& subject) {
    if (match.command && *match.command != subject.command) return false;
    if (match.sdkappid && match.sdkappid != subject.sdkappid) return false;
    if (match.identifier && (!subject.identifier || *match.identifier != *subject.identifier)) return false;
    if (match.room_id && (!subject.room_id || !rules::glob_match(*match.room_id, *subject.room_id))) return false;
    return true;
}

FaultStore::FaultStore(std::uint64_t seed) : seed_(seed), rules_(std::make_shared<const List>()) {}

std::shared_ptr<FaultStore::Active> FaultStore::make(rules::FaultRule rule, Source source) const {
    auto active = std::make_shared<Active>();
    active->stream = mix(seed_ ^ hash_text(rule.id));
    active->rule = std::move(rule);
    active->source = source;
    return active;
}

void FaultStore::publish(List next) {
    const auto room_rules =
        std::count_if(next.begin(), next.end(), [](const auto& active) { return active->rule.match.room_id; });
    room_id_rules_.store(static_cast<std::size_t>(room_rules), std::memory_order_release);
    count_.store(next.size(), std::memory_order_release);
    rules_.store(std::make_shared<const List>(std::move(next)), std::memory_order_release);
}

void FaultStore::load(const std::vector<rules::FaultRule>& from_file) { reset(from_file, std::nullopt); }

std::vector<std::string> FaultStore::add(std::vector<rules::FaultRule> added) {
    std::lock_guard lock(write_mutex_);
    List next = *rules_.load(std::memory_order_acquire);
    if (next.size() + added.size() > rules::kMaxFaultRules) {
        throw std::invalid_argument("at most " + std::to_string(rules::kMaxFaultRules) + " fault rules at once");
    }
    // A faults.json rule's id stays reserved while the rule is deleted, since a reset brings it back.
    auto in_use = [&](std::string_view id) {
        return std::find(file_ids_.begin(), file_ids_.end(), id) != file_ids_.end() ||
               std::any_of(next.begin(), next.end(), [&](const auto& active) { return active->rule.id == id; });
    };
    std::vector<std::string> ids;
    for (auto& rule : added) {
        if (rule.id.empty()) {
            do {
                rule.id = "fault-" + std::to_string(next_number_++);
            } while (in_use(rule.id));
        } else if (in_use(rule.id)) {
            throw std::invalid_argument("a fault rule with id \"" + rule.id +
                                        "\" already exists (or is faults.json's)");
        }
        ids.push_back(rule.id);
        next.push_back(make(std::move(rule), Source::api));
    }
    publish(std::move(next));
    return ids;
}

bool FaultStore::remove(std::string_view id) {
    std::lock_guard lock(write_mutex_);
    List next = *rules_.load(std::memory_order_acquire);
    const auto removed = std::erase_if(next, [&](const auto& active) { return active->rule.id == id; });
    if (removed == 0) return false;
    publish(std::move(next));
    return true;
}

void FaultStore::clear(std::optional<std::uint64_t> sdkappid) {
    std::lock_guard lock(write_mutex_);
    List next = *rules_.load(std::memory_order_acquire);
    std::erase_if(next, [&](const auto& active) { return !sdkappid || active->rule.match.sdkappid == sdkappid; });
    publish(std::move(next));
}

void FaultStore::reset(const std::vector<rules::FaultRule>& from_file, std::optional<std::uint64_t> sdkappid) {
    std::lock_guard lock(write_mutex_);
    const List current = *rules_.load(std::memory_order_acquire);
    file_ids_.clear();
    for (const auto& rule : from_file) file_ids_.push_back(rule.id);
    // With every run-time rule gone, unnamed ones are numbered from 1 again, so a seeded run does not depend on
    // what came before the reset (a rule's probability stream is keyed by its id).
    if (!sdkappid) next_number_ = 1;
    auto kept = [&](const std::string& id, Source source) -> std::shared_ptr<Active> {
        for (const auto& active : current) {
            if (active->source == source && active->rule.id == id) return active;
        }
        return nullptr;
    };
    // The file's rules in the file's order, then run-time ones; only rules naming the app (all, without one) start
    // afresh, the others keep their counters, and a file rule deleted at run time stays deleted.
    List next;
    for (const auto& rule : from_file) {
        const bool renew = !sdkappid || rule.match.sdkappid == sdkappid;
        if (renew) {
            next.push_back(make(rule, Source::file));
        } else if (auto active = kept(rule.id, Source::file)) {
            next.push_back(std::move(active));
        }
    }
    if (sdkappid) {
        for (const auto& active : current) {
            if (active->source == Source::api && active->rule.match.sdkappid != sdkappid) next.push_back(active);
        }
    }
    publish(std::move(next));
}

bool FaultStore::schedule_fires(const Active& active, std::uint64_t hit, std::uint64_t& fired_number) const {
    const rules::FaultRule& rule = active.rule;
    if (hit <= rule.after) return false;
    if (rule.probability < 1.0) {
        // 53 random bits → [0, 1), the same draw for the same (seed, rule id, match number) on every run.
        const double draw = static_cast<double>(mix(active.stream ^ hit) >> 11U) * 0x1.0p-53;
        if (draw >= rule.probability) return false;
    }
    std::uint64_t fired = active.fired.load(std::memory_order_relaxed);
    do {
        if (rule.times && fired >= *rule.times) return false;
    } while (!active.fired.compare_exchange_weak(fired, fired + 1, std::memory_order_relaxed));
    fired_number = fired + 1;
    return true;
}

std::optional<FaultDecision> FaultStore::decide(const FaultSubject& subject) const {
    if (empty()) return std::nullopt;
    const auto list = rules_.load(std::memory_order_acquire);
    for (const auto& active : *list) {
        if (!matches(active->rule.match, subject)) continue;
        const std::uint64_t hit = active->hits.fetch_add(1, std::memory_order_relaxed) + 1;
        std::uint64_t fired = 0;
        // A rule whose schedule says "not now" (after, times used up, probability) steps aside for the next one.
        if (!schedule_fires(*active, hit, fired)) continue;
        return FaultDecision{active->rule.action, active->rule.id, describe(active->rule, fired, hit)};
    }
    return std::nullopt;
}

json::array FaultStore::to_json() const {
    json::array out;
    const auto list = rules_.load(std::memory_order_acquire);  // held: a range-for would free it early
    for (const auto& active : *list) {
        json::value rule = json::value_from(active->rule);
        auto& object = rule.get_object();
        object["hits"] = active->hits.load(std::memory_order_relaxed);
        object["fired"] = active->fired.load(std::memory_order_relaxed);
        object["source"] = active->source == Source::file ? "file" : "api";
        out.push_back(std::move(rule));
    }
    return out;
}

void FaultStore::for_each_fired(const std::function<void(std::string_view, std::uint64_t)>& visit) const {
    const auto list = rules_.load(std::memory_order_acquire);  // held: a range-for would free it early
    for (const auto& active : *list) {
        visit(active->rule.id, active->fired.load(std::memory_order_relaxed));
    }
}

}  // namespace lee::faults
