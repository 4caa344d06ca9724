#pragma once
// Where in a JSON text a value sits, so a rules error found after parsing (a wrong type, an unknown setting)
// can still name its line.
#include <cstddef>
#include <string_view>

namespace lee::rules {

// The 1-based line of the value at `path` ("apps[2].rate_limits.create_room"; "$" is the root), or of the key
// that names it; 0 when the path is not in the text. Comments are allowed, as in the rules files.
std::size_t line_of_json_path(std::string_view text, std::string_view path);

}  // namespace lee::rules
