#include "api/query.hpp"

#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace lee::api {

std::optional<CommonQuery> parse_common_query(std::string_view target) {
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    CommonQuery query;
    // '+' stays '+': clients paste UserSigs and identifiers into the query unencoded (see README).
    boost::urls::encoding_opts options;
    options.space_as_plus = false;
    for (const auto& param : url->params(options)) {
        std::optional<std::string>* slot = nullptr;
        if (param.key == "sdkappid") {
            slot = &query.sdkappid;
        } else if (param.key == "identifier") {
            slot = &query.identifier;
        } else if (param.key == "usersig") {
            slot = &query.usersig;
        } else if (param.key == "random") {
            slot = &query.random;
        } else if (param.key == "contenttype") {
            slot = &query.contenttype;
        }
        if (slot && !*slot) *slot = param.has_value ? std::string(param.value) : std::string();
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
