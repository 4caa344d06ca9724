#pragma once
// Outbound webhooks: a bounded queue per app and a Beast HTTP(S) client on the dispatcher's own I/O thread. The
// request path only enqueues (a side channel like the journal), so a slow or dead receiver never delays or
// changes an API answer. Each app's callbacks go out one at a time, in the order their events happened; apps do
// not wait for each other. Past the queue bound a callback is dropped and counted, never queued; the record of
// recent deliveries is bounded too. No retries: the Live docs describe none for these "after" callbacks.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/callback_events.hpp"
#include "core/commands.hpp"
#include "rules/fault_rules.hpp"
#include "state/clock.hpp"

namespace lee::webhooks {

inline constexpr std::size_t kDefaultQueueBound = 10'000;
inline constexpr std::size_t kDefaultRecordBound = 1'000;
inline constexpr std::chrono::milliseconds kDefaultTimeout{2000};
inline constexpr std::size_t kMaxAnswerBytes = 1024;  // of the receiver's answer body, in the record

struct DispatcherOptions {
    std::size_t max_queue = kDefaultQueueBound;  // callbacks waiting or in flight, all apps together
    std::size_t max_records = kDefaultRecordBound;
    std::chrono::milliseconds timeout = kDefaultTimeout;  // from connect to the end of the answer
    std::string ca_file;  // PEM certificates trusted besides the system's, for receivers with a test CA
};

// One callback as the request path hands it over.
struct Delivery {
    std::uint64_t sdkappid = 0;
    core::CallbackEvent event{};
    std::optional<core::Command> trigger;  // the API command whose success raised it
    std::string room_id;
    std::string url;    // the app's callback_url, as configured
    std::string token;  // empty: unsigned
    std::string body;   // the JSON body
    rules::CallbackFault fault = rules::CallbackFault::none;
    std::uint32_t fault_delay_ms = 0;
    std::string fault_rule;  // the fault rule (or "X-Emulator-Fault") behind `fault`
};

struct DeliveryRecord {
    std::uint64_t seq = 0;
    std::int64_t time_ms = 0;  // emulator clock when it finished (or was dropped)
    std::uint64_t sdkappid = 0;
    core::CallbackEvent event{};
    std::optional<core::Command> trigger;
    std::string room_id;
    std::string url;  // as sent, without Sign
    bool is_signed = false;
    std::int64_t request_time = 0;  // RequestTime (unix seconds), when signed
    std::string body;
    core::CallbackOutcome outcome = core::CallbackOutcome::delivered;
    unsigned status = 0;    // the receiver's HTTP status; 0: none
    std::string answer;     // the start of the receiver's answer body (valid UTF-8)
    double latency_ms = 0;  // from the start of the connection to the end of the answer (or the failure)
    std::string error;
    std::string fault;  // the rule behind a drop, duplicate or delay
    bool duplicate = false;
    std::uint32_t delayed_ms = 0;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const DeliveryRecord& record);

struct RecordQuery {
    std::optional<std::uint64_t> sdkappid;
    std::optional<core::CallbackEvent> event;
    std::size_t limit = 100;  // the newest that match, oldest first
};

struct DispatcherStats {
    std::size_t pending = 0;  // waiting or in flight
    std::size_t max_queue = 0;
    std::size_t records = 0;
    std::size_t max_records = 0;
    std::uint64_t dropped_queue_full = 0;
};

class Dispatcher {
public:
    Dispatcher(DispatcherOptions options, const state::Clock& clock);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    // Sets up TLS and starts the I/O thread; the problem (a CA file that does not load), or empty. Until it has
    // started, callbacks are recorded as failed and not sent (unit tests, fuzzing).
    std::string start();
    void stop();

    // Called for every record as it is made (journal, metrics), outside the dispatcher's lock.
    void set_observer(std::function<void(const DeliveryRecord&)> observer) { observer_ = std::move(observer); }

    void enqueue(Delivery delivery);
    // Reset: the app's (or every) queued callback is discarded and its records go; one already on the wire is
    // cut off and not recorded.
    void clear(std::optional<std::uint64_t> sdkappid);
    // DELETE /_emulator/callbacks: only the records go; what is queued still goes out.
    void clear_records(std::optional<std::uint64_t> sdkappid);

    std::vector<DeliveryRecord> records(const RecordQuery& query) const;
    DispatcherStats stats() const;
    const DispatcherOptions& options() const { return options_; }

    struct Flight;

private:
    struct Item {
        Delivery delivery;
        bool duplicate = false;
    };
    struct AppQueue {
        std::deque<Item> items;  // front: in flight while busy
        bool busy = false;
        std::shared_ptr<Flight> flight;
    };
    void push_locked(Item item, std::vector<DeliveryRecord>& made);
    void launch_locked(std::uint64_t sdkappid, AppQueue& queue);
    void finish(std::uint64_t sdkappid, const std::shared_ptr<Flight>& flight, DeliveryRecord record);
    DeliveryRecord record_of(const Item& item) const;
    void keep_locked(DeliveryRecord record, std::vector<DeliveryRecord>& made);
    void publish(const std::vector<DeliveryRecord>& made);

    DispatcherOptions options_;
    const state::Clock& clock_;
    std::function<void(const DeliveryRecord&)> observer_;

    struct Io;
    std::unique_ptr<Io> io_;  // the I/O context, TLS context and thread; null until started
    std::thread thread_;

    mutable std::mutex mutex_;
    std::map<std::uint64_t, AppQueue> queues_;
    std::size_t pending_ = 0;
    std::deque<DeliveryRecord> records_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t dropped_queue_full_ = 0;
};

}  // namespace lee::webhooks
