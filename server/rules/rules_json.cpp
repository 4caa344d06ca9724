#include "rules/rules_json.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "rules/json_location.hpp"

namespace lee::rules {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxRulesDepth = 16;

std::size_t line_of_offset(std::string_view text, std::size_t offset) {
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
}

}  // namespace

void bad_setting(const std::string& path, const std::string& problem) { throw SettingError(path, problem); }

bool read_bool(const json::value& value, const std::string& path) {
    if (!value.is_bool()) bad_setting(path, "must be true or false");
    return value.get_bool();
}

std::uint64_t read_uint(const json::value& value, const std::string& path, std::uint64_t max) {
    std::uint64_t result = 0;
    if (value.is_uint64()) {
        result = value.get_uint64();
    } else if (value.is_int64() && value.get_int64() >= 0) {
        result = static_cast<std::uint64_t>(value.get_int64());
    } else {
        bad_setting(path, "must be a non-negative integer");
    }
    if (result > max) bad_setting(path, "must be at most " + std::to_string(max));
    return result;
}

std::string read_string(const json::value& value, const std::string& path) {
    if (!value.is_string()) bad_setting(path, "must be a string");
    return std::string(value.get_string());
}

std::vector<std::string> read_string_list(const json::value& value, const std::string& path) {
    if (!value.is_array()) bad_setting(path, "must be an array of strings");
    std::vector<std::string> out;
    const auto& array = value.get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
        out.push_back(read_string(array[i], path + "[" + std::to_string(i) + "]"));
    }
    return out;
}

json::value parse_rules_json(std::string_view text, const std::string& file_name) {
    json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    options.max_depth = kMaxRulesDepth;
    json::stream_parser parser({}, options);
    json::error_code ec;
    const std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) throw RulesError(file_name, line_of_offset(text, consumed), "invalid JSON: " + ec.message());
    return parser.release();
}

RulesError locate(const SettingError& error, std::string_view text, const std::string& file_name) {
    std::string path = error.path();
    for (;;) {
        if (const std::size_t line = line_of_json_path(text, path)) return RulesError(file_name, line, error.what());
        const auto cut = path.find_last_of(".[");
        if (cut == std::string::npos || cut == 0) {
            return RulesError(file_name, line_of_json_path(text, "$"), error.what());
        }
        path.resize(cut);
    }
}

}  // namespace lee::rules
