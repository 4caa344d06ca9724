#include "http/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <map>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "tls/server_context.hpp"

namespace lee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadChunk = 4096;
// A body's storage kept for the connection's next request only up to this: a larger one (a snapshot upload may be
// 512 MiB) would otherwise stay with the connection for as long as it lives.
constexpr std::size_t kKeptBodyBytes = 4096;
constexpr std::size_t kMaxDrainBytes = std::size_t{1024} * 1024;
constexpr std::chrono::milliseconds kDrainTimeout{1000};

constexpr std::chrono::milliseconds kAcceptRetry{50};
constexpr std::chrono::milliseconds kEvictionRetry{2};
constexpr std::chrono::milliseconds kPendingPoll{5};  // how often an answer not ready yet is asked for again
constexpr std::chrono::seconds kAcceptLogEvery{1};

// What the "garbage" network fault sends: no HTTP status line, a NUL and bytes that are not valid UTF-8, so every
// HTTP client reports a protocol error rather than reading it as an answer.
constexpr std::string_view kGarbage{"\x00\xff\xfe EMULATOR-GARBAGE \x15\x03\x03\x00\x02\x02\x32 not http\r\n\r\n", 41};
constexpr std::string_view kTunnelOpen = "HTTP/1.1 200 Connection Established\r\n\r\n";

using PlainStream = tcp::socket;
using TlsStream = beast::ssl_stream<tcp::socket>;

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category();
}

// What the table of open connections needs of a session, whichever stream it runs on.
class SessionBase {
public:
    virtual ~SessionBase() = default;
    virtual void wind_down() = 0;
    // Closes the connection if it is not in the middle of answering (for a newer connection's room).
    virtual void evict() = 0;
    // Closes the connection now, whatever it is doing (to keep unread answers within their bound). On the
    // connection's own thread it closes before returning; from another thread it is queued to its thread.
    virtual void drop() = 0;
    // Whether the calling thread is the one that runs this connection.
    virtual bool runs_here() = 0;
    // Waiting for a request, reading one, or stalled: nothing a client is owed would be lost by closing it.
    std::atomic<bool> evictable{true};
    std::atomic<bool> evicting{false};   // asked to close for a new connection, and its thread has not got to it
    std::atomic<std::size_t> unread{0};  // bytes of the answer being written, charged to UnreadAnswers
    std::atomic<bool> dropping{false};   // picked to make room for unread answers
    std::uint64_t opened = 0;            // the order it was opened in, set once by Connections::add
};

}  // namespace

// What the listener and its sessions share: the handlers, the log, the limits, TLS, and the table of open sessions
// that a graceful stop walks.
class Connections {
public:
    Connections(Handlers given, log::AccessLog& logger, TransportLimits transport,
                std::shared_ptr<tls::TlsProvider> provider)
        : handlers(std::move(given)),
          log(logger),
          limits(std::move(transport)),
          tls(std::move(provider)),
          unread(*limits.unread) {}
    const Handlers handlers;
    log::AccessLog& log;
    const TransportLimits limits;
    const std::shared_ptr<tls::TlsProvider> tls;  // for CONNECT tunnels; may be null (then no proxy mode)
    UnreadAnswers& unread;                        // owned by limits
    std::atomic<bool> stopping{false};

    // Charges an answer of `bytes` to the process-wide bound, closing the connections that hold the most when it
    // is full. An answer larger than the whole bound (a big snapshot) still goes out, alone.
    void charge(SessionBase& session, std::size_t bytes) {
        session.unread.store(bytes, std::memory_order_relaxed);
        if (unread.held_.fetch_add(bytes, std::memory_order_relaxed) + bytes > unread.limit_) make_room(session);
    }
    // A connection picked for room whose answer went out before its thread got to the drop: not dropped after all.
    void undo_drop() { unread.dropped_.fetch_sub(1, std::memory_order_relaxed); }
    void release(SessionBase& session) {
        const std::size_t bytes = session.unread.exchange(0, std::memory_order_relaxed);
        if (bytes != 0) unread.held_.fetch_sub(bytes, std::memory_order_relaxed);
    }

