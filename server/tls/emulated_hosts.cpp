#include "tls/emulated_hosts.hpp"

#include <algorithm>
#include <cctype>

namespace lee::tls {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

bool is_emulated_host(std::string_view raw) {
    if (raw.size() >= 2 && raw.front() == '[' && raw.back() == ']') raw = raw.substr(1, raw.size() - 2);
    std::string host = lower(raw);
    if (!host.empty() && host.back() == '.') host.pop_back();  // the fully qualified spelling
    if (std::find(kLocalHosts.begin(), kLocalHosts.end(), host) != kLocalHosts.end()) return true;
    if (std::find(kTencentRestDomains.begin(), kTencentRestDomains.end(), host) != kTencentRestDomains.end()) {
        return true;
    }
    // One label in front of a wildcard domain, as the certificate's *.domain covers.
    return std::any_of(kTencentWildcardDomains.begin(), kTencentWildcardDomains.end(), [&](std::string_view domain) {
        if (host.size() <= domain.size() + 1) return false;
        const std::string_view label = std::string_view(host).substr(0, host.size() - domain.size() - 1);
        return host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
               host[host.size() - domain.size() - 1] == '.' && label.find('.') == std::string_view::npos;
    });
}

std::string host_of_authority(std::string_view authority) {
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos || !all_digits(authority.substr(colon + 1))) return {};
    std::string_view host = authority.substr(0, colon);
    if (host.empty()) return {};
    if (host.front() == '[') {
        if (host.back() != ']') return {};
        return std::string(host.substr(1, host.size() - 2));
    }
    return std::string(host);
}

}  // namespace lee::tls
