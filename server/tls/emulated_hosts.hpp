#pragma once
// The hosts the emulator answers for: Tencent's REST API domains and the local machine. The leaf certificate
// names them, and proxy mode (CONNECT, absolute-form targets) serves only them, so the emulator is never an open
// proxy: nothing is ever forwarded anywhere.
#include <array>
#include <string>
#include <string_view>

namespace lee::tls {

// The documented REST domains (research notes section 0.2), exact names for clients that check them.
inline constexpr std::array<std::string_view, 7> kTencentRestDomains = {
    "console.tim.qq.com",       "adminapisgp.im.qcloud.com", "adminapiusa.im.qcloud.com", "adminapiidn.im.qcloud.com",
    "adminapikr.im.qcloud.com", "adminapiger.im.qcloud.com", "adminapiind.im.qcloud.com"};

// Domains whose every direct subdomain is Tencent's too (the certificate names them as wildcards): other regions,
// and the my-imcloud.com standby hosts the SDKs know.
inline constexpr std::array<std::string_view, 3> kTencentWildcardDomains = {"im.qcloud.com", "tim.qq.com",
                                                                            "my-imcloud.com"};

inline constexpr std::array<std::string_view, 3> kLocalHosts = {"localhost", "127.0.0.1", "::1"};

// `host` as a URL or a CONNECT line gives it (no port; an IPv6 address with or without brackets), compared
// without regard to case.
bool is_emulated_host(std::string_view host);

// "host:port" (CONNECT's authority form, "[v6]:port" too) → host; empty when it is not that form.
std::string host_of_authority(std::string_view authority);

}  // namespace lee::tls
