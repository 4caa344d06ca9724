#include "auth/usersig.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using lee::auth::generate_usersig;
using lee::auth::UserSigVerdict;
using lee::auth::verify_usersig;

// Research notes §2.6: the demo key, sdkappid and identifier every official library's tests use.
constexpr std::string_view kKey = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
constexpr std::uint64_t kAppId = 1400000000;
constexpr std::int64_t kTime = 1700000000;
constexpr std::int64_t kNow = kTime + 10;

constexpr std::string_view kVector1 =
    "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpYJkTE1NjRDiJZm5YFFzNPXFmekgG3"
    "zKHM1T9D3LzdODi-OKs8vCqpxcAvydnV2SSv2cy03cPcpDnA2SMgu0nUxslWoBHdYzUg__";
constexpr std::string_view kVector2 =
    "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*"
    "UVQBcUp2YkFBZkpSlaGJgZQAJEpycxNBYqao4qmVhRkFgHFzQxMLGBixZn"
    "pQNOzDU39Q7ODwjMSswJ93ULDCrwNjPMtHSOjfAy1A4NMIp2LfSID83PCg8x9bZVqAc3uM3g_";
constexpr std::string_view kVector3 =
    "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5UInilOzEgoLMFCUrQxMDKIDIlGTmpgJFzVFFUysKMouA4hZmJjCh4sx0oKEmOaEVhW"
    "76TtqBwfpuGVWhxhYWvuHlJubFRu6e3ukFIc5uhuG54T76OaaRtkq1AG7JL20_";
constexpr std::string_view kVector1Sig = "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=";
constexpr std::string_view kVector2Sig = "k15OUkRWhajQMFUVpK03o9AYZL1+QR4YCsLYQolWR7M=";
constexpr std::string_view kVector3Sig = "4lUxqF/B+QS/FhzU388MWw47s2GIKgpTCF1WmWL/l5Y=";

// Strings rather than the enum, so a failing BOOST_TEST prints both sides readably.
std::string name(UserSigVerdict v) {
    switch (v) {
        case UserSigVerdict::ok:
            return "ok";
        case UserSigVerdict::empty:
            return "empty";
        case UserSigVerdict::illegal:
            return "illegal";
        case UserSigVerdict::identifier_mismatch:
            return "identifier_mismatch";
        case UserSigVerdict::sdkappid_mismatch:
            return "sdkappid_mismatch";
        case UserSigVerdict::signature_mismatch:
            return "signature_mismatch";
        case UserSigVerdict::expired:
            return "expired";
    }
    return "?";
}

std::string check(std::string_view usersig, std::int64_t now = kNow, std::string_view identifier = "xiaojun",
                  std::uint64_t sdkappid = kAppId, std::string_view key = kKey) {
    return name(verify_usersig(usersig, key, identifier, sdkappid, now));
}

std::string b64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string to_url_safe(std::string s) {
    for (char& c : s) {
        if (c == '+') c = '*';
        if (c == '/') c = '-';
        if (c == '=') c = '_';
    }
    return s;
}

std::string from_url_safe(std::string s) {
    for (char& c : s) {
        if (c == '*') c = '+';
        if (c == '-') c = '/';
        if (c == '_') c = '=';
    }
    return s;
}

std::string unb64(std::string_view in) {
    std::string out(in.size() / 4 * 3 + 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    BOOST_REQUIRE(n >= 0);
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes.
    for (std::size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) --len;
    out.resize(len);
    return out;
}

std::string zlib(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
    uLongf len = compressBound(static_cast<uLong>(data.size()));
    std::string out(len, '\0');
    BOOST_REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(data.data()),
                            static_cast<uLong>(data.size()), level) == Z_OK);
    out.resize(len);
    return out;
}