    void add(SessionBase* session, std::weak_ptr<SessionBase> handle) {
        std::lock_guard lock(mutex_);
        session->opened = next_order_;
        order_.emplace(next_order_, session);
        open_.emplace(session, Entry{next_order_++, std::move(handle)});
    }
    void remove(SessionBase* session) {
        std::lock_guard lock(mutex_);
        const auto it = open_.find(session);
        if (it == open_.end()) return;
        order_.erase(it->second.order);
        open_.erase(it);
    }
    // Closes the oldest connection that owes its client nothing (idle, slow to send its request, stalled), so a
    // well-behaved client is never queued behind stalled ones. False when every connection is busy answering.
    bool evict_oldest() {
        std::shared_ptr<SessionBase> victim;
        {
            std::lock_guard lock(mutex_);
            for (auto it = order_.begin(); it != order_.end(); ++it) {
                SessionBase* session = it->second;
                if (!session->evictable.load(std::memory_order_relaxed)) continue;
                victim = open_.at(session).handle.lock();
                if (!victim) continue;
                open_.at(session).order = 0;
                order_.erase(it);  // so two evictions in a row pick two connections
                victim->evicting.store(true, std::memory_order_relaxed);
                last_evicted_ = victim;
                break;
            }
        }
        if (victim) victim->evict();
        return victim != nullptr;
    }
    // The last eviction is still queued to its connection's thread, which may be busy for a while: when out of
    // descriptors, the acceptor waits for it rather than evicting one more connection at each retry.
    bool eviction_pending() const {
        std::weak_ptr<SessionBase> last;
        {
            std::lock_guard lock(mutex_);
            last = last_evicted_;
        }
        const auto victim = last.lock();  // outside the lock: a session's last reference removes it from the table
        return victim && victim->evicting.load(std::memory_order_relaxed);
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return open_.size();
    }
    std::vector<std::shared_ptr<SessionBase>> snapshot() const {
        std::lock_guard lock(mutex_);
        std::vector<std::shared_ptr<SessionBase>> out;
        for (const auto& [raw, entry] : open_) {
            if (auto session = entry.handle.lock()) out.push_back(std::move(session));
        }
        return out;
    }

private:
    // The slow path, only when the bound is reached: the holders of every listener, most bytes first, then the
    // oldest, are closed until what stays held fits; their bytes are released when their sessions close. A holder on
    // this thread closes at once, one on another thread when that thread gets to it, which may be only after a large
    // answer it is rendering: so a holder of this thread that another thread picked earlier is closed now.
    void make_room(const SessionBase& self) {
        // Let go after the lock: the last reference to a session may be here.
        std::vector<std::shared_ptr<SessionBase>> sessions;
        std::lock_guard lock(unread.mutex_);
        std::erase_if(unread.tables_, [&](const std::weak_ptr<Connections>& weak) {
            const auto table = weak.lock();
            if (!table) return true;
            for (auto& session : table->snapshot()) sessions.push_back(std::move(session));
            return false;
        });
        std::vector<Holder> holders;
        std::size_t leaving = 0;  // bytes of connections picked before, whose drop is queued to their thread
        for (const auto& session : sessions) {
            const std::size_t bytes = session->unread.load(std::memory_order_relaxed);
            if (session.get() == &self || bytes == 0) continue;
            if (!session->dropping.load(std::memory_order_relaxed)) {
                holders.push_back(Holder{session.get(), bytes});
            } else if (session->runs_here()) {
                session->drop();  // closes now, releasing its bytes
            } else {
                leaving += bytes;
            }
        }
        // By the bytes read once above: the atomics may change while sorting, and the order must not.
        std::sort(holders.begin(), holders.end(), [](const Holder& a, const Holder& b) {
            return a.bytes != b.bytes ? a.bytes > b.bytes : a.session->opened < b.session->opened;
        });
        std::size_t held = unread.held_.load(std::memory_order_relaxed);
        held -= std::min(held, leaving);
        for (const auto& [victim, bytes] : holders) {
            if (held <= unread.limit_) break;
            held -= std::min(held, bytes);
            victim->dropping.store(true, std::memory_order_relaxed);
            unread.dropped_.fetch_add(1, std::memory_order_relaxed);
            victim->drop();
        }
    }

    struct Holder {
        SessionBase* session;  // kept alive by `sessions`
        std::size_t bytes;
    };

