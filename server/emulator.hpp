#pragma once
// The composition root: everything a request handler may touch, built once in main() and passed down by
// reference (never looked up globally).
#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/request_id.hpp"
#include "faults/fault_store.hpp"
#include "log/access_log.hpp"
#include "observe/journal.hpp"
#include "observe/metrics.hpp"
#include "rules/rule_set.hpp"
#include "state/clock.hpp"
#include "state/snapshot.hpp"
#include "state/tenants.hpp"
#include "webhooks/dispatcher.hpp"

namespace lee {

namespace tls {
class TlsProvider;
}

struct EmulatorOptions {
    std::string rules_directory;
    std::uint64_t seed = 0;
    bool strict = false;
    std::string admin_token;
    std::size_t journal_entries = observe::kDefaultJournalEntries;
    std::size_t journal_bytes = observe::kDefaultJournalBytes;
    state::TenantLimits tenant_limits;
    webhooks::DispatcherOptions webhooks;
};

class Emulator {
public:
    Emulator(EmulatorOptions options, const std::shared_ptr<const rules::RuleSet>& rules, log::AccessLog& access_log)
        : options_(std::move(options)),
          rules_(rules),
          tenants_(options_.tenant_limits),
          request_ids_(options_.seed),
          faults_(options_.seed),
          journal_(options_.journal_entries, options_.journal_bytes),
          access_log_(access_log),
          started_(std::chrono::steady_clock::now()),
          webhooks_(options_.webhooks, clock_) {
        faults_.load(rules->faults);
        webhooks_.set_observer([this](const webhooks::DeliveryRecord& record) { observe_callback(record); });
    }

    const EmulatorOptions& options() const { return options_; }
    state::EmulatorClock& clock() { return clock_; }
    rules::RuleStore& rules() { return rules_; }
    state::TenantDirectory& tenants() { return tenants_; }
    api::RequestIdGenerator& request_ids() { return request_ids_; }
    faults::FaultStore& faults() { return faults_; }
    observe::Journal& journal() { return journal_; }
    observe::Metrics& metrics() { return metrics_; }
    log::AccessLog& access_log() { return access_log_; }
    webhooks::Dispatcher& webhooks() { return webhooks_; }
    std::int64_t uptime_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_)
            .count();
    }
    // The state as a snapshot holds it (one app's, or all), and back.
    state::Snapshot capture(std::optional<std::uint64_t> only) {
        return state::capture(tenants_, rules_.get()->apps, clock_, only);
    }
    // Ends with malloc_trim: a caller frees the text and the JSON it parsed the snapshot from before calling, or
    // the trim cannot give that memory back (load_state in main.cpp, PUT /_emulator/snapshot).
    void restore(state::Snapshot snapshot) {
        state::restore(std::move(snapshot), tenants_, rules_, clock_);
        ::malloc_trim(0);  // what the old state held goes back to the system
    }
    // The transport knows how many connections are open; main() tells the emulator how to ask.
    void set_connection_counter(std::function<std::size_t()> counter) { connections_ = std::move(counter); }
    std::size_t open_connections() const { return connections_ ? connections_() : 0; }
    // Bytes of answers not yet read by their clients, and connections closed to keep them within their bound.
    void set_unread_counter(std::function<std::pair<std::size_t, std::uint64_t>()> counter) {
        unread_ = std::move(counter);
    }
    std::pair<std::size_t, std::uint64_t> unread_answers() const {
        return unread_ ? unread_() : std::pair<std::size_t, std::uint64_t>{};
    }
    // HTTPS and proxy mode's certificates (for GET /_emulator/ca.pem); null in unit tests.
    void set_tls(std::shared_ptr<tls::TlsProvider> tls) { tls_ = std::move(tls); }
    tls::TlsProvider* tls() const { return tls_.get(); }

private:
    // Every delivery (and drop) shows in the metrics and, as a "callback" entry, in the journal.
    void observe_callback(const webhooks::DeliveryRecord& record) {
        metrics_.count_callback(record.event, record.outcome);
        if (!journal_.enabled()) return;
        observe::JournalRecord entry;
        entry.time_ms = record.time_ms;
        entry.kind = observe::EntryKind::callback;
        entry.method = "POST";
        entry.path = std::string_view(record.url).substr(0, record.url.find('?'));
        entry.command = record.trigger;
        entry.sdkappid = record.sdkappid;
        entry.room_id = record.room_id;
        entry.status = record.status;
        entry.latency_ms = record.latency_ms;
        entry.delay_ms = record.delayed_ms;
        entry.fault = record.fault;
        const std::string why = "callback " + std::string(core::callback_command(record.event)) + ": " +
                                std::string(core::callback_outcome_name(record.outcome)) +
                                (record.status != 0 ? " (HTTP " + std::to_string(record.status) + ")" : "") +
                                (record.error.empty() ? "" : ", " + record.error) +
                                (record.duplicate ? ", duplicate" : "");
        entry.why = why;
        journal_.record(entry);
    }

    EmulatorOptions options_;
    state::EmulatorClock clock_;
    rules::RuleStore rules_;
    state::TenantDirectory tenants_;
    api::RequestIdGenerator request_ids_;
    faults::FaultStore faults_;
    observe::Journal journal_;
    observe::Metrics metrics_;
    log::AccessLog& access_log_;
    std::chrono::steady_clock::time_point started_;
    std::function<std::size_t()> connections_;
    std::function<std::pair<std::size_t, std::uint64_t>()> unread_;
    std::shared_ptr<tls::TlsProvider> tls_;
    webhooks::Dispatcher webhooks_;  // last: its I/O thread stops (in its destructor) before the rest goes
};

}  // namespace lee
