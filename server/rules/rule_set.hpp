#pragma once
// Everything loaded from the rules directory, immutable once built and shared by reference count, so a
// reload swaps the whole set at once and requests in flight keep the one they started with.
#include <atomic>
#include <memory>
#include <string>

#include "rules/apps.hpp"
#include "rules/sensitive_words.hpp"

namespace lee::rules {

struct RuleSet {
    AppsConfig apps;
    SensitiveWordMatcher sensitive_words;
};

// Loads apps.json and sensitive_words.txt from `directory`; a missing file means its defaults.
// Throws RulesError naming the file and the problem.
std::shared_ptr<const RuleSet> load_rules_directory(const std::string& directory);

class RuleStore {
public:
    explicit RuleStore(std::shared_ptr<const RuleSet> initial) : current_(std::move(initial)) {}
    std::shared_ptr<const RuleSet> get() const { return current_.load(std::memory_order_acquire); }
    void replace(std::shared_ptr<const RuleSet> next) { current_.store(std::move(next), std::memory_order_release); }

private:
    std::atomic<std::shared_ptr<const RuleSet>> current_;
};

}  // namespace lee::rules
