#include "http/server.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace lee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kMaxDrainBytes = std::size_t{1024} * 1024;
constexpr std::chrono::milliseconds kDrainTimeout{1000};

constexpr std::chrono::milliseconds kAcceptRetry{50};

// What the "garbage" network fault sends: no HTTP status line, a NUL and bytes that are not valid UTF-8, so every
// HTTP client reports a protocol error rather than reading it as an answer.
constexpr std::string_view kGarbage{"\x00\xff\xfe EMULATOR-GARBAGE \x15\x03\x03\x00\x02\x02\x32 not http\r\n\r\n", 41};
constexpr std::chrono::seconds kAcceptLogEvery{1};

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category();
}

class Session;

}  // namespace

// What the listener and its sessions share: the handlers, the log, the limits, and the table of open sessions
// that a graceful stop walks.
class Connections {
public:
    Connections(Handlers given, log::AccessLog& logger, TransportLimits transport)
        : handlers(std::move(given)), log(logger), limits(transport) {}
    const Handlers handlers;
    log::AccessLog& log;
    const TransportLimits limits;
    std::atomic<bool> stopping{false};

    void add(Session* session, std::weak_ptr<Session> handle) {
        std::lock_guard lock(mutex_);
        open_.emplace(session, std::move(handle));
    }
    void remove(Session* session) {
        std::lock_guard lock(mutex_);
        open_.erase(session);
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return open_.size();
    }
    std::vector<std::shared_ptr<Session>> snapshot() const {
        std::lock_guard lock(mutex_);
        std::vector<std::shared_ptr<Session>> out;
        for (const auto& [raw, handle] : open_) {
            if (auto session = handle.lock()) out.push_back(std::move(session));
        }
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<Session*, std::weak_ptr<Session>> open_;
};

namespace {

// Reads requests one at a time and answers each before reading the next; pipelined requests wait in the
// buffer, so answers always go out in request order.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, std::shared_ptr<Connections> connections)
        : stream_(std::move(socket)),
          delay_(stream_.get_executor()),
          connections_(std::move(connections)),
          limits_(connections_->limits) {}
    ~Session() { connections_->remove(this); }

    void start() {
        connections_->add(this, weak_from_this());
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->next_request(); });
    }

    // Called on stop: a connection waiting for its next request (or stalled by a fault) closes now; one
    // mid-request finishes it first, without waiting out an injected delay.
    void wind_down() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            if (self->idle_ || self->stalled_) return self->close();
            self->delay_.cancel();
        });
    }

