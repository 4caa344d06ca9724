#pragma once
// Beast's listener and session roles: accept sockets, move bytes, enforce transport limits, and carry out the
// transport directives answers come with (delays on timers, network faults). No decisions about what to answer
// live here: the handlers given to the listener make them.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/message.hpp"
#include "log/access_log.hpp"

namespace boost::asio::ssl {
class context;
}
namespace lee::tls {
class TlsProvider;
}

namespace lee::http {

class Connections;
class Listener;

// The bytes of answers not yet taken by their clients, across every connection of every listener: what clients
// that ask for large answers and never read can make the emulator hold. An answer that would take the total past
// the bound closes the connections holding the most (the oldest first among equals) until it fits; an answer
// larger than the whole bound (a big snapshot) still goes out, with every other holder closed for it.
class UnreadAnswers {
public:
    explicit UnreadAnswers(std::size_t limit) : limit_(limit) {}
    std::size_t limit() const { return limit_; }
    std::size_t held() const { return held_.load(std::memory_order_relaxed); }
    // Connections closed to keep within the bound, since the start.
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
    friend class Connections;
    friend class Listener;
    const std::size_t limit_;
    std::atomic<std::size_t> held_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::mutex mutex_;                                // one making of room at a time; guards tables_
    std::vector<std::weak_ptr<Connections>> tables_;  // every listener's connections
};

struct TransportLimits {
    std::size_t header_bytes = 8192;                            // over it: 431
    std::size_t body_bytes = 65536;                             // over it: 413
    std::size_t snapshot_body_bytes = std::size_t{512} << 20U;  // PUT /_emulator/snapshot's instead
    std::chrono::milliseconds idle_timeout{60'000};             // keep-alive connection with no request started
    std::chrono::milliseconds read_timeout{10'000};  // from the first byte of a request to its last, and per write step
    std::size_t max_connections = 10'000;            // past it, the oldest connection that owes nothing is closed
    // Shared by every listener of the process; null: a bound of its own with the default size.
    std::shared_ptr<UnreadAnswers> unread;
    static constexpr std::size_t kDefaultUnreadBytes = std::size_t{64} * 1024 * 1024;
};

// The I/O threads, one io_context each. A connection stays on the context it was given at accept, so its handlers
// never run on two threads at once without a strand, and the threads share no scheduler queue or lock: with one
// io_context run by every thread, each completion went through a common mutex (issue 11). Nothing may block a
// thread, as that would hold up the other connections it serves: an answer that waits (POST
// /_emulator/callbacks/wait) is asked for again on a timer (Answer::pending).
class IoThreads {
public:
    explicit IoThreads(unsigned count);
    ~IoThreads();  // stops and joins the threads start() made, if run_first() did not
    IoThreads(const IoThreads&) = delete;
    IoThreads& operator=(const IoThreads&) = delete;
    // Where listeners accept and the process's own timers and signals run.
    boost::asio::io_context& first() { return *contexts_.front(); }
    // The context for a new connection, in turn.
    boost::asio::io_context& next();
    // Runs every context but the first on a thread of its own through `run_one`. Called before the process says it
    // is ready, so running out of threads (EAGAIN) is an error at start, not after READY: the threads made so far
    // are stopped and joined, and the error is thrown.
    void start(std::function<void(boost::asio::io_context&)> run_one);
    // Runs the first context on the calling thread through the same `run_one`, and returns once all have stopped.
    void run_first();
    // Stops every context; callable from any thread.
    void stop();

private:
    void join() noexcept;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    // Keeps a context with no connection yet from returning at once.
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keep_running_;
    std::atomic<std::size_t> turn_{0};
    std::function<void(boost::asio::io_context&)> run_one_;
    std::vector<std::thread> threads_;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Binds and listens at once, so the caller can report the port before any request is served.
    // `tunnels`: where CONNECT tunnels (proxy mode) get their TLS context; null turns proxy mode off.
    // `serve_tls`: set for a TLS listener, whose every connection starts with a handshake.
    Listener(IoThreads& threads, const boost::asio::ip::tcp::endpoint& endpoint, Handlers handlers, log::AccessLog& log,
             TransportLimits limits, std::shared_ptr<tls::TlsProvider> tunnels,
             std::shared_ptr<boost::asio::ssl::context> serve_tls = nullptr);
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    void start();
    // Stops accepting and winds the open connections down: idle and stalled ones close now, busy ones after their
    // answer (sent with Connection: close; a pending delay is cut short). Connections the kernel has completed but
    // not yet handed over (its accept queue) are taken first, so a request already sent on one gets its answer.
    void stop();
    // Counts the accept queue being taken at a stop as one, so the process does not exit before it is.
    std::size_t open_connections() const;

private:
    void accept();
    void admit(boost::asio::ip::tcp::socket socket);
    void take_accept_queue();
    boost::asio::any_io_executor session_executor();
    IoThreads& threads_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::chrono::steady_clock::time_point last_accept_log_{};  // touched on the acceptor's thread only
    std::shared_ptr<boost::asio::ssl::context> serve_tls_;
    std::shared_ptr<Connections> connections_;
    std::atomic<bool> taking_queue_{false};
};

}  // namespace lee::http
