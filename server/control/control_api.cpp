#include "control/control_api.hpp"

#include <malloc.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "api/json_text.hpp"
#include "api/query.hpp"
#include "api/room_view.hpp"
#include "auth/usersig.hpp"
#include "core/utf8.hpp"
#include "emulator.hpp"
#include "rules/rules_error.hpp"
#include "rules/rules_json.hpp"
#include "state/snapshot.hpp"
#include "tls/emulated_hosts.hpp"
#include "tls/server_context.hpp"

namespace lee::control {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxAppsInMetrics = 1000;
constexpr std::size_t kDefaultRoomPage = 100;
constexpr std::size_t kMaxRoomPage = 10'000;

api::ApiResponse reply(unsigned status, const json::value& body) {
    api::ApiResponse response;
    response.status = status;
    response.body = json::serialize(body);
    return response;
}

// Messages may quote what the request said, which may be any bytes: the answer stays valid UTF-8 JSON.
api::ApiResponse problem(unsigned status, std::string_view message) {
    return reply(status, json::object{{"error", core::to_valid_utf8(message)}});
}

std::vector<std::string_view> segments_of(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        if (!segment.empty()) out.push_back(segment);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

// The sdkappid named by ?sdkappid=; nullopt when absent, and `bad` set when present but not a number.
std::optional<std::uint64_t> sdkappid_filter(std::string_view target, bool& bad) {
    const auto query = api::parse_common_query(target);
    bad = query.malformed;
    if (bad || !query.sdkappid) return std::nullopt;
    const auto value = api::parse_decimal_u64(*query.sdkappid);
    bad = !value;
    return value;
}

std::optional<json::object> parse_object(std::string_view body) {
    if (body.empty()) return json::object{};
    json::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.get_object());
}

api::ApiResponse health(Emulator& emulator) {
    return reply(200, json::object{{"status", "ok"}, {"version", LEE_VERSION}, {"uptime_ms", emulator.uptime_ms()}});
}

api::ApiResponse reset(Emulator& emulator, const api::ApiRequest& request) {
    bool bad = false;
    const auto sdkappid = sdkappid_filter(request.target, bad);
    if (bad) return problem(400, "sdkappid must be a decimal integer");
    emulator.tenants().reset(sdkappid);
    emulator.webhooks().clear(sdkappid);
    emulator.journal().clear(sdkappid);
    ::malloc_trim(0);  // what the state held goes back to the system, not only to the allocator
    emulator.faults().reset(emulator.rules().get()->faults, sdkappid);
    json::object out{{"reset", true}};
    out["sdkappid"] = sdkappid ? json::value(*sdkappid) : json::value(nullptr);
    return reply(200, out);
}

api::ApiResponse clock(Emulator& emulator, const api::ApiRequest& request) {
    auto& clock = emulator.clock();
    if (request.method == "POST") {
        const auto command = parse_object(request.body);
        if (!command) return problem(400, "the body must be a JSON object");
        auto integer = [&](std::string_view key) -> std::optional<std::int64_t> {
            const json::value* value = command->if_contains(key);
            if (value && value->is_int64()) return value->get_int64();
            if (value && value->is_uint64() && value->get_uint64() <= INT64_MAX) return value->get_uint64();
            return std::nullopt;
        };
        if (command->empty()) return problem(400, "say one of freeze, resume, advance_ms, set_ms");
        for (const auto& [key, value] : *command) {
            if (key == "freeze" || key == "resume") {
                if (!value.is_bool()) return problem(400, std::string(key) + " must be true or false");
            } else if (key == "set_ms") {
                if (!integer(key)) return problem(400, "set_ms must be an integer");
            } else if (key == "advance_ms") {
                // Forward only, as documented; set_ms is the way back.
                if (!integer(key) || *integer(key) < 0) return problem(400, "advance_ms must be an integer >= 0");
            } else {
                return problem(400, "unknown clock command " + std::string(key));
            }
        }
        // Applied in a fixed order so one request can say "set and freeze" unambiguously.
        if (const auto* freeze = command->if_contains("freeze"); freeze && freeze->get_bool()) clock.freeze();
        if (const auto set_ms = integer("set_ms")) clock.set(*set_ms);
        if (const auto advance = integer("advance_ms")) clock.advance(*advance);
        if (const auto* resume = command->if_contains("resume"); resume && resume->get_bool()) clock.resume();
    } else if (request.method != "GET") {
        return problem(405, "use GET or POST");
    }
    return reply(200, json::object{{"now_ms", clock.now_ms()}, {"frozen", clock.frozen()}});
}

api::ApiResponse reload(Emulator& emulator) {
    try {
        auto loaded = rules::load_rules_directory(emulator.options().rules_directory);
        emulator.faults().load(loaded->faults);
        emulator.rules().replace(std::move(loaded));
    } catch (const rules::RulesError& error) {
        return reply(400, json::object{{"error", error.what()}, {"file", error.file()}, {"line", error.line()}});
    }
    return reply(200, json::object{{"reloaded", true}});
}

api::ApiResponse list_apps(Emulator& emulator) {
    const auto rules = emulator.rules().get();
    std::vector<const rules::AppSettings*> listed;
    for (const auto& [id, app] : rules->apps.apps) listed.push_back(&app);
    std::sort(listed.begin(), listed.end(), [](const auto* a, const auto* b) { return a->sdkappid < b->sdkappid; });
    json::array list;
    for (const auto* app : listed) {
        auto entry = rules::app_settings_to_json(*app);
        entry["listed"] = true;
        list.push_back(std::move(entry));
    }
    return reply(200, json::object{{"unknown_apps", rules->apps.reject_unknown_apps ? "reject" : "auto"},
                                   {"defaults", rules::app_settings_to_json(rules->apps.defaults)},
                                   {"apps", std::move(list)}});
}

api::ApiResponse show_app(Emulator& emulator, std::uint64_t sdkappid) {
    const auto rules = emulator.rules().get();
    const rules::AppSettings* app = rules->apps.find(sdkappid);
    if (!app) return problem(404, "unknown app (unknown_apps is reject)");
    auto out = rules::app_settings_to_json(*app);
    out["sdkappid"] = sdkappid;
    out["listed"] = rules->apps.apps.contains(sdkappid);
    return reply(200, out);
}

// PUT replaces the app's settings: what the body leaves out comes from the rules' defaults, as in apps.json.
api::ApiResponse put_app(Emulator& emulator, std::uint64_t sdkappid, std::string_view body) {
    const auto settings = parse_object(body);
    if (!settings) return problem(400, "the body must be a JSON object of app settings");
    if (const auto* id = settings->if_contains("sdkappid");
        id && !((id->is_uint64() && id->get_uint64() == sdkappid) ||
                (id->is_int64() && id->get_int64() >= 0 && static_cast<std::uint64_t>(id->get_int64()) == sdkappid))) {
        return problem(400, "sdkappid in the body differs from the one in the path");
    }
    try {
        emulator.rules().modify([&](rules::RuleSet& rules) {
            rules::AppSettings app = rules::parse_app_settings(*settings, rules.apps.defaults, "$");
            app.sdkappid = sdkappid;
            // What GET showed, PUT back: a fingerprint without a key keeps the running key it names.
            rules::resolve_secrets(*settings, rules.apps.find(sdkappid), app, "$");
            rules.apps.apps.insert_or_assign(sdkappid, std::move(app));
        });
    } catch (const std::invalid_argument& error) {
        return problem(400, error.what());
    }
    return show_app(emulator, sdkappid);
}

api::ApiResponse delete_app(Emulator& emulator, std::uint64_t sdkappid) {
    bool removed = false;
    emulator.rules().modify([&](rules::RuleSet& rules) { removed = rules.apps.apps.erase(sdkappid) > 0; });
    if (!removed) return problem(404, "the app is not listed");
    return reply(200, json::object{{"deleted", sdkappid}});
}

// The query's parameters, decoded (the first of a repeated name wins); nullopt when the target is not valid URL
// syntax.
std::optional<std::vector<std::pair<std::string, std::string>>> query_params(std::string_view target) {
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& param : url->params()) {
        const bool seen =
            std::any_of(out.begin(), out.end(), [&](const auto& kept) { return kept.first == param.key; });
        if (!seen) out.emplace_back(param.key, param.value);
    }
    return out;
}

