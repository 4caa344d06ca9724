#include "state/snapshot.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "rules/rules_json.hpp"
#include "state/room_json.hpp"

namespace lee::state {
namespace json = boost::json;

using rules::bad_setting;

Snapshot capture(const TenantDirectory& tenants, const rules::AppsConfig& apps, const EmulatorClock& clock,
                 std::optional<std::uint64_t> only) {
    Snapshot snapshot;
    snapshot.clock = clock.state();
    snapshot.only = only;
    snapshot.reject_unknown_apps = apps.reject_unknown_apps;
    snapshot.defaults = apps.defaults;
    // By sdkappid: the listed apps, and the apps holding state, merged where they are the same app.
    std::map<std::uint64_t, AppSnapshot> by_id;
    auto entry = [&](std::uint64_t sdkappid) -> AppSnapshot& {
        return by_id.try_emplace(sdkappid, AppSnapshot{sdkappid, std::nullopt, {}}).first->second;
    };
    for (const auto& [id, settings] : apps.apps) {
        if (!only || *only == id) entry(id).listed = settings;
    }
    const std::int64_t now = snapshot.clock.now_ms;
    for (const auto& [id, tenant] : tenants.all()) {
        if (only && *only != id) continue;
        TenantContents contents{tenant->rooms.snapshot(), tenant->rooms.open_windows(now)};
        if (contents.rooms.empty() && contents.windows.empty()) continue;
        std::sort(contents.rooms.begin(), contents.rooms.end(),
                  [](const Room& a, const Room& b) { return a.room_id < b.room_id; });
        entry(id).contents = std::move(contents);
    }
    for (auto& [id, app] : by_id) snapshot.apps.push_back(std::move(app));
    if (only && snapshot.apps.empty()) snapshot.apps.push_back(AppSnapshot{*only, std::nullopt, {}});
    return snapshot;
}

json::value to_json(const Snapshot& snapshot, bool with_secret_keys) {
    json::object out;
    out["format"] = kSnapshotFormat;
    out["version"] = kSnapshotVersion;
    out["clock"] = json::object{
        {"frozen", snapshot.clock.frozen}, {"now_ms", snapshot.clock.now_ms}, {"offset_ms", snapshot.clock.offset_ms}};
    if (snapshot.only) {
        out["sdkappid"] = *snapshot.only;
    } else {
        out["unknown_apps"] = snapshot.reject_unknown_apps ? "reject" : "auto";
        auto defaults = rules::app_settings_to_json(snapshot.defaults, with_secret_keys);
        defaults.erase("sdkappid");
        out["defaults"] = std::move(defaults);
    }
    json::array apps;
    for (const auto& app : snapshot.apps) {
        json::array windows;
        for (const auto& [id, window] : app.contents.windows) {
            windows.push_back(
                json::object{{"RoomId", id}, {"started_ms", window.started_ms}, {"expires_ms", window.expires_ms}});
        }
        json::object entry;
        entry["sdkappid"] = app.sdkappid;
        entry["settings"] =
            app.listed ? json::value(rules::app_settings_to_json(*app.listed, with_secret_keys)) : json::value(nullptr);
        entry["rooms"] = json::value_from(app.contents.rooms);
        entry["create_windows"] = std::move(windows);
        apps.push_back(std::move(entry));
    }
    out["apps"] = std::move(apps);
    return out;
}

namespace {

const json::value& required(const json::object& object, std::string_view key, const std::string& path) {
    const json::value* value = object.if_contains(key);
    if (!value) bad_setting(path + "." + std::string(key), "is required");
    return *value;
}

void only_keys(const json::object& object, std::initializer_list<std::string_view> keys, const std::string& path) {
    for (const auto& [key, value] : object) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            bad_setting(path + "." + std::string(key), "unknown field");
        }
    }
}

std::int64_t read_ms(const json::value& value, const std::string& path) {
    if (!value.is_int64() || value.get_int64() < 0 || value.get_int64() > EmulatorClock::kMaxMs) {
        bad_setting(path, "must be a time in unix ms, 0.." + std::to_string(EmulatorClock::kMaxMs));
    }
    return value.get_int64();
}

