#pragma once
// Counters for GET /metrics (Prometheus text format 0.0.4). Every counter is a fixed array of relaxed atomics
// indexed by command, error code or status, so counting takes no lock and labels never depend on what a client
// sends (no per-RoomId label, bounded cardinality). Gauges that belong to other parts (rooms per app, open
// connections, fault rules) are passed to render() by the caller.
#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/callback_events.hpp"
#include "core/commands.hpp"
#include "core/error_codes.hpp"
#include "core/transport.hpp"

namespace lee::observe {

// What render() reports that Metrics does not own.
struct MetricsSnapshot {
    double uptime_seconds = 0;
    std::size_t connections_open = 0;
    std::size_t unread_answer_bytes = 0;
    std::uint64_t unread_answer_drops = 0;
    std::vector<std::pair<std::uint64_t, std::size_t>> rooms_per_app;  // sdkappid → rooms (bounded by the caller)
    std::size_t rooms_total = 0;
    std::size_t apps_tracked = 0;
    std::vector<std::pair<std::string, std::uint64_t>> faults_fired;  // rule id → times fired
    std::size_t journal_entries = 0;
    std::size_t journal_bytes = 0;
    std::uint64_t journal_dropped = 0;
    std::size_t callbacks_pending = 0;
    std::size_t callbacks_queue_bound = 0;
};

class Metrics {
public:
    // Upper bounds in seconds of the latency histogram's buckets (+Inf is implied).
    static constexpr std::array<double, 14> kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                               0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};

    // One /v4 request: `command` unset when the path named no known command.
    void count_api(std::optional<core::Command> command, int error_code, unsigned status, double latency_seconds);
    // Any other answer (control API, 404, transport rejections).
    void count_status(unsigned status);
    void count_header_fault();
    // A request answered by a network fault (no HTTP answer, so no status and no ErrorCode).
    void count_network_fault(std::optional<core::Command> command, core::NetworkFault fault);

    // One webhook delivery (or drop), by CallbackCommand and outcome.
    void count_callback(core::CallbackEvent event, core::CallbackOutcome outcome);

    std::string render(const MetricsSnapshot& snapshot) const;

private:
    static constexpr std::size_t kCommandSlots = core::kCommandCount + 1;  // last: unknown command
    // 0, the table's codes, any other code, and "none" for answers without an envelope (HTTP status not 200).
    static constexpr std::size_t kCodeSlots = core::kErrorCodeCount + 3;
    static constexpr std::size_t kStatusSlots = 600;
    struct alignas(64) LatencyHistogram {
        std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // non-cumulative
        std::atomic<std::uint64_t> sum_ns{0};
    };
    std::array<std::array<std::atomic<std::uint64_t>, kCodeSlots>, kCommandSlots> requests_{};
    std::array<std::atomic<std::uint64_t>, kStatusSlots> statuses_{};
    std::array<LatencyHistogram, kCommandSlots> latency_{};
    std::atomic<std::uint64_t> header_faults_{0};
    static constexpr std::size_t kNetworkSlots = 6;  // core::NetworkFault's values
    static_assert(static_cast<std::size_t>(core::NetworkFault::stall) + 1 == kNetworkSlots);
    std::array<std::array<std::atomic<std::uint64_t>, kNetworkSlots>, kCommandSlots> network_faults_{};
    std::array<std::array<std::atomic<std::uint64_t>, core::kCallbackOutcomes.size()>, core::kCallbackEventCount>
        callbacks_{};
};

}  // namespace lee::observe
