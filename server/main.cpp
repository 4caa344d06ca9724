// live-engine-emulator: parse the command line, load the rules, bind, print READY, serve until a signal.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include "auth/usersig.hpp"
#include "cli/options.hpp"
#include "core/heap_pages.hpp"
#include "core/utf8.hpp"
#include "emulator.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "rules/rule_set.hpp"
#include "rules/rules_error.hpp"
#include "rules/rules_json.hpp"
#include "state/snapshot.hpp"
#include "state/state_file.hpp"
#include "tls/server_context.hpp"

#ifndef LEE_DEFAULT_RULES_DIR
#define LEE_DEFAULT_RULES_DIR "rules"
#endif

namespace {

// How long a stop waits for busy connections to send their last answer, and for the log to drain.
constexpr std::chrono::milliseconds kShutdownGrace{2000};
constexpr std::chrono::milliseconds kShutdownPoll{10};
constexpr std::chrono::milliseconds kLogDrain{500};

// Written beside the target and renamed into place, so a script polling the file never reads it half-written.
bool write_port_file(const std::string& path, unsigned short port) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << port << "\n";
        if (!out.flush()) return false;
    }
    return std::rename(temporary.c_str(), path.c_str()) == 0;
}

// Raises the descriptor limit as far as allowed, and derives the connection bound from it: room is kept for the
// listeners, the log, rules files and the CA, so the bound is met before the process runs out of descriptors.
std::size_t connection_bound(std::size_t asked) {
    constexpr std::size_t kDefaultBound = 10'000;
    constexpr rlim_t kReserved = 64;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    const std::size_t room =
        limit.rlim_cur > 2 * kReserved ? static_cast<std::size_t>(limit.rlim_cur - kReserved) : limit.rlim_cur / 2;
    const std::size_t bound = asked != 0 ? asked : kDefaultBound;
    return std::max<std::size_t>(1, std::min(bound, room));
}

// An exception escaping a handler is a bug; it is logged and the thread goes back to serving.
void run_io(boost::asio::io_context& io, lee::log::AccessLog& log) {
    for (;;) {
        try {
            io.run();
            return;
        } catch (const std::exception& error) {
            log.message(lee::log::Level::error, std::string("uncaught exception in an I/O thread: ") + error.what());
        }
    }
}

// --state-file at start: none yet is a first start; a file that cannot be read or loaded stops the start.
bool load_state(lee::Emulator& emulator, const std::string& path) {
    try {
        std::optional<lee::state::Snapshot> snapshot;
        {
            const auto text = lee::state::read_state_file(path);
            if (!text) return true;
            const auto document = lee::rules::parse_rules_json(*text, path);
            try {
                snapshot = lee::state::parse_snapshot(document, emulator.rules().get()->apps,
                                                      emulator.options().tenant_limits, std::nullopt);
            } catch (const lee::rules::SettingError& error) {
                throw lee::rules::locate(error, *text, path);
            }
        }
        // The text and its parse are freed by now, so the trim that ends restore() gives them back (a 46 MB state
        // file held 193 MB at READY while they outlived it, 32 MB without).
        emulator.restore(std::move(*snapshot));
        return true;
    } catch (const std::exception& error) {
        std::cerr << "live-engine-emulator: bad --state-file: " << lee::core::to_valid_utf8(error.what()) << std::endl;
        return false;
    }
}