// window_bits as deflateInit2: negative for raw deflate, +16 for gzip.
std::string deflate_with(std::string_view data, int window_bits, std::string_view dictionary = {}) {
    z_stream zs{};
    BOOST_REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    if (!dictionary.empty()) {
        BOOST_REQUIRE(deflateSetDictionary(&zs, reinterpret_cast<const Bytef*>(dictionary.data()),
                                           static_cast<uInt>(dictionary.size())) == Z_OK);
    }
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    BOOST_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

// One zlib stream with a sync flush (an empty stored block) after every byte: valid, but far larger than its content.
std::string zlib_flushing_every_byte(std::string_view data) {
    z_stream zs{};
    BOOST_REQUIRE(deflateInit(&zs, Z_DEFAULT_COMPRESSION) == Z_OK);
    std::string out(data.size() * 16 + 64, '\0');
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    for (std::size_t i = 0; i <= data.size(); ++i) {
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + i));
        zs.avail_in = i < data.size() ? 1 : 0;
        const int flush = i < data.size() ? Z_SYNC_FLUSH : Z_FINISH;
        BOOST_REQUIRE(deflate(&zs, flush) == (flush == Z_FINISH ? Z_STREAM_END : Z_OK));
    }
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

std::string unzlib(std::string_view data) {
    uLongf len = 1 << 20;
    std::string out(len, '\0');
    BOOST_REQUIRE(uncompress(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(data.data()),
                             static_cast<uLong>(data.size())) == Z_OK);
    out.resize(len);
    return out;
}

std::string usersig_of(std::string_view json, int level = Z_DEFAULT_COMPRESSION) {
    return to_url_safe(b64(zlib(json, level)));
}

std::string decode_usersig(std::string_view usersig) { return unzlib(unb64(from_url_safe(std::string(usersig)))); }

