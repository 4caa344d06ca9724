#pragma once
// Fault rules as data: what rules/faults.json and POST /_emulator/faults hold, and the X-Emulator-Fault header's
// action syntax. Deciding which rule fires for a request is faults/'s job; this only reads and checks the shape.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/commands.hpp"
#include "core/transport.hpp"

namespace lee::rules {

inline constexpr std::size_t kMaxFaultIdBytes = 64;
inline constexpr std::size_t kMaxFaultPatternBytes = 256;
inline constexpr std::uint32_t kMaxFaultDelayMs = 600'000;
inline constexpr std::size_t kMaxFaultRules = 1000;

// Every field optional; a rule matches a request when each field it sets matches.
struct FaultMatch {
    std::optional<core::Command> command;
    std::optional<std::uint64_t> sdkappid;
    std::optional<std::string> room_id;     // glob: * any run of bytes, ? one byte
    std::optional<std::string> identifier;  // exact
};

// What happens to the webhook the request triggers (if it triggers one): never sent, sent twice, or sent late.
enum class CallbackFault : std::uint8_t { none, drop, duplicate, delay };

// At most one of error_code, http_status and network; delay_ms goes with any of them, or alone. `callback` acts on
// the request's webhook, not on its answer, so it goes with anything.
struct FaultAction {
    int error_code = 0;        // a code of the error table, in the normal envelope
    unsigned http_status = 0;  // a bare status, as a gateway would send
    std::uint32_t delay_ms = 0;
    core::NetworkFault network = core::NetworkFault::none;
    CallbackFault callback = CallbackFault::none;
    std::uint32_t callback_delay_ms = 0;  // for CallbackFault::delay

    bool replaces_answer() const { return error_code != 0 || http_status != 0 || network != core::NetworkFault::none; }
};

struct FaultRule {
    std::string id;  // empty until the store names it
    FaultMatch match;
    FaultAction action;
    std::optional<std::uint64_t> times;  // fires at most this often; unset: no limit
    std::uint64_t after = 0;             // the first `after` matches pass untouched
    double probability = 1.0;            // drawn from the generator seeded by --seed
};

// One rule object at JSON path `path`. Throws SettingError naming the path of the bad field. The read-only fields
// that GET /_emulator/faults adds (hits, fired, source) are accepted and ignored, so its output can be saved as a
// faults.json.
FaultRule parse_fault_rule(const boost::json::value& value, const std::string& path);

// A list of rules, `[...]` or `{"faults":[...]}`; ids must be unique. Throws SettingError.
std::vector<FaultRule> parse_fault_rule_list(const boost::json::value& value);

// rules/faults.json; rules without an id are named file-1, file-2, ... by their place. Throws RulesError naming
// the file, the line and the problem.
std::vector<FaultRule> parse_faults_file(std::string_view text, const std::string& file_name);

// The X-Emulator-Fault header: `error_code=100001`, `http_status=503`, `delay_ms=200`, `network=reset`, several
// joined by `;`;
// `callback=drop` (or `duplicate`, `delay_ms=N`) for the request's webhook. nullopt and `problem` set when it does not
// parse.
std::optional<FaultAction> parse_fault_header(std::string_view header, std::string& problem);

// The callback action's text, in faults.json and the header alike: `drop`, `duplicate` or `delay_ms=N`. Sets
// `action.callback` (and its delay); nullopt-like false and `problem` set when it does not parse.
bool parse_callback_fault(std::string_view text, FaultAction& action, std::string& problem);
std::string callback_fault_text(const FaultAction& action);

// * matches any run of bytes (also none), ? exactly one byte; everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

// The rule as JSON, in the shape parse_fault_rule reads.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const FaultRule& rule);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const FaultAction& action);

}  // namespace lee::rules