private:
    void next_request() {
        if (connections_->stopping) return close();
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
        parser_->body_limit(limits_.body_bytes);
        if (buffer_.size() > 0) return read_request();
        // Waiting for a request to begin is bounded by the idle timeout; reading it, by the read timeout.
        stream_.expires_after(limits_.idle_timeout);
        idle_ = true;
        stream_.async_read_some(buffer_.prepare(kReadChunk),
                                [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                                    self->idle_ = false;
                                    self->buffer_.commit(bytes);
                                    if (ec) return self->close();
                                    self->read_request();
                                });
    }

    // Beast's header_limit bounds each parse step, not the header as a whole (fields parsed in an earlier step
    // are not counted again), so the header is read step by step and its total size checked here.
    void read_request() {
        stream_.expires_after(limits_.read_timeout);
        header_bytes_ = 0;
        read_header();
    }

    void read_header() {
        // Bytes the parser has consumed; what it has not consumed yet is bounded by its own per-step limit.
        if (header_bytes_ > limits_.header_bytes) return on_read(beast_http::error::header_limit);
        if (parser_->is_header_done()) return read_body();
        beast_http::async_read_some(stream_, buffer_, *parser_,
                                    [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                                        self->header_bytes_ += bytes;
                                        if (ec) return self->on_read(ec);
                                        self->read_header();
                                    });
    }

    void read_body() {
        if (parser_->is_done()) return on_read({});
        beast_http::async_read(stream_, buffer_, *parser_,
                               [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == beast_http::error::body_limit) {
            return reject(413, "request body exceeds " + std::to_string(limits_.body_bytes) + " bytes");
        }
        if (ec == beast_http::error::header_limit) {
            return reject(431, "request headers exceed " + std::to_string(limits_.header_bytes) + " bytes");
        }
        if (ec && is_parse_error(ec) && ec != beast_http::error::end_of_stream &&
            ec != beast_http::error::partial_message) {
            return reject(400, "malformed HTTP request: " + ec.message());
        }
        if (ec) return close();  // end of stream, timeout, reset: nobody to answer
        Answer answer;
        try {
            answer = connections_->handlers.answer(parser_->get());
        } catch (const std::exception& error) {
            // A bug must cost one request, not the process.
            connections_->log.message(log::Level::error, std::string("request failed: ") + error.what());
            return reject(500, "internal error in the emulator");
        }
        response_ = std::move(answer.response);
        network_ = answer.directive.network;
        if (answer.directive.delay.count() <= 0 || connections_->stopping) return carry_out();
        // On a timer, never a sleeping thread: other connections go on meanwhile. A stop cuts it short.
        delay_.expires_after(answer.directive.delay);
        delay_.async_wait([self = shared_from_this()](beast::error_code) { self->carry_out(); });
    }

    void carry_out() {
        switch (network_) {
            case core::NetworkFault::none:
                if (connections_->stopping) response_.keep_alive(false);
                return write(!response_.keep_alive());
            case core::NetworkFault::reset: {
                // SO_LINGER 0: close() sends RST instead of FIN.
                beast::error_code ignored;
                stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
                stream_.socket().close(ignored);
                return;
            }
            case core::NetworkFault::close:
                return close();
            case core::NetworkFault::garbage:
                return write_raw(std::string(kGarbage));
            case core::NetworkFault::truncated:
                return write_raw(truncated_response());
            case core::NetworkFault::stall:
                return stall();
        }
    }

    void reject(unsigned status, const std::string& reason) {
        Refusal refusal{status, reason, {}, {}};
        if (parser_ && parser_->is_header_done()) {
            refusal.method = parser_->get().method_string();
            refusal.target = parser_->get().target();
        }
        connections_->handlers.refused(refusal);
        response_ = transport_error(status, reason);
        write(true);
    }

    // The answer's headers with their full Content-Length, and half of its body.
    std::string truncated_response() {
        response_.keep_alive(false);
        std::ostringstream head;
        head << response_.base();
        const std::string& body = response_.body();
        return head.str() + body.substr(0, body.size() / 2);
    }

    // Bytes out, then an orderly close: the client reads them and then the end of the stream.
    void write_raw(std::string bytes) {
        raw_ = std::move(bytes);
        stream_.expires_after(limits_.read_timeout);
        asio::async_write(stream_, asio::buffer(raw_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->close();
            self->drain_and_close();
        });
    }

    // No answer, ever: read and discard whatever comes until the client gives up (or a stop closes it).
    void stall() {
        stalled_ = true;
        if (connections_->stopping) return close();
        stream_.expires_never();
        buffer_.clear();
        stream_.async_read_some(buffer_.prepare(kReadChunk),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->close();
                                    self->stall();
                                });
    }

    void write(bool close_after) {
        stream_.expires_after(limits_.read_timeout);
        beast_http::async_write(stream_, response_,
                                [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                                    if (ec) return self->close();
                                    if (close_after) return self->drain_and_close();
                                    self->next_request();
                                });
    }

    // Closing with unread input makes the kernel send a reset, which can destroy the error response before the
    // client reads it; so stop sending, then read and discard what the client is still sending (bounded).
    void drain_and_close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(kDrainTimeout);
        drain();
    }

    void drain() {
        buffer_.clear();
        stream_.async_read_some(buffer_.prepare(kReadChunk),
                                [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                                    self->drained_ += bytes;
                                    if (ec || self->drained_ > kMaxDrainBytes) return self->close();
                                    self->drain();
                                });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
    Response response_;
    core::NetworkFault network_ = core::NetworkFault::none;
    std::string raw_;  // bytes of a garbage or truncated answer while they are written
    asio::steady_timer delay_;
    std::size_t header_bytes_ = 0;
    std::size_t drained_ = 0;
    bool idle_ = false;     // waiting for the first byte of a request
    bool stalled_ = false;  // answering with silence (network fault "stall")
    std::shared_ptr<Connections> connections_;
    const TransportLimits& limits_;  // owned by connections_
};

}  // namespace

Listener::Listener(asio::io_context& io, const tcp::endpoint& endpoint, Handlers handlers, log::AccessLog& log,
                   TransportLimits limits)
    : io_(io),
      acceptor_(asio::make_strand(io)),
      retry_(acceptor_.get_executor()),
      connections_(std::make_shared<Connections>(std::move(handlers), log, limits)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

void Listener::start() { accept(); }

void Listener::stop() {
    connections_->stopping = true;
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_.cancel();
    });
    for (const auto& session : connections_->snapshot()) session->wind_down();
}

std::size_t Listener::open_connections() const { return connections_->size(); }

void Listener::accept() {
    acceptor_.async_accept(asio::make_strand(io_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                               if (ec == asio::error::operation_aborted || self->connections_->stopping) return;
                               if (!ec) {
                                   beast::error_code ignored;
                                   socket.set_option(tcp::no_delay(true), ignored);
                                   std::make_shared<Session>(std::move(socket), self->connections_)->start();
                                   return self->accept();
                               }
                               // Out of descriptors, typically: retrying at once would spin, so wait, and log once a
                               // second at most.
                               const auto now = std::chrono::steady_clock::now();
                               if (now - self->last_accept_log_ >= kAcceptLogEvery) {
                                   self->last_accept_log_ = now;
                                   self->connections_->log.message(log::Level::warn, "accept failed: " + ec.message());
                               }
                               self->retry_.expires_after(kAcceptRetry);
                               self->retry_.async_wait([self](beast::error_code wait_error) {
                                   if (!wait_error) self->accept();
                               });
                           });
}

}  // namespace lee::http