int print_usersig(const lee::cli::UserSigOptions& options) {
    const std::int64_t now = options.time.value_or(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    std::cout << lee::auth::generate_usersig(options.sdkappid, options.key, options.identifier, options.expire_seconds,
                                             now)
              << std::endl;
    return 0;
}

int serve(const lee::cli::ServeOptions& options) {
    // Blocks of 1 MiB and more (large answers, snapshot texts, the registry's tables) are mapped and unmapped on
    // their own, so their memory leaves the process when they are freed. glibc's default threshold rises to the
    // largest block freed so far, after which such blocks come from the heap and stay resident once freed.
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    // What loading the rules allocates comes from pages populated at once, when it is enough to be worth it.
    lee::core::begin_startup_heap(lee::rules::expected_load_bytes(options.rules_directory));
    std::shared_ptr<const lee::rules::RuleSet> rules;
    try {
        rules = lee::rules::load_rules_directory(options.rules_directory);
    } catch (const lee::rules::RulesError& error) {
        std::cerr << "live-engine-emulator: bad rules: " << error.what() << std::endl;
        return 2;
    }
    // Loading the rules (the word list's trie above all) leaves freed memory in the heap, and the startup's pad
    // more: given back before the first request, so idle memory is what serving needs (issue 11). Before any other
    // thread exists: with threads about, each range given back costs a TLB shootdown on the cores they ran on
    // (0.4 ms of the start with the benchmark's word list, in 40 alternating starts).
    lee::core::end_startup_heap();

    lee::log::AccessLog access_log(options.log_level, options.log_format);
    lee::EmulatorOptions emulator_options{
        options.rules_directory,
        options.seed.value_or(std::random_device{}()),
        options.strict,
        options.admin_token,
        options.journal_entries,
        options.journal_bytes,
        lee::state::TenantLimits{options.max_apps, options.max_rooms_per_app},
        lee::webhooks::DispatcherOptions{options.callback_queue, options.callback_records,
                                         std::chrono::milliseconds(options.callback_timeout_ms),
                                         options.callback_ca_file}};
    lee::Emulator emulator(std::move(emulator_options), rules, access_log);
    // Webhooks go out on their own I/O thread, so the deliveries POST /_emulator/callbacks/wait waits for go on
    // whatever the request threads are doing.
    if (const auto problem = emulator.webhooks().start(); !problem.empty()) {
        std::cerr << "live-engine-emulator: " << problem << std::endl;
        return 2;
    }
    if (!options.state_file.empty() && !load_state(emulator, options.state_file)) return 2;
    lee::http::TransportLimits limits;
    limits.idle_timeout = std::chrono::milliseconds(options.idle_timeout_ms);
    limits.read_timeout = std::chrono::milliseconds(options.read_timeout_ms);
    limits.max_connections = connection_bound(options.max_connections);
    limits.unread = std::make_shared<lee::http::UnreadAnswers>(options.max_unread_bytes);
    limits.snapshot_body_bytes = options.max_snapshot_bytes;

    // TLS material is made on first use (a CONNECT, GET /_emulator/ca.pem), or now when HTTPS is asked for.
    auto tls =
        std::make_shared<lee::tls::TlsProvider>(lee::tls::TlsConfig{options.tls_cert, options.tls_key, options.ca_dir});
    emulator.set_tls(tls);
    std::shared_ptr<boost::asio::ssl::context> tls_context;
    if (options.tls_listen) {
        std::string problem;
        tls_context = tls->context(problem);
        if (!tls_context) {
            std::cerr << "live-engine-emulator: cannot serve HTTPS: " << problem << std::endl;
            return 2;
        }
    }

    lee::http::IoThreads io_threads(options.threads);
    boost::asio::io_context& io = io_threads.first();
    const lee::http::Handlers handlers{
        [&emulator](const lee::http::Request& request) {
            lee::http::Answer answer = lee::http::handle_request(emulator, request);
            lee::core::populate_heap_growth();
            return answer;
        },
        [&emulator](const lee::http::Refusal& refusal) { lee::http::record_refusal(emulator, refusal); }};
    std::vector<std::shared_ptr<lee::http::Listener>> listeners;
    auto listen = [&](const std::string& host, std::uint16_t port,
                      const std::shared_ptr<boost::asio::ssl::context>& serve) {
        try {
            const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(host), port);
            listeners.push_back(
                std::make_shared<lee::http::Listener>(io_threads, endpoint, handlers, access_log, limits, tls, serve));
            return true;
        } catch (const boost::system::system_error& error) {
            std::cerr << "live-engine-emulator: cannot listen on " << host << ":" << port << ": "
                      << error.code().message() << std::endl;
            return false;
        }
    };
    if (!listen(options.listen_host, options.listen_port, nullptr)) return 1;
    if (options.tls_listen && !listen(options.tls_listen->host, options.tls_listen->port, tls_context)) return 1;
    auto open_connections = [&listeners] {
        std::size_t open = 0;
        for (const auto& listener : listeners) open += listener->open_connections();
        return open;
    };
    emulator.set_connection_counter(open_connections);
    emulator.set_unread_counter([unread = limits.unread] { return std::pair{unread->held(), unread->dropped()}; });
    const auto bound = listeners.front()->local_endpoint();
    if (!options.port_file.empty() && !write_port_file(options.port_file, bound.port())) {
        std::cerr << "live-engine-emulator: cannot write --port-file " << options.port_file << std::endl;
        return 2;
    }
    for (const auto& listener : listeners) listener->start();

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer poll(io);
    std::chrono::steady_clock::time_point deadline;
    // Stops when the last connection has closed, or at the deadline, whichever comes first.
    std::function<void()> wait_for_connections = [&] {
        if (open_connections() == 0 || std::chrono::steady_clock::now() >= deadline) return io_threads.stop();
        poll.expires_after(kShutdownPoll);
        poll.async_wait([&](const boost::system::error_code&) { wait_for_connections(); });
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        access_log.message(lee::log::Level::info, "signal " + std::to_string(signal_number) + ": stopping");
        for (const auto& listener : listeners) listener->stop();
        deadline = std::chrono::steady_clock::now() + kShutdownGrace;
        wait_for_connections();
    });

    auto printable = [](const boost::asio::ip::tcp::endpoint& endpoint) {
        const auto address = endpoint.address();
        return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
               std::to_string(endpoint.port());
    };
    std::string ready = "READY listen=" + printable(bound);
    if (options.tls_listen) ready += " tls=" + printable(listeners.back()->local_endpoint());
    // The I/O threads before READY: a process that cannot make them never says it is ready.
    io_threads.start([&access_log](boost::asio::io_context& context) { run_io(context, access_log); });
    std::cout << ready << std::endl;
    access_log.message(lee::log::Level::info, ready.substr(6) + " with rules from " + options.rules_directory);

    std::optional<lee::state::StateFileSaver> saver;
    if (!options.state_file.empty()) {
        saver.emplace(
            options.state_file, options.state_save_interval,
            [&emulator] { return boost::json::serialize(lee::state::to_json(emulator.capture(std::nullopt), true)); },
            [&access_log, &options](const std::string& problem) {
                access_log.message(lee::log::Level::error, "cannot save --state-file " + options.state_file + ": " +
                                                               lee::core::to_valid_utf8(problem));
            });
    }

    io_threads.run_first();
    const bool saved = !saver || saver->save();
    saver.reset();
    // A stderr nobody reads must not keep the process alive after a stop.
    if (!access_log.flush_for(kLogDrain)) std::_Exit(saved ? 0 : 1);
    return saved ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    const auto invocation = lee::cli::parse_command_line(arguments, LEE_DEFAULT_RULES_DIR);
    switch (invocation.kind) {
        case lee::cli::Invocation::Kind::exit:
            (invocation.exit_code == 0 ? std::cout : std::cerr) << invocation.output << std::flush;
            return invocation.exit_code;
        case lee::cli::Invocation::Kind::usersig:
            return print_usersig(invocation.usersig);
        case lee::cli::Invocation::Kind::serve:
            break;
    }
    try {
        return serve(invocation.serve);
    } catch (const std::exception& error) {
        std::cerr << "live-engine-emulator: fatal: " << error.what() << std::endl;
        return 1;
    }
}
