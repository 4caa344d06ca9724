#pragma once
// The composition root: everything a request handler may touch, built once in main() and passed down by
// reference (never looked up globally).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/request_id.hpp"
#include "log/access_log.hpp"
#include "rules/rule_set.hpp"
#include "state/clock.hpp"
#include "state/tenants.hpp"

namespace lee {

struct EmulatorOptions {
    std::string rules_directory;
    std::uint64_t seed = 0;
    bool strict = false;
    std::string admin_token;
};

class Emulator {
public:
    Emulator(EmulatorOptions options, std::shared_ptr<const rules::RuleSet> rules, log::AccessLog& access_log)
        : options_(std::move(options)),
          rules_(std::move(rules)),
          request_ids_(options_.seed),
          access_log_(access_log),
          started_(std::chrono::steady_clock::now()) {}

    const EmulatorOptions& options() const { return options_; }
    state::EmulatorClock& clock() { return clock_; }
    rules::RuleStore& rules() { return rules_; }
    state::TenantDirectory& tenants() { return tenants_; }
    api::RequestIdGenerator& request_ids() { return request_ids_; }
    log::AccessLog& access_log() { return access_log_; }
    std::int64_t uptime_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_)
            .count();
    }

private:
    EmulatorOptions options_;
    state::EmulatorClock clock_;
    rules::RuleStore rules_;
    state::TenantDirectory tenants_;
    api::RequestIdGenerator request_ids_;
    log::AccessLog& access_log_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace lee
