#include "cli/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include "api/query.hpp"
#include "tls/certificates.hpp"

namespace lee::cli {
namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "Usage: live-engine-emulator [options]\n"
    "       live-engine-emulator usersig --sdkappid N --key K --identifier ID "
    "[--expire SECONDS] [--time UNIX_SECONDS]\n";

constexpr std::pair<std::string_view, const char*> kEnvironmentTwins[] = {
    {"LIVE_EMULATOR_LISTEN", "listen"},
    {"LIVE_EMULATOR_RULES", "rules"},
    {"LIVE_EMULATOR_THREADS", "threads"},
    {"LIVE_EMULATOR_SEED", "seed"},
    {"LIVE_EMULATOR_LOG_LEVEL", "log-level"},
    {"LIVE_EMULATOR_LOG_FORMAT", "log-format"},
    {"LIVE_EMULATOR_STRICT", "strict"},
    {"LIVE_EMULATOR_ADMIN_TOKEN", "admin-token"},
    {"LIVE_EMULATOR_IDLE_TIMEOUT_MS", "idle-timeout-ms"},
    {"LIVE_EMULATOR_READ_TIMEOUT_MS", "read-timeout-ms"},
    {"LIVE_EMULATOR_JOURNAL_ENTRIES", "journal-entries"},
    {"LIVE_EMULATOR_JOURNAL_BYTES", "journal-bytes"},
    {"LIVE_EMULATOR_TLS_LISTEN", "tls-listen"},
    {"LIVE_EMULATOR_TLS_CERT", "tls-cert"},
    {"LIVE_EMULATOR_TLS_KEY", "tls-key"},
    {"LIVE_EMULATOR_CA_DIR", "ca-dir"},
    {"LIVE_EMULATOR_MAX_CONNECTIONS", "max-connections"},
    {"LIVE_EMULATOR_MAX_UNREAD_BYTES", "max-unread-bytes"},
    {"LIVE_EMULATOR_MAX_APPS", "max-apps"},
    {"LIVE_EMULATOR_MAX_ROOMS_PER_APP", "max-rooms-per-app"},
    {"LIVE_EMULATOR_CALLBACK_QUEUE", "callback-queue"},
    {"LIVE_EMULATOR_CALLBACK_RECORDS", "callback-records"},
    {"LIVE_EMULATOR_CALLBACK_TIMEOUT_MS", "callback-timeout-ms"},
    {"LIVE_EMULATOR_CALLBACK_CA_FILE", "callback-ca-file"},
    {"LIVE_EMULATOR_STATE_FILE", "state-file"},
    {"LIVE_EMULATOR_STATE_SAVE_INTERVAL", "state-save-interval"},
    {"LIVE_EMULATOR_MAX_SNAPSHOT_BYTES", "max-snapshot-bytes"},
};

// Stray words (a mistyped subcommand) are errors, not silently ignored.
const po::positional_options_description kNoPositionals;

// "host:port" or "[v6]:port"; throws po::error on anything else.
Endpoint parse_endpoint(const std::string& flag, const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw po::error(flag + " must be HOST:PORT, got '" + text + "'");
    std::string host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) throw po::error(flag + " host must be an IP address (or localhost), got '" + host + "'");
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
        std::stoul(port) > 65535) {
        throw po::error(flag + " port must be 0..65535, got '" + port + "'");
    }
    return Endpoint{host, static_cast<std::uint16_t>(std::stoul(port))};
}

Invocation finish(int code, std::string text) {
    Invocation invocation;
    invocation.kind = Invocation::Kind::exit;
    invocation.exit_code = code;
    invocation.output = std::move(text);
    return invocation;
}

std::string describe(const po::options_description& options) {
    std::ostringstream text;
    text << kUsage << "\n" << options;
    return text.str();
}

Invocation parse_usersig(const std::vector<std::string>& arguments) {
    po::options_description options("usersig: print a TLSSigAPIv2 UserSig");
    options.add_options()("help,h", "show this help")("sdkappid", po::value<std::uint64_t>()->required(), "SDKAppID")(
        "key", po::value<std::string>()->required(), "the app's secret key")(
        "identifier", po::value<std::string>()->required(), "the UserID to sign for")(
        "expire", po::value<std::int64_t>()->default_value(kDefaultExpireSeconds), "validity in seconds")(
        "time", po::value<std::int64_t>(), "signing time in unix seconds (default: now)");
    po::variables_map values;
    try {
        po::store(po::command_line_parser(arguments).options(options).positional(kNoPositionals).run(), values);
        if (values.count("help")) return finish(0, describe(options));
        po::notify(values);
    } catch (const po::error& error) {
        return finish(2, std::string("live-engine-emulator usersig: ") + error.what() + "\n" + describe(options));
    }
    Invocation invocation;
    invocation.kind = Invocation::Kind::usersig;
    invocation.usersig.sdkappid = values["sdkappid"].as<std::uint64_t>();
    invocation.usersig.key = values["key"].as<std::string>();
    invocation.usersig.identifier = values["identifier"].as<std::string>();
    invocation.usersig.expire_seconds = values["expire"].as<std::int64_t>();
    if (values.count("time")) invocation.usersig.time = values["time"].as<std::int64_t>();
    if (invocation.usersig.expire_seconds < 0)
        return finish(2, "live-engine-emulator usersig: --expire must be >= 0\n");
    return invocation;
}

}  // namespace