std::string hmac_b64(std::string_view key, std::string_view content) {
    unsigned char md[32];
    unsigned int len = 0;
    BOOST_REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                       reinterpret_cast<const unsigned char*>(content.data()), content.size(), md, &len) != nullptr);
    return b64(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string content_of(std::string_view id, std::string_view appid, std::string_view time, std::string_view expire) {
    return "TLS.identifier:" + std::string(id) + "\nTLS.sdkappid:" + std::string(appid) +
           "\nTLS.time:" + std::string(time) + "\nTLS.expire:" + std::string(expire) + "\n";
}

// A JSON document as (key, raw JSON value text) pairs, so tests can put any type or malformed text in a field.
using Fields = std::vector<std::pair<std::string, std::string>>;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Fields vector1_fields() {
    return {{"TLS.ver", quoted("2.0")},     {"TLS.identifier", quoted("xiaojun")},
            {"TLS.sdkappid", "1400000000"}, {"TLS.time", "1700000000"},
            {"TLS.expire", "15552000"},     {"TLS.sig", quoted(kVector1Sig)}};
}

// Fields with matching HMAC for arbitrary (raw decimal) values.
Fields signed_fields(std::string_view id, std::string_view appid, std::string_view time, std::string_view expire,
                     std::string_view key = kKey) {
    return {
        {"TLS.ver", quoted("2.0")},           {"TLS.identifier", quoted(id)},
        {"TLS.sdkappid", std::string(appid)}, {"TLS.time", std::string(time)},
        {"TLS.expire", std::string(expire)},  {"TLS.sig", quoted(hmac_b64(key, content_of(id, appid, time, expire)))}};
}

Fields with(Fields f, const std::string& key, const std::string& raw) {
    for (auto& [k, v] : f) {
        if (k == key) {
            v = raw;
            return f;
        }
    }
    f.emplace_back(key, raw);
    return f;
}

Fields without(Fields f, const std::string& key) {
    std::erase_if(f, [&](const auto& kv) { return kv.first == key; });
    return f;
}

std::string json_of(const Fields& f) {
    std::string out = "{";
    for (const auto& [k, v] : f) {
        if (out.size() > 1) out += ",";
        out += quoted(k) + ":" + v;
    }
    return out + "}";
}

std::string usersig_of(const Fields& f, int level = Z_DEFAULT_COMPRESSION) { return usersig_of(json_of(f), level); }

std::size_t padding_of(std::string_view s) {
    std::size_t n = 0;
    while (n < s.size() && s[s.size() - 1 - n] == '_') ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(usersig)

BOOST_AUTO_TEST_CASE(published_vectors_verify) {
    BOOST_TEST(check(kVector1) == "ok");
    BOOST_TEST(check(kVector2, kNow, "administrator") == "ok");
    BOOST_TEST(check(kVector3, kNow, "admin") == "ok");
}

BOOST_AUTO_TEST_CASE(published_vectors_decode_to_the_published_sigs) {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {kVector1, kVector1Sig}, {kVector2, kVector2Sig}, {kVector3, kVector3Sig}};
    for (const auto& [usersig, sig] : vectors) {
        const boost::json::value doc = boost::json::parse(decode_usersig(usersig));
        BOOST_TEST(doc.at("TLS.sig").as_string() == sig);
    }
    // The content layout itself, independently of the module.
    BOOST_TEST(hmac_b64(kKey, content_of("xiaojun", "1400000000", "1700000000", "15552000")) == kVector1Sig);
    BOOST_TEST(hmac_b64(kKey, content_of("administrator", "1400000000", "1700000000", "604800")) == kVector2Sig);
    BOOST_TEST(hmac_b64(kKey, content_of("admin", "1400000000", "1700000000", "86400")) == kVector3Sig);
}

BOOST_AUTO_TEST_CASE(empty_usersig) { BOOST_TEST(check("") == "empty"); }

BOOST_AUTO_TEST_CASE(characters_outside_the_alphabet_are_illegal) {
    const std::string base(kVector1);
    for (const char bad : {' ', '\n', '\t', '.', '!', '~', '%', '\0', '\x7f', '\xff', '\xc3'}) {
        for (const std::size_t pos : {std::size_t{0}, std::size_t{10}, base.size() / 2, base.size() - 3}) {
            std::string s = base;
            s[pos] = bad;
            BOOST_TEST(check(s) == "illegal", "char " << static_cast<int>(bad) << " at " << pos);
        }
    }
    BOOST_TEST(check(base + "\n") == "illegal");
    BOOST_TEST(check(" " + base) == "illegal");
    BOOST_TEST(check(base + "\r\n") == "illegal");
    BOOST_TEST(check("%2A" + base) == "illegal");
}

BOOST_AUTO_TEST_CASE(base64_alphabet_and_padding_variants) {
    const std::string base(kVector1);
    BOOST_REQUIRE(base.ends_with("__"));
    const std::string unpadded = base.substr(0, base.size() - 2);
    BOOST_TEST(check(unpadded) == "ok");
    BOOST_TEST(check(from_url_safe(base)) == "ok");  // plain + / =
    BOOST_TEST(check(from_url_safe(unpadded)) == "ok");
    BOOST_TEST(check(unpadded + "_") == "illegal");  // half the padding
    BOOST_TEST(check(base + "_") == "illegal");      // too much padding
    BOOST_TEST(check(base + "____") == "illegal");
    BOOST_TEST(check(base + "AAAA") == "illegal");  // data after padding
    BOOST_TEST(check("_") == "illegal");
    BOOST_TEST(check("____") == "illegal");
    BOOST_TEST(check("A") == "illegal");
    BOOST_TEST(check("AAAA") == "illegal");
    std::string padding_inside = base;
    padding_inside[20] = '_';
    BOOST_TEST(check(padding_inside) == "illegal");
    BOOST_TEST(check(unpadded + "A") == "illegal");  // length % 4 == 1 cannot be base64
}

BOOST_AUTO_TEST_CASE(truncated_usersigs_are_illegal) {
    for (const std::string_view v : {kVector1, kVector2, kVector3}) {
        // Dropping only padding leaves the same bytes (accepted); dropping any data character truncates the stream.
        const std::size_t data_len = v.size() - padding_of(v);
        for (std::size_t len = 1; len < data_len; ++len) {
            const std::string verdict = check(v.substr(0, len), kNow, "admin");
            BOOST_TEST(verdict == "illegal", "prefix length " << len);
        }
    }
}

BOOST_AUTO_TEST_CASE(corrupted_usersigs_are_illegal) {
    // Any change to the compressed bytes breaks the zlib header, the deflate data or the Adler-32 check. The last
    // quantum is left alone: its spare low bits are ignored, as every lenient base64 decoder does.
    const std::string base(kVector1);
    const std::size_t stop = base.size() - 4;
    for (std::size_t pos = 0; pos < stop; ++pos) {
        std::string s = base;
        s[pos] = s[pos] == 'A' ? 'B' : 'A';
        BOOST_TEST(check(s) == "illegal", "position " << pos);
    }
    std::string raw = zlib(json_of(vector1_fields()));
    raw.back() = static_cast<char>(raw.back() ^ 1);  // Adler-32
    BOOST_TEST(check(to_url_safe(b64(raw))) == "illegal");
}

BOOST_AUTO_TEST_CASE(not_zlib_is_illegal) {
    const std::string json = json_of(vector1_fields());
    BOOST_TEST(check(to_url_safe(b64(json))) == "illegal");  // uncompressed
    BOOST_TEST(check(to_url_safe(b64("hello world"))) == "illegal");
    BOOST_TEST(check(to_url_safe(b64(deflate_with(json, -15)))) == "illegal");         // raw deflate
    BOOST_TEST(check(to_url_safe(b64(deflate_with(json, 15 + 16)))) == "illegal");     // gzip
    BOOST_TEST(check(to_url_safe(b64(deflate_with(json, 15, "TLS.")))) == "illegal");  // needs a preset dictionary
    BOOST_TEST(check(to_url_safe(b64(std::string(1, '\x78')))) == "illegal");
    BOOST_TEST(check(to_url_safe(b64(std::string("\x78\x9c", 2)))) == "illegal");
}

BOOST_AUTO_TEST_CASE(zlib_of_anything_but_the_sig_object_is_illegal) {
    const std::string json = json_of(vector1_fields());
    for (const std::string& doc :
         {std::string(), std::string("hello"), std::string("null"), std::string("42"), std::string("\"TLS.sig\""),
          "[" + json + "]", json + json, json + ",", json.substr(0, json.size() - 1), std::string("{}"),
          std::string("{\"TLS.ver\":}"), "/* c */" + json, json.substr(0, json.size() - 1) + ",}",
          json + std::string(1, '\0'), "\xef\xbb\xbf" + json}) {
        BOOST_TEST(check(usersig_of(doc)) == "illegal", "doc " << doc);
    }
}

BOOST_AUTO_TEST_CASE(missing_fields_are_illegal) {
    for (const char* key : {"TLS.ver", "TLS.identifier", "TLS.sdkappid", "TLS.time", "TLS.expire", "TLS.sig"}) {
        BOOST_TEST(check(usersig_of(without(vector1_fields(), key))) == "illegal", "without " << key);
    }
}

BOOST_AUTO_TEST_CASE(mistyped_fields_are_illegal) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"TLS.ver", "2.0"},
        {"TLS.ver", "null"},
        {"TLS.identifier", "42"},
        {"TLS.identifier", "[\"xiaojun\"]"},
        {"TLS.identifier", "null"},
        {"TLS.sdkappid", "\"1400000000\""},
        {"TLS.sdkappid", "1400000000.0"},
        {"TLS.sdkappid", "1.4e9"},
        {"TLS.sdkappid", "-1400000000"},
        {"TLS.sdkappid", "true"},
        {"TLS.sdkappid", "null"},
        {"TLS.sdkappid", "18446744073709551616"},  // beyond uint64: parsed as a double
        {"TLS.time", "\"1700000000\""},
        {"TLS.time", "1700000000.5"},
        {"TLS.time", "1.7e9"},
        {"TLS.time", "-1"},
        {"TLS.time", "{}"},
        {"TLS.expire", "\"15552000\""},
        {"TLS.expire", "15552000.0"},
        {"TLS.expire", "-15552000"},
        {"TLS.expire", "false"},
        {"TLS.sig", "42"},
        {"TLS.sig", "null"},
        {"TLS.sig", "[\"LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=\"]"},
        {"TLS.userbuf", "42"},
        {"TLS.userbuf", "null"},
        {"TLS.userbuf", "{}"},
        {"TLS.sdkappid", "01400000000"},  // leading zero: not JSON
        {"TLS.time", "+1700000000"},
    };
    for (const auto& [key, raw] : cases) {
        BOOST_TEST(check(usersig_of(with(vector1_fields(), key, raw))) == "illegal", key << " = " << raw);
    }
}

