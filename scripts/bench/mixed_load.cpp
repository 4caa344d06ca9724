// mixed_load: create_room and get_room_list from one client thread, each kind's latency on its own.
//
// bench.sh measures creates' p99 while lists run. Two wrk processes on one client core time-share it: a wrk that is
// off the core does not read the answers waiting for it, and that wait counts as latency (nginx answering a fixed
// body gets a p99 of 4.5 ms that way, against 0.7 ms with one wrk). This client runs both kinds of connection in
// one epoll loop, as wrk runs its connections, and keeps a latency list per kind.
//
// Usage: mixed_load PORT SECONDS CREATE_CONNECTIONS LIST_CONNECTIONS TAG SDKAPPID
// Requests are those of create_room_video.lua (RoomIds "video-<TAG>-<n>") and get_room_list.lua (Count 20, every
// other request following the latest Next cursor, up to 50 pages deep). An answer that is not a 200 with
// "ErrorCode":0 counts as an error; a socket error ends the run with status 1. Prints, in µs, one line per kind:
//   <kind> rps=<n> p50=<µs> p99=<µs> p99.9=<µs> max=<µs> requests=<n> errors=<n>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::int64_t now_us() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_nsec / 1000;
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "mixed_load: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

enum class Kind { create, list };

struct Tally {
    std::vector<std::uint32_t> latencies_us;
    std::uint64_t errors = 0;
};

struct Connection {
    int fd = -1;
    Kind kind = Kind::create;
    std::string out;  // the request being written
    std::size_t written = 0;
    bool want_out = false;  // registered for EPOLLOUT: a request only partly written
    std::string in;         // the answer being read
    std::int64_t sent_at = 0;
};

class Load {
public:
    Load(int port, std::string tag, const std::string& sdkappid) : port_(port), tag_(std::move(tag)) {
        const std::string query = "?sdkappid=" + sdkappid + "&identifier=admin&usersig=x&random=1&contenttype=json";
        const std::string headers = " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                    "\r\nContent-Type: application/json\r\nContent-Length: ";
        create_head_ = "POST /v4/live_engine_http_srv/create_room" + query + headers;
        list_head_ = "POST /v4/live_engine_http_srv/get_room_list" + query + headers;
    }

    void run(int seconds, int creates, int lists) {
        epoll_ = epoll_create1(0);
        if (epoll_ < 0) die("epoll_create1");
        connections_.resize(static_cast<std::size_t>(creates) + static_cast<std::size_t>(lists));
        for (std::size_t i = 0; i < connections_.size(); ++i) {
            connections_[i].kind = i < static_cast<std::size_t>(creates) ? Kind::create : Kind::list;
            open(connections_[i], i);
        }
        began_ = now_us();
        const std::int64_t end = began_ + static_cast<std::int64_t>(seconds) * 1'000'000;
        for (auto& connection : connections_) send_next(connection);
        std::array<epoll_event, 64> events{};
        while (now_us() < end) {
            const int ready = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 10);
            if (ready < 0 && errno != EINTR) die("epoll_wait");
            for (int i = 0; i < ready; ++i) {
                auto& connection = connections_[events[static_cast<std::size_t>(i)].data.u64];
                if ((events[static_cast<std::size_t>(i)].events & EPOLLOUT) != 0) write_some(connection);
                if ((events[static_cast<std::size_t>(i)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
                    read_some(connection, end);
                }
            }
        }
        elapsed_us_ = now_us() - began_;
    }

    void report() {
        report("create", tallies_[0]);
        report("list", tallies_[1]);
    }

private:
    void open(Connection& connection, std::size_t index) const {
        connection.fd = socket(AF_INET, SOCK_STREAM, 0);
        connection.want_out = false;
        if (connection.fd < 0) die("socket");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port_));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(connection.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) die("connect");
        const int one = 1;
        setsockopt(connection.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const int flags = fcntl(connection.fd, F_GETFL);
        if (flags < 0 || fcntl(connection.fd, F_SETFL, flags | O_NONBLOCK) != 0) die("fcntl");
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = index;
        if (epoll_ctl(epoll_, EPOLL_CTL_ADD, connection.fd, &event) != 0) die("epoll_ctl");
    }

