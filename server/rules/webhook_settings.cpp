#include "rules/webhook_settings.hpp"

#include <algorithm>

#include <boost/url/parse.hpp>

namespace lee::rules {

bool WebhookSettings::wants(std::string_view callback_command) const {
    if (url.empty()) return false;
    return !events || std::find(events->begin(), events->end(), callback_command) != events->end();
}

std::string callback_url_problem(std::string_view url) {
    if (url.size() > kMaxCallbackUrlBytes) return "must be at most " + std::to_string(kMaxCallbackUrlBytes) + " bytes";
    const auto parsed = boost::urls::parse_uri(url);  // a fragment parses here, to be named below
    if (!parsed) return "must be an absolute http or https URL";
    if (parsed->scheme_id() != boost::urls::scheme::http && parsed->scheme_id() != boost::urls::scheme::https) {
        return "must start with http:// or https://";
    }
    if (parsed->encoded_host().empty()) return "must name a host";
    if (parsed->has_userinfo()) return "must not carry user info";
    if (parsed->has_fragment()) return "must not carry a fragment (#...)";
    if (parsed->has_port() && (parsed->port_number() == 0 || parsed->port().size() > 5)) return "has a bad port";
    return {};
}

std::string callback_command_problem(std::string_view name) {
    constexpr std::string_view kPrefix = "Live.Callback";
    const bool letters = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    });
    if (name.size() <= kPrefix.size() || name.size() > kMaxCallbackCommandBytes ||
        name.substr(0, kPrefix.size()) != kPrefix || !letters) {
        return "must be a Live callback command such as Live.CallbackAfterCreateRoom";
    }
    return {};
}

std::string callback_token_problem(std::string_view token) {
    const bool printable = std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7F; });
    if (token.empty() || token.size() > kMaxCallbackTokenBytes || !printable) {
        return "must be 1.." + std::to_string(kMaxCallbackTokenBytes) + " characters of printable ASCII";
    }
    return {};
}

}  // namespace lee::rules