BOOST_AUTO_TEST_CASE(unknown_fields_and_key_orders_are_accepted) {
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.extra", "{\"a\":[1,{\"b\":null}]}"))) == "ok");
    // The C++ library's order: ver, sdkappid, identifier, ...; and its compression level.
    Fields cpp_order = vector1_fields();
    std::swap(cpp_order[1], cpp_order[2]);
    BOOST_TEST(check(usersig_of(cpp_order, Z_BEST_SPEED)) == "ok");
    Fields reversed = vector1_fields();
    std::reverse(reversed.begin(), reversed.end());
    BOOST_TEST(check(usersig_of(reversed)) == "ok");
    // Whitespace anywhere JSON allows it.
    BOOST_TEST(
        check(usersig_of("\n { \"TLS.ver\" : \"2.0\" , \"TLS.identifier\":\"xiaojun\",\"TLS.sdkappid\":1400000000,"
                         "\"TLS.time\":1700000000,\"TLS.expire\":15552000,\"TLS.sig\":\"" +
                         std::string(kVector1Sig) + "\"}\r\n\t ")) == "ok");
}

BOOST_AUTO_TEST_CASE(every_compression_level_is_accepted) {
    for (int level = 0; level <= 9; ++level) {
        BOOST_TEST(check(usersig_of(vector1_fields(), level)) == "ok", "level " << level);
    }
    // Go's writer uses NoCompression: stored blocks only.
    const std::string stored = zlib(json_of(vector1_fields()), Z_NO_COMPRESSION);
    BOOST_TEST((static_cast<unsigned char>(stored[0]) == 0x78 && static_cast<unsigned char>(stored[1]) == 0x01));
    BOOST_TEST(check(to_url_safe(b64(stored))) == "ok");
}

