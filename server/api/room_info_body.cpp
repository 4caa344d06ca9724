#include "api/room_info_body.hpp"

#include <functional>

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

namespace lee::api {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 2> kTopNames = {"RoomInfo", "RoomId"};
constexpr KeptNames kTop(kTopNames);
constexpr std::size_t kRoomInfoIndex = 0;

// What create_room's readers (room_fields.cpp) ask RoomInfo for. A reader that asks for another name would find it
// absent: BodyObject::member asserts against that, in the Debug builds the tests run (sanitizer, TSan, fuzzing),
// where every create of room_fields_test reads its body this way too.
constexpr std::array<std::string_view, 13> kRoomInfoNames = {
    "RoomId",       "RoomType",          "Owner_Account",   "SeatTemplate",           "MaxSeatCount",
    "TakeSeatMode", "IsMessageDisabled", "IsPublicVisible", "IsUnlimitedRoomEnabled", "RoomName",
    "CoverURL",     "Category",          "ActivityStatus"};
constexpr KeptNames kRoomInfo(kRoomInfoNames);
constexpr std::size_t kCategoryIndex = 11;

static_assert(kTopNames[kRoomInfoIndex] == "RoomInfo" && kRoomInfoNames[kCategoryIndex] == "Category");

}  // namespace

// The handler of Boost.JSON's basic_parser: each value the parser meets goes to the slot it fills in the body, or
// nowhere when it is not kept.
class RoomInfoEvents {
public:
    // Boost.JSON's own document handler's bounds, so the parser fails where json::parse would.
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    RoomInfoEvents(RoomInfoBody& body, std::string_view text) noexcept : body_(body), text_(text) {}

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }

    bool on_object_begin(json::error_code& ec) {
        BodyValue* value = next_value();
        Role role = Role::skipped;
        BodyObject* object = nullptr;
        if (value == &body_.document_) {
            role = Role::top;
            object = &body_.top_;
        } else if (value != nullptr && value == &body_.top_.values_[kRoomInfoIndex]) {
            role = Role::room_info;
            object = &body_.room_info_;
            if (room_info_seen_) object->values_.fill(BodyValue());  // a later RoomInfo replaces the earlier
            room_info_seen_ = true;
        }
        if (value != nullptr) {
            value->kind_ = BodyValue::Kind::object;
            value->object_ = object;
        }
        return open(role, ec);
    }
    bool on_object_end(std::size_t, json::error_code&) { return close(); }

    bool on_array_begin(json::error_code& ec) {
        BodyValue* value = next_value();
        Role role = Role::skipped;
        if (value != nullptr) {
            value->kind_ = BodyValue::Kind::array;
            if (value == &body_.room_info_.values_[kCategoryIndex]) {
                role = Role::category;
                body_.category_ = BodyArray();  // a later Category replaces the earlier
                value->array_ = &body_.category_;
            }
        }
        return open(role, ec);
    }
    bool on_array_end(std::size_t, json::error_code&) { return close(); }

    // A key is read where objects are kept; it names the slot of the value that follows, if any.
    bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
        if (keeps_members()) key_.append(part.data(), part.size());
        in_key_ = true;
        return true;
    }
    bool on_key(json::string_view last, std::size_t, json::error_code&) {
        if (keeps_members()) {
            std::string_view key(last.data(), last.size());
            if (in_key_) {
                key_.append(last.data(), last.size());
                key = key_;
            }
            BodyObject& object = roles_[depth_ - 1] == Role::top ? body_.top_ : body_.room_info_;
            const std::size_t index = object.names_->index_of(key);
            pending_ = index == KeptNames::npos ? nullptr : &object.values_[index];
        }
        key_.clear();
        in_key_ = false;
        return true;
    }

    // A string in parts (escapes or a long one) is decoded into the body's storage; one in a single piece that the
    // text holds as is is kept as a view into the text.
    bool on_string_part(json::string_view part, std::size_t, json::error_code& ec) {
        if (!in_string_) {
            in_string_ = true;
            string_value_ = next_value();
            string_begin_ = body_.decoded_.size();
        }
        return string_value_ == nullptr || decode(part, ec);
    }
    bool on_string(json::string_view last, std::size_t, json::error_code& ec) {
        if (!in_string_) {
            BodyValue* value = next_value();
            if (value == nullptr) return true;
            value->kind_ = BodyValue::Kind::string;
            if (inside_text(last)) {
                value->text_ = std::string_view(last.data(), last.size());
                return true;
            }
            string_value_ = value;
            string_begin_ = body_.decoded_.size();
        }
        in_string_ = false;
        if (string_value_ == nullptr) return true;
        if (!decode(last, ec)) return false;
        string_value_->kind_ = BodyValue::Kind::string;
        string_value_->text_ = std::string_view(body_.decoded_).substr(string_begin_);
        string_value_ = nullptr;
        return true;
    }

    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t number, json::string_view, json::error_code&) {
        return scalar(BodyValue::Kind::int64, static_cast<std::uint64_t>(number));
    }
    bool on_uint64(std::uint64_t number, json::string_view, json::error_code&) {
        return scalar(BodyValue::Kind::uint64, number);
    }
    bool on_double(double, json::string_view, json::error_code&) { return scalar(BodyValue::Kind::real, 0); }
    bool on_bool(bool boolean, json::error_code&) {
        BodyValue* value = next_value();
        if (value != nullptr) {
            value->kind_ = BodyValue::Kind::boolean;
            value->boolean_ = boolean;
        }
        return true;
    }
    bool on_null(json::error_code&) { return scalar(BodyValue::Kind::null, 0); }
    // Comments are not allowed by the parse options; the handler must still have these.
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    // What an open container is to the body.
    enum class Role : std::uint8_t { top, room_info, category, skipped };

    bool keeps_members() const noexcept {
        return depth_ > 0 && (roles_[depth_ - 1] == Role::top || roles_[depth_ - 1] == Role::room_info);
    }

    // The slot of the value the parser meets next: the document, the member its key named, the next of Category's
    // first elements, or null for a value not kept. Called once per value, as it counts Category's elements.
    BodyValue* next_value() noexcept {
        if (depth_ == 0) return &body_.document_;
        switch (roles_[depth_ - 1]) {
            case Role::top:
            case Role::room_info: {
                BodyValue* value = pending_;
                pending_ = nullptr;
                return value;
            }
            case Role::category: {
                const std::size_t index = body_.category_.size_++;
                return index < body_.category_.items_.size() ? &body_.category_.items_[index] : nullptr;
            }
            case Role::skipped:
                return nullptr;
        }
        return nullptr;
    }

    bool scalar(BodyValue::Kind kind, std::uint64_t number) {
        BodyValue* value = next_value();
        if (value != nullptr) {
            value->kind_ = kind;
            value->number_ = number;
        }
        return true;
    }

    bool open(Role role, json::error_code& ec) {
        // The parser's max_depth (kMaxBodyDepth) stops it first; this keeps the stack safe whatever it is given.
        if (depth_ == roles_.size()) {
            ec = json::error::too_deep;
            return false;
        }
        roles_[depth_++] = role;
        return true;
    }
    bool close() noexcept {
        --depth_;
        return true;
    }

    bool inside_text(json::string_view view) const noexcept {
        const std::less_equal<const char*> not_after;
        return not_after(text_.data(), view.data()) &&
               not_after(view.data() + view.size(), text_.data() + text_.size());
    }

    // Decoded text is never longer than the text it came from, so storage reserved to the body's size never moves
    // and the views into it stay valid. Should that ever fail (it cannot), the body is refused with an error
    // json::parse would not give, rather than a view left dangling.
    bool decode(json::string_view piece, json::error_code& ec) {
        std::string& decoded = body_.decoded_;
        if (decoded.capacity() < text_.size()) decoded.reserve(text_.size());
        if (decoded.size() + piece.size() > decoded.capacity()) {
            ec = json::error::exception;
            return false;
        }
        decoded.append(piece.data(), piece.size());
        return true;
    }

    RoomInfoBody& body_;
    std::string_view text_;
    std::array<Role, kMaxBodyDepth + 1> roles_{};
    std::size_t depth_ = 0;
    BodyValue* pending_ = nullptr;  // the slot the last key named
    std::string key_;               // a key arriving in parts
    bool in_key_ = false;
    bool in_string_ = false;
    bool room_info_seen_ = false;
    BodyValue* string_value_ = nullptr;  // the slot of a string arriving in parts
    std::size_t string_begin_ = 0;       // where it starts in decoded_
};

RoomInfoBody::RoomInfoBody(std::string_view text) : top_(kTop), room_info_(kRoomInfo) {
    json::parse_options options;
    options.max_depth = kMaxBodyDepth;
    json::basic_parser<RoomInfoEvents> parser(options, *this, text);
    // As json::parse does it: the whole text in one write, and anything after the value is extra data.
    const std::size_t used = parser.write_some(false, text.data(), text.size(), error_);
    if (!error_ && used < text.size()) error_ = json::error::extra_data;
}

}  // namespace lee::api
