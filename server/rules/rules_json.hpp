#pragma once
// What every JSON rules file shares: parsing with comments, typed readers that name the JSON path of a bad
// setting, and turning that path back into a line of the file. One place, so apps.json and faults.json (and the
// control API bodies that use the same shapes) report problems the same way.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "rules/rules_error.hpp"

namespace lee::rules {

// A setting that parsed as JSON but breaks a rule; the path lets the loader find its line.
class SettingError : public std::invalid_argument {
public:
    SettingError(std::string path, const std::string& problem)
        : std::invalid_argument(path + ": " + problem), path_(std::move(path)) {}
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

[[noreturn]] void bad_setting(const std::string& path, const std::string& problem);

bool read_bool(const boost::json::value& value, const std::string& path);
// Any JSON integer in 0..max (also one written as a uint64).
std::uint64_t read_uint(const boost::json::value& value, const std::string& path, std::uint64_t max);
std::string read_string(const boost::json::value& value, const std::string& path);
std::vector<std::string> read_string_list(const boost::json::value& value, const std::string& path);

// Parses a rules file (comments and trailing commas allowed); throws RulesError naming the line of a syntax error.
boost::json::value parse_rules_json(std::string_view text, const std::string& file_name);

// The RulesError for a SettingError found in `text`: the line of the setting, or of the closest enclosing one
// when the setting itself is absent (a required field left out is reported where its object is).
RulesError locate(const SettingError& error, std::string_view text, const std::string& file_name);

}  // namespace lee::rules
