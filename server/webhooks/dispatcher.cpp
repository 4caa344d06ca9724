#include "webhooks/dispatcher.hpp"

#include <algorithm>
#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "core/utf8.hpp"
#include "webhooks/signature.hpp"

namespace lee::webhooks {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxAnswerRead =
    std::size_t{64} * 1024;  // an answer larger than this is a failed read, not a memory cost
constexpr std::string_view kUserAgent = "live-engine-emulator webhooks";

// TLS is set up when first needed, not at start: OpenSSL's initialisation and the system's trusted roots take about
// 50 ms and several MB, which every start would pay for webhooks most runs never send (issue 11). The system's
// roots are read on the first https delivery. Used on the dispatcher's thread only (and by start(), before that
// thread runs).
class ClientTls {
public:
    asio::ssl::context& context() {
        if (!system_roots_) {
            system_roots_ = true;
            beast::error_code ignored;  // no system store: only --callback-ca-file is trusted
            made().set_default_verify_paths(ignored);
        }
        return made();
    }
    // --callback-ca-file, read at start, so a bad file is found before any delivery.
    void trust(const std::string& ca_file, beast::error_code& ec) { made().load_verify_file(ca_file, ec); }

private:
    asio::ssl::context& made() {
        if (!context_) {
            context_.emplace(asio::ssl::context::tls_client);
            context_->set_verify_mode(asio::ssl::verify_peer);
        }
        return *context_;
    }
    std::optional<asio::ssl::context> context_;
    bool system_roots_ = false;
};

}  // namespace

struct Dispatcher::Io {
    asio::io_context context{1};
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(context);
    ClientTls tls;
};

// One delivery on the wire: what a timeout, a reset or a stop must be able to cut off.
struct Dispatcher::Flight {
    explicit Flight(const asio::any_io_executor& executor) : delay(executor), deadline(executor), resolver(executor) {}
    asio::steady_timer delay;
    asio::steady_timer deadline;
    tcp::resolver resolver;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    bool timed_out = false;
    std::atomic<bool> cancelled{false};

    // On the I/O thread: every pending operation ends with an error.
    void cut() {
        delay.cancel();
        resolver.cancel();
        beast::error_code ignored;
        if (plain) plain->socket().close(ignored);
        if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
    }
};