    struct Entry {
        std::uint64_t order;  // 0 once picked for eviction
        std::weak_ptr<SessionBase> handle;
    };
    mutable std::mutex mutex_;
    std::weak_ptr<SessionBase> last_evicted_;
    std::uint64_t next_order_ = 1;
    std::unordered_map<SessionBase*, Entry> open_;
    std::map<std::uint64_t, SessionBase*> order_;  // oldest first
};

namespace {

// Reads requests one at a time and answers each before reading the next; pipelined requests wait in the
// buffer, so answers always go out in request order. The same code serves plain TCP and TLS; a plain session
// that accepts a CONNECT hands its socket to a TLS session (proxy mode).
//
// Lean on purpose (issue 11): bytes are parsed straight from the session's buffer (no composed read operation),
// the parser's body keeps its capacity from one request to the next, and timeouts are one lazy deadline: a
// request that arrives whole and an answer that goes out in one write touch no timer at all. A session's handlers
// never run at once: its io_context has one thread (IoThreads), which also runs its deadline timer and the calls
// posted to it from other threads (eviction, drops for the unread-answer bound, stop).
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
    using Clock = std::chrono::steady_clock;

public:
    // `context`: for a TLS session. `pending`: bytes already read from the socket that belong to this session
    // (after a CONNECT).
    Session(tcp::socket&& socket, std::shared_ptr<Connections> connections,
            const std::shared_ptr<asio::ssl::context>& context = nullptr, beast::flat_buffer pending = {})
        : stream_(make_stream(std::move(socket), context)),
          context_(context),
          buffer_(std::move(pending)),
          watchdog_(stream_.get_executor()),
          delay_(stream_.get_executor()),
          connections_(std::move(connections)),
          limits_(connections_->limits) {}
    ~Session() override {
        connections_->release(*this);
        connections_->remove(this);
    }

    void start() {
        connections_->add(this, this->weak_from_this());
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
            if constexpr (kTls) {
                self->handshake();
            } else {
                self->next_request();
            }
        });
    }

    // Called on stop: a connection waiting for its next request (or stalled by a fault) closes now; one
    // mid-request finishes it first, without waiting out an injected delay.
    void wind_down() override {
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
            // An idle connection whose next request has already arrived (its read is about to complete) is
            // answered first: a client that sent before the signal gets its answer.
            if (self->stalled_) return self->close();
            // Cancelled rather than closed: a read that has taken bytes already (its handler not yet run) still
            // delivers them, and the request is answered; one still waiting ends with operation_aborted.
            if (self->idle_ && !self->input_waiting()) {
                beast::error_code ignored;
                self->transport().cancel(ignored);
                return;
            }
            self->delay_.cancel();
        });
    }

    void evict() override {
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
            if (self->evictable.load(std::memory_order_relaxed)) self->close();
            self->evicting.store(false, std::memory_order_relaxed);
        });
    }

    void drop() override {
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
            if (self->closed_) return;  // already closed: picked again on its own thread, or ended meanwhile
            // Its answer went out meanwhile: nothing is held, and closing now would cut short what comes next.
            if (self->unread.load(std::memory_order_relaxed) == 0) {
                self->dropping.store(false, std::memory_order_relaxed);
                return self->connections_->undo_drop();
            }
            self->close();
        });
    }

    bool runs_here() override {
        const auto* loop = stream_.get_executor().template target<asio::io_context::executor_type>();
        return loop != nullptr && loop->running_in_this_thread();
    }