// One page of the app's rooms by RoomId: `?limit=` (default 100, at most 10,000) and `?cursor=` (the
// next_cursor of the page before). Only the page is copied and rendered, so a large app cannot make one answer
// (or many unread ones) take memory without bound.
api::ApiResponse app_rooms(Emulator& emulator, std::uint64_t sdkappid, std::string_view target) {
    const auto params = query_params(target);
    if (!params) return problem(400, "the query is not valid URL syntax");
    std::size_t limit = kDefaultRoomPage;
    std::optional<std::string> cursor;
    for (const auto& [key, value] : *params) {
        if (key == "limit") {
            const auto number = api::parse_decimal_u64(value);
            if (!number || *number == 0 || *number > kMaxRoomPage) {
                return problem(400, "limit must be 1.." + std::to_string(kMaxRoomPage));
            }
            limit = static_cast<std::size_t>(*number);
        } else if (key == "cursor") {
            cursor = value;
        } else {
            return problem(400, "unknown parameter " + key + " (limit, cursor)");
        }
    }
    std::vector<state::Room> rooms;
    std::size_t total = 0;
    bool more = false;
    if (const auto tenant = emulator.tenants().find(sdkappid)) {
        total = tenant->rooms.size();
        rooms = tenant->rooms.list_by_id(cursor, limit, more);
    }
    // Written room by room, each copy freed once written: a page of 10,000 large rooms held as one JSON value
    // beside its copy and its text took three times the answer's size while rendering.
    api::ApiResponse response;
    response.status = 200;
    std::string& body = response.body;
    body = R"({"sdkappid":)";
    api::append_decimal(body, sdkappid);
    body += R"(,"count":)";
    api::append_decimal(body, total);
    body += R"(,"rooms":[)";
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        if (i != 0) body += ',';
        body += json::serialize(api::room_record_json(rooms[i]));
        if (i + 1 != rooms.size()) rooms[i] = state::Room{};
    }
    body += R"(],"next_cursor":)";
    if (more && !rooms.empty()) {
        api::append_json_string(body, rooms.back().room_id);
    } else {
        body += "null";
    }
    body += '}';
    // Grown by doubling, the text may hold up to twice its size, and only its size is charged to the unread-answer
    // bound while it waits to be read. Below 1 MiB the buffer is on the heap, whose pages stay resident: the spare is
    // given back when it is a quarter or more. From 1 MiB the buffer is mapped on its own (M_MMAP_THRESHOLD in main)
    // and its untouched tail takes no memory, while a copy would cost milliseconds.
    if (body.capacity() < (std::size_t{1} << 20) && body.capacity() - body.size() >= body.size() / 4) {
        body.shrink_to_fit();
    }
    return response;
}