namespace {

struct Target {
    bool https = false;
    std::string host;  // for resolving, SNI and certificate checks (no brackets)
    std::string port;
    std::string host_port;  // the Host header
    std::string path_and_query;
};

std::optional<Target> target_of(const std::string& url) {
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return std::nullopt;
    Target target;
    target.https = parsed->scheme_id() == boost::urls::scheme::https;
    target.host = parsed->host_address();
    target.port = parsed->has_port() ? std::string(parsed->port()) : (target.https ? "443" : "80");
    target.host_port = parsed->encoded_host_and_port();
    target.path_and_query = parsed->encoded_resource();
    if (target.path_and_query.empty() || target.path_and_query.front() != '/') {
        target.path_and_query.insert(0, "/");
    }
    return target;
}

std::string describe(const beast::error_code& ec) { return core::to_valid_utf8(ec.message(), 256); }

// Sends one callback and reads the answer; every failure ends in the record, never in an exception.
asio::awaitable<DeliveryRecord> deliver(DeliveryRecord record, std::string token, std::string body,
                                        std::shared_ptr<Dispatcher::Flight> flight, ClientTls& tls,
                                        std::chrono::milliseconds timeout, const state::Clock& clock) {
    beast::error_code ec;
    if (record.delayed_ms != 0) {
        flight->delay.expires_after(std::chrono::milliseconds(record.delayed_ms));
        co_await flight->delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (flight->cancelled) co_return record;
    }
    std::string full_url = record.url;
    if (!token.empty()) {
        // RequestTime is the emulator clock's when the callback goes out (after a delay fault, not before).
        record.is_signed = true;
        record.request_time = clock.now_seconds();
        full_url += signature_params(token, record.request_time);
        record.url += "&RequestTime=" + std::to_string(record.request_time);  // the record never shows Sign
    }
    const auto target = target_of(full_url);
    if (!target) {
        record.outcome = core::CallbackOutcome::failed;
        record.error = "the callback URL does not parse";
        co_return record;
    }
    const auto started = std::chrono::steady_clock::now();
    auto finish = [&](core::CallbackOutcome outcome, std::string error) {
        record.latency_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        record.outcome = flight->timed_out ? core::CallbackOutcome::timeout : outcome;
        record.error = flight->timed_out ? "no answer within " + std::to_string(timeout.count()) + " ms (timeout)"
                                         : std::move(error);
        flight->deadline.cancel();
        return record;
    };
    flight->deadline.expires_after(timeout);
    flight->deadline.async_wait([flight](const beast::error_code& waited) {
        if (waited) return;
        flight->timed_out = true;
        flight->cut();
    });

    const auto endpoints = co_await flight->resolver.async_resolve(target->host, target->port,
                                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec || flight->cancelled)
        co_return finish(core::CallbackOutcome::failed, "resolve " + target->host + ": " + describe(ec));

    http::request<http::string_body> request{http::verb::post, target->path_and_query, 11};
    request.set(http::field::host, target->host_port);
    request.set(http::field::user_agent, kUserAgent);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(false);
    request.body() = std::move(body);
    request.prepare_payload();

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerRead);
    const auto executor = co_await asio::this_coro::executor;
    if (target->https) {
        flight->tls.emplace(executor, tls.context());
        auto& stream = *flight->tls;
        boost::system::error_code not_ip;
        asio::ip::make_address(target->host, not_ip);
        // SNI names a host, never an address (RFC 6066 section 3).
        if (not_ip && !SSL_set_tlsext_host_name(stream.native_handle(), target->host.c_str())) {
            co_return finish(core::CallbackOutcome::failed, "cannot set SNI for " + target->host);
        }
        stream.set_verify_mode(asio::ssl::verify_peer);
        stream.set_verify_callback(asio::ssl::host_name_verification(target->host));
        co_await beast::get_lowest_layer(stream).async_connect(endpoints,
                                                               asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return finish(core::CallbackOutcome::failed, "connect: " + describe(ec));
        co_await stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return finish(core::CallbackOutcome::failed, "TLS handshake: " + describe(ec));
        co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return finish(core::CallbackOutcome::failed, "write: " + describe(ec));
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    } else {
        flight->plain.emplace(executor);
        auto& stream = *flight->plain;
        co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return finish(core::CallbackOutcome::failed, "connect: " + describe(ec));
        co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return finish(core::CallbackOutcome::failed, "write: " + describe(ec));
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) co_return finish(core::CallbackOutcome::failed, "read: " + describe(ec));
    record.status = parser.get().result_int();
    record.answer = core::to_valid_utf8(parser.get().body(), kMaxAnswerBytes);
    flight->cut();  // Connection: close; the answer is all there is
    co_return finish(core::CallbackOutcome::delivered, {});
}

}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& out, const DeliveryRecord& record) {
    json::object object;
    object["seq"] = record.seq;
    object["time_ms"] = record.time_ms;
    object["sdkappid"] = record.sdkappid;
    object["command"] = core::callback_command(record.event);
    object["trigger"] = record.trigger ? json::value(core::command_name(*record.trigger)) : json::value(nullptr);
    object["room_id"] = record.room_id;
    object["url"] = record.url;
    object["signed"] = record.is_signed;
    object["request_time"] = record.is_signed ? json::value(record.request_time) : json::value(nullptr);
    json::error_code ec;
    json::value body = json::parse(record.body, ec);
    object["body"] = ec ? json::value(record.body) : std::move(body);
    object["outcome"] = core::callback_outcome_name(record.outcome);
    object["status"] = record.status != 0 ? json::value(record.status) : json::value(nullptr);
    object["answer"] = record.answer;
    object["latency_ms"] = record.latency_ms;
    object["error"] = record.error;
    object["fault"] = record.fault;
    object["duplicate"] = record.duplicate;
    object["delayed_ms"] = record.delayed_ms;
    out = std::move(object);
}

