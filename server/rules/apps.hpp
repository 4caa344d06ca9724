#pragma once
// Per-app policy read from rules/apps.json: who may call, what the app has paid for, and its limits.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "core/commands.hpp"
#include "rules/webhook_settings.hpp"

namespace lee::rules {

// Requests per second per command; 0 means unlimited.
using RateLimits = std::array<std::uint32_t, core::kCommandCount>;

inline constexpr RateLimits kDefaultRateLimits = [] {
    RateLimits limits{};
    for (const auto& row : core::kCommands) limits[core::index_of(row.command)] = row.default_rate;
    return limits;
}();

struct AppSettings {
    std::uint64_t sdkappid = 0;
    std::string secret_key;           // empty: UserSig is not verified
    std::vector<std::string> admins;  // empty: any identifier is admitted
    bool paid = true;
    bool disabled = false;
    std::uint32_t max_seat_count = 16;  // the package's seat maximum for AudioSalon/Karaoke
    std::vector<std::string> chat_group_ids;
    RateLimits rate_limits = kDefaultRateLimits;
    std::int64_t room_create_interval_ms = 1000;
    WebhookSettings webhook;

    bool is_admin(std::string_view identifier) const;
    bool is_chat_group(std::string_view room_id) const;
};

struct AppsConfig {
    bool reject_unknown_apps = false;
    AppSettings defaults;  // template for apps not listed (sdkappid unset)
    boost::unordered_flat_map<std::uint64_t, AppSettings> apps;

    // The listed app, or the defaults (their sdkappid is 0) for an unlisted one; nullptr when unknown apps are
    // rejected.
    const AppSettings* find(std::uint64_t sdkappid) const;
};

// Parses apps.json (comments allowed). Throws RulesError naming file, line (for syntax errors) and problem.
AppsConfig parse_apps(std::string_view text, const std::string& file_name);

// Reads one app object over `base` (used for the listed apps and for PUT /_emulator/apps/{id}).
// Throws std::invalid_argument with the JSON path of the bad field.
AppSettings parse_app_settings(const boost::json::object& object, const AppSettings& base, const std::string& path);

// The settings as the control API shows them: the secret key and the callback token only as whether there is
// one and its fingerprint. With `with_secret_key` (the state file, the one place that holds keys) both themselves
// too.
boost::json::object app_settings_to_json(const AppSettings& app, bool with_secret_key = false);

// The secrets of settings read back from what the control API showed, for the secret key and the callback token
// alike: `secret_key` when given; else a `secret_key_fingerprint` keeps the key of `running` it names
// (SettingError when it names another); else `"has_secret_key": false` means none; otherwise `app` keeps the key
// it has. The same with `callback_token`, `callback_token_fingerprint` and `has_callback_token`.
void resolve_secrets(const boost::json::object& object, const AppSettings* running, AppSettings& app,
                     const std::string& path);

}  // namespace lee::rules