api::ApiResponse apps(Emulator& emulator, const std::vector<std::string_view>& segments,
                      const api::ApiRequest& request) {
    const std::string_view method = request.method;
    if (segments.size() == 2) return method == "GET" ? list_apps(emulator) : problem(405, "use GET");
    const auto sdkappid = api::parse_decimal_u64(segments[2]);
    if (!sdkappid) return problem(400, "sdkappid must be a decimal integer");
    if (segments.size() == 3) {
        if (method == "GET") return show_app(emulator, *sdkappid);
        if (method == "PUT") {
            if (*sdkappid == 0) return problem(400, "a listed app needs a positive sdkappid, as in apps.json");
            return put_app(emulator, *sdkappid, request.body);
        }
        if (method == "DELETE") return delete_app(emulator, *sdkappid);
        return problem(405, "use GET, PUT or DELETE");
    }
    if (segments.size() == 4 && segments[3] == "rooms") {
        return method == "GET" ? app_rooms(emulator, *sdkappid, request.target) : problem(405, "use GET");
    }
    return problem(404, "no such control endpoint");
}

api::ApiResponse sensitive_words(Emulator& emulator, const api::ApiRequest& request) {
    if (request.method == "PUT") {
        const auto body = parse_object(request.body);
        const json::value* words = body ? body->if_contains("words") : nullptr;
        if (!words || !words->is_array()) return problem(400, R"(the body must be {"words":["...", ...]})");
        std::vector<std::string> list;
        for (const auto& word : words->get_array()) {
            if (!word.is_string() || word.get_string().empty() || word.get_string().size() > 256) {
                return problem(400, "each word must be a non-empty string of at most 256 bytes");
            }
            list.emplace_back(word.get_string());
        }
        rules::SensitiveWordMatcher matcher(list);
        emulator.rules().modify([&](rules::RuleSet& rules) { rules.sensitive_words = std::move(matcher); });
    } else if (request.method != "GET") {
        return problem(405, "use GET or PUT");
    }
    return reply(200, json::object{{"words", json::value_from(emulator.rules().get()->sensitive_words.words())}});
}

