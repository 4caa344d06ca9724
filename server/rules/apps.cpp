#include "rules/apps.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/json.hpp>

#include "rules/json_location.hpp"
#include "rules/rules_error.hpp"

namespace lee::rules {
namespace json = boost::json;

namespace {

// A setting that parsed as JSON but breaks a rule; the path lets the loader find its line.
class SettingError : public std::invalid_argument {
public:
    SettingError(std::string path, const std::string& problem)
        : std::invalid_argument(path + ": " + problem), path_(std::move(path)) {}
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

[[noreturn]] void bad(const std::string& path, const std::string& problem) { throw SettingError(path, problem); }

bool read_bool(const json::value& value, const std::string& path) {
    if (!value.is_bool()) bad(path, "must be true or false");
    return value.get_bool();
}

std::uint64_t read_uint(const json::value& value, const std::string& path, std::uint64_t max) {
    std::uint64_t result = 0;
    if (value.is_uint64()) {
        result = value.get_uint64();
    } else if (value.is_int64() && value.get_int64() >= 0) {
        result = static_cast<std::uint64_t>(value.get_int64());
    } else {
        bad(path, "must be a non-negative integer");
    }
    if (result > max) bad(path, "must be at most " + std::to_string(max));
    return result;
}

std::string read_string(const json::value& value, const std::string& path) {
    if (!value.is_string()) bad(path, "must be a string");
    return std::string(value.get_string());
}

std::vector<std::string> read_string_list(const json::value& value, const std::string& path) {
    if (!value.is_array()) bad(path, "must be an array of strings");
    std::vector<std::string> out;
    const auto& array = value.get_array();
    for (std::size_t i = 0; i < array.size(); ++i)
        out.push_back(read_string(array[i], path + "[" + std::to_string(i) + "]"));
    return out;
}

RateLimits read_rate_limits(const json::value& value, RateLimits base, const std::string& path) {
    if (!value.is_object()) bad(path, "must be an object of command name to requests per second");
    for (const auto& [name, limit] : value.get_object()) {
        const auto command = api::command_from_name(name);
        if (!command) bad(path + "." + std::string(name), "unknown command");
        base[static_cast<std::size_t>(*command)] =
            static_cast<std::uint32_t>(read_uint(limit, path + "." + std::string(name), 1'000'000'000));
    }
    return base;
}

// The line of the setting at `path`, or of the closest enclosing one when the setting itself is absent (a
// required field left out is reported where its object is).
std::size_t line_of_setting(std::string_view text, std::string path) {
    for (;;) {
        if (const std::size_t line = line_of_json_path(text, path)) return line;
        const auto cut = path.find_last_of(".[");
        if (cut == std::string::npos || cut == 0) return line_of_json_path(text, "$");
        path.resize(cut);
    }
}

std::size_t line_of(std::string_view text, std::size_t offset) {
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
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
            if (app.max_seat_count == 0) bad(field, "must be at least 1");
        } else if (key == "chat_group_ids") {
            app.chat_group_ids = read_string_list(value, field);
        } else if (key == "rate_limits") {
            app.rate_limits = read_rate_limits(value, app.rate_limits, field);
        } else if (key == "room_create_interval_ms") {
            app.room_create_interval_ms = static_cast<std::int64_t>(read_uint(value, field, 86'400'000));
        } else {
            // A typo in a policy file should not silently fall back to a default.
            bad(field, "unknown setting");
        }
    }
    return app;
}

AppsConfig parse_apps(std::string_view text, const std::string& file_name) {
    json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    options.max_depth = 16;
    json::stream_parser parser({}, options);
    json::error_code ec;
    const std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) throw RulesError(file_name, line_of(text, consumed), "invalid JSON: " + ec.message());
    const json::value root = parser.release();

    AppsConfig config;
    try {
        if (!root.is_object()) bad("$", "must be a JSON object");
        const auto& object = root.get_object();
        for (const auto& [key, value] : object) {
            if (key != "unknown_apps" && key != "defaults" && key != "apps") bad(std::string(key), "unknown setting");
        }
        if (const auto* mode = object.if_contains("unknown_apps")) {
            const std::string value = read_string(*mode, "unknown_apps");
            if (value != "auto" && value != "reject") bad("unknown_apps", "must be \"auto\" or \"reject\"");
            config.reject_unknown_apps = value == "reject";
        }
        if (const auto* defaults = object.if_contains("defaults")) {
            if (!defaults->is_object()) bad("defaults", "must be an object");
            config.defaults = parse_app_settings(defaults->get_object(), AppSettings{}, "defaults");
            if (config.defaults.sdkappid != 0) bad("defaults.sdkappid", "does not belong in defaults");
        }
        if (const auto* apps = object.if_contains("apps")) {
            if (!apps->is_array()) bad("apps", "must be an array of app objects");
            const auto& list = apps->get_array();
            for (std::size_t i = 0; i < list.size(); ++i) {
                const std::string path = "apps[" + std::to_string(i) + "]";
                if (!list[i].is_object()) bad(path, "must be an object");
                AppSettings app = parse_app_settings(list[i].get_object(), config.defaults, path);
                if (app.sdkappid == 0) bad(path + ".sdkappid", "is required and must be a positive integer");
                if (!config.apps.emplace(app.sdkappid, std::move(app)).second) {
                    bad(path + ".sdkappid", "is listed twice");
                }
            }
        }
    } catch (const SettingError& error) {
        throw RulesError(file_name, line_of_setting(text, error.path()), error.what());
    }
    return config;
}

json::object app_settings_to_json(const AppSettings& app) {
    json::object rate_limits;
    for (std::size_t i = 0; i < api::kCommandCount; ++i) rate_limits[api::kCommandNames[i]] = app.rate_limits[i];
    json::object out;
    out["sdkappid"] = app.sdkappid;
    out["secret_key"] = app.secret_key;
    out["admins"] = json::value_from(app.admins);
    out["paid"] = app.paid;
    out["disabled"] = app.disabled;
    out["max_seat_count"] = app.max_seat_count;
    out["chat_group_ids"] = json::value_from(app.chat_group_ids);
    out["rate_limits"] = std::move(rate_limits);
    out["room_create_interval_ms"] = app.room_create_interval_ms;
    return out;
}

}  // namespace lee::rules
