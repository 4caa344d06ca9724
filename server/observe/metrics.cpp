#include "observe/metrics.hpp"

#include <cmath>
#include <cstdio>

#include "core/utf8.hpp"

namespace lee::observe {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

std::string_view slot_name(std::size_t slot) {
    return slot < core::kCommandCount ? core::kCommands[slot].name : std::string_view("unknown");
}

std::size_t slot_of(std::optional<core::Command> command) {
    return command ? core::index_of(*command) : core::kCommandCount;
}

// A label value as the format wants it: valid UTF-8 with \, " and newline escaped.
std::string label(std::string_view raw) {
    std::string out;
    for (const char c : core::to_valid_utf8(raw)) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out.append("\\n");
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::string number(double value) {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.9g", value);
    return text.data();
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// A family of one unlabelled sample.
void single(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            const std::string& value) {
    family(out, name, type, help);
    out.append(name).append(" ").append(value).append("\n");
}

}  // namespace

void Metrics::count_api(std::optional<core::Command> command, int error_code, unsigned status, double latency_seconds) {
    const std::size_t slot = slot_of(command);
    const std::size_t code_slot = status == 200 ? core::error_code_index(error_code) : kCodeSlots - 1;
    requests_[slot][code_slot].fetch_add(1, kRelaxed);
    count_status(status);
    auto& histogram = latency_[slot];
    std::size_t bucket = 0;
    while (bucket < kLatencyBuckets.size() && latency_seconds > kLatencyBuckets[bucket]) ++bucket;
    histogram.buckets[bucket].fetch_add(1, kRelaxed);
    histogram.sum_ns.fetch_add(static_cast<std::uint64_t>(std::llround(latency_seconds * 1e9)), kRelaxed);
}

void Metrics::count_status(unsigned status) {
    if (status != 0 && status < kStatusSlots) statuses_[status].fetch_add(1, kRelaxed);
}

void Metrics::count_header_fault() { header_faults_.fetch_add(1, kRelaxed); }

void Metrics::count_network_fault(std::optional<core::Command> command, core::NetworkFault fault) {
    network_faults_[slot_of(command)][static_cast<std::size_t>(fault)].fetch_add(1, kRelaxed);
}

void Metrics::count_callback(core::CallbackEvent event, core::CallbackOutcome outcome) {
    callbacks_[static_cast<std::size_t>(event)][static_cast<std::size_t>(outcome)].fetch_add(1, kRelaxed);
}

std::string Metrics::render(const MetricsSnapshot& snapshot) const {
    std::string out;
    out.reserve(8192);

    family(out, "lee_requests_total", "counter",
           "Emulated API requests by command and ErrorCode (\"none\": an answer without the envelope, e.g. an injected "
           "HTTP status).");
    for (std::size_t slot = 0; slot < kCommandSlots; ++slot) {
        for (std::size_t code = 0; code < kCodeSlots; ++code) {
            const std::uint64_t count = requests_[slot][code].load(kRelaxed);
            if (count == 0) continue;
            const std::string code_label = code <= core::kErrorCodeCount ? std::to_string(core::error_code_at(code))
                                           : code == kCodeSlots - 1      ? "none"
                                                                         : "other";
            out.append("lee_requests_total{command=\"").append(slot_name(slot)).append("\",error_code=\"");
            out.append(code_label).append("\"} ").append(std::to_string(count)).append("\n");
        }
    }

    family(out, "lee_rate_limited_total", "counter", "Requests refused by a rate limit (ErrorCode 60007).");
    const std::size_t rate_limited = core::error_code_index(core::code::rate_limited);
    for (std::size_t slot = 0; slot < core::kCommandCount; ++slot) {
        out.append("lee_rate_limited_total{command=\"").append(slot_name(slot)).append("\"} ");
        out.append(std::to_string(requests_[slot][rate_limited].load(kRelaxed))).append("\n");
    }

    family(out, "lee_http_responses_total", "counter", "HTTP answers by status, API and control API alike.");
    for (std::size_t status = 0; status < kStatusSlots; ++status) {
        const std::uint64_t count = statuses_[status].load(kRelaxed);
        if (count == 0) continue;
        out.append("lee_http_responses_total{status=\"").append(std::to_string(status)).append("\"} ");
        out.append(std::to_string(count)).append("\n");
    }

    family(out, "lee_request_duration_seconds", "histogram",
           "Time to decide an emulated API answer (injected delays not included), by command.");
    for (std::size_t slot = 0; slot < kCommandSlots; ++slot) {
        const auto& histogram = latency_[slot];
        std::uint64_t observed = 0;
        for (const auto& bucket : histogram.buckets) observed += bucket.load(kRelaxed);
        if (observed == 0) continue;  // a command never called has no series yet
        std::uint64_t cumulative = 0;
        const std::string prefix = "lee_request_duration_seconds_bucket{command=\"" + std::string(slot_name(slot));
        for (std::size_t bucket = 0; bucket <= kLatencyBuckets.size(); ++bucket) {
            cumulative += histogram.buckets[bucket].load(kRelaxed);
            const std::string le = bucket < kLatencyBuckets.size() ? number(kLatencyBuckets[bucket]) : "+Inf";
            out.append(prefix).append("\",le=\"").append(le).append("\"} ");
            out.append(std::to_string(cumulative)).append("\n");
        }
        out.append("lee_request_duration_seconds_sum{command=\"").append(slot_name(slot)).append("\"} ");
        out.append(number(static_cast<double>(histogram.sum_ns.load(kRelaxed)) / 1e9)).append("\n");
        out.append("lee_request_duration_seconds_count{command=\"").append(slot_name(slot)).append("\"} ");
        out.append(std::to_string(cumulative)).append("\n");
    }

    family(out, "lee_faults_fired_total", "counter", "Times each fault rule in force has fired.");
    for (const auto& [rule, fired] : snapshot.faults_fired) {
        out.append("lee_faults_fired_total{rule=\"").append(label(rule)).append("\"} ");
        out.append(std::to_string(fired)).append("\n");
    }
    single(out, "lee_header_faults_total", "counter", "Faults applied through the X-Emulator-Fault header.",
           std::to_string(header_faults_.load(kRelaxed)));

    family(out, "lee_network_faults_total", "counter",
           "Requests answered by a network fault (reset, close, garbage, truncated, stall), by command.");
    for (std::size_t slot = 0; slot < kCommandSlots; ++slot) {
        for (std::size_t fault = 1; fault < kNetworkSlots; ++fault) {
            const std::uint64_t count = network_faults_[slot][fault].load(kRelaxed);
            if (count == 0) continue;
            out.append("lee_network_faults_total{command=\"").append(slot_name(slot)).append("\",network=\"");
            out.append(core::network_fault_name(static_cast<core::NetworkFault>(fault))).append("\"} ");
            out.append(std::to_string(count)).append("\n");
        }
    }

    family(out, "lee_rooms", "gauge",
           "Rooms held, by app (apps holding none are left out; at most 1,000 apps, lowest sdkappid first).");
    for (const auto& [sdkappid, rooms] : snapshot.rooms_per_app) {
        out.append("lee_rooms{sdkappid=\"").append(std::to_string(sdkappid)).append("\"} ");
        out.append(std::to_string(rooms)).append("\n");
    }
    single(out, "lee_rooms_total", "gauge", "Rooms held by all apps together.", std::to_string(snapshot.rooms_total));
    single(out, "lee_apps", "gauge", "Apps with state (rooms, create intervals or rate windows).",
           std::to_string(snapshot.apps_tracked));
    single(out, "lee_connections_open", "gauge", "Client connections open now.",
           std::to_string(snapshot.connections_open));
    single(out, "lee_unread_answer_bytes", "gauge",
           "Bytes of answers not yet read by their clients, all connections together (--max-unread-bytes).",
           std::to_string(snapshot.unread_answer_bytes));
    single(out, "lee_unread_answer_drops_total", "counter",
           "Connections closed because the answers clients had not read reached --max-unread-bytes.",
           std::to_string(snapshot.unread_answer_drops));
    single(out, "lee_journal_entries", "gauge", "Entries held by the request journal.",
           std::to_string(snapshot.journal_entries));
    single(out, "lee_journal_bytes", "gauge", "Bytes held by the request journal.",
           std::to_string(snapshot.journal_bytes));
    single(out, "lee_journal_dropped_total", "counter", "Journal entries pushed out by its bounds.",
           std::to_string(snapshot.journal_dropped));
    family(out, "lee_callbacks_total", "counter",
           "Webhook callbacks by CallbackCommand and outcome (delivered: the receiver answered, whatever its status).");
    for (std::size_t event = 0; event < core::kCallbackEventCount; ++event) {
        for (std::size_t outcome = 0; outcome < core::kCallbackOutcomes.size(); ++outcome) {
            const std::uint64_t count = callbacks_[event][outcome].load(kRelaxed);
            if (count == 0) continue;
            out.append("lee_callbacks_total{command=\"").append(core::kCallbackCommands[event]);
            out.append("\",outcome=\"").append(core::kCallbackOutcomes[outcome]).append("\"} ");
            out.append(std::to_string(count)).append("\n");
        }
    }
    single(out, "lee_callbacks_pending", "gauge", "Webhook callbacks queued or in flight.",
           std::to_string(snapshot.callbacks_pending));
    single(out, "lee_callbacks_queue_bound", "gauge", "Webhook callbacks the queue holds at most (--callback-queue).",
           std::to_string(snapshot.callbacks_queue_bound));
    single(out, "lee_uptime_seconds", "gauge", "Seconds since the emulator started.", number(snapshot.uptime_seconds));
    return out;
}

}  // namespace lee::observe