BOOST_AUTO_TEST_CASE(trailing_garbage_after_the_zlib_stream_is_illegal) {
    const std::string raw = zlib(json_of(vector1_fields()));
    BOOST_TEST(check(to_url_safe(b64(raw))) == "ok");
    BOOST_TEST(check(to_url_safe(b64(raw + std::string(1, '\0')))) == "illegal");
    BOOST_TEST(check(to_url_safe(b64(raw + "garbage"))) == "illegal");
    BOOST_TEST(check(to_url_safe(b64(raw + raw))) == "illegal");
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_illegal) {
    const std::string deep_array = std::string(100, '[') + std::string(100, ']');
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.extra", deep_array))) == "illegal");
    std::string deep_object;
    for (int i = 0; i < 20; ++i) deep_object += "{\"a\":";
    deep_object += "1" + std::string(20, '}');
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.extra", deep_object))) == "illegal");
    BOOST_TEST(check(usersig_of(std::string(3000, '['))) == "illegal");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_illegal) {
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.identifier", quoted("xiao\xffjun"))), kNow,
                     "xiao\xffjun") == "illegal");
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.ver", quoted("\xc3"))), kNow) == "illegal");
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.ver", quoted("\xed\xa0\x80")))) == "illegal");  // surrogate
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.ver", quoted("\xc0\xaf")))) == "illegal");      // overlong
}

BOOST_AUTO_TEST_CASE(identifier_is_compared_after_json_unescaping) {
    // The HMAC covers the decoded identifier, so an escaped spelling of the same string is the same UserSig.
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.identifier", quoted("xiao\\u006aun")))) == "ok");
    const std::string utf8_id = "\xe5\xb0\x8f\xe5\x86\x9b";  // 小军
    BOOST_TEST(check(usersig_of(signed_fields(utf8_id, "1400000000", "1700000000", "86400")), kNow, utf8_id) == "ok");
}

BOOST_AUTO_TEST_CASE(oversized_input_is_illegal) {
    BOOST_TEST(check(std::string(8 * 1024 + 1, 'A')) == "illegal");
    BOOST_TEST(check(std::string(1 << 20, 'A')) == "illegal");
    // A valid document made too long only by JSON whitespace, stored uncompressed.
    const std::string big = usersig_of(json_of(vector1_fields()) + std::string(7000, ' '), Z_NO_COMPRESSION);
    BOOST_TEST(big.size() > 8u * 1024);
    BOOST_TEST(check(big) == "illegal");
}

