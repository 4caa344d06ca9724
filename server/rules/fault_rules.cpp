#include "rules/fault_rules.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <boost/json.hpp>

#include "core/error_codes.hpp"
#include "core/utf8.hpp"
#include "rules/rules_json.hpp"

namespace lee::rules {
namespace json = boost::json;

namespace {

bool is_id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
}

// Printable ASCII keeps ids safe in a URL path, a Prometheus label and a log line alike.
std::string read_id(const json::value& value, const std::string& path) {
    std::string id = read_string(value, path);
    if (id.empty() || id.size() > kMaxFaultIdBytes || !std::all_of(id.begin(), id.end(), is_id_char)) {
        bad_setting(path, "must be 1.." + std::to_string(kMaxFaultIdBytes) + " characters of A-Z a-z 0-9 - _ . :");
    }
    return id;
}

std::string read_bounded_string(const json::value& value, const std::string& path) {
    std::string text = read_string(value, path);
    if (text.size() > kMaxFaultPatternBytes) {
        bad_setting(path, "must be at most " + std::to_string(kMaxFaultPatternBytes) + " bytes");
    }
    return text;
}

int checked_error_code(std::uint64_t value, const std::string& path) {
    if (value == 0 || !core::is_known_error_code(static_cast<int>(value))) {
        bad_setting(path, "must be a code of the error table (e.g. 100001, 60007, 70001)");
    }
    return static_cast<int>(value);
}

// A gateway's answer carries a small page, so the statuses that cannot have a body are left out.
unsigned checked_http_status(std::uint64_t value, const std::string& path) {
    if (value < 200 || value > 599 || value == 204 || value == 205 || value == 304) {
        bad_setting(path, "must be an HTTP status 200..599 other than 204, 205 and 304");
    }
    return static_cast<unsigned>(value);
}

core::NetworkFault checked_network(std::string_view name, const std::string& path) {
    const auto fault = core::network_fault_from_name(name);
    if (!fault) bad_setting(path, "must be reset, close, garbage, truncated or stall");
    return *fault;
}

// Actions that replace the answer exclude each other; a delay goes with any of them.
void check_action(const FaultAction& action, const std::string& path) {
    const int answers =
        (action.error_code != 0) + (action.http_status != 0) + (action.network != core::NetworkFault::none);
    if (answers > 1) bad_setting(path, "error_code, http_status and network exclude each other");
    if (answers == 0 && action.delay_ms == 0 && action.callback == CallbackFault::none) {
        bad_setting(path, "needs one of error_code, http_status, network, delay_ms or callback");
    }
}

FaultMatch read_match(const json::value& value, const std::string& path) {
    if (!value.is_object()) bad_setting(path, "must be an object");
    FaultMatch match;
    for (const auto& [key, field] : value.get_object()) {
        const std::string at = path + "." + std::string(key);
        if (key == "command") {
            const std::string name = read_string(field, at);
            match.command = core::command_from_name(name);
            if (!match.command) bad_setting(at, "unknown command " + name);
        } else if (key == "sdkappid") {
            match.sdkappid = read_uint(field, at, UINT64_MAX);
        } else if (key == "room_id") {
            match.room_id = read_bounded_string(field, at);
        } else if (key == "identifier") {
            match.identifier = read_bounded_string(field, at);
        } else {
            bad_setting(at, "unknown match field (command, sdkappid, room_id, identifier)");
        }
    }
    return match;
}

FaultAction read_action(const json::value& value, const std::string& path) {
    if (!value.is_object()) bad_setting(path, "must be an object");
    FaultAction action;
    for (const auto& [key, field] : value.get_object()) {
        const std::string at = path + "." + std::string(key);
        if (key == "error_code") {
            action.error_code = checked_error_code(read_uint(field, at, UINT32_MAX), at);
        } else if (key == "http_status") {
            action.http_status = checked_http_status(read_uint(field, at, UINT32_MAX), at);
        } else if (key == "delay_ms") {
            action.delay_ms = static_cast<std::uint32_t>(read_uint(field, at, kMaxFaultDelayMs));
        } else if (key == "network") {
            action.network = checked_network(read_string(field, at), at);
        } else if (key == "callback") {
            std::string problem;
            if (!parse_callback_fault(read_string(field, at), action, problem)) bad_setting(at, problem);
        } else {
            bad_setting(at, "unknown action (error_code, http_status, delay_ms, network, callback)");
        }
    }
    check_action(action, path);
    return action;
}

double read_probability(const json::value& value, const std::string& path) {
    double probability = -1;
    if (value.is_double()) probability = value.get_double();
    if (value.is_int64()) probability = static_cast<double>(value.get_int64());
    if (value.is_uint64()) probability = static_cast<double>(value.get_uint64());
    if (!(probability >= 0.0 && probability <= 1.0)) bad_setting(path, "must be a number from 0 to 1");
    return probability;
}

std::optional<std::uint64_t> header_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// Header text quoted back in an error: valid UTF-8 (the answer is JSON), and short.
std::string shown(std::string_view text) { return core::to_valid_utf8(text, 64); }

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

FaultRule parse_fault_rule(const json::value& value, const std::string& path) {
    if (!value.is_object()) bad_setting(path, "must be a fault rule object");
    FaultRule rule;
    bool has_action = false;
    for (const auto& [key, field] : value.get_object()) {
        const std::string at = path + "." + std::string(key);
        if (key == "id") {
            rule.id = read_id(field, at);
        } else if (key == "match") {
            rule.match = read_match(field, at);
        } else if (key == "action") {
            rule.action = read_action(field, at);
            has_action = true;
        } else if (key == "times") {
            if (field.is_null()) continue;  // as GET shows "no limit"
            rule.times = read_uint(field, at, UINT64_MAX);
            if (*rule.times == 0) bad_setting(at, "must be at least 1 (leave it out for no limit)");
        } else if (key == "after") {
            rule.after = read_uint(field, at, UINT64_MAX);
        } else if (key == "probability") {
            rule.probability = read_probability(field, at);
        } else if (key == "hits" || key == "fired" || key == "source") {
            // Read-only counters of GET /_emulator/faults.
        } else {
            bad_setting(at, "unknown field (id, match, action, times, after, probability)");
        }
    }
    if (!has_action) bad_setting(path + ".action", "is required");
    return rule;
}

std::vector<FaultRule> parse_fault_rule_list(const json::value& value) {
    const json::value* list = &value;
    std::string path = "$";
    if (value.is_object()) {
        const auto& object = value.get_object();
        for (const auto& [key, field] : object) {
            if (key != "faults") bad_setting(std::string(key), "unknown setting (the file holds {\"faults\":[...]})");
        }
        list = object.if_contains("faults");
        path = "faults";
        if (!list) return {};
    }
    if (!list->is_array()) bad_setting(path, "must be an array of fault rules");
    if (list->get_array().size() > kMaxFaultRules) {
        bad_setting(path, "holds more than " + std::to_string(kMaxFaultRules) + " rules");
    }
    std::vector<FaultRule> rules;
    std::set<std::string, std::less<>> ids;
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        const std::string at = (path == "$" ? std::string() : path) + "[" + std::to_string(i) + "]";
        FaultRule rule = parse_fault_rule(list->get_array()[i], at);
        if (!rule.id.empty() && !ids.insert(rule.id).second) bad_setting(at + ".id", "is used twice");
        rules.push_back(std::move(rule));
    }
    return rules;
}

