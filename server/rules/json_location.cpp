#include "rules/json_location.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

namespace lee::rules {
namespace {

namespace json = boost::json;

// Follows the path of every value as the parser walks the text. The text is fed a line at a time, so each event
// happens on the line being fed: no JSON token spans lines (a string cannot hold a raw newline). Where the parser's
// views point is never used, only keys' contents (a string with escapes comes from the parser's own buffer).
class PathLocator {
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    explicit PathLocator(std::string_view target) : target_(target) {}
    void set_line(std::size_t line) { line_ = line; }
    // A wanted container still open when the text ends (broken text) is located by its opening bracket.
    std::size_t found() const { return found_ ? found_ : pending_line_; }

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
        if (pending_line_) {  // the first line inside the wanted array or object
            found_ = line_;
            pending_line_ = 0;
        }
        return true;
    }

    bool container_begins(bool is_array) {
        note();  // a bracket is what comes first inside an enclosing wanted container
        value_begins(false);
        stack_.push_back({is_array, 0, {}});
        return true;
    }

    bool container_ends() {
        if (pending_line_) {  // the wanted container is empty: located by its opening bracket
            found_ = pending_line_;
            pending_line_ = 0;
        }
        stack_.pop_back();
        return true;
    }

    // `scalar`: the value is whole on this line; an object or array is located by what comes first inside it.
    bool value_begins(bool scalar) {
        if (scalar) note();
        if (!stack_.empty() && stack_.back().is_array) ++stack_.back().next_index;
        if (!found_ && !pending_line_ && at_target()) {
            const bool keyed = !stack_.empty() && !stack_.back().is_array;
            if (keyed) {
                found_ = key_line_;
            } else if (scalar) {
                found_ = line_;
            } else {
                pending_line_ = line_;
            }
        }
        return true;
    }

    // Whether the current path ("apps[2].rate_limits", "$" for the root) is the target. Compared piece by piece
    // rather than built: keys may be megabytes long, and every value of the file asks until the target is found.
    bool at_target() const {
        if (stack_.empty()) return target_ == "$";
        std::string_view rest = target_;
        auto take = [&rest](std::string_view piece) {
            if (!rest.starts_with(piece)) return false;
            rest.remove_prefix(piece.size());
            return true;
        };
        for (const Level& level : stack_) {
            if (level.is_array) {
                const std::string index = "[" + std::to_string(level.next_index - 1) + "]";
                if (!take(index)) return false;
            } else if ((rest.size() != target_.size() && !take(".")) || !take(level.key)) {
                return false;
            }
        }
        return rest.empty();
    }

    std::string_view target_;
    std::vector<Level> stack_;
    std::string key_;
    std::size_t line_ = 1;
    std::size_t key_line_ = 0;
    std::size_t found_ = 0;
    std::size_t pending_line_ = 0;  // the wanted container's opening line while nothing inside it is seen yet
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
        if (rest[end - 1] == '\n') {
            parser.write_some(true, rest.data(), end, ec);
        } else {
            // Boost.JSON 1.81 reads a byte past a chunk that ends a comment begun in an earlier chunk. The newline
            // also ends a number that ends the text, so no closing write is needed.
            const std::string last_line = std::string(rest) + '\n';
            parser.write_some(true, last_line.data(), last_line.size(), ec);
        }
        rest.remove_prefix(end);
    }
    return parser.handler().found();
}

}  // namespace lee::rules
