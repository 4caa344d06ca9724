#include "api/query.hpp"

#include <array>
#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/url_view.hpp>

namespace lee::api {
namespace {

// '+' stays '+': clients paste UserSigs and identifiers into the query unencoded (see README). `out` is `raw`
// itself when there is nothing to decode (the usual case), else the decoded text held in `scratch`, which must not
// move while `out` is used; false on a broken escape.
bool decode(std::string_view raw, std::string& scratch, std::string_view& out) {
    if (raw.find('%') == std::string_view::npos) {
        out = raw;
        return true;
    }
    const auto escaped = boost::urls::make_pct_string_view(raw);
    if (!escaped) return false;
    boost::urls::encoding_opts options;
    options.space_as_plus = false;
    scratch = escaped->decode(options);
    out = scratch;
    return true;
}

// The parameter's place in the query, and the index of the storage its decoded value would take.
std::optional<std::string_view>* slot_for(CommonQuery& query, std::string_view name, std::size_t& index) {
    index = 0;
    if (name == "sdkappid") return &query.sdkappid;
    index = 1;
    if (name == "identifier") return &query.identifier;
    index = 2;
    if (name == "usersig") return &query.usersig;
    index = 3;
    if (name == "random") return &query.random;
    index = 4;
    if (name == "contenttype") return &query.contenttype;
    return nullptr;
}

// pchar, '/' and '?' (RFC 3986): a target that starts with '/' and holds only these is origin-form, so the full
// parse is left to targets with escapes or unusual characters. A flat table: the charset's own search was a
// measurable share of create_room's CPU (issue 11).
constexpr auto kPlainTargetChars = [] {
    constexpr auto chars = boost::urls::pchars + '/' + '?';
    std::array<bool, 256> table{};
    for (std::size_t c = 0; c < table.size(); ++c) table[c] = chars(static_cast<char>(c));
    return table;
}();

// Every byte is looked at without a branch (a target is short, and a branch per byte cost twice as much).
bool plainly_origin_form(std::string_view target) {
    if (target.empty() || target.front() != '/') return false;
    bool plain = true;
    for (const char c : target) plain &= kPlainTargetChars[static_cast<unsigned char>(c)];
    return plain;
}

}  // namespace

CommonQuery parse_common_query(std::string_view target) {
    CommonQuery query;
    // '%' is not among the plain characters: a plain target has nothing to decode.
    const bool plain = plainly_origin_form(target);
    query.malformed = !plain && !boost::urls::parse_origin_form(target);
    const auto mark = target.find('?');
    if (mark == std::string_view::npos) return query;
    std::string_view rest = target.substr(mark + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const auto equals = pair.find('=');
        std::string scratch;
        std::string_view name = pair.substr(0, equals);
        if (!plain && !decode(name, scratch, name)) {
            query.malformed = true;
            continue;
        }
        std::size_t index = 0;
        auto* slot = slot_for(query, name, index);
        if (!slot || *slot) continue;  // not ours, or not the first occurrence
        const std::string_view raw = equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
        if (plain || raw.find('%') == std::string_view::npos) {
            slot->emplace(raw);
            continue;
        }
        if (!query.decoded) query.decoded = std::make_unique<std::array<std::string, 5>>();
        std::string& storage = (*query.decoded)[index];
        std::string_view value;
        if (decode(raw, storage, value)) {
            slot->emplace(value);
        } else {
            query.malformed = true;
            slot->emplace(raw);
        }
    }
    return query;
}

std::optional<std::uint64_t> parse_decimal_u64(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace lee::api