private:
    static Stream make_stream(tcp::socket&& socket, const std::shared_ptr<asio::ssl::context>& context) {
        if constexpr (kTls) {
            return Stream(std::move(socket), *context);
        } else {
            return Stream(std::move(socket));
        }
    }

    tcp::socket& transport() { return beast::get_lowest_layer(stream_); }

    // --- the deadline ---------------------------------------------------------------------------------------
    // One timer per connection, armed only when a deadline comes earlier than the one it waits for; a later
    // deadline is picked up when the timer fires. Reaching the deadline closes the connection, which ends whatever
    // operation was waiting.
    void set_deadline(Clock::duration timeout) {
        deadline_ = Clock::now() + timeout;
        if (deadline_ < armed_) arm(deadline_);
    }
    void clear_deadline() { deadline_ = Clock::time_point::max(); }

    void arm(Clock::time_point at) {
        if (closed_) return;
        armed_ = at;
        watchdog_.expires_at(at);
        watchdog_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (ec || self->closed_) return;  // re-armed or closed meanwhile
            if (Clock::now() >= self->deadline_) return self->close();
            self->armed_ = Clock::time_point::max();
            if (self->deadline_ != Clock::time_point::max()) self->arm(self->deadline_);
        });
    }

    // --- reading --------------------------------------------------------------------------------------------
    void handshake() {
        set_deadline(limits_.read_timeout);
        // Bytes that came with the CONNECT (a client may send its ClientHello at once) start the handshake.
        stream_.async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                                // The default argument satisfies Beast 1.81's constraint on this overload, which
                                // names the one-argument signature although it calls with two.
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t used = 0) {
                                    if (ec) return self->close();  // wrong SNI, untrusted, not TLS: nothing to say
                                    self->buffer_.consume(used);
                                    self->next_request();
                                });
    }

    // Bytes the client has sent that this session has not read yet (in the kernel, or in TLS's own buffer).
    bool input_waiting() {
        beast::error_code ec;
        return transport().available(ec) > 0;
    }

    void next_request() {
        // When stopping, every request already received is still answered (pipelined ones too); then the end.
        if (connections_->stopping && buffer_.size() == 0 && !input_waiting()) return finish();
        evictable.store(true, std::memory_order_relaxed);
        // A new parser for each request (Beast's cannot be reset), on the last one's body storage.
        std::string body;
        if (parser_) {
            body = std::move(parser_->get().body());
            body.clear();
            if (body.capacity() > kKeptBodyBytes) std::string().swap(body);  // an assignment would keep the capacity
            parser_.reset();  // its header lines go before their arena is reused
        }
        header_arena_.release();
        parser_.emplace(&header_arena_, std::move(body));
        parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
        // The larger bound until the header says whether this is a snapshot upload (check_header narrows it).
        parser_->body_limit(std::max(limits_.body_bytes, limits_.snapshot_body_bytes));
        header_bytes_ = 0;
        header_checked_ = false;
        reading_ = false;
        if (buffer_.size() > 0) return parse();
        // Waiting for a request to begin is bounded by the idle timeout; reading it, by the read timeout.
        set_deadline(limits_.idle_timeout);
        idle_ = true;
        read_more();
    }

    void read_more() {
        stream_.async_read_some(buffer_.prepare(kReadChunk),
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                                    self->idle_ = false;
                                    self->buffer_.commit(bytes);
                                    // End of stream, reset, timeout: nobody to answer (a request cut short too).
                                    if (ec) return self->close();
                                    self->parse();
                                });
    }

    // Feeds the buffer to the parser until the request is complete or more bytes are needed.
    void parse() {
        while (buffer_.size() > 0) {
            beast::error_code ec;
            const bool in_header = !parser_->is_header_done();
            const std::size_t used = parser_->put(buffer_.data(), ec);
            buffer_.consume(used);
            if (in_header) header_bytes_ += used;
            // The header is bounded as a whole, whether parsed or still arriving, and a chunked body's trailer lines
            // count with it (Beast bounds neither those nor a chunk's line).
            if (header_bytes_ + parser_->trailer_bytes() > limits_.header_bytes) {
                return on_error(beast_http::error::header_limit);
            }
            // Bytes waiting for more are a header still arriving, or past it a line (a chunk's size and extensions, or
            // the trailer, which Beast takes whole): one longer than a whole header would otherwise grow the buffer
            // until the read timeout. (This holds, as does counting header_bytes_ above, because the parser is not
            // eager: the put() that ends the header stops there.)
            if (ec == beast_http::error::need_more && buffer_.size() > limits_.header_bytes) {
                if (in_header) return on_error(beast_http::error::header_limit);
                return reject(400, "chunked body: a chunk line or the trailer exceeds " +
                                       std::to_string(limits_.header_bytes) + " bytes");
            }
            if (ec == beast_http::error::need_more) break;
            if (ec) return on_error(ec);
            if (parser_->is_header_done() && !header_checked_) {
                header_checked_ = true;
                // A tunnel request has no body to wait for.
                if (parser_->get().method() == beast_http::verb::connect) return on_connect();
                if (!check_header()) return;  // refused, or 100 Continue on its way (which parses on)
            }
            if (parser_->is_done()) return on_request();
            if (used == 0) break;  // nothing more to parse in what is here
        }
        if (parser_->is_done()) return on_request();  // e.g. a header without body, consumed whole
        // The rest of the request is bounded by the read timeout from its first byte (set once per request).
        if (!reading_) {
            reading_ = true;
            set_deadline(limits_.read_timeout);
        }
        read_more();
    }

    // What the header alone decides (RFC 9110/9112): codings the emulator does not decode, and Expect. True when
    // parsing goes on now.
    bool check_header() {
        const auto& request = parser_->get();
        const std::uint64_t bound = body_bound(request, limits_.body_bytes, limits_.snapshot_body_bytes);
        if (parser_->content_length() && *parser_->content_length() > bound) {
            on_error(beast_http::error::body_limit);
            return false;
        }
        parser_->body_limit(bound);
        if (auto refusal = refuse_header(request, !parser_->is_done())) {
            reject(refusal->status, refusal->reason);
            return false;
        }
        // Any expectation but 100-continue was refused above.
        if (request[beast_http::field::expect].empty() || parser_->is_done()) return true;
        // The client waits for this before it sends the body (a too large one was refused above by its length).
        raw_ = "HTTP/1.1 100 Continue\r\n\r\n";
        asio::async_write(stream_, asio::buffer(raw_),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->parse();
                          });
        return false;
    }

    // Proxy mode: `CONNECT <emulated host>:<port>` opens a TLS tunnel to the emulator itself; anything else is
    // refused, so nothing is ever forwarded.
    void on_connect() {
        if constexpr (kTls) {
            return reject(400, "CONNECT is served on the plain listener only (proxy mode)");
        } else {
            if (auto refusal = refuse_connect(parser_->get().target())) {
                return reject(refusal->status, refusal->reason);
            }
            std::string problem = "proxy mode is off";
            auto context = connections_->tls ? connections_->tls->context(problem) : nullptr;
            if (!context) return reject(502, "TLS is not available: " + problem);
            raw_ = std::string(kTunnelOpen);
            asio::async_write(stream_, asio::buffer(raw_),
                              [self = this->shared_from_this(), context](beast::error_code ec, std::size_t) {
                                  if (ec) return self->close();
                                  self->open_tunnel(context);
                              });
        }
    }

    void open_tunnel(const std::shared_ptr<asio::ssl::context>& context) {
        if constexpr (!kTls) {
            closed_ = true;  // the socket lives on in the tunnel: this session's timers stop here
            watchdog_.cancel();
            delay_.cancel();
            auto tunnel =
                std::make_shared<Session<TlsStream>>(std::move(stream_), connections_, context, std::move(buffer_));
            tunnel->start();
        }
    }

    void on_error(beast::error_code ec) {
        if (ec == beast_http::error::body_limit) {
            // The request line is in: a Content-Length over the larger bound is refused as the header ends, before
            // Beast counts the header done, and a body over the narrowed bound later on.
            return reject(
                413, "request body exceeds " +
                         std::to_string(body_bound(parser_->get(), limits_.body_bytes, limits_.snapshot_body_bytes)) +
                         " bytes");
        }
        if (ec == beast_http::error::header_limit) {
            return reject(431, "request headers exceed " + std::to_string(limits_.header_bytes) + " bytes");
        }
        if (is_parse_error(ec)) return reject(400, "malformed HTTP request: " + ec.message());
        close();
    }

    // --- answering ------------------------------------------------------------------------------------------
    void on_request() {
        evictable.store(false, std::memory_order_relaxed);
        Answer answer;
        try {
            answer = connections_->handlers.answer(parser_->get());
        } catch (const std::exception& error) {
            // A bug must cost one request, not the process.
            connections_->log.message(log::Level::error, std::string("request failed: ") + error.what());
            return reject(500, "internal error in the emulator");
        }
        if (!answer.pending) return answer_with(std::move(answer));
        pending_ = std::move(answer.pending);
        ask_again();
    }

    // An answer not ready yet: asked for again on the delay timer (a stop cancels it and asks for the answer at
    // once), so the I/O thread serves other connections meanwhile.
    void ask_again() {
        if (closed_) {
            pending_ = nullptr;
            return;
        }
        Answer answer;
        try {
            if (!pending_(answer, connections_->stopping.load())) {
                delay_.expires_after(kPendingPoll);
                delay_.async_wait([self = this->shared_from_this()](beast::error_code) { self->ask_again(); });
                return;
            }
        } catch (const std::exception& error) {
            pending_ = nullptr;
            connections_->log.message(log::Level::error, std::string("request failed: ") + error.what());
            return reject(500, "internal error in the emulator");
        }
        pending_ = nullptr;
        answer_with(std::move(answer));
    }

    void answer_with(Answer answer) {
        reply_ = std::move(answer.reply);
        network_ = answer.directive.network;
        if (answer.directive.delay.count() <= 0 || connections_->stopping) return carry_out();
        // On a timer, never a sleeping thread: other connections go on meanwhile. A stop cuts it short.
        delay_.expires_after(answer.directive.delay);
        delay_.async_wait([self = this->shared_from_this()](beast::error_code) { self->carry_out(); });
    }

    void carry_out() {
        if (closed_) return;
        switch (network_) {
            case core::NetworkFault::none:
                // Stopping: the last request received gets Connection: close; earlier pipelined ones keep it open.
                if (connections_->stopping && buffer_.size() == 0 && !input_waiting()) reply_.keep_alive = false;
                return write(!reply_.keep_alive);
            case core::NetworkFault::reset: {
                // SO_LINGER 0: close() sends RST instead of FIN.
                beast::error_code ignored;
                transport().set_option(asio::socket_base::linger(true, 0), ignored);
                stop_timers();
                transport().close(ignored);
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
        evictable.store(false, std::memory_order_relaxed);
        Refusal refusal{status, reason, {}, {}};
        if (parser_ && parser_->get().line_read()) {
            refusal.method = parser_->get().method_string();
            refusal.target = parser_->get().target();
        }
        connections_->handlers.refused(refusal);
        reply_ = transport_error(status, reason);
        write(true);
    }

    // The answer's headers with their full Content-Length, and half of its body.
    std::string truncated_response() {
        reply_.keep_alive = false;
        render_head(reply_, head_);
        return reply_.head ? head_ : head_ + reply_.body.substr(0, reply_.body.size() / 2);
    }

    // Bytes out, then an orderly close: the client reads them and then the end of the stream.
    void write_raw(std::string bytes) {
        raw_ = std::move(bytes);
        connections_->charge(*this, raw_.size());
        set_deadline(limits_.read_timeout);
        asio::async_write(stream_, asio::buffer(raw_),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->connections_->release(*self);
                              if (ec) return self->close();
                              self->finish();
                          });
    }

    // No answer, ever: read and discard whatever comes until the client gives up (or a stop closes it).
    void stall() {
        stalled_ = true;
        evictable.store(true, std::memory_order_relaxed);
        if (connections_->stopping) return close();
        clear_deadline();
        buffer_.clear();
        stream_.async_read_some(buffer_.prepare(kReadChunk),
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->close();
                                    self->stall();
                                });
    }

    void write(bool close_after) {
        close_after_ = close_after;
        connections_->charge(*this, reply_.body.size());
        render_head(reply_, head_);
        body_inline_ = !reply_.head && reply_.body.size() <= kInlineBodyBytes;
        if (body_inline_) head_.append(reply_.body);
        sent_ = 0;
        write_some();
    }

    // The body's bytes that go out after head_ (none when it went into head_).
    std::size_t body_after_head() const { return reply_.head || body_inline_ ? 0 : reply_.body.size(); }
    std::size_t answer_size() const { return head_.size() + body_after_head(); }

    // Head and body in one write, from where the last one stopped: one buffer when the body went into head_, else a
    // gathered write. The first step runs under the deadline in force (an answer usually leaves in one step,
    // touching no timer); every further step gets the read timeout, so a slow reader that keeps reading gets the
    // whole answer and one that stops reading is dropped.
    void write_some() {
        auto written = [self = this->shared_from_this()](beast::error_code error, std::size_t bytes) {
            self->on_written(error, bytes);
        };
        const std::size_t body_size = body_after_head();
        if (body_size == 0) {
            stream_.async_write_some(asio::buffer(head_.data() + sent_, head_.size() - sent_), std::move(written));
            return;
        }
        std::array<asio::const_buffer, 2> buffers;
        if (sent_ < head_.size()) {
            buffers = {asio::buffer(head_.data() + sent_, head_.size() - sent_),
                       asio::buffer(reply_.body.data(), body_size)};
        } else {
            const std::size_t body_sent = sent_ - head_.size();
            buffers = {asio::buffer(reply_.body.data() + body_sent, body_size - body_sent), asio::const_buffer()};
        }
        stream_.async_write_some(buffers, std::move(written));
    }

    void on_written(beast::error_code ec, std::size_t bytes) {
        if (ec) return close();
        sent_ += bytes;
        if (sent_ < answer_size()) {
            set_deadline(limits_.read_timeout);
            return write_some();
        }
        connections_->release(*this);
        if (close_after_) return finish();
        next_request();
    }

    // The end of a connection whose last answer is out. TLS says close_notify first (bounded), so the client reads
    // an orderly end rather than a truncation.
    void finish() {
        if constexpr (kTls) {
            set_deadline(kDrainTimeout);
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
        } else {
            drain_and_close();
        }
    }

    // Closing with unread input makes the kernel send a reset, which can destroy the error response before the
    // client reads it; so stop sending, then read and discard what the client is still sending (bounded).
    void drain_and_close() {
        beast::error_code ignored;
        transport().shutdown(tcp::socket::shutdown_send, ignored);
        set_deadline(kDrainTimeout);
        drain();
    }

    void drain() {
        buffer_.clear();
        transport().async_read_some(buffer_.prepare(kReadChunk),
                                    [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                                        self->drained_ += bytes;
                                        if (ec || self->drained_ > kMaxDrainBytes) return self->close();
                                        self->drain();
                                    });
    }

    void stop_timers() {
        closed_ = true;
        watchdog_.cancel();
        delay_.cancel();
    }

    void close() {
        connections_->release(*this);
        stop_timers();
        beast::error_code ignored;
        transport().shutdown(tcp::socket::shutdown_both, ignored);
        transport().close(ignored);
    }

    Stream stream_;
    std::shared_ptr<asio::ssl::context> context_;  // kept alive as long as a TLS stream uses it
    beast::flat_buffer buffer_;
    // The request's target and header lines (an ordinary request's fit the buffer; a larger header borrows from the
    // heap until the next request). 1 KiB, as every open connection holds one. Declared before the parser, which
    // goes first.
    std::array<std::byte, 1024> header_memory_;
    std::pmr::monotonic_buffer_resource header_arena_{header_memory_.data(), header_memory_.size()};
    std::optional<RequestParser> parser_;
    Reply reply_;
    // A body this small goes out inside head_: one buffer is a send() where two are a sendmsg() whose iovec array the
    // kernel copies in (TLS gains less: Beast's flat_stream already gathered the two into one record, by a copy).
    // Small, as every connection keeps head_'s capacity (at most about 1.3 KiB).
    static constexpr std::size_t kInlineBodyBytes = 512;
    std::string head_;  // the rendered status line and headers (and a small body); its capacity is kept from answer
                        // to answer
    bool body_inline_ = false;  // the body is at the end of head_
    std::size_t sent_ = 0;      // bytes of head_ and the body written so far
    bool close_after_ = false;
    core::NetworkFault network_ = core::NetworkFault::none;
    std::string raw_;  // bytes of a garbage or truncated answer, or the tunnel's 200, while they are written
    asio::steady_timer watchdog_;
    Clock::time_point deadline_ = Clock::time_point::max();
    Clock::time_point armed_ = Clock::time_point::max();  // when the watchdog fires next (max: not waiting)
    asio::steady_timer delay_;
    std::function<bool(Answer&, bool)> pending_;  // an answer not ready yet (Answer::pending)
    std::size_t header_bytes_ = 0;
    std::size_t drained_ = 0;
    bool header_checked_ = false;
    bool reading_ = false;  // the request's read deadline is set
    bool idle_ = false;     // waiting for the first byte of a request
    bool stalled_ = false;  // answering with silence (network fault "stall")
    bool closed_ = false;   // timers stopped for good
    std::shared_ptr<Connections> connections_;
    const TransportLimits& limits_;  // owned by connections_
};

}  // namespace

