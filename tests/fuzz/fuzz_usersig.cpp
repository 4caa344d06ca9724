// lee::auth::verify_usersig on hostile input with a fixed key, identifier and sdkappid: it must never crash, hang or
// read out of bounds, whatever the bytes. The first byte picks how the rest is used:
//   0: the UserSig as sent in the query (base64, zlib, JSON all up to the verifier);
//   1: the inflated document: the rest is deflated and encoded the official way first, so the fuzzer works on the
//      JSON and the HMAC checks instead of on base64 and zlib framing;
//   2: an identifier: a UserSig generated for it (valid UTF-8, at most 512 bytes) verifies as ok for it and as a
//   mismatch for
//      another, on the emulator's own signer and verifier.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#define ZLIB_CONST
#include <zlib.h>

#include "auth/usersig.hpp"
#include "core/utf8.hpp"
#include "fuzz_check.hpp"

namespace {

using lee::auth::UserSigVerdict;
using lee::fuzz::check;

// The demo key, sdkappid and identifier of the official libraries' tests (tests/unit/usersig_test.cpp).
constexpr std::string_view kKey = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
constexpr std::uint64_t kAppId = 1400000000;
constexpr std::string_view kIdentifier = "xiaojun";
constexpr std::int64_t kNow = 1700000010;
constexpr std::size_t kMaxIdentifierBytes = 512;

std::string deflate_text(std::string_view text) {
    uLongf size = compressBound(static_cast<uLong>(text.size()));
    std::string out(size, '\0');
    if (compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
                 static_cast<uLong>(text.size())) != Z_OK) {
        return {};
    }
    out.resize(size);
    return out;
}

// URL-safe base64 as TLSSigAPIv2 writes it: '+' → '*', '/' → '-', '=' → '_'.
std::string encode_usersig(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        for (const int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
    }
    if (i + 1 == bytes.size()) {
        const std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '_', '_'};
    } else if (i + 2 == bytes.size()) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
        out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '_'};
    }
    return out;
}

UserSigVerdict verify(std::string_view usersig, std::string_view identifier = kIdentifier) {
    return lee::auth::verify_usersig(usersig, kKey, identifier, kAppId, kNow);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0: {
            const auto verdict = verify(rest);
            check(!rest.empty() || verdict == UserSigVerdict::empty, "an empty UserSig is not 'empty'");
            break;
        }
        case 1:
            verify(encode_usersig(deflate_text(rest)));
            break;
        default: {
            // Within the verifier's caps even when every byte is escaped as \u00XX (4 KiB inflated).
            if (rest.size() > kMaxIdentifierBytes || !lee::core::is_valid_utf8(rest)) break;
            const std::string usersig = lee::auth::generate_usersig(kAppId, kKey, rest, 86400, kNow - 10);
            check(verify(usersig, rest) == UserSigVerdict::ok, "a generated UserSig does not verify", rest);
            const std::string other = std::string(rest) + "x";
            check(verify(usersig, other) == UserSigVerdict::identifier_mismatch,
                  "a generated UserSig verifies for another identifier", rest);
            break;
        }
    }
    return 0;
}
