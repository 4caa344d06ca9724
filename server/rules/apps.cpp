#include "rules/apps.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/json.hpp>

#include "auth/usersig.hpp"
#include "rules/rules_json.hpp"

namespace lee::rules {
namespace json = boost::json;

namespace {

RateLimits read_rate_limits(const json::value& value, RateLimits base, const std::string& path) {
    if (!value.is_object()) bad_setting(path, "must be an object of command name to requests per second");
    for (const auto& [name, limit] : value.get_object()) {
        const auto command = core::command_from_name(name);
        if (!command) bad_setting(path + "." + std::string(name), "unknown command");
        base[core::index_of(*command)] =
            static_cast<std::uint32_t>(read_uint(limit, path + "." + std::string(name), core::kMaxRateLimit));
    }
    return base;
}

std::string read_checked(const json::value& value, const std::string& path, std::string (*problem)(std::string_view)) {
    std::string text = read_string(value, path);
    if (auto why = problem(text); !why.empty()) bad_setting(path, why);
    return text;
}

// "all" (or null), or a list of CallbackCommands.
std::optional<std::vector<std::string>> read_callback_events(const json::value& value, const std::string& path) {
    if (value.is_null() || (value.is_string() && value.get_string() == "all")) return std::nullopt;
    if (!value.is_array()) bad_setting(path, "must be \"all\" or an array of callback commands");
    if (value.get_array().size() > kMaxCallbackCommands) {
        bad_setting(path, "holds more than " + std::to_string(kMaxCallbackCommands) + " callback commands");
    }
    std::vector<std::string> events;
    for (std::size_t i = 0; i < value.get_array().size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        std::string name = read_checked(value.get_array()[i], at, &callback_command_problem);
        if (std::find(events.begin(), events.end(), name) == events.end()) events.push_back(std::move(name));
    }
    return events;
}

}  // namespace

bool AppSettings::is_admin(std::string_view identifier) const {
    return admins.empty() || std::find(admins.begin(), admins.end(), identifier) != admins.end();
}

bool AppSettings::is_chat_group(std::string_view room_id) const {
    return std::find(chat_group_ids.begin(), chat_group_ids.end(), room_id) != chat_group_ids.end();
}

const AppSettings* AppsConfig::find(std::uint64_t sdkappid) const {
    if (const auto it = apps.find(sdkappid); it != apps.end()) return &it->second;
    return reject_unknown_apps ? nullptr : &defaults;
}

AppSettings parse_app_settings(const json::object& object, const AppSettings& base, const std::string& path) {
    AppSettings app = base;
    bool token_enabled_given = false;
    for (const auto& [key, value] : object) {
        const std::string field = path + "." + std::string(key);
        if (key == "sdkappid") {
            app.sdkappid = read_uint(value, field, UINT64_MAX);
        } else if (key == "secret_key") {
            app.secret_key = read_string(value, field);
        } else if (key == "admins") {
            app.admins = read_string_list(value, field);
        } else if (key == "paid") {
            app.paid = read_bool(value, field);
        } else if (key == "disabled") {
            app.disabled = read_bool(value, field);
        } else if (key == "max_seat_count") {
            app.max_seat_count = static_cast<std::uint32_t>(read_uint(value, field, 1000));
            if (app.max_seat_count == 0) bad_setting(field, "must be at least 1");
        } else if (key == "chat_group_ids") {
            app.chat_group_ids = read_string_list(value, field);
        } else if (key == "rate_limits") {
            app.rate_limits = read_rate_limits(value, app.rate_limits, field);
        } else if (key == "room_create_interval_ms") {
            app.room_create_interval_ms = static_cast<std::int64_t>(read_uint(value, field, 86'400'000));
        } else if (key == "callback_url") {
            app.webhook.url = value.is_null() ? std::string() : read_string(value, field);
            if (!app.webhook.url.empty()) {
                if (auto why = callback_url_problem(app.webhook.url); !why.empty()) bad_setting(field, why);
            }
        } else if (key == "callback_token") {
            app.webhook.token = value.is_null() ? std::string() : read_checked(value, field, &callback_token_problem);
        } else if (key == "callback_token_enabled") {
            app.webhook.token_enabled = read_bool(value, field);
            token_enabled_given = true;
        } else if (key == "callback_events") {
            app.webhook.events = read_callback_events(value, field);
        } else if (key == "has_secret_key" || key == "secret_key_fingerprint" || key == "listed" ||
                   key == "has_callback_token" || key == "callback_token_fingerprint") {
            // Shown by the control API, read-only: what GET answers can be PUT back (the control API keeps the
            // running key when the fingerprint is its own).
        } else {
            // A typo in a policy file should not silently fall back to a default.
            bad_setting(field, "unknown setting");
        }
    }
    // A token given in a file is meant to sign, unless the file says otherwise.
    if (!token_enabled_given && object.contains("callback_token"))
        app.webhook.token_enabled = !app.webhook.token.empty();
    return app;
}

AppsConfig parse_apps(std::string_view text, const std::string& file_name) {
    const json::value root = parse_rules_json(text, file_name);

    AppsConfig config;
    try {
        if (!root.is_object()) bad_setting("$", "must be a JSON object");
        const auto& object = root.get_object();
        for (const auto& [key, value] : object) {
            if (key != "unknown_apps" && key != "defaults" && key != "apps")
                bad_setting(std::string(key), "unknown setting");
        }
        if (const auto* mode = object.if_contains("unknown_apps")) {
            const std::string value = read_string(*mode, "unknown_apps");
            if (value != "auto" && value != "reject") bad_setting("unknown_apps", "must be \"auto\" or \"reject\"");
            config.reject_unknown_apps = value == "reject";
        }
        if (const auto* defaults = object.if_contains("defaults")) {
            if (!defaults->is_object()) bad_setting("defaults", "must be an object");
            config.defaults = parse_app_settings(defaults->get_object(), AppSettings{}, "defaults");
            if (config.defaults.sdkappid != 0) bad_setting("defaults.sdkappid", "does not belong in defaults");
        }
        if (const auto* apps = object.if_contains("apps")) {
            if (!apps->is_array()) bad_setting("apps", "must be an array of app objects");
            const auto& list = apps->get_array();
            for (std::size_t i = 0; i < list.size(); ++i) {
                const std::string path = "apps[" + std::to_string(i) + "]";
                if (!list[i].is_object()) bad_setting(path, "must be an object");
                AppSettings app = parse_app_settings(list[i].get_object(), config.defaults, path);
                if (app.sdkappid == 0) bad_setting(path + ".sdkappid", "is required and must be a positive integer");
                if (!config.apps.emplace(app.sdkappid, std::move(app)).second) {
                    bad_setting(path + ".sdkappid", "is listed twice");
                }
            }
        }
    } catch (const SettingError& error) {
        throw locate(error, text, file_name);
    }
    return config;
}

namespace {

// One secret setting, `name` ("secret_key"), shown as "has_<name>" and "<name>_fingerprint": its value read back,
// given the value running now (null when the app has none).
void resolve_secret(std::string_view name, std::string_view what, const json::object& object,
                    const std::string* running, std::string& value, const std::string& path) {
    const std::string key(name);
    if (object.contains(key)) return;  // read by parse_app_settings
    if (const auto* fingerprint = object.if_contains(key + "_fingerprint"); fingerprint && fingerprint->is_string()) {
        if (!running || running->empty() || auth::key_fingerprint(*running) != fingerprint->get_string()) {
            bad_setting(path + "." + key + "_fingerprint",
                        "is not the fingerprint of the app's " + std::string(what) + " (send " + key + ")");
        }
        value = *running;
        return;
    }
    if (const auto* has = object.if_contains("has_" + key); has && has->is_bool() && !has->get_bool()) value.clear();
}

// Never the secret itself (unless `with_secret`): whether there is one, and a fingerprint to tell them apart.
void show_secret(std::string_view name, const std::string& value, bool with_secret, json::object& out) {
    const std::string key(name);
    out["has_" + key] = !value.empty();
    out[key + "_fingerprint"] = value.empty() ? json::value(nullptr) : json::value(auth::key_fingerprint(value));
    if (with_secret && !value.empty()) out[key] = value;
}

}  // namespace

void resolve_secrets(const json::object& object, const AppSettings* running, AppSettings& app,
                     const std::string& path) {
    resolve_secret("secret_key", "key", object, running ? &running->secret_key : nullptr, app.secret_key, path);
    resolve_secret("callback_token", "callback token", object, running ? &running->webhook.token : nullptr,
                   app.webhook.token, path);
}

json::object app_settings_to_json(const AppSettings& app, bool with_secret_key) {
    json::object rate_limits;
    for (const auto& row : core::kCommands) rate_limits[row.name] = app.rate_limits[core::index_of(row.command)];
    json::object out;
    out["sdkappid"] = app.sdkappid;
    show_secret("secret_key", app.secret_key, with_secret_key, out);
    out["admins"] = json::value_from(app.admins);
    out["paid"] = app.paid;
    out["disabled"] = app.disabled;
    out["max_seat_count"] = app.max_seat_count;
    out["chat_group_ids"] = json::value_from(app.chat_group_ids);
    out["rate_limits"] = std::move(rate_limits);
    out["room_create_interval_ms"] = app.room_create_interval_ms;
    out["callback_url"] = app.webhook.url;
    show_secret("callback_token", app.webhook.token, with_secret_key, out);
    out["callback_token_enabled"] = app.webhook.token_enabled;
    out["callback_events"] = app.webhook.events ? json::value_from(*app.webhook.events) : json::value("all");
    return out;
}

}  // namespace lee::rules