namespace {
TransportLimits with_unread_bound(TransportLimits limits) {
    if (!limits.unread) limits.unread = std::make_shared<UnreadAnswers>(TransportLimits::kDefaultUnreadBytes);
    return limits;
}
}  // namespace

IoThreads::IoThreads(unsigned count) {
    for (unsigned i = 0; i < std::max(count, 1U); ++i) {
        contexts_.push_back(std::make_unique<asio::io_context>(1));
        keep_running_.push_back(asio::make_work_guard(*contexts_.back()));
    }
}

asio::io_context& IoThreads::next() {
    return *contexts_[turn_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

IoThreads::~IoThreads() {
    if (threads_.empty()) return;
    stop();
    join();
}

void IoThreads::start(std::function<void(asio::io_context&)> run_one) {
    run_one_ = std::move(run_one);
    try {
        for (std::size_t i = 1; i < contexts_.size(); ++i)
            threads_.emplace_back([this, i] { run_one_(*contexts_[i]); });
    } catch (...) {
        // Without this, the joinable threads' destructors would call std::terminate instead of the caller hearing.
        stop();
        join();
        throw;
    }
}

void IoThreads::run_first() {
    run_one_(*contexts_.front());
    join();
}

void IoThreads::join() noexcept {
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

void IoThreads::stop() {
    for (auto& context : contexts_) context->stop();
}

Listener::Listener(IoThreads& threads, const tcp::endpoint& endpoint, Handlers handlers, log::AccessLog& log,
                   TransportLimits limits, std::shared_ptr<tls::TlsProvider> tunnels,
                   std::shared_ptr<asio::ssl::context> serve_tls)
    : threads_(threads),
      acceptor_(threads.first()),
      retry_(acceptor_.get_executor()),
      serve_tls_(std::move(serve_tls)),
      connections_(std::make_shared<Connections>(std::move(handlers), log, with_unread_bound(std::move(limits)),
                                                 std::move(tunnels))) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    std::lock_guard lock(connections_->unread.mutex_);
    connections_->unread.tables_.push_back(connections_);
}

void Listener::start() { accept(); }

void Listener::stop() {
    connections_->stopping = true;
    taking_queue_ = true;
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
        self->take_accept_queue();
        beast::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_.cancel();
        self->taking_queue_ = false;
    });
    for (const auto& session : connections_->snapshot()) session->wind_down();
}

