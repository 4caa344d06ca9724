#pragma once
// The command line of emulator-interface.md, with its LIVE_EMULATOR_* environment twins.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "log/access_log.hpp"

namespace lee::cli {

struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
};

struct ServeOptions {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 9080;
    std::optional<Endpoint> tls_listen;
    std::string tls_cert;  // with tls_key: the user's own certificate; otherwise the local CA issues one
    std::string tls_key;
    std::string ca_dir;
    std::string rules_directory;
    unsigned threads = 1;
    std::optional<std::uint64_t> seed;
    std::string port_file;
    log::Level log_level = log::Level::info;
    log::Format log_format = log::Format::text;
    bool strict = false;
    std::string admin_token;
    std::int64_t idle_timeout_ms = 60'000;
    std::int64_t read_timeout_ms = 10'000;
    std::size_t max_connections = 0;
    std::size_t max_unread_bytes = std::size_t{64} * 1024 * 1024;
    std::size_t max_apps = 50'000;
    std::size_t max_rooms_per_app = 2'000'000;  // 0: as many as the descriptor limit allows, at most 10,000
    std::size_t journal_entries = 10'000;
    std::size_t journal_bytes = std::size_t{16} * 1024 * 1024;
    std::size_t callback_queue = 10'000;
    std::size_t callback_records = 1'000;
    std::int64_t callback_timeout_ms = 2'000;
    std::string callback_ca_file;
    std::string state_file;                                           // empty: state lives in memory only
    std::chrono::milliseconds state_save_interval{30'000};            // 0: saved only at a clean stop
    std::size_t max_snapshot_bytes = std::size_t{512} * 1024 * 1024;  // PUT /_emulator/snapshot's body
};

inline constexpr std::int64_t kDefaultExpireSeconds = std::int64_t{86400} * 180;  // the official libraries' default

struct UserSigOptions {
    std::uint64_t sdkappid = 0;
    std::string key;
    std::string identifier;
    std::int64_t expire_seconds = kDefaultExpireSeconds;
    std::optional<std::int64_t> time;  // signing time in unix seconds; default now
};

// What the command line asks for. `exit_code` set means: print `output` (stdout when 0, stderr otherwise) and exit.
struct Invocation {
    enum class Kind { serve, usersig, exit } kind = Kind::serve;
    ServeOptions serve;
    UserSigOptions usersig;
    int exit_code = 0;
    std::string output;
};

Invocation parse_command_line(const std::vector<std::string>& arguments, const std::string& default_rules_directory);

}  // namespace lee::cli