    void append_create_body(std::string& out) {
        ++creates_sent_;
        out += R"({"RoomInfo":{"RoomId":"video-)";
        out += tag_;
        out += '-';
        append_number(out, creates_sent_);
        out += R"(","RoomType":"Live","Owner_Account":"testA","TakeSeatMode":"ApplyToTake",)"
               R"("SeatTemplate":"VideoDynamicGrid9Seats","IsPublicVisible":true,"RoomName":"Happy new year",)"
               R"("CoverURL":"cover url"}})";
    }

    // As get_room_list.lua: every other request follows the latest Next cursor, up to 50 pages deep.
    void append_list_body(std::string& out) {
        ++lists_sent_;
        const bool follow = lists_sent_ % 2 == 0 && !next_cursor_.empty() && depth_ < 50;
        depth_ = follow ? depth_ + 1 : 0;
        out += R"({"Next":")";
        if (follow) out += next_cursor_;
        out += R"(","Count":20})";
    }

    static void append_number(std::string& out, std::uint64_t number) {
        std::array<char, 24> digits{};
        const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
        out.append(digits.data(), end);
    }

    void send_next(Connection& connection) {
        const bool create = connection.kind == Kind::create;
        body_.clear();
        if (create) {
            append_create_body(body_);
        } else {
            append_list_body(body_);
        }
        std::string& out = connection.out;
        out.assign(create ? create_head_ : list_head_);
        append_number(out, body_.size());
        out += "\r\n\r\n";
        out += body_;
        connection.written = 0;
        connection.sent_at = now_us();
        write_some(connection);
    }

    void write_some(Connection& connection) {
        while (connection.written < connection.out.size()) {
            const ssize_t n = send(connection.fd, connection.out.data() + connection.written,
                                   connection.out.size() - connection.written, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) break;
            if (n <= 0) die("send");
            connection.written += static_cast<std::size_t>(n);
        }
        const bool want_out = connection.written < connection.out.size();
        if (want_out == connection.want_out) return;
        connection.want_out = want_out;
        epoll_event event{};
        event.events = want_out ? EPOLLIN | EPOLLOUT : EPOLLIN;
        event.data.u64 = static_cast<std::uint64_t>(&connection - connections_.data());
        if (epoll_ctl(epoll_, EPOLL_CTL_MOD, connection.fd, &event) != 0) die("epoll_ctl");
    }

    void read_some(Connection& connection, std::int64_t end) {
        for (;;) {
            const ssize_t n = recv(connection.fd, buffer_.data(), buffer_.size(), 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) break;
            if (n < 0) die("recv");
            if (n == 0) {
                errno = ECONNRESET;
                die("the server closed a connection");
            }
            connection.in.append(buffer_.data(), static_cast<std::size_t>(n));
            if (static_cast<std::size_t>(n) < buffer_.size()) break;
        }
        while (answer_complete(connection, end)) {
        }
    }

    // Takes one whole answer off the front of connection.in, if there is one; then sends the next request.
    bool answer_complete(Connection& connection, std::int64_t end) {
        const std::string_view in = connection.in;
        const std::size_t head_end = in.find("\r\n\r\n");
        if (head_end == std::string_view::npos) return false;
        const std::string_view head = in.substr(0, head_end);
        const auto length = header(head, "content-length");
        std::size_t body_length = 0;
        if (!length ||
            std::from_chars(length->data(), length->data() + length->size(), body_length).ec != std::errc()) {
            errno = EPROTO;
            die("an answer without Content-Length");
        }
        const std::size_t total = head_end + 4 + body_length;
        if (in.size() < total) return false;
        const std::int64_t latency = now_us() - connection.sent_at;
        const std::string_view body = in.substr(head_end + 4, body_length);
        const bool ok = head.starts_with("HTTP/1.1 200 ") && body.find(R"("ErrorCode":0,)") != std::string_view::npos;
        Tally& tally = tallies_[connection.kind == Kind::create ? 0 : 1];
        tally.latencies_us.push_back(static_cast<std::uint32_t>(std::max<std::int64_t>(latency, 0)));
        if (!ok) ++tally.errors;
        if (ok && connection.kind == Kind::list) note_cursor(body);
        const auto persistence = header(head, "connection");
        const bool closing = persistence && equal_ignoring_case(*persistence, "close");
        connection.in.erase(0, total);  // head and body are views into it: not used below
        if (closing) {
            // As wrk: a server that ends keep-alive (nginx after 1,000 requests) gets a new connection.
            close(connection.fd);
            connection.in.clear();
            open(connection, static_cast<std::size_t>(&connection - connections_.data()));
        }
        if (now_us() < end) send_next(connection);
        return !connection.in.empty();
    }

    void note_cursor(std::string_view body) {
        constexpr std::string_view key = R"("Next":")";
        const std::size_t at = body.find(key);
        next_cursor_.clear();
        if (at == std::string_view::npos) return;
        const std::size_t from = at + key.size();
        const std::size_t to = body.find('"', from);
        if (to != std::string_view::npos) next_cursor_.assign(body.substr(from, to - from));
    }

    static char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
    static bool equal_ignoring_case(std::string_view text, std::string_view lower_case) {
        return text.size() == lower_case.size() &&
               std::equal(text.begin(), text.end(), lower_case.begin(), [](char a, char b) { return lower(a) == b; });
    }

    // The value of a header of the answer's head (name in lower case), or nullopt.
    static std::optional<std::string_view> header(std::string_view head, std::string_view name) {
        for (std::size_t at = head.find("\r\n"); at != std::string_view::npos; at = head.find("\r\n", at + 2)) {
            const std::string_view line = head.substr(at + 2, head.find("\r\n", at + 2) - (at + 2));
            if (line.size() <= name.size() || line[name.size()] != ':' ||
                !std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) { return a == lower(b); })) {
                continue;
            }
            std::string_view value = line.substr(name.size() + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
            return value;
        }
        return std::nullopt;
    }

    void report(const char* kind, Tally& tally) const {
        auto& all = tally.latencies_us;
        std::sort(all.begin(), all.end());
        const auto at = [&all](double percentile) -> std::uint32_t {
            if (all.empty()) return 0;
            const auto rank = static_cast<std::size_t>(percentile / 100.0 * static_cast<double>(all.size()));
            return all[std::min(rank, all.size() - 1)];
        };
        std::printf("%s rps=%.0f p50=%u p99=%u p99.9=%u max=%u requests=%zu errors=%llu\n", kind,
                    static_cast<double>(all.size()) * 1e6 / static_cast<double>(std::max<std::int64_t>(elapsed_us_, 1)),
                    at(50), at(99), at(99.9), all.empty() ? 0U : all.back(), all.size(),
                    static_cast<unsigned long long>(tally.errors));
    }

    int port_;
    std::string tag_;
    std::string create_head_;  // a request up to its Content-Length's value
    std::string list_head_;
    std::string body_;
    int epoll_ = -1;
    std::vector<Connection> connections_;
    std::array<Tally, 2> tallies_;
    std::uint64_t creates_sent_ = 0;
    std::uint64_t lists_sent_ = 0;
    std::string next_cursor_;
    int depth_ = 0;
    std::array<char, 65536> buffer_;  // uninitialised: read into, never read before
    std::int64_t began_ = 0;
    std::int64_t elapsed_us_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: mixed_load PORT SECONDS CREATE_CONNECTIONS LIST_CONNECTIONS TAG SDKAPPID\n");
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const int seconds = std::atoi(argv[2]);
    const int creates = std::atoi(argv[3]);
    const int lists = std::atoi(argv[4]);
    if (port <= 0 || port > 65535 || seconds <= 0 || creates < 0 || lists < 0 || creates + lists == 0) {
        std::fprintf(stderr, "mixed_load: bad arguments\n");
        return 2;
    }
    Load load(port, argv[5], argv[6]);
    load.run(seconds, creates, lists);
    load.report();
    return 0;
}