api::ApiResponse faults_list(Emulator& emulator, unsigned status = 200, json::array added = {}) {
    json::object out{{"faults", emulator.faults().to_json()}};
    if (status == 201) out["added"] = std::move(added);
    return reply(status, out);
}

api::ApiResponse faults(Emulator& emulator, const std::vector<std::string_view>& segments,
                        const api::ApiRequest& request) {
    const std::string_view method = request.method;
    if (segments.size() == 3) {
        if (method != "DELETE") return problem(405, "use DELETE on one rule");
        if (!emulator.faults().remove(segments[2])) return problem(404, "no fault rule with that id");
        return reply(200, json::object{{"deleted", segments[2]}});
    }
    if (method == "GET") return faults_list(emulator);
    if (method == "DELETE") {
        bool bad = false;
        const auto sdkappid = sdkappid_filter(request.target, bad);
        if (bad) return problem(400, "sdkappid must be a decimal integer");
        emulator.faults().clear(sdkappid);
        return faults_list(emulator);
    }
    if (method != "POST") return problem(405, "use GET, POST or DELETE");
    json::error_code ec;
    const json::value body = json::parse(request.body, ec);
    if (ec) return problem(400, "the body must be a fault rule, an array of them or {\"faults\":[...]}");
    std::vector<rules::FaultRule> added;
    try {
        if (body.is_object() && !body.get_object().contains("faults")) {
            added.push_back(rules::parse_fault_rule(body, "$"));
        } else {
            added = rules::parse_fault_rule_list(body);
        }
        const auto ids = emulator.faults().add(std::move(added));
        return faults_list(emulator, 201, json::value_from(ids).get_array());
    } catch (const rules::SettingError& error) {
        return problem(400, error.what());
    } catch (const std::invalid_argument& error) {
        return problem(409, error.what());
    }
}

// Parses the journal's filters; an error names the parameter.
std::optional<std::string> read_journal_query(std::string_view target, std::size_t max_limit,
                                              observe::JournalQuery& query) {
    const auto params = query_params(target);
    if (!params) return "the query is not valid URL syntax";
    for (const auto& [key, value] : *params) {
        const auto number = api::parse_decimal_u64(value);
        if (key == "sdkappid") {
            if (!number) return "sdkappid must be a decimal integer";
            query.sdkappid = number;
        } else if (key == "command") {
            query.command = core::command_from_name(value);
            if (!query.command) return "command " + value + " is not an emulated command";
        } else if (key == "error_code") {
            if (!number || *number > INT32_MAX) return "error_code must be a decimal integer";
            query.error_code = static_cast<int>(*number);
        } else if (key == "room_id") {
            query.room_id = value;
        } else if (key == "since") {
            if (!number || *number > INT64_MAX) return "since must be a time in unix ms (emulator clock)";
            query.since_ms = static_cast<std::int64_t>(*number);
        } else if (key == "after_seq") {
            if (!number) return "after_seq must be a decimal integer";
            query.after_seq = number;
        } else if (key == "limit") {
            if (!number || *number == 0) return "limit must be a positive integer";
            query.limit = static_cast<std::size_t>(std::min<std::uint64_t>(*number, max_limit));
        } else if (key == "control") {
            if (value != "true" && value != "false") return "control must be true or false";
            query.include_control = value == "true";
        } else {
            return "unknown filter " + key +
                   " (sdkappid, command, error_code, room_id, since, after_seq, limit, control)";
        }
    }
    return std::nullopt;
}

