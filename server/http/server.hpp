#pragma once
// Beast's listener and session roles: accept sockets, move bytes, enforce transport limits, and carry out the
// transport directives answers come with (delays on timers, network faults). No decisions about what to answer
// live here: the handlers given to the listener make them.
#include <chrono>
#include <cstddef>
#include <memory>

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

struct TransportLimits {
    std::size_t header_bytes = 8192;                            // over it: 431
    std::size_t body_bytes = 65536;                             // over it: 413
    std::size_t snapshot_body_bytes = std::size_t{512} << 20U;  // PUT /_emulator/snapshot's instead
    std::chrono::milliseconds idle_timeout{60'000};             // keep-alive connection with no request started
    std::chrono::milliseconds read_timeout{10'000};  // from the first byte of a request to its last, and per write step
    std::size_t max_connections = 10'000;            // past it, the oldest connection that owes nothing is closed
};

class Connections;

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Binds and listens at once, so the caller can report the port before any request is served.
    // `tunnels`: where CONNECT tunnels (proxy mode) get their TLS context; null turns proxy mode off.
    // `serve_tls`: set for a TLS listener, whose every connection starts with a handshake.
    Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, Handlers handlers,
             log::AccessLog& log, TransportLimits limits, std::shared_ptr<tls::TlsProvider> tunnels,
             std::shared_ptr<boost::asio::ssl::context> serve_tls = nullptr);
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    void start();
    // Stops accepting and winds the open connections down: idle and stalled ones close now, busy ones after their
    // answer (sent with Connection: close; a pending delay is cut short).
    void stop();
    std::size_t open_connections() const;

private:
    void accept();
    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::chrono::steady_clock::time_point last_accept_log_{};  // touched on the acceptor's strand only
    std::shared_ptr<boost::asio::ssl::context> serve_tls_;
    std::shared_ptr<Connections> connections_;
};

}  // namespace lee::http