Dispatcher::Dispatcher(DispatcherOptions options, const state::Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Dispatcher::~Dispatcher() {
    try {
        stop();
    } catch (...) {  // a join or a lock that fails at exit: nothing left to save, and a destructor must not throw
    }
}

std::string Dispatcher::start() {
    if (io_) return {};
    auto io = std::make_unique<Io>();
    if (!options_.ca_file.empty()) {
        beast::error_code ec;
        io->tls.trust(options_.ca_file, ec);
        if (ec) return "--callback-ca-file " + options_.ca_file + ": " + ec.message();
    }
    io_ = std::move(io);
    thread_ = std::thread([context = &io_->context] { context->run(); });
    return {};
}

void Dispatcher::stop() {
    if (!io_) return;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, queue] : queues_) {
            if (queue.flight) {
                queue.flight->cancelled = true;
                asio::post(io_->context, [flight = queue.flight] { flight->cut(); });
            }
        }
    }
    io_->work.reset();
    io_->context.stop();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    queues_.clear();
    pending_ = 0;
}

DeliveryRecord Dispatcher::record_of(const Item& item) const {
    DeliveryRecord record;
    const Delivery& delivery = item.delivery;
    record.sdkappid = delivery.sdkappid;
    record.event = delivery.event;
    record.trigger = delivery.trigger;
    record.room_id = delivery.room_id;
    record.url = callback_target_url(delivery.url, delivery.sdkappid, core::callback_command(delivery.event));
    record.body = delivery.body;
    record.fault = delivery.fault_rule;
    record.duplicate = item.duplicate;
    if (delivery.fault == rules::CallbackFault::delay) record.delayed_ms = delivery.fault_delay_ms;
    return record;
}

void Dispatcher::keep_locked(DeliveryRecord record, std::vector<DeliveryRecord>& made) {
    record.seq = next_seq_++;
    record.time_ms = clock_.now_ms();
    if (options_.max_records != 0) {
        if (records_.size() >= options_.max_records) records_.pop_front();
        records_.push_back(record);
    }
    made.push_back(std::move(record));
}

void Dispatcher::publish(const std::vector<DeliveryRecord>& made) {
    if (!observer_) return;
    for (const auto& record : made) observer_(record);
}

void Dispatcher::enqueue(Delivery delivery) {
    std::vector<DeliveryRecord> made;
    {
        std::lock_guard lock(mutex_);
        const bool twice = delivery.fault == rules::CallbackFault::duplicate;
        Item item{std::move(delivery), false};
        if (item.delivery.fault == rules::CallbackFault::drop) {
            DeliveryRecord record = record_of(item);
            record.outcome = core::CallbackOutcome::dropped_fault;
            record.error = "dropped by fault rule " + item.delivery.fault_rule;
            keep_locked(std::move(record), made);
        } else if (twice) {
            Item copy = item;
            copy.duplicate = true;
            push_locked(std::move(item), made);
            push_locked(std::move(copy), made);
        } else {
            push_locked(std::move(item), made);
        }
    }
    publish(made);
}

void Dispatcher::push_locked(Item item, std::vector<DeliveryRecord>& made) {
    if (!io_ || pending_ >= options_.max_queue) {
        DeliveryRecord record = record_of(item);
        if (io_) {
            record.outcome = core::CallbackOutcome::dropped_queue_full;
            record.error = "the callback queue holds " + std::to_string(options_.max_queue) +
                           " callbacks, its bound (--callback-queue)";
            ++dropped_queue_full_;
        } else {
            record.outcome = core::CallbackOutcome::failed;
            record.error = "webhook delivery is not running in this process";
        }
        keep_locked(std::move(record), made);
        return;
    }
    const std::uint64_t sdkappid = item.delivery.sdkappid;
    AppQueue& queue = queues_[sdkappid];
    queue.items.push_back(std::move(item));
    ++pending_;
    if (!queue.busy) launch_locked(sdkappid, queue);
}