BOOST_AUTO_TEST_CASE(encoded_size_cap_applies_even_when_the_content_is_small) {
    const std::string json = json_of(vector1_fields());
    const std::string flushed = to_url_safe(b64(zlib_flushing_every_byte(json)));
    BOOST_TEST(flushed.size() < 8u * 1024);
    BOOST_TEST(check(flushed) == "ok");
    // Inflates to well under the inflated cap, so only the encoded-size cap refuses it.
    const std::string padded = json + std::string(1500, ' ');
    const std::string big = to_url_safe(b64(zlib_flushing_every_byte(padded)));
    BOOST_TEST(big.size() > 8u * 1024);
    BOOST_TEST(check(big) == "illegal");
}

BOOST_AUTO_TEST_CASE(inflated_size_cap_boundary) {
    const std::string json = json_of(vector1_fields());
    BOOST_TEST(check(usersig_of(json + std::string(4096 - json.size(), ' '))) == "ok");
    BOOST_TEST(check(usersig_of(json + std::string(4097 - json.size(), ' '))) == "illegal");
    BOOST_TEST(check(usersig_of(std::string(4096 - json.size(), ' ') + json, Z_NO_COMPRESSION)) == "ok");
}

BOOST_AUTO_TEST_CASE(zip_bombs_are_illegal) {
    // Small enough once encoded to get past the input cap, so only the bounded inflate stops them.
    for (const char fill : {' ', '{', '['}) {
        const std::string bomb = usersig_of(std::string(1 << 20, fill), Z_BEST_COMPRESSION);
        BOOST_TEST(bomb.size() < 8u * 1024);
        BOOST_TEST(check(bomb) == "illegal", "fill " << fill);
    }
    // A bomb whose JSON prefix is valid, so only the inflated size gives it away.
    const std::string valid_prefix = usersig_of(json_of(vector1_fields()) + std::string(1 << 20, ' '), 9);
    BOOST_TEST(valid_prefix.size() < 8u * 1024);
    BOOST_TEST(check(valid_prefix) == "illegal");
    BOOST_TEST(check(usersig_of(std::string(10 << 20, ' '), Z_BEST_COMPRESSION)) == "illegal");
    BOOST_TEST(check(usersig_of(std::string(10 << 20, '{'), Z_BEST_COMPRESSION)) == "illegal");
}

BOOST_AUTO_TEST_CASE(identifier_mismatch) {
    for (const std::string_view id : {"xiaojun2", "Xiaojun", "", "xiaoju", "xiaojun "}) {
        BOOST_TEST(check(kVector1, kNow, id) == "identifier_mismatch", "identifier '" << id << "'");
    }
    BOOST_TEST(check(kVector1, kNow, std::string_view("xiaojun\0", 8)) == "identifier_mismatch");
    // Checked first: a wrong sdkappid, wrong key and expiry all present at once.
    BOOST_TEST(check(kVector1, kNow + 100000000, "admin", 1, "other key") == "identifier_mismatch");
}

BOOST_AUTO_TEST_CASE(sdkappid_mismatch) {
    BOOST_TEST(check(kVector1, kNow, "xiaojun", kAppId + 1) == "sdkappid_mismatch");
    BOOST_TEST(check(kVector1, kNow, "xiaojun", 0) == "sdkappid_mismatch");
    BOOST_TEST(check(kVector1, kNow, "xiaojun", kAppId + (std::uint64_t{1} << 32)) == "sdkappid_mismatch");
    // Before the signature and expiry checks.
    BOOST_TEST(check(kVector1, kNow + 100000000, "xiaojun", 1400000001, "other key") == "sdkappid_mismatch");
    // The full uint64 range, beyond int64.
    const std::string max = std::to_string(std::numeric_limits<std::uint64_t>::max());
    const std::string sig = usersig_of(signed_fields("xiaojun", max, "1700000000", "86400"));
    BOOST_TEST(check(sig, kNow, "xiaojun", std::numeric_limits<std::uint64_t>::max()) == "ok");
    BOOST_TEST(check(sig, kNow, "xiaojun", std::numeric_limits<std::uint64_t>::max() - 1) == "sdkappid_mismatch");
}

BOOST_AUTO_TEST_CASE(signature_mismatch) {
    BOOST_TEST(check(kVector1, kNow, "xiaojun", kAppId, "wrong key") == "signature_mismatch");
    BOOST_TEST(check(kVector1, kNow, "xiaojun", kAppId, "") == "signature_mismatch");
    BOOST_TEST(check(kVector1, kNow, "xiaojun", kAppId, kKey.substr(1)) == "signature_mismatch");
    std::string upper(kKey);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST(check(kVector1, kNow, "xiaojun", kAppId, upper) == "signature_mismatch");
    // Checked before expiry.
    BOOST_TEST(check(kVector1, kNow + 100000000, "xiaojun", kAppId, "wrong key") == "signature_mismatch");
}

