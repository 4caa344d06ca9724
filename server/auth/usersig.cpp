#include "auth/usersig.hpp"

// Lets zlib take a pointer to const input instead of needing a const_cast.
#define ZLIB_CONST
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <climits>
#include <optional>
#include <stdexcept>
#include <string>

namespace lee::auth {
namespace {

// Real UserSigs are about 200 characters; the caps only bound the work a hostile request can cause.
constexpr std::size_t kMaxEncodedSize = 8192;
constexpr std::size_t kMaxInflatedSize = 4096;
// The document is one flat object; a small depth keeps nesting bombs cheap to refuse.
constexpr std::size_t kMaxJsonDepth = 8;
constexpr std::size_t kHmacSize = 32;

using Hmac = std::array<unsigned char, kHmacSize>;

int base64_value(char c, bool url_safe) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || (url_safe && c == '*')) return 62;
    if (c == '/' || (url_safe && c == '-')) return 63;
    return -1;
}

bool is_base64_pad(char c, bool url_safe) { return c == '=' || (url_safe && c == '_'); }

// Strict about the alphabet, lenient about padding: some clients strip it, and the official url-safe alphabet and the
// standard one are both seen in the wild (url_safe accepts either).
std::optional<std::string> base64_decode(std::string_view in, bool url_safe) {
    std::size_t data_len = in.size();
    while (data_len > 0 && is_base64_pad(in[data_len - 1], url_safe)) --data_len;
    const std::size_t pad = in.size() - data_len;
    if (pad > 2 || (pad != 0 && in.size() % 4 != 0) || data_len % 4 == 1) return std::nullopt;

    std::string out;
    out.reserve(data_len / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < data_len; ++i) {
        const int v = base64_value(in[i], url_safe);
        if (v < 0) return std::nullopt;
        acc = ((acc << 6) | static_cast<std::uint32_t>(v)) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFFu));
        }
    }
    return out;
}

std::string base64_encode(std::string_view in) {
    if (in.size() > static_cast<std::size_t>(INT_MAX / 4 * 3 - 3)) throw std::length_error("base64 input too large");
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');  // +1: EVP_EncodeBlock writes a terminating NUL
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// Inflates into a fixed buffer so that a zip bomb costs at most kMaxInflatedSize bytes of output, never its full size.
// Anything but one complete zlib stream that uses all of the input is refused.
std::optional<std::string> inflate_bounded(std::string_view in) {
    if (in.empty() || in.size() > UINT_MAX) return std::nullopt;
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) return std::nullopt;
    // One spare byte tells an over-long stream apart from one that fills the cap exactly.
    std::string out(kMaxInflatedSize + 1, '\0');
    zs.next_in = reinterpret_cast<const Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    // Every Z_OK consumes input or produces output, both bounded, so the loop ends; a truncated stream ends in
    // Z_BUF_ERROR.
    int rc = Z_OK;
    while (rc == Z_OK && zs.avail_out > 0) rc = inflate(&zs, Z_NO_FLUSH);
    const bool complete = rc == Z_STREAM_END && zs.avail_in == 0 && zs.total_out <= kMaxInflatedSize;
    const std::size_t produced = zs.total_out;
    inflateEnd(&zs);
    if (!complete) return std::nullopt;
    out.resize(produced);
    return out;
}

struct SigDoc {
    std::string identifier;
    std::uint64_t sdkappid = 0;
    std::uint64_t time = 0;
    std::uint64_t expire = 0;
    std::string sig;
    std::optional<std::string> userbuf;
};

// Boost.JSON stores non-negative integers as int64 when they fit, uint64 beyond; doubles ("1e9", "1.0") are refused
// because the signer's decimal text, which the HMAC covers, cannot be recovered from them.
std::optional<std::uint64_t> json_unsigned(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = obj.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return std::nullopt;
}

std::optional<std::string> json_string(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = obj.if_contains(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    const boost::json::string& s = v->get_string();
    return std::string(s.data(), s.size());
}

std::optional<SigDoc> parse_sig_doc(std::string_view text) {
    boost::json::parse_options opts;
    opts.max_depth = kMaxJsonDepth;
    opts.allow_comments = false;
    opts.allow_trailing_commas = false;
    opts.allow_invalid_utf8 = false;
    boost::json::error_code ec;
    const boost::json::value root = boost::json::parse(text, ec, {}, opts);
    if (ec || !root.is_object()) return std::nullopt;
    const boost::json::object& obj = root.get_object();

    // TLS.ver's value is not checked: no official verifier does.
    if (!json_string(obj, "TLS.ver")) return std::nullopt;
    auto identifier = json_string(obj, "TLS.identifier");
    auto sdkappid = json_unsigned(obj, "TLS.sdkappid");
    auto time = json_unsigned(obj, "TLS.time");
    auto expire = json_unsigned(obj, "TLS.expire");
    auto sig = json_string(obj, "TLS.sig");
    if (!identifier || !sdkappid || !time || !expire || !sig) return std::nullopt;

    SigDoc doc{std::move(*identifier), *sdkappid, *time, *expire, std::move(*sig), std::nullopt};
    if (obj.contains("TLS.userbuf")) {
        doc.userbuf = json_string(obj, "TLS.userbuf");
        if (!doc.userbuf) return std::nullopt;
    }
    return doc;
}

// Integers go in as plain decimal; the line order is fixed by the official algorithm, unlike the JSON key order.
std::string signed_content(std::string_view identifier, const std::string& sdkappid, const std::string& time,
                           const std::string& expire, const std::optional<std::string>& userbuf) {
    std::string content;
    content.append("TLS.identifier:").append(identifier).append("\n");
    content.append("TLS.sdkappid:").append(sdkappid).append("\n");
    content.append("TLS.time:").append(time).append("\n");
    content.append("TLS.expire:").append(expire).append("\n");
    if (userbuf) content.append("TLS.userbuf:").append(*userbuf).append("\n");
    return content;
}

std::optional<Hmac> hmac_sha256(std::string_view key, std::string_view data) {
    if (key.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
    // An empty key is a valid HMAC key, but OpenSSL reads a null key pointer as "no key given".
    static const unsigned char kEmptyKey = 0;
    const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmptyKey) : key.data();
    Hmac md{};
    unsigned int md_len = 0;
    if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), md.data(), &md_len) == nullptr ||
        md_len != md.size()) {
        return std::nullopt;
    }
    return md;
}