std::vector<FaultRule> parse_faults_file(std::string_view text, const std::string& file_name) {
    const json::value root = parse_rules_json(text, file_name);
    try {
        auto rules = parse_fault_rule_list(root);
        // Rules the file leaves unnamed are named by their place, so GET, DELETE and metrics can refer to them.
        for (std::size_t i = 0; i < rules.size(); ++i) {
            if (!rules[i].id.empty()) continue;
            rules[i].id = "file-" + std::to_string(i + 1);
            for (const auto& other : rules) {
                if (&other != &rules[i] && other.id == rules[i].id) {
                    bad_setting((root.is_object() ? "faults[" : "[") + std::to_string(i) + "]",
                                "is named " + rules[i].id + " by its place, an id another rule uses");
                }
            }
        }
        return rules;
    } catch (const SettingError& error) {
        throw locate(error, text, file_name);
    }
}

std::optional<FaultAction> parse_fault_header(std::string_view header, std::string& problem) {
    FaultAction action;
    std::set<std::string_view> seen;
    try {
        while (true) {
            const auto semicolon = header.find(';');
            const std::string_view item = trim(header.substr(0, semicolon));
            if (item.empty()) throw SettingError("X-Emulator-Fault", "empty item (items are name=value joined by ;)");
            const auto equals = item.find('=');
            if (equals == std::string_view::npos) {
                throw SettingError("X-Emulator-Fault", "'" + shown(item) + "' is not name=value");
            }
            const std::string_view name = trim(item.substr(0, equals));
            const std::string_view text = trim(item.substr(equals + 1));
            const std::string at = "X-Emulator-Fault " + shown(name);
            if (!seen.insert(name).second) throw SettingError(at, "is given twice");
            if (name == "network") {
                action.network = checked_network(text, at);
            } else if (name == "callback") {
                std::string refused;
                if (!parse_callback_fault(text, action, refused)) throw SettingError(at, refused);
            } else if (name == "error_code" || name == "http_status" || name == "delay_ms") {
                const auto number = header_number(text);
                if (!number) throw SettingError(at, "must be a decimal integer, got '" + shown(text) + "'");
                if (name == "error_code")
                    action.error_code = checked_error_code(std::min<std::uint64_t>(*number, UINT32_MAX), at);
                if (name == "http_status") action.http_status = checked_http_status(*number, at);
                if (name == "delay_ms") {
                    if (*number > kMaxFaultDelayMs) {
                        throw SettingError(at, "must be at most " + std::to_string(kMaxFaultDelayMs));
                    }
                    action.delay_ms = static_cast<std::uint32_t>(*number);
                }
            } else {
                throw SettingError("X-Emulator-Fault", "unknown action '" + shown(name) +
                                                           "' (error_code, http_status, delay_ms, network, callback)");
            }
            if (semicolon == std::string_view::npos) break;
            header.remove_prefix(semicolon + 1);
        }
        check_action(action, "X-Emulator-Fault");
    } catch (const SettingError& error) {
        problem = error.what();
        return std::nullopt;
    }
    return action;
}