BOOST_AUTO_TEST_CASE(tampered_fields_break_the_signature) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"TLS.time", "1700000001"},
        {"TLS.time", "1800000000"},
        {"TLS.expire", "15552001"},
        {"TLS.expire", "999999999"},
        {"TLS.sig", quoted("MvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=")},
        {"TLS.sig", quoted("LvA7d-Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip*B4_")},  // url-safe alphabet inside TLS.sig
        {"TLS.sig", quoted("LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=AAAA")},
        {"TLS.sig", quoted("LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip")},  // 30 bytes
        {"TLS.sig", quoted("")},
        {"TLS.sig", quoted("!!!!")},
        {"TLS.sig", quoted("2e7ef03b77f230ee04ac9ec92f5730433ce0820dbb8d0b0e061f04c2d1b8a9f8")},  // hex, not base64
        {"TLS.userbuf", quoted("")},  // the HMAC then covers a userbuf line the signer never had
    };
    for (const auto& [key, raw] : cases) {
        BOOST_TEST(check(usersig_of(with(vector1_fields(), key, raw))) == "signature_mismatch", key << " = " << raw);
    }
    // The right 32 bytes followed by more must not pass on a prefix comparison.
    const std::string good = unb64(kVector1Sig);
    BOOST_REQUIRE(good.size() == 32u);
    for (const std::string& longer : {good + std::string(1, '\0'), good + std::string(3, '\0'), good + good}) {
        BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.sig", quoted(b64(longer))))) == "signature_mismatch");
    }
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.sig", quoted(b64(good.substr(0, 31)))))) ==
               "signature_mismatch");
    // TLS.sig without its padding still decodes to the same 32 bytes.
    BOOST_TEST(check(usersig_of(
                   with(vector1_fields(), "TLS.sig", quoted(kVector1Sig.substr(0, kVector1Sig.size() - 1))))) == "ok");
    // A known wrong third-party generator: extra "TLS.ext:undefined" line and url-safe HMAC.
    const std::string wrong_content =
        content_of("xiaojun", "1400000000", "1700000000", "15552000") + "TLS.ext:undefined\n";
    BOOST_TEST(check(usersig_of(with(vector1_fields(), "TLS.sig", quoted(hmac_b64(kKey, wrong_content))))) ==
               "signature_mismatch");
}

BOOST_AUTO_TEST_CASE(userbuf_is_covered_by_the_signature) {
    const std::string userbuf = "AAAAAQ==";
    const std::string content =
        content_of("xiaojun", "1400000000", "1700000000", "86400") + "TLS.userbuf:" + userbuf + "\n";
    Fields f = signed_fields("xiaojun", "1400000000", "1700000000", "86400");
    f = with(f, "TLS.userbuf", quoted(userbuf));
    f = with(f, "TLS.sig", quoted(hmac_b64(kKey, content)));
    BOOST_TEST(check(usersig_of(f)) == "ok");
    BOOST_TEST(check(usersig_of(with(f, "TLS.userbuf", quoted("AAAAAg==")))) == "signature_mismatch");
    BOOST_TEST(check(usersig_of(without(f, "TLS.userbuf"))) == "signature_mismatch");
}

