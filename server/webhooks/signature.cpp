#include "webhooks/signature.hpp"

#include <array>

#include <openssl/evp.h>

namespace lee::webhooks {

std::string callback_sign(std::string_view token, std::int64_t request_time_seconds) {
    const std::string message = std::string(token) + std::to_string(request_time_seconds);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(message.data(), message.size(), digest.data(), &size, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(std::size_t{size} * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(kHex[digest[i] >> 4U]);
        out.push_back(kHex[digest[i] & 0x0FU]);
    }
    return out;
}

std::string callback_target_url(std::string_view url, std::uint64_t sdkappid, std::string_view callback_command) {
    std::string out(url);
    out.push_back(out.find('?') == std::string::npos ? '?' : '&');
    out.append("SdkAppid=").append(std::to_string(sdkappid));
    out.append("&CallbackCommand=").append(callback_command);  // letters and dots only: nothing to escape
    out.append("&contenttype=json&ClientIP=").append(kRestClientIp);
    out.append("&OptPlatform=RESTAPI");
    return out;
}

std::string signature_params(std::string_view token, std::int64_t request_time_seconds) {
    return "&Sign=" + callback_sign(token, request_time_seconds) +
           "&RequestTime=" + std::to_string(request_time_seconds);
}

}  // namespace lee::webhooks