bool parse_callback_fault(std::string_view text, FaultAction& action, std::string& problem) {
    constexpr std::string_view kDelay = "delay_ms=";
    if (text == "drop") {
        action.callback = CallbackFault::drop;
    } else if (text == "duplicate") {
        action.callback = CallbackFault::duplicate;
    } else if (text.substr(0, kDelay.size()) == kDelay) {
        const auto number = header_number(text.substr(kDelay.size()));
        if (!number || *number > kMaxFaultDelayMs) {
            problem = "delay_ms must be a decimal integer 0.." + std::to_string(kMaxFaultDelayMs);
            return false;
        }
        action.callback = CallbackFault::delay;
        action.callback_delay_ms = static_cast<std::uint32_t>(*number);
    } else {
        problem = "must be drop, duplicate or delay_ms=N, got '" + shown(text) + "'";
        return false;
    }
    return true;
}

std::string callback_fault_text(const FaultAction& action) {
    switch (action.callback) {
        case CallbackFault::drop:
            return "drop";
        case CallbackFault::duplicate:
            return "duplicate";
        case CallbackFault::delay:
            return "delay_ms=" + std::to_string(action.callback_delay_ms);
        case CallbackFault::none:
            break;
    }
    return {};
}

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    // Greedy with one backtrack point: linear in practice, never exponential.
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

void tag_invoke(const json::value_from_tag&, json::value& out, const FaultAction& action) {
    json::object object;
    if (action.error_code != 0) object["error_code"] = action.error_code;
    if (action.http_status != 0) object["http_status"] = action.http_status;
    if (action.delay_ms != 0) object["delay_ms"] = action.delay_ms;
    if (action.network != core::NetworkFault::none) object["network"] = core::network_fault_name(action.network);
    if (action.callback != CallbackFault::none) object["callback"] = callback_fault_text(action);
    out = std::move(object);
}

void tag_invoke(const json::value_from_tag&, json::value& out, const FaultRule& rule) {
    json::object match;
    if (rule.match.command) match["command"] = core::command_name(*rule.match.command);
    if (rule.match.sdkappid) match["sdkappid"] = *rule.match.sdkappid;
    if (rule.match.room_id) match["room_id"] = *rule.match.room_id;
    if (rule.match.identifier) match["identifier"] = *rule.match.identifier;
    json::object object;
    object["id"] = rule.id;
    object["match"] = std::move(match);
    object["action"] = json::value_from(rule.action);
    object["times"] = rule.times ? json::value(*rule.times) : json::value(nullptr);
    object["after"] = rule.after;
    object["probability"] = rule.probability;
    out = std::move(object);
}

}  // namespace lee::rules
