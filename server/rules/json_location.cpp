#include "rules/json_location.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

namespace lee::rules {
namespace {

namespace json = boost::json;

// Follows the path of every value as the parser walks the text. The parser hands out views into the text for
// keys, strings and numbers; for other values the position of the last such view is the best available.
class PathLocator {
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    PathLocator(std::string_view text, std::string_view target) : text_(text), target_(target) {}
    const char* found() const { return found_ ? found_ : (pending_ ? (last_ ? last_ : text_.data()) : nullptr); }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_array_begin(json::error_code&) {
        value_begins(nullptr);
        stack_.push_back({true, 0, {}});
        return true;
    }
    bool on_array_end(std::size_t, json::error_code&) {
        stack_.pop_back();
        return true;
    }
    bool on_object_begin(json::error_code&) {
        value_begins(nullptr);
        stack_.push_back({false, 0, {}});
        return true;
    }
    bool on_object_end(std::size_t, json::error_code&) {
        stack_.pop_back();
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) { return note(s); }
    bool on_string(json::string_view s, std::size_t, json::error_code&) { return value_begins(s.data()); }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        return note(s);
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        note(s);
        stack_.back().key = std::move(key_);
        key_.clear();
        key_position_ = last_;
        return true;
    }
    bool on_number_part(json::string_view s, json::error_code&) { return note(s); }
    bool on_int64(std::int64_t, json::string_view s, json::error_code&) { return value_begins(s.data()); }
    bool on_uint64(std::uint64_t, json::string_view s, json::error_code&) { return value_begins(s.data()); }
    bool on_double(double, json::string_view s, json::error_code&) { return value_begins(s.data()); }
    bool on_bool(bool, json::error_code&) { return value_begins(nullptr); }
    bool on_null(json::error_code&) { return value_begins(nullptr); }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    struct Level {
        bool is_array;
        std::size_t next_index;
        std::string key;
    };

    bool note(json::string_view s) {
        if (s.data() < text_.data() || s.data() >= text_.data() + text_.size()) return true;
        last_ = s.data();
        if (pending_) {  // the first position inside the wanted array or object element
            found_ = last_;
            pending_ = false;
        }
        return true;
    }

    bool value_begins(const char* at) {
        if (at) note(json::string_view(at, 1));
        if (!stack_.empty() && stack_.back().is_array) ++stack_.back().next_index;
        if (!found_ && !pending_ && path() == target_) {
            const bool keyed = !stack_.empty() && !stack_.back().is_array;
            if (keyed && key_position_) {
                found_ = key_position_;
            } else if (at) {
                found_ = at;
            } else {
                pending_ = true;  // an unnamed object or array: located by what comes first inside it
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

    std::string_view text_;
    std::string_view target_;
    std::vector<Level> stack_;
    std::string key_;
    const char* last_ = nullptr;
    const char* key_position_ = nullptr;
    const char* found_ = nullptr;
    bool pending_ = false;
};

}  // namespace

std::size_t line_of_json_path(std::string_view text, std::string_view path) {
    json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    options.max_depth = 64;
    json::basic_parser<PathLocator> parser(options, text, path);
    json::error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    const char* at = parser.handler().found();
    if (!at) return 0;
    return 1 + static_cast<std::size_t>(std::count(text.data(), at, '\n'));
}

}  // namespace lee::rules
