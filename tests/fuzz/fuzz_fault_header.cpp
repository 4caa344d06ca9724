// lee::rules::parse_fault_header (the X-Emulator-Fault header) on arbitrary text. A refusal names its problem
// (starting "X-Emulator-Fault", as the 400 answer shows it); an accepted header is an action a fault rule accepts too
// (the README: "the same rules as a fault rule's action"), and written back as a header it parses to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include "core/transport.hpp"
#include "fuzz_check.hpp"
#include "rules/fault_rules.hpp"
#include "rules/rules_json.hpp"

namespace {

using lee::fuzz::check;
using lee::fuzz::fail;
using lee::rules::FaultAction;

bool same(const FaultAction& a, const FaultAction& b) {
    return a.error_code == b.error_code && a.http_status == b.http_status && a.delay_ms == b.delay_ms &&
           a.network == b.network && a.callback == b.callback && a.callback_delay_ms == b.callback_delay_ms;
}

std::string as_header(const FaultAction& action) {
    std::string out;
    auto item = [&out](std::string_view name, std::string_view value) {
        if (!out.empty()) out.push_back(';');
        out.append(name).append("=").append(value);
    };
    if (action.error_code != 0) item("error_code", std::to_string(action.error_code));
    if (action.http_status != 0) item("http_status", std::to_string(action.http_status));
    if (action.network != lee::core::NetworkFault::none) item("network", lee::core::network_fault_name(action.network));
    if (action.callback != lee::rules::CallbackFault::none) item("callback", lee::rules::callback_fault_text(action));
    if (action.delay_ms != 0 || out.empty()) item("delay_ms", std::to_string(action.delay_ms));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view header(reinterpret_cast<const char*>(data), size);
    std::string problem;
    const auto action = lee::rules::parse_fault_header(header, problem);
    if (!action) {
        check(problem.rfind("X-Emulator-Fault", 0) == 0, "a refused header's problem does not name the header",
              problem);
        return 0;
    }
    const int kinds =
        (action->error_code != 0) + (action->http_status != 0) + (action->network != lee::core::NetworkFault::none);
    check(kinds <= 1, "an accepted header has more than one of error_code, http_status and network", header);
    check(action->delay_ms <= lee::rules::kMaxFaultDelayMs, "an accepted header's delay is over the bound", header);

    const std::string again = as_header(*action);
    std::string second_problem;
    const auto reparsed = lee::rules::parse_fault_header(again, second_problem);
    check(reparsed && same(*reparsed, *action), "an accepted header written back does not parse to itself", again);

    boost::json::object rule;
    rule["action"] = boost::json::value_from(*action);
    try {
        const auto parsed = lee::rules::parse_fault_rule(rule, "$");
        check(same(parsed.action, *action), "a header's action reads differently as a fault rule",
              boost::json::serialize(rule));
    } catch (const lee::rules::SettingError& error) {
        fail(std::string("a fault rule refuses an action the header accepts: ") + error.what(), header);
    }
    return 0;
}
