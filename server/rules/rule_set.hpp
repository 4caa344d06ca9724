#pragma once
// Everything loaded from the rules directory, immutable once built and shared by reference count, so a
// reload swaps the whole set at once and requests in flight keep the one they started with.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "rules/apps.hpp"
#include "rules/fault_rules.hpp"
#include "rules/sensitive_words.hpp"

namespace lee::rules {

struct RuleSet {
    AppsConfig apps;
    SensitiveWordMatcher sensitive_words;
    std::vector<FaultRule> faults;  // from faults.json; the running set (with run-time changes) is faults/'s
};

// Loads apps.json, sensitive_words.txt and faults.json from `directory`; a missing file means its defaults.
// Throws RulesError naming the file and the problem.
std::shared_ptr<const RuleSet> load_rules_directory(const std::string& directory);
// About how much heap loading `directory` takes while it builds: the word list's automaton, roughly a hundred bytes
// per byte of sensitive_words.txt (2.5 MiB for the benchmark's 25 KiB list). 0 when the file is missing.
std::size_t expected_load_bytes(const std::string& directory);

class RuleStore {
public:
    explicit RuleStore(std::shared_ptr<const RuleSet> initial) : current_(std::move(initial)) {}
    std::shared_ptr<const RuleSet> get() const { return current_.load(std::memory_order_acquire); }
    void replace(std::shared_ptr<const RuleSet> next) {
        std::lock_guard lock(write_mutex_);
        current_.store(std::move(next), std::memory_order_release);
    }
    // Copy, change, swap: readers never see a half-applied change, and writers do not lose each other's.
    void modify(const std::function<void(RuleSet&)>& change) {
        std::lock_guard lock(write_mutex_);
        auto next = std::make_shared<RuleSet>(*current_.load(std::memory_order_acquire));
        change(*next);
        current_.store(std::move(next), std::memory_order_release);
    }

private:
    std::mutex write_mutex_;
    std::atomic<std::shared_ptr<const RuleSet>> current_;
};

}  // namespace lee::rules