ClockState read_clock(const json::value& value, const std::string& path) {
    const json::object* object = value.if_object();
    if (!object) bad_setting(path, "must be an object");
    only_keys(*object, {"frozen", "now_ms", "offset_ms"}, path);
    ClockState clock;
    clock.frozen = rules::read_bool(required(*object, "frozen", path), path + ".frozen");
    clock.now_ms = read_ms(required(*object, "now_ms", path), path + ".now_ms");
    const json::value& offset = required(*object, "offset_ms", path);
    if (!offset.is_int64() || offset.get_int64() < -EmulatorClock::kMaxMs ||
        offset.get_int64() > EmulatorClock::kMaxMs) {
        bad_setting(path + ".offset_ms",
                    "must be an integer of at most " + std::to_string(EmulatorClock::kMaxMs) + " in magnitude");
    }
    clock.offset_ms = offset.get_int64();
    return clock;
}

rules::AppSettings read_settings(const json::value& value, const rules::AppSettings& base,
                                 const rules::AppSettings* running, const std::string& path) {
    if (!value.is_object()) bad_setting(path, "must be an object of app settings");
    rules::AppSettings settings = rules::parse_app_settings(value.get_object(), base, path);
    rules::resolve_secrets(value.get_object(), running, settings, path);
    return settings;
}

TenantContents read_contents(const json::object& app, const TenantLimits& limits, const std::string& path) {
    TenantContents contents;
    std::set<std::string, std::less<>> ids;
    if (const auto* rooms = app.if_contains("rooms")) {
        if (!rooms->is_array()) bad_setting(path + ".rooms", "must be an array of rooms");
        if (rooms->get_array().size() > limits.max_rooms_per_app) {
            bad_setting(path + ".rooms",
                        "holds more rooms than --max-rooms-per-app (" + std::to_string(limits.max_rooms_per_app) + ")");
        }
        for (std::size_t i = 0; i < rooms->get_array().size(); ++i) {
            const std::string at = path + ".rooms[" + std::to_string(i) + "]";
            Room room = read_room(rooms->get_array()[i], at);
            if (!ids.insert(room.room_id).second) bad_setting(at + ".RoomId", "is listed twice");
            contents.rooms.push_back(std::move(room));
        }
    }
    ids.clear();
    if (const auto* windows = app.if_contains("create_windows")) {
        if (!windows->is_array()) bad_setting(path + ".create_windows", "must be an array");
        for (std::size_t i = 0; i < windows->get_array().size(); ++i) {
            const std::string at = path + ".create_windows[" + std::to_string(i) + "]";
            const json::object* window = windows->get_array()[i].if_object();
            if (!window) bad_setting(at, R"(must be {"RoomId","started_ms","expires_ms"})");
            only_keys(*window, {"RoomId", "started_ms", "expires_ms"}, at);
            std::string id = rules::read_string(required(*window, "RoomId", at), at + ".RoomId");
            const CreateWindow read{read_ms(required(*window, "started_ms", at), at + ".started_ms"),
                                    read_ms(required(*window, "expires_ms", at), at + ".expires_ms")};
            if (read.expires_ms < read.started_ms) bad_setting(at + ".expires_ms", "is before started_ms");
            if (!ids.insert(id).second) bad_setting(at + ".RoomId", "is listed twice");
            contents.windows.emplace_back(std::move(id), read);
        }
    }
    return contents;
}

}  // namespace