BOOST_AUTO_TEST_CASE(expiry_boundary) {
    BOOST_TEST(check(kVector3, kTime + 86400, "admin") == "ok");
    BOOST_TEST(check(kVector3, kTime + 86401, "admin") == "expired");
    BOOST_TEST(check(kVector1, kTime + 15552000) == "ok");
    BOOST_TEST(check(kVector1, kTime + 15552001) == "expired");
    BOOST_TEST(check(kVector1, std::numeric_limits<std::int64_t>::max()) == "expired");
    // A UserSig from the future (clock skew) and a negative clock are not expired.
    BOOST_TEST(check(kVector1, kTime - 1000) == "ok");
    BOOST_TEST(check(kVector1, -1) == "ok");
    BOOST_TEST(check(kVector1, std::numeric_limits<std::int64_t>::min()) == "ok");

    const std::string zero = usersig_of(signed_fields("xiaojun", "1400000000", "1700000000", "0"));
    BOOST_TEST(check(zero, kTime) == "ok");
    BOOST_TEST(check(zero, kTime + 1) == "expired");

    // time + expire overflows uint64: must not wrap round into "expired".
    const std::string u64max = std::to_string(std::numeric_limits<std::uint64_t>::max());
    const std::string huge = usersig_of(signed_fields("xiaojun", "1400000000", u64max, u64max));
    BOOST_TEST(check(huge, kNow) == "ok");
    BOOST_TEST(check(huge, std::numeric_limits<std::int64_t>::max()) == "ok");
    const std::string huge_expire = usersig_of(signed_fields("xiaojun", "1400000000", "1700000000", u64max));
    BOOST_TEST(check(huge_expire, std::numeric_limits<std::int64_t>::max()) == "ok");
}

BOOST_AUTO_TEST_CASE(generate_then_verify_round_trip) {
    const std::int64_t now = 1712345678;
    const std::string sig = generate_usersig(kAppId, kKey, "xiaojun", 86400, now);
    BOOST_TEST(sig.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-_") ==
               std::string::npos);
    BOOST_TEST(sig.starts_with("eJ"));
    BOOST_TEST(check(sig, now) == "ok");
    BOOST_TEST(check(sig, now + 86400) == "ok");
    BOOST_TEST(check(sig, now + 86401) == "expired");
    BOOST_TEST(check(sig, now, "xiaojun", kAppId, "other") == "signature_mismatch");
    BOOST_TEST(check(sig, now, "other") == "identifier_mismatch");
    BOOST_TEST(check(sig, now, "xiaojun", 1400000001) == "sdkappid_mismatch");

    for (const std::string_view id : {"administrator", "a\"b\\c\n\x01/d", "\xe5\xb0\x8f\xe5\x86\x9b", "", "user_1-2"}) {
        const std::string s = generate_usersig(20000001, "k", id, 0, now);
        BOOST_TEST(check(s, now, id, 20000001, "k") == "ok", "identifier " << id);
    }
    const std::string empty_key = generate_usersig(kAppId, "", "xiaojun", 60, now);
    BOOST_TEST(check(empty_key, now, "xiaojun", kAppId, "") == "ok");
    BOOST_TEST(check(empty_key, now, "xiaojun", kAppId, "x") == "signature_mismatch");
    const std::string max_app = generate_usersig(std::numeric_limits<std::uint64_t>::max(), kKey, "u", 60, now);
    BOOST_TEST(check(max_app, now, "u", std::numeric_limits<std::uint64_t>::max()) == "ok");
}

BOOST_AUTO_TEST_CASE(generate_matches_vector1_and_the_node_layout) {
    const std::string sig = generate_usersig(kAppId, kKey, "xiaojun", 15552000, kTime);
    BOOST_TEST(check(sig) == "ok");
    const std::string json = decode_usersig(sig);
    BOOST_TEST(boost::json::parse(json).at("TLS.sig").as_string() == kVector1Sig);
    BOOST_TEST(json ==
               "{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"xiaojun\",\"TLS.sdkappid\":1400000000,"
               "\"TLS.time\":1700000000,\"TLS.expire\":15552000,\"TLS.sig\":\"" +
                   std::string(kVector1Sig) + "\"}");
    const std::string raw = unb64(from_url_safe(sig));
    BOOST_TEST((static_cast<unsigned char>(raw[0]) == 0x78 && static_cast<unsigned char>(raw[1]) == 0x9c));
    // Node's zlib.deflateSync level; Node's bundled zlib (a 1.3.1 fork) still emits other bytes for the same JSON.
    BOOST_TEST(raw == zlib(json));
}

BOOST_AUTO_TEST_CASE(generate_refuses_negative_values) {
    BOOST_CHECK_THROW(generate_usersig(kAppId, kKey, "xiaojun", -1, kTime), std::invalid_argument);
    BOOST_CHECK_THROW(generate_usersig(kAppId, kKey, "xiaojun", 60, -1), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