api::ApiResponse journal(Emulator& emulator, const api::ApiRequest& request) {
    auto& journal = emulator.journal();
    if (request.method == "DELETE") {
        bool bad = false;
        const auto sdkappid = sdkappid_filter(request.target, bad);
        if (bad) return problem(400, "sdkappid must be a decimal integer");
        journal.clear(sdkappid);
        return reply(200, json::object{{"cleared", true},
                                       {"sdkappid", sdkappid ? json::value(*sdkappid) : json::value(nullptr)}});
    }
    if (request.method != "GET") return problem(405, "use GET or DELETE");
    const auto stats = journal.stats();
    observe::JournalQuery query;
    if (auto error = read_journal_query(request.target, std::max<std::size_t>(stats.max_entries, 1), query)) {
        return problem(400, *error);
    }
    json::object out = json::value_from(stats).get_object();
    out["entries"] = json::value_from(journal.query(query));
    return reply(200, out);
}

constexpr std::size_t kDefaultCallbackListing = 100;
constexpr std::int64_t kDefaultWaitMs = 5'000;
constexpr std::int64_t kMaxWaitMs = 60'000;

// GET lists recent deliveries (?sdkappid=&command=&limit=), DELETE clears that list (what is queued still goes
// out; a reset discards it); POST /_emulator/callbacks/wait?timeout_ms= returns once nothing is queued or in flight.
api::ApiResponse callbacks(Emulator& emulator, const std::vector<std::string_view>& segments,
                           const api::ApiRequest& request) {
    auto& webhooks = emulator.webhooks();
    const auto params = query_params(request.target);
    if (!params) return problem(400, "the query is not valid URL syntax");
    if (segments.size() == 3) {
        if (segments[2] != "wait") return problem(404, "no such control endpoint");
        if (request.method != "POST") return problem(405, "use POST");
        std::int64_t timeout_ms = kDefaultWaitMs;
        for (const auto& [key, value] : *params) {
            const auto number = api::parse_decimal_u64(value);
            if (key != "timeout_ms") return problem(400, "unknown parameter " + key + " (timeout_ms)");
            if (!number || *number > static_cast<std::uint64_t>(kMaxWaitMs)) {
                return problem(400, "timeout_ms must be 0.." + std::to_string(kMaxWaitMs));
            }
            timeout_ms = static_cast<std::int64_t>(*number);
        }
        // Asked again by the transport until the deliveries are done or the time is up: a blocking wait would
        // hold an I/O thread, and every connection it serves, for as long.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        auto settle = [&webhooks, deadline](api::ApiResponse& out, bool now) {
            const std::size_t pending = webhooks.stats().pending;
            if (pending != 0 && !now && std::chrono::steady_clock::now() < deadline) return false;
            out = reply(200, json::object{{"idle", pending == 0}, {"pending", pending}});
            return true;
        };
        api::ApiResponse response;
        if (!settle(response, false)) response.pending = std::move(settle);
        return response;
    }
    std::optional<std::uint64_t> sdkappid;
    webhooks::RecordQuery query;
    query.limit = kDefaultCallbackListing;
    for (const auto& [key, value] : *params) {
        const auto number = api::parse_decimal_u64(value);
        if (key == "sdkappid") {
            if (!number) return problem(400, "sdkappid must be a decimal integer");
            sdkappid = number;
        } else if (key == "command" && request.method == "GET") {
            query.event = core::callback_event_from_command(value);
            if (!query.event) return problem(400, "command " + value + " is not a callback the emulator sends");
        } else if (key == "limit" && request.method == "GET") {
            if (!number || *number == 0) return problem(400, "limit must be a positive integer");
            query.limit = static_cast<std::size_t>(std::min<std::uint64_t>(*number, webhooks.options().max_records));
        } else {
            return problem(400, "unknown parameter " + key +
                                    (request.method == "GET" ? " (sdkappid, command, limit)" : " (sdkappid)"));
        }
    }
    if (request.method == "DELETE") {
        webhooks.clear_records(sdkappid);
        return reply(200, json::object{{"cleared", true},
                                       {"sdkappid", sdkappid ? json::value(*sdkappid) : json::value(nullptr)}});
    }
    if (request.method != "GET") return problem(405, "use GET or DELETE");
    query.sdkappid = sdkappid;
    const auto stats = webhooks.stats();
    json::object out{{"pending", stats.pending},
                     {"max_queue", stats.max_queue},
                     {"dropped_queue_full", stats.dropped_queue_full},
                     {"records_held", stats.records},
                     {"max_records", stats.max_records},
                     {"timeout_ms", webhooks.options().timeout.count()}};
    out["callbacks"] = json::value_from(webhooks.records(query));
    return reply(200, out);
}