Snapshot parse_snapshot(const json::value& document, const rules::AppsConfig& running, const TenantLimits& limits,
                        std::optional<std::uint64_t> only) {
    const json::object* root = document.if_object();
    if (!root) bad_setting("$", "must be a JSON object (a snapshot)");
    only_keys(*root, {"format", "version", "clock", "sdkappid", "unknown_apps", "defaults", "apps"}, "$");
    if (const auto& format = required(*root, "format", "$");
        !format.is_string() || format.get_string() != kSnapshotFormat) {
        bad_setting("$.format", "must be \"" + std::string(kSnapshotFormat) + "\"");
    }
    if (const auto& version = required(*root, "version", "$");
        !version.is_int64() || version.get_int64() != kSnapshotVersion) {
        bad_setting("$.version", "must be " + std::to_string(kSnapshotVersion) + " (the version this emulator reads)");
    }
    Snapshot snapshot;
    snapshot.only = only;
    snapshot.clock = read_clock(required(*root, "clock", "$"), "$.clock");
    snapshot.defaults = running.defaults;
    snapshot.reject_unknown_apps = running.reject_unknown_apps;
    if (const auto* mode = root->if_contains("unknown_apps")) {
        const std::string value = rules::read_string(*mode, "$.unknown_apps");
        if (value != "auto" && value != "reject") bad_setting("$.unknown_apps", "must be \"auto\" or \"reject\"");
        snapshot.reject_unknown_apps = value == "reject";
    }
    if (const auto* defaults = root->if_contains("defaults")) {
        snapshot.defaults = read_settings(*defaults, rules::AppSettings{}, &running.defaults, "$.defaults");
        if (snapshot.defaults.sdkappid != 0) bad_setting("$.defaults.sdkappid", "does not belong in defaults");
    }
    const json::value& apps = required(*root, "apps", "$");
    if (!apps.is_array()) bad_setting("$.apps", "must be an array");
    std::size_t holding = 0;
    std::set<std::uint64_t> seen;
    for (std::size_t i = 0; i < apps.get_array().size(); ++i) {
        const std::string path = "$.apps[" + std::to_string(i) + "]";
        const json::object* app = apps.get_array()[i].if_object();
        if (!app) bad_setting(path, "must be an object");
        only_keys(*app, {"sdkappid", "settings", "rooms", "create_windows"}, path);
        AppSnapshot read;
        read.sdkappid = rules::read_uint(required(*app, "sdkappid", path), path + ".sdkappid", UINT64_MAX);
        if (read.sdkappid == 0) bad_setting(path + ".sdkappid", "must be a positive integer");
        if (!seen.insert(read.sdkappid).second) bad_setting(path + ".sdkappid", "is listed twice");
        if (const auto* settings = app->if_contains("settings"); settings && !settings->is_null()) {
            read.listed = read_settings(*settings, snapshot.defaults, running.find(read.sdkappid), path + ".settings");
            read.listed->sdkappid = read.sdkappid;
        }
        read.contents = read_contents(*app, limits, path);
        if (!read.contents.rooms.empty() || !read.contents.windows.empty()) ++holding;
        if (only && *only != read.sdkappid) continue;  // checked, not kept
        snapshot.apps.push_back(std::move(read));
    }
    if (holding > limits.max_apps) {
        bad_setting("$.apps", "holds more apps with state than --max-apps (" + std::to_string(limits.max_apps) + ")");
    }
    if (only && snapshot.apps.empty()) bad_setting("$.apps", "holds no app " + std::to_string(*only));
    return snapshot;
}

void restore(Snapshot snapshot, TenantDirectory& tenants, rules::RuleStore& rules, EmulatorClock& clock) {
    rules.modify([&](rules::RuleSet& set) {
        if (!snapshot.only) {
            set.apps.reject_unknown_apps = snapshot.reject_unknown_apps;
            set.apps.defaults = snapshot.defaults;
            set.apps.apps.clear();
        }
        for (const auto& app : snapshot.apps) {
            if (app.listed) {
                set.apps.apps.insert_or_assign(app.sdkappid, *app.listed);
            } else {
                set.apps.apps.erase(app.sdkappid);
            }
        }
    });
    if (!snapshot.only) clock.restore(snapshot.clock);
    std::vector<std::pair<std::uint64_t, TenantContents>> contents;
    for (auto& app : snapshot.apps) {
        if (!app.contents.rooms.empty() || !app.contents.windows.empty()) {
            contents.emplace_back(app.sdkappid, std::move(app.contents));
        }
    }
    tenants.replace(snapshot.only, std::move(contents));
}

}  // namespace lee::state