void Dispatcher::launch_locked(std::uint64_t sdkappid, AppQueue& queue) {
    queue.busy = true;
    const Item& item = queue.items.front();
    auto flight = std::make_shared<Flight>(io_->context.get_executor());
    queue.flight = flight;
    asio::co_spawn(
        io_->context,
        deliver(record_of(item), item.delivery.token, item.delivery.body, flight, io_->tls, options_.timeout, clock_),
        [this, sdkappid, flight](const std::exception_ptr& error, DeliveryRecord done) {
            if (error) {
                done.outcome = core::CallbackOutcome::failed;
                done.error = "internal error while delivering";
            }
            finish(sdkappid, flight, std::move(done));
        });
}

void Dispatcher::finish(std::uint64_t sdkappid, const std::shared_ptr<Flight>& flight, DeliveryRecord record) {
    std::vector<DeliveryRecord> made;
    {
        std::lock_guard lock(mutex_);
        const auto it = queues_.find(sdkappid);
        if (it == queues_.end() || it->second.flight != flight) return;  // stopped
        AppQueue& queue = it->second;
        if (!flight->cancelled) keep_locked(std::move(record), made);
        queue.items.pop_front();
        queue.flight.reset();
        queue.busy = false;
        --pending_;
        if (!queue.items.empty()) {
            launch_locked(sdkappid, queue);
        } else {
            queues_.erase(it);
        }
    }
    publish(made);
}

void Dispatcher::clear(std::optional<std::uint64_t> sdkappid) {
    std::lock_guard lock(mutex_);
    for (auto it = queues_.begin(); it != queues_.end();) {
        AppQueue& queue = it->second;
        if (sdkappid && it->first != *sdkappid) {
            ++it;
            continue;
        }
        // The one in flight stays counted until its coroutine ends (cut off now, so that is soon).
        const std::size_t waiting = queue.busy ? queue.items.size() - 1 : queue.items.size();
        queue.items.erase(queue.items.begin() + (queue.busy ? 1 : 0), queue.items.end());
        pending_ -= waiting;
        if (queue.flight) {
            queue.flight->cancelled = true;
            asio::post(io_->context, [flight = queue.flight] { flight->cut(); });
        }
        it = queue.items.empty() ? queues_.erase(it) : std::next(it);
    }
    std::erase_if(records_, [&](const DeliveryRecord& record) { return !sdkappid || record.sdkappid == *sdkappid; });
}

void Dispatcher::clear_records(std::optional<std::uint64_t> sdkappid) {
    std::lock_guard lock(mutex_);
    std::erase_if(records_, [&](const DeliveryRecord& record) { return !sdkappid || record.sdkappid == *sdkappid; });
}

std::vector<DeliveryRecord> Dispatcher::records(const RecordQuery& query) const {
    std::lock_guard lock(mutex_);
    std::vector<DeliveryRecord> out;
    for (auto it = records_.rbegin(); it != records_.rend() && out.size() < query.limit; ++it) {
        if (query.sdkappid && it->sdkappid != *query.sdkappid) continue;
        if (query.event && it->event != *query.event) continue;
        out.push_back(*it);
    }
    std::reverse(out.begin(), out.end());
    return out;
}

DispatcherStats Dispatcher::stats() const {
    std::lock_guard lock(mutex_);
    return DispatcherStats{pending_, options_.max_queue, records_.size(), options_.max_records, dropped_queue_full_};
}

}  // namespace lee::webhooks
