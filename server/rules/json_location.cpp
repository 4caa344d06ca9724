#include "rules/json_location.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

namespace lee::rules {
namespace {

namespace json = boost::json;

// Follows the path of every value as the parser walks the text. The text is fed a line at a time, so each event
// happens on the line being fed: no JSON token spans lines (a string cannot hold a raw newline), and the views the
// parser hands out are never needed (a string with escapes comes from the parser's own buffer, not the text).
class PathLocator {
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    explicit PathLocator(std::string_view target) : target_(target) {}
    void set_line(std::size_t line) { line_ = line; }
    // An object or array with nothing after its opening bracket is located by that bracket.
    std::size_t found() const { return found_ ? found_ : (pending_ ? pending_line_ : 0); }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_array_begin(json::error_code&) { return container_begins(true); }
    bool on_array_end(std::size_t, json::error_code&) { return container_ends(); }
    bool on_object_begin(json::error_code&) { return container_begins(false); }
    bool on_object_end(std::size_t, json::error_code&) { return container_ends(); }
    bool on_string_part(json::string_view, std::size_t, json::error_code&) { return note(); }
    bool on_string(json::string_view, std::size_t, json::error_code&) { return value_begins(true); }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        return note();
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        note();
        stack_.back().key = std::move(key_);
        key_.clear();
        key_line_ = line_;
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return note(); }
    bool on_int64(std::int64_t, json::string_view, json::error_code&) { return value_begins(true); }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return value_begins(true); }
    bool on_double(double, json::string_view, json::error_code&) { return value_begins(true); }
    bool on_bool(bool, json::error_code&) { return value_begins(true); }
    bool on_null(json::error_code&) { return value_begins(true); }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    struct Level {
        bool is_array;
        std::size_t next_index;
        std::string key;
    };

    bool note() {
        if (pending_) {  // the first line inside the wanted array or object
            found_ = line_;
            pending_ = false;
        }
        return true;
    }

    bool container_begins(bool is_array) {
        value_begins(false);
        stack_.push_back({is_array, 0, {}});
        return true;
    }

    bool container_ends() {
        stack_.pop_back();
        return true;
    }

    // `scalar`: the value is whole on this line; an object or array is located by what comes first inside it.
    bool value_begins(bool scalar) {
        if (scalar) note();
        if (!stack_.empty() && stack_.back().is_array) ++stack_.back().next_index;
        if (!found_ && !pending_ && path() == target_) {
            const bool keyed = !stack_.empty() && !stack_.back().is_array;
            if (keyed && key_line_) {
                found_ = key_line_;
            } else if (scalar) {
                found_ = line_;
            } else {
                pending_ = true;
                pending_line_ = line_;
            }
        }
        return true;
    }

    std::string path() const {
        if (stack_.empty()) return "$";
        std::string out;
        for (const Level& level : stack_) {
            if (level.is_array) {
                out += "[" + std::to_string(level.next_index - 1) + "]";
            } else {
                if (!out.empty()) out += ".";
                out += level.key;
            }
        }
        return out;
    }

    std::string_view target_;
    std::vector<Level> stack_;
    std::string key_;
    std::size_t line_ = 1;
    std::size_t key_line_ = 0;
    std::size_t found_ = 0;
    std::size_t pending_line_ = 0;
    bool pending_ = false;
};

}  // namespace

std::size_t line_of_json_path(std::string_view text, std::string_view path) {
    json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    options.max_depth = 64;
    json::basic_parser<PathLocator> parser(options, path);
    json::error_code ec;
    std::size_t line = 1;
    for (std::string_view rest = text; !rest.empty() && !ec && !parser.done(); ++line) {
        const std::size_t end = std::min(rest.find('\n'), rest.size() - 1) + 1;
        parser.handler().set_line(line);
        parser.write_some(true, rest.data(), end, ec);
        rest.remove_prefix(end);
    }
    if (!ec && !parser.done()) parser.write_some(false, "", 0, ec);  // ends a number that ends the text
    return parser.handler().found();
}

}  // namespace lee::rules