// The whole state (or one app's with ?sdkappid=) as JSON, secret keys as fingerprints; PUT puts one back, all or
// nothing.
api::ApiResponse snapshot(Emulator& emulator, const api::ApiRequest& request) {
    bool bad = false;
    const auto sdkappid = sdkappid_filter(request.target, bad);
    if (bad) return problem(400, "sdkappid must be a decimal integer");
    if (request.method == "GET") {
        return reply(200, state::to_json(emulator.capture(sdkappid), false));
    }
    if (request.method != "PUT") return problem(405, "use GET or PUT");
    std::optional<state::Snapshot> parsed;
    {
        json::error_code ec;
        const json::value document = json::parse(request.body, ec);
        if (ec) return problem(400, "the body is not JSON: " + ec.message());
        try {
            parsed = state::parse_snapshot(document, emulator.rules().get()->apps, emulator.options().tenant_limits,
                                           sdkappid);
        } catch (const rules::SettingError& error) {
            return problem(400, std::string("not a snapshot this emulator can load: ") + error.what());
        }
    }
    // The parse is freed by now, so the trim that ends restore() gives it back too (108,000 rooms: 208 MB RSS
    // after the PUT while it outlived the trim).
    std::size_t apps = 0;
    std::size_t rooms = 0;
    for (const auto& app : parsed->apps) {
        ++apps;
        rooms += app.contents.rooms.size();
    }
    emulator.restore(std::move(*parsed));
    json::object out{{"restored", true}, {"apps", apps}, {"rooms", rooms}};
    out["sdkappid"] = sdkappid ? json::value(*sdkappid) : json::value(nullptr);
    return reply(200, out);
}

// The local CA's certificate, for clients to trust (curl --cacert, NODE_EXTRA_CA_CERTS, a Java trust store).
api::ApiResponse ca_certificate(Emulator& emulator) {
    if (!emulator.tls()) return problem(404, "TLS is not set up in this process");
    std::string problem_text;
    std::string pem = emulator.tls()->ca_pem(problem_text);
    if (pem.empty()) return problem(404, problem_text);
    api::ApiResponse response;
    response.content_type = "application/x-pem-file";
    response.body = std::move(pem);
    return response;
}

// Without an admin token, the control API answers only requests addressed to this machine by name or loopback
// address (or to an emulated Tencent domain, which a user points here on purpose): a web page whose own host name
// an attacker re-points at 127.0.0.1 (DNS rebinding) then cannot read or change anything, as Jupyter and Docker do.
bool local_host(std::string_view host) {
    if (host.empty()) return true;  // HTTP/1.0 without Host: not a browser
    if (host.front() == '[') {
        host = host.substr(1, host.find(']') == std::string_view::npos ? host.size() : host.find(']') - 1);
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        host = host.substr(0, colon);
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(host), ec);
    if (!ec) return address.is_loopback();
    return tls::is_emulated_host(host);
}

// Constant time, so the token cannot be guessed a byte at a time from response latency.
bool authorized(const std::string& token, std::string_view authorization) {
    if (token.empty()) return true;
    const std::string expected = "Bearer " + token;
    return authorization.size() == expected.size() &&
           CRYPTO_memcmp(authorization.data(), expected.data(), expected.size()) == 0;
}