Invocation parse_command_line(const std::vector<std::string>& arguments, const std::string& default_rules_directory) {
    if (!arguments.empty() && arguments.front() == "usersig") {
        return parse_usersig(std::vector<std::string>(arguments.begin() + 1, arguments.end()));
    }
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    po::options_description options("Options (each also read from the environment variable in brackets)");
    options.add_options()("help,h", "show this help")("version", "print the version")(
        "listen", po::value<std::string>()->default_value("127.0.0.1:9080"),
        "HOST:PORT to serve; port 0 picks a free port [LIVE_EMULATOR_LISTEN]")(
        "rules", po::value<std::string>()->default_value(default_rules_directory),
        "rules directory [LIVE_EMULATOR_RULES]")("threads", po::value<unsigned>()->default_value(cores),
                                                 "I/O threads [LIVE_EMULATOR_THREADS]")(
        "seed", po::value<std::string>(), "makes RequestIds reproducible (default: random) [LIVE_EMULATOR_SEED]")(
        "port-file", po::value<std::string>(), "write the bound port to this file once listening")(
        "log-level", po::value<std::string>()->default_value("info"),
        "debug, info, warn, error or off [LIVE_EMULATOR_LOG_LEVEL]")(
        "log-format", po::value<std::string>()->default_value("text"),
        "access log as text or json lines on stderr [LIVE_EMULATOR_LOG_FORMAT]")(
        "strict", po::bool_switch(), "ignore X-Emulator-* request headers [LIVE_EMULATOR_STRICT]")(
        "admin-token", po::value<std::string>(),
        "require 'Authorization: Bearer TOKEN' on /_emulator/*; mandatory on a non-loopback address "
        "[LIVE_EMULATOR_ADMIN_TOKEN]")("idle-timeout-ms", po::value<std::int64_t>()->default_value(60'000),
                                       "close a keep-alive connection idle this long [LIVE_EMULATOR_IDLE_TIMEOUT_MS]")(
        "read-timeout-ms", po::value<std::int64_t>()->default_value(10'000),
        "close a connection whose request is not complete this long after it began "
        "[LIVE_EMULATOR_READ_TIMEOUT_MS]")(
        "journal-entries", po::value<std::string>()->default_value("10000"),
        "requests the journal keeps; 0 turns it off [LIVE_EMULATOR_JOURNAL_ENTRIES]")(
        "journal-bytes", po::value<std::string>()->default_value("16777216"),
        "bytes the journal keeps at most [LIVE_EMULATOR_JOURNAL_BYTES]")(
        "tls-listen", po::value<std::string>(),
        "HOST:PORT to serve HTTPS too (same API, same state); port 0 picks a free port [LIVE_EMULATOR_TLS_LISTEN]")(
        "tls-cert", po::value<std::string>(),
        "PEM certificate chain for HTTPS (with --tls-key) [LIVE_EMULATOR_TLS_CERT]")(
        "tls-key", po::value<std::string>(), "PEM private key for --tls-cert [LIVE_EMULATOR_TLS_KEY]")(
        "max-connections", po::value<std::string>()->default_value("0"),
        "open connections at most; past it the oldest idle or stalled one is closed (0: from the descriptor limit, "
        "at most 10000) [LIVE_EMULATOR_MAX_CONNECTIONS]")(
        "max-unread-bytes", po::value<std::string>()->default_value("67108864"),
        "bytes of answers not yet read by their clients, all connections together; past it the connections holding "
        "the most are closed [LIVE_EMULATOR_MAX_UNREAD_BYTES]")(
        "max-apps", po::value<std::string>()->default_value("50000"),
        "apps holding state at most; past it a new sdkappid answers 60006 [LIVE_EMULATOR_MAX_APPS]")(
        "max-rooms-per-app", po::value<std::string>()->default_value("2000000"),
        "rooms per app at most; past it create_room answers 100001 [LIVE_EMULATOR_MAX_ROOMS_PER_APP]")(
        "state-file", po::value<std::string>(),
        "keep the state in this file: loaded at start, saved at a clean stop and every --state-save-interval "
        "[LIVE_EMULATOR_STATE_FILE]")(
        "state-save-interval", po::value<std::string>()->default_value("30"),
        "seconds between saves of --state-file (decimals allowed; 0: only at a clean stop) "
        "[LIVE_EMULATOR_STATE_SAVE_INTERVAL]")(
        "max-snapshot-bytes", po::value<std::string>()->default_value("536870912"),
        "largest body PUT /_emulator/snapshot accepts [LIVE_EMULATOR_MAX_SNAPSHOT_BYTES]")(
        "ca-dir", po::value<std::string>(),
        "where the local CA is kept (default ~/.local/share/live-engine-emulator/ca) [LIVE_EMULATOR_CA_DIR]")(
        "callback-queue", po::value<std::string>()->default_value("10000"),
        "webhook callbacks queued or in flight at most; past it they are dropped and counted "
        "[LIVE_EMULATOR_CALLBACK_QUEUE]")(
        "callback-records", po::value<std::string>()->default_value("1000"),
        "webhook deliveries GET /_emulator/callbacks keeps [LIVE_EMULATOR_CALLBACK_RECORDS]")(
        "callback-timeout-ms", po::value<std::string>()->default_value("2000"),
        "time a webhook receiver has to answer [LIVE_EMULATOR_CALLBACK_TIMEOUT_MS]")(
        "callback-ca-file", po::value<std::string>(),
        "PEM certificates trusted for https webhook receivers, besides the system's [LIVE_EMULATOR_CALLBACK_CA_FILE]");

    po::variables_map values;
    try {
        po::store(po::command_line_parser(arguments).options(options).positional(kNoPositionals).run(), values);
        po::store(po::parse_environment(options,
                                        [](const std::string& variable) -> std::string {
                                            // Only the documented twins: LIVE_EMULATOR_VERSION must not make
                                            // a server print its version and exit.
                                            for (const auto& [twin, option] : kEnvironmentTwins) {
                                                if (variable == twin) return option;
                                            }
                                            return {};
                                        }),
                  values);
        po::notify(values);
    } catch (const po::error& error) {
        return finish(2, std::string("live-engine-emulator: ") + error.what() + "\n" + describe(options));
    }
    if (values.count("help")) return finish(0, describe(options));
    if (values.count("version")) return finish(0, std::string("live-engine-emulator ") + LEE_VERSION + "\n");

    Invocation invocation;
    ServeOptions& serve = invocation.serve;
    try {
        const Endpoint listen = parse_endpoint("--listen", values["listen"].as<std::string>());
        serve.listen_host = listen.host;
        serve.listen_port = listen.port;
        if (values.count("tls-listen"))
            serve.tls_listen = parse_endpoint("--tls-listen", values["tls-listen"].as<std::string>());
        if (values.count("tls-cert")) serve.tls_cert = values["tls-cert"].as<std::string>();
        if (values.count("tls-key")) serve.tls_key = values["tls-key"].as<std::string>();
        if (serve.tls_cert.empty() != serve.tls_key.empty()) throw po::error("--tls-cert and --tls-key go together");
        serve.ca_dir = values.count("ca-dir") ? values["ca-dir"].as<std::string>() : tls::default_ca_directory();
        serve.rules_directory = values["rules"].as<std::string>();
        serve.threads = values["threads"].as<unsigned>();
        if (serve.threads == 0 || serve.threads > 256) throw po::error("--threads must be 1..256");
        if (values.count("seed")) {
            // Parsed strictly: a stream conversion would turn "-1" into 2^64-1 without a word.
            serve.seed = api::parse_decimal_u64(values["seed"].as<std::string>());
            if (!serve.seed) throw po::error("--seed must be a decimal integer 0..18446744073709551615");
        }
        if (values.count("port-file")) serve.port_file = values["port-file"].as<std::string>();
        const auto level = log::parse_level(values["log-level"].as<std::string>());
        if (!level) throw po::error("--log-level must be debug, info, warn, error or off");
        serve.log_level = *level;
        const auto format = log::parse_format(values["log-format"].as<std::string>());
        if (!format) throw po::error("--log-format must be text or json");
        serve.log_format = *format;
        serve.strict = values["strict"].as<bool>();
        if (values.count("admin-token")) serve.admin_token = values["admin-token"].as<std::string>();
        serve.idle_timeout_ms = values["idle-timeout-ms"].as<std::int64_t>();
        serve.read_timeout_ms = values["read-timeout-ms"].as<std::int64_t>();
        if (serve.idle_timeout_ms <= 0 || serve.read_timeout_ms <= 0) throw po::error("timeouts must be positive");
        const auto max_connections = api::parse_decimal_u64(values["max-connections"].as<std::string>());
        if (!max_connections || *max_connections > 1'000'000) throw po::error("--max-connections must be 0..1000000");
        serve.max_connections = static_cast<std::size_t>(*max_connections);
        const auto max_unread = api::parse_decimal_u64(values["max-unread-bytes"].as<std::string>());
        if (!max_unread || *max_unread < 65536 || *max_unread > (std::uint64_t{1} << 40U)) {
            throw po::error("--max-unread-bytes must be 65536..1099511627776");
        }
        serve.max_unread_bytes = static_cast<std::size_t>(*max_unread);
        const auto max_apps = api::parse_decimal_u64(values["max-apps"].as<std::string>());
        if (!max_apps || *max_apps == 0 || *max_apps > 10'000'000) throw po::error("--max-apps must be 1..10000000");
        serve.max_apps = static_cast<std::size_t>(*max_apps);
        const auto max_rooms = api::parse_decimal_u64(values["max-rooms-per-app"].as<std::string>());
        if (!max_rooms || *max_rooms == 0 || *max_rooms > 100'000'000) {
            throw po::error("--max-rooms-per-app must be 1..100000000");
        }
        serve.max_rooms_per_app = static_cast<std::size_t>(*max_rooms);
        const auto journal_entries = api::parse_decimal_u64(values["journal-entries"].as<std::string>());
        if (!journal_entries || *journal_entries > 10'000'000) throw po::error("--journal-entries must be 0..10000000");
        serve.journal_entries = static_cast<std::size_t>(*journal_entries);
        const auto journal_bytes = api::parse_decimal_u64(values["journal-bytes"].as<std::string>());
        if (!journal_bytes || *journal_bytes < 4096 || *journal_bytes > (std::uint64_t{1} << 40U)) {
            throw po::error("--journal-bytes must be 4096..1099511627776");
        }
        serve.journal_bytes = static_cast<std::size_t>(*journal_bytes);
        const auto callback_queue = api::parse_decimal_u64(values["callback-queue"].as<std::string>());
        if (!callback_queue || *callback_queue == 0 || *callback_queue > 1'000'000) {
            throw po::error("--callback-queue must be 1..1000000");
        }
        serve.callback_queue = static_cast<std::size_t>(*callback_queue);
        const auto callback_records = api::parse_decimal_u64(values["callback-records"].as<std::string>());
        if (!callback_records || *callback_records > 100'000) throw po::error("--callback-records must be 0..100000");
        serve.callback_records = static_cast<std::size_t>(*callback_records);
        const auto callback_timeout = api::parse_decimal_u64(values["callback-timeout-ms"].as<std::string>());
        if (!callback_timeout || *callback_timeout == 0 || *callback_timeout > 60'000) {
            throw po::error("--callback-timeout-ms must be 1..60000");
        }
        serve.callback_timeout_ms = static_cast<std::int64_t>(*callback_timeout);
        if (values.count("callback-ca-file")) serve.callback_ca_file = values["callback-ca-file"].as<std::string>();
        if (values.count("state-file")) serve.state_file = values["state-file"].as<std::string>();
        const std::string interval = values["state-save-interval"].as<std::string>();
        double seconds = -1;
        const auto [end, ec] = std::from_chars(interval.data(), interval.data() + interval.size(), seconds);
        if (ec != std::errc{} || end != interval.data() + interval.size() || !(seconds >= 0 && seconds <= 86400)) {
            throw po::error("--state-save-interval must be a number of seconds, 0..86400");
        }
        serve.state_save_interval = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
        if (seconds > 0 && serve.state_save_interval.count() == 0)
            serve.state_save_interval = std::chrono::milliseconds(1);
        const auto snapshot_bytes = api::parse_decimal_u64(values["max-snapshot-bytes"].as<std::string>());
        if (!snapshot_bytes || *snapshot_bytes < 65536 || *snapshot_bytes > (std::uint64_t{1} << 40U)) {
            throw po::error("--max-snapshot-bytes must be 65536..1099511627776");
        }
        serve.max_snapshot_bytes = static_cast<std::size_t>(*snapshot_bytes);
        const auto address = boost::asio::ip::make_address(serve.listen_host);
        const bool tls_loopback =
            !serve.tls_listen || boost::asio::ip::make_address(serve.tls_listen->host).is_loopback();
        if ((!address.is_loopback() || !tls_loopback) && serve.admin_token.empty()) {
            throw po::error("--admin-token is mandatory when listening on a non-loopback address");
        }
    } catch (const std::exception& error) {
        return finish(2, std::string("live-engine-emulator: ") + error.what() + "\n");
    }
    return invocation;
}

}  // namespace lee::cli