// A client whose connect() has completed has sent its request to the emulator as far as it can tell; the kernel
// holds those connections until accepted. Taken without waiting, so a stop never blocks on a quiet queue; bounded
// by the backlog, as clients may go on connecting meanwhile.
void Listener::take_accept_queue() {
    beast::error_code ec;
    acceptor_.non_blocking(true, ec);
    for (int taken = 0; !ec && taken < asio::socket_base::max_listen_connections; ++taken) {
        tcp::socket socket(session_executor());
        acceptor_.accept(socket, ec);  // would_block once the queue is empty
        if (!ec) admit(std::move(socket));
    }
}

// No strand: the context is run by one thread only.
asio::any_io_executor Listener::session_executor() { return threads_.next().get_executor(); }

std::size_t Listener::open_connections() const { return connections_->size() + (taking_queue_ ? 1 : 0); }

void Listener::admit(tcp::socket socket) {
    beast::error_code ignored;
    // At the bound, the oldest connection that owes nothing makes room; if every one is busy answering, the newest
    // waits in no queue: it is closed at once.
    if (connections_->size() >= connections_->limits.max_connections && !connections_->evict_oldest()) {
        socket.close(ignored);
        return;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    if (serve_tls_) {
        std::make_shared<Session<TlsStream>>(std::move(socket), connections_, serve_tls_)->start();
    } else {
        std::make_shared<Session<PlainStream>>(std::move(socket), connections_)->start();
    }
}

void Listener::accept() {
    acceptor_.async_accept(session_executor(), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            // Accepted as a stop began: still a client owed its answer; the stop takes the rest of the queue.
            self->admit(std::move(socket));
            if (!self->connections_->stopping) self->accept();
            return;
        }
        if (self->connections_->stopping) return;
        // Out of descriptors, typically: a connection that owes nothing gives its descriptor up and the accept is
        // retried at once; with nothing to give up, retrying at once would spin, so wait, and log once a second.
        if ((ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system) &&
            (self->connections_->eviction_pending() || self->connections_->evict_oldest())) {
            // The evicted connection closes on its own thread: give it a moment before asking again.
            self->retry_.expires_after(kEvictionRetry);
            return self->retry_.async_wait([self](beast::error_code wait_error) {
                if (!wait_error) self->accept();
            });
        }
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