// The admin token when there is one; otherwise the DNS-rebinding check. nullopt when the request may go on.
std::optional<api::ApiResponse> refuse_access(Emulator& emulator, const api::ApiRequest& request) {
    const std::string& token = emulator.options().admin_token;
    if (!authorized(token, request.authorization)) {
        return problem(401, "missing or wrong admin token (Authorization: Bearer <token>)");
    }
    if (token.empty() && !local_host(request.host)) {
        return problem(403, "Host " + core::to_valid_utf8(request.host, 256) +
                                " is not this machine: use localhost or 127.0.0.1, or set --admin-token "
                                "(DNS-rebinding protection)");
    }
    return std::nullopt;
}

api::ApiResponse route_control(Emulator& emulator, const api::ApiRequest& request,
                               const std::vector<std::string_view>& segments) {
    if (auto refused = refuse_access(emulator, request)) return std::move(*refused);
    const std::string_view name = segments.size() > 1 ? segments[1] : std::string_view{};
    const std::string_view method = request.method;
    if (name == "health" && segments.size() == 2) {
        return method == "GET" ? health(emulator) : problem(405, "use GET");
    }
    if (name == "reset" && segments.size() == 2) {
        return method == "POST" ? reset(emulator, request) : problem(405, "use POST");
    }
    if (name == "clock" && segments.size() == 2) return clock(emulator, request);
    if (name == "reload" && segments.size() == 2) {
        return method == "POST" ? reload(emulator) : problem(405, "use POST");
    }
    if (name == "apps" && segments.size() <= 4) return apps(emulator, segments, request);
    if (name == "sensitive-words" && segments.size() == 2) return sensitive_words(emulator, request);
    if (name == "faults" && segments.size() <= 3) return faults(emulator, segments, request);
    if (name == "journal" && segments.size() == 2) return journal(emulator, request);
    if (name == "callbacks" && segments.size() <= 3) return callbacks(emulator, segments, request);
    if (name == "snapshot" && segments.size() == 2) return snapshot(emulator, request);
    if (name == "ca.pem" && segments.size() == 2)
        return method == "GET" ? ca_certificate(emulator) : problem(405, "use GET");
    return problem(404, "no such control endpoint");
}

api::ApiResponse metrics(Emulator& emulator, const api::ApiRequest& request) {
    if (auto refused = refuse_access(emulator, request)) return std::move(*refused);
    if (request.method != "GET") return problem(405, "use GET");
    observe::MetricsSnapshot snapshot;
    snapshot.uptime_seconds = static_cast<double>(emulator.uptime_ms()) / 1000;
    snapshot.connections_open = emulator.open_connections();
    std::tie(snapshot.unread_answer_bytes, snapshot.unread_answer_drops) = emulator.unread_answers();
    snapshot.rooms_per_app = emulator.tenants().room_counts();
    for (const auto& [id, rooms] : snapshot.rooms_per_app) snapshot.rooms_total += rooms;
    if (snapshot.rooms_per_app.size() > kMaxAppsInMetrics) snapshot.rooms_per_app.resize(kMaxAppsInMetrics);
    snapshot.apps_tracked = emulator.tenants().size();
    emulator.faults().for_each_fired(
        [&](std::string_view id, std::uint64_t fired) { snapshot.faults_fired.emplace_back(std::string(id), fired); });
    const auto journal_stats = emulator.journal().stats();
    snapshot.journal_entries = journal_stats.entries;
    snapshot.journal_bytes = journal_stats.bytes;
    snapshot.journal_dropped = journal_stats.dropped;
    const auto callback_stats = emulator.webhooks().stats();
    snapshot.callbacks_pending = callback_stats.pending;
    snapshot.callbacks_queue_bound = callback_stats.max_queue;
    api::ApiResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = emulator.metrics().render(snapshot);
    return response;
}

}  // namespace

api::ApiResponse handle_control(Emulator& emulator, const api::ApiRequest& request, std::string_view path) {
    const auto segments = segments_of(path);
    auto response = route_control(emulator, request, segments);
    // Whatever is asked of the journal (reading, clearing, even refused) must not change what it holds.
    response.unrecorded = segments.size() == 2 && segments[1] == "journal";
    return response;
}

api::ApiResponse handle_metrics(Emulator& emulator, const api::ApiRequest& request) {
    auto response = metrics(emulator, request);
    response.unrecorded = true;  // scrapes would otherwise fill the journal
    return response;
}

}  // namespace lee::control