UserSigVerdict verify_unguarded(std::string_view usersig, std::string_view secret_key, std::string_view identifier,
                                std::uint64_t sdkappid, std::int64_t now) {
    if (usersig.empty()) return UserSigVerdict::empty;
    if (usersig.size() > kMaxEncodedSize) return UserSigVerdict::illegal;
    const auto compressed = base64_decode(usersig, true);
    if (!compressed) return UserSigVerdict::illegal;
    const auto json = inflate_bounded(*compressed);
    if (!json) return UserSigVerdict::illegal;
    const auto doc = parse_sig_doc(*json);
    if (!doc) return UserSigVerdict::illegal;

    if (doc->identifier != identifier) return UserSigVerdict::identifier_mismatch;
    if (doc->sdkappid != sdkappid) return UserSigVerdict::sdkappid_mismatch;

    const auto expected =
        hmac_sha256(secret_key, signed_content(doc->identifier, std::to_string(doc->sdkappid),
                                               std::to_string(doc->time), std::to_string(doc->expire), doc->userbuf));
    // A TLS.sig that is not 32 bytes of base64 is what a wrong-key or hand-made sig looks like, so it is a signature
    // failure (70009) rather than a parse failure.
    const auto given = base64_decode(doc->sig, false);
    if (!expected || !given || given->size() != kHmacSize ||
        CRYPTO_memcmp(given->data(), expected->data(), kHmacSize) != 0) {
        return UserSigVerdict::signature_mismatch;
    }

    // now > time + expire, written so that a huge time or expire cannot overflow.
    if (now >= 0) {
        const auto unow = static_cast<std::uint64_t>(now);
        if (unow > doc->time && unow - doc->time > doc->expire) return UserSigVerdict::expired;
    }
    return UserSigVerdict::ok;
}

}  // namespace

UserSigVerdict verify_usersig(std::string_view usersig, std::string_view secret_key, std::string_view identifier,
                              std::uint64_t sdkappid, std::int64_t now_unix_seconds) {
    try {
        return verify_unguarded(usersig, secret_key, identifier, sdkappid, now_unix_seconds);
    } catch (...) {
        // Only allocation can throw here; a request that exhausts memory gets the same answer as a malformed one.
        return UserSigVerdict::illegal;
    }
}

std::string key_fingerprint(std::string_view secret_key) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(secret_key.data(), secret_key.size(), digest.data(), &size, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < 4 && i < size; ++i) {
        out.push_back(kHex[digest[i] >> 4U]);
        out.push_back(kHex[digest[i] & 0x0FU]);
    }
    return out;
}

std::string generate_usersig(std::uint64_t sdkappid, std::string_view secret_key, std::string_view identifier,
                             std::int64_t expire_seconds, std::int64_t now_unix_seconds) {
    // A negative time or expire would make a UserSig that every verifier, this one included, refuses.
    if (expire_seconds < 0 || now_unix_seconds < 0) throw std::invalid_argument("UserSig time and expire must be >= 0");

    const auto mac =
        hmac_sha256(secret_key, signed_content(identifier, std::to_string(sdkappid), std::to_string(now_unix_seconds),
                                               std::to_string(expire_seconds), std::nullopt));
    if (!mac) throw std::runtime_error("HMAC-SHA256 failed");

    // boost::json::object keeps insertion order, which here is the Node library's.
    boost::json::object doc;
    doc["TLS.ver"] = "2.0";
    doc["TLS.identifier"] = boost::json::string_view(identifier.data(), identifier.size());
    doc["TLS.sdkappid"] = sdkappid;
    doc["TLS.time"] = now_unix_seconds;
    doc["TLS.expire"] = expire_seconds;
    doc["TLS.sig"] = base64_encode(std::string_view(reinterpret_cast<const char*>(mac->data()), mac->size()));
    const std::string json = boost::json::serialize(doc);

    uLongf compressed_len = compressBound(static_cast<uLong>(json.size()));
    std::string compressed(compressed_len, '\0');
    if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_len,
                  reinterpret_cast<const Bytef*>(json.data()), static_cast<uLong>(json.size()),
                  Z_DEFAULT_COMPRESSION) != Z_OK) {
        throw std::runtime_error("zlib compress2 failed");
    }
    compressed.resize(compressed_len);

    std::string usersig = base64_encode(compressed);
    std::replace(usersig.begin(), usersig.end(), '+', '*');
    std::replace(usersig.begin(), usersig.end(), '/', '-');
    std::replace(usersig.begin(), usersig.end(), '=', '_');
    return usersig;
}

}  // namespace lee::auth
