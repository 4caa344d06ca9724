#pragma once
// The whole state as one JSON document, and back: run-time app settings, every room (metadata and robots
// included), the open 100012 intervals and the clock. What GET/PUT /_emulator/snapshot and --state-file carry.
// Rate windows are not kept: they last a second.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/fwd.hpp>

#include "rules/apps.hpp"
#include "rules/rule_set.hpp"
#include "state/clock.hpp"
#include "state/tenants.hpp"

namespace lee::state {

inline constexpr std::string_view kSnapshotFormat = "live-engine-emulator snapshot";
inline constexpr std::int64_t kSnapshotVersion = 1;

struct AppSnapshot {
    std::uint64_t sdkappid = 0;
    std::optional<rules::AppSettings> listed;  // run-time settings of a listed app; none: it follows the defaults
    TenantContents contents;                   // rooms by RoomId, open windows by RoomId
};

struct Snapshot {
    ClockState clock;
    std::optional<std::uint64_t> only;  // one app's: its settings and state, nothing global
    bool reject_unknown_apps = false;
    rules::AppSettings defaults;
    std::vector<AppSnapshot> apps;  // by sdkappid
};

Snapshot capture(const TenantDirectory& tenants, const rules::AppsConfig& apps, const EmulatorClock& clock,
                 std::optional<std::uint64_t> only);

// Keys appear only as fingerprints unless `with_secret_keys` (the state file).
boost::json::value to_json(const Snapshot& snapshot, bool with_secret_keys);

// Validates the whole document before anything changes; throws rules::SettingError naming the JSON path.
// `running` resolves keys given as fingerprints; `only` picks that app out of the document.
Snapshot parse_snapshot(const boost::json::value& document, const rules::AppsConfig& running,
                        const TenantLimits& limits, std::optional<std::uint64_t> only);

// Replaces the state with the snapshot's (only its app's, when it is one app's).
void restore(Snapshot snapshot, TenantDirectory& tenants, rules::RuleStore& rules, EmulatorClock& clock);

}  // namespace lee::state
