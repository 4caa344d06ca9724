#include "api/room_fields.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <boost/json.hpp>

#include "api/error_table.hpp"
#include "api/room_info_body.hpp"
#include "rules/sensitive_words.hpp"

namespace lee::api {
namespace json = boost::json;

namespace {

struct SeatTemplateSpec {
    std::string_view name;
    std::uint32_t seats;      // a video template's fixed count; 0 for audio templates (MaxSeatCount decides)
    std::uint32_t layout_id;  // SeatLayoutTemplateId: the SDKs' enum (no REST doc shows it)
};

// The landscape template is spelled two ways: the console's create form sends "VideoLandscape4Seat", the SDKs'
// enum says "VideoLandscape4Seats". Both are accepted (and stored as sent) so the console's option works.
constexpr std::array<SeatTemplateSpec, 8> kSeatTemplates = {{
    {"VideoDynamicGrid9Seats", 9, 600},
    {"VideoDynamicFloat7Seats", 7, 601},
    {"VideoFixedGrid9Seats", 9, 800},
    {"VideoFixedFloat7Seats", 7, 801},
    {"VideoLandscape4Seats", 4, 200},
    {"VideoLandscape4Seat", 4, 200},
    {"AudioSalon", 0, 70},
    {"Karaoke", 0, 50},
}};

const SeatTemplateSpec* find_seat_template(std::string_view name) {
    const auto* it = std::find_if(kSeatTemplates.begin(), kSeatTemplates.end(),
                                  [&](const SeatTemplateSpec& spec) { return spec.name == name; });
    return it == kSeatTemplates.end() ? nullptr : it;
}

std::string seat_template_rule() {
    std::string rule = "must be one of ";
    for (const auto& spec : kSeatTemplates) {
        if (&spec != kSeatTemplates.data()) rule += ", ";
        rule += spec.name;
    }
    return rule;
}

FieldError invalid(std::string_view path, std::string_view key, std::string_view rule) {
    return {code::invalid_parameter, field_path(path, key) + " " + std::string(rule)};
}

thread_local const IndexedMembers* t_indexed = nullptr;  // the innermost alive on this thread

// A member of either kind of object (room_fields.hpp): the readers below are written once over both.
const json::value* member(const json::object& object, std::string_view key) {
    return IndexedMembers::member(object, key);
}
const BodyValue* member(const BodyObject& object, std::string_view key) { return object.member(key); }

template <class Object>
FieldCheck string_field(const Object& object, std::string_view path, std::string_view key, bool required,
                        std::size_t min_bytes, std::size_t max_bytes, std::optional<std::string>& out) {
    const auto* value = member(object, key);
    if (!value) return required ? FieldCheck(invalid(path, key, "is required")) : std::nullopt;
    if (!value->is_string()) return invalid(path, key, "must be a string");
    const auto& text = value->get_string();
    if (text.size() < min_bytes) return invalid(path, key, "must not be empty");
    if (text.size() > max_bytes) return invalid(path, key, "exceeds " + std::to_string(max_bytes) + " bytes");
    out.emplace(text.data(), text.size());
    return std::nullopt;
}

template <class Object>
FieldCheck required_string(const Object& object, std::string_view path, std::string_view key, std::size_t min_bytes,
                           std::size_t max_bytes, std::string& out) {
    std::optional<std::string> value;
    if (auto error = string_field(object, path, key, true, min_bytes, max_bytes, value)) return error;
    out = std::move(*value);
    return std::nullopt;
}

template <class Object>
FieldCheck bool_field(const Object& object, std::string_view path, std::string_view key, std::optional<bool>& out) {
    const auto* value = member(object, key);
    if (!value) return std::nullopt;
    if (!value->is_bool()) return invalid(path, key, "must be true or false");
    out = value->get_bool();
    return std::nullopt;
}

// Integers only: 10.0 is a double in JSON terms and the real service's typed reader rejects it. An integer
// beyond int64 is still an integer; it saturates, so range checks reject it with their own message.
template <class Value>
std::optional<std::int64_t> as_integer(const Value& value) {
    if (value.is_int64()) return value.get_int64();
    if (value.is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(value.get_uint64(), INT64_MAX));
    return std::nullopt;
}

// An integer field in [min, max]; absent leaves `out` alone.
template <typename Number>
FieldCheck integer_field(const json::object& object, std::string_view path, std::string_view key, std::int64_t min,
                         std::int64_t max, std::optional<Number>& out) {
    const json::value* value = member(object, key);
    if (!value) return std::nullopt;
    const auto number = as_integer(*value);
    if (!number) return invalid(path, key, "must be an integer");
    if (*number < min || *number > max) {
        return invalid(path, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    out = static_cast<Number>(*number);
    return std::nullopt;
}

}  // namespace

IndexedMembers::IndexedMembers(const json::object& object) noexcept : object_(object), outer_(t_indexed) {
    t_indexed = this;
    if (object.size() > kMaxMembers) return;
    for (const json::key_value_pair& pair : object) {
        std::size_t slot = key_slot(pair.key(), kSlots);
        while (slots_[slot] != nullptr) slot = (slot + 1) & (kSlots - 1);
        slots_[slot] = &pair;
    }
    indexed_ = true;
}

IndexedMembers::~IndexedMembers() { t_indexed = outer_; }

const json::value* IndexedMembers::member(const json::object& object, std::string_view key) {
    const IndexedMembers* index = t_indexed;
    if (index == nullptr || &index->object_ != &object || !index->indexed_) {
        return object.if_contains(json::string_view(key.data(), key.size()));
    }
    for (std::size_t slot = key_slot(key, kSlots);; slot = (slot + 1) & (kSlots - 1)) {
        const json::key_value_pair* pair = index->slots_[slot];
        if (pair == nullptr) return nullptr;
        if (pair->key() == json::string_view(key.data(), key.size())) return &pair->value();
    }
}

std::string field_path(std::string_view path, std::string_view key) {
    std::string out(path);
    if (!out.empty()) out.push_back('.');
    out.append(key);
    return out;
}

std::string element_path(std::string_view key, std::size_t index) {
    return std::string(key) + "[" + std::to_string(index) + "]";
}

template <class Object>
FieldCheck check_account_type(const Object& object, std::string_view path, std::string_view key) {
    const auto* value = member(object, key);
    if (value && !value->is_string()) return FieldError{code::account_type, field_path(path, key)};
    return std::nullopt;
}

template <class Value>
FieldCheck check_room_info_accounts(const Value& body) {
    const auto* object = body.if_object();
    const auto* info = object ? member(*object, "RoomInfo") : nullptr;
    if (!info || !info->is_object()) return std::nullopt;
    return check_account_type(info->get_object(), "RoomInfo", "Owner_Account");
}

FieldCheck check_account_list_type(const json::object& object, std::string_view key) {
    const json::value* list = member(object, key);
    if (!list || !list->is_array()) return std::nullopt;
    const json::array& accounts = list->get_array();
    for (std::size_t i = 0; i < accounts.size(); ++i) {
        if (!accounts[i].is_string()) {
            return FieldError{code::account_type, element_path(key, i)};
        }
    }
    return std::nullopt;
}

template <class Value, class Object>
FieldCheck require_body_object(const Value& body, const Object*& out) {
    out = body.if_object();
    if (!out) return FieldError{code::invalid_parameter, "the request body must be a JSON object"};
    return std::nullopt;
}

template <class Value, class Object>
FieldCheck require_object(const Value& body, std::string_view key, const Object*& out) {
    const Object* object = nullptr;
    if (auto error = require_body_object(body, object)) return error;
    const auto* value = member(*object, key);
    if (!value) return invalid("", key, "is required");
    if (!value->is_object()) return invalid("", key, "must be a JSON object");
    out = &value->get_object();
    return std::nullopt;
}

template <class Value>
std::optional<std::string_view> named_room_id(const Value& body) {
    const auto* object = body.if_object();
    if (!object) return std::nullopt;
    if (const auto* info = member(*object, "RoomInfo"); info && info->is_object()) object = &info->get_object();
    const auto* room_id = member(*object, "RoomId");
    if (!room_id || !room_id->is_string()) return std::nullopt;
    return std::string_view(room_id->get_string());
}

template <class Object>
FieldCheck read_room_id(const Object& object, std::string_view path, std::string& out) {
    if (auto error = required_string(object, path, "RoomId", 1, kMaxRoomIdBytes, out)) return error;
    const bool printable = std::all_of(out.begin(), out.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
    if (!printable) return invalid(path, "RoomId", "must be printable ASCII (0x20-0x7E)");
    return std::nullopt;
}

template <class Object>
FieldCheck read_room_type(const Object& object, std::string_view path, std::string& out) {
    const auto* value = member(object, "RoomType");
    if (!value) return invalid(path, "RoomType", "is required");
    if (!value->is_string() || value->get_string() != "Live") return invalid(path, "RoomType", "must be \"Live\"");
    out = "Live";
    return std::nullopt;
}

template <class Object>
FieldCheck read_owner_account(const Object& object, std::string_view path, std::string_view identifier,
                              std::string& out) {
    std::optional<std::string> value;
    if (auto error = string_field(object, path, "Owner_Account", false, 1, kMaxAccountBytes, value)) return error;
    if (value) {
        out = std::move(*value);
        return std::nullopt;
    }
    // The default owner obeys the same rule as a given one.
    if (identifier.size() > kMaxAccountBytes) {
        return invalid(path, "Owner_Account", "(defaulted to the identifier) exceeds 32 bytes");
    }
    out = identifier;
    return std::nullopt;
}

FieldCheck read_account(const json::object& object, std::string_view path, std::string_view key, std::string& out) {
    return required_string(object, path, key, 1, kMaxAccountBytes, out);
}

FieldCheck read_required_text(const json::object& object, std::string_view path, std::string_view key,
                              std::size_t min_bytes, std::string& out) {
    return required_string(object, path, key, min_bytes, std::numeric_limits<std::size_t>::max(), out);
}

FieldCheck require_array(const json::object& object, std::string_view key, std::size_t min_items,
                         const json::array*& out) {
    const json::value* list = member(object, key);
    if (!list) return invalid("", key, "is required");
    if (!list->is_array()) return invalid("", key, "must be an array");
    if (list->get_array().size() < min_items) return invalid("", key, "must not be empty");
    out = &list->get_array();
    return std::nullopt;
}

FieldCheck read_string_list(const json::object& object, std::string_view key, std::size_t min_items,
                            std::size_t max_bytes, std::vector<std::string>& out) {
    const json::array* list = nullptr;
    if (auto error = require_array(object, key, min_items, list)) return error;
    const json::array& items = *list;
    out.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string item = element_path(key, i);
        if (!items[i].is_string()) return invalid("", item, "must be a string");
        const json::string& text = items[i].get_string();
        if (text.empty()) return invalid("", item, "must not be empty");
        if (text.size() > max_bytes) return invalid("", item, "exceeds " + std::to_string(max_bytes) + " bytes");
        out.emplace_back(text.data(), text.size());
    }
    return std::nullopt;
}

template <class Object>
FieldCheck read_seat_template(const Object& object, std::string_view path, std::string& out) {
    const auto* value = member(object, "SeatTemplate");
    if (!value) return invalid(path, "SeatTemplate", "is required");
    if (value->is_string() && find_seat_template(value->get_string())) {
        out = value->get_string();
        return std::nullopt;
    }
    static const std::string rule = seat_template_rule();
    return invalid(path, "SeatTemplate", rule);
}

std::uint32_t seat_layout_template_id(std::string_view seat_template) {
    const SeatTemplateSpec* spec = find_seat_template(seat_template);
    return spec ? spec->layout_id : 0;
}

template <class Object>
FieldCheck read_max_seat_count(const Object& object, std::string_view path, std::string_view seat_template,
                               std::uint32_t package_max, std::uint32_t& out) {
    const auto* value = member(object, "MaxSeatCount");
    std::optional<std::int64_t> requested;
    if (value) {
        requested = as_integer(*value);
        if (!requested) return invalid(path, "MaxSeatCount", "must be an integer");
    }
    if (const SeatTemplateSpec* spec = find_seat_template(seat_template); spec && spec->seats != 0) {
        out = spec->seats;
        return std::nullopt;
    }
    if (!requested) {
        out = package_max;
        return std::nullopt;
    }
    if (*requested < 1 || *requested > static_cast<std::int64_t>(package_max)) {
        return invalid(path, "MaxSeatCount", "must be between 1 and " + std::to_string(package_max));
    }
    out = static_cast<std::uint32_t>(*requested);
    return std::nullopt;
}

template <class Object>
FieldCheck read_editable_fields(const Object& object, std::string_view path, EditableFields& out) {
    if (const auto* mode = member(object, "TakeSeatMode")) {
        if (!mode->is_string() || (mode->get_string() != "FreeToTake" && mode->get_string() != "ApplyToTake")) {
            return invalid(path, "TakeSeatMode", "must be \"FreeToTake\" or \"ApplyToTake\"");
        }
        out.take_seat_mode.emplace(mode->get_string());
    }
    if (auto error = bool_field(object, path, "IsMessageDisabled", out.is_message_disabled)) return error;
    if (auto error = bool_field(object, path, "IsPublicVisible", out.is_public_visible)) return error;
    if (auto error = bool_field(object, path, "IsUnlimitedRoomEnabled", out.is_unlimited_room_enabled)) return error;
    if (auto error = string_field(object, path, "RoomName", false, 0, kMaxRoomNameBytes, out.room_name)) return error;
    if (auto error = string_field(object, path, "CoverURL", false, 0, kMaxCoverUrlBytes, out.cover_url)) return error;
    if (const auto* category = member(object, "Category")) {
        if (!category->is_array()) return invalid(path, "Category", "must be an array");
        const auto& tags = category->get_array();
        if (tags.size() > kMaxCategoryTags) return invalid(path, "Category", "has more than 3 tags");
        std::vector<state::CategoryTag> parsed;
        for (std::size_t i = 0; i < tags.size(); ++i) {
            if (tags[i].is_uint64() && tags[i].get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) {
                return invalid(path, element_path("Category", i), "is out of the 64-bit integer range");
            }
            if (const auto number = as_integer(tags[i])) {
                parsed.emplace_back(*number);
            } else if (tags[i].is_string()) {
                parsed.emplace_back(std::string(tags[i].get_string()));
            } else {
                return invalid(path, element_path("Category", i), "must be an integer or a string");
            }
        }
        out.category = std::move(parsed);
    }
    if (const auto* status = member(object, "ActivityStatus")) {
        const auto number = as_integer(*status);
        if (!number || *number < std::numeric_limits<std::int32_t>::min() ||
            *number > std::numeric_limits<std::int32_t>::max()) {
            return invalid(path, "ActivityStatus", "must be a 32-bit integer");
        }
        out.activity_status = static_cast<std::int32_t>(*number);
    }
    return std::nullopt;
}

FieldCheck read_update_only_fields(const json::object& object, std::string_view path, EditableFields& out) {
    if (auto error = string_field(object, path, "Notice", false, 0, kMaxNoticeBytes, out.notice)) return error;
    return integer_field(object, path, "MaxMemberCount", 1, kMaxMemberCountLimit, out.max_member_count);
}

void EditableFields::apply_to(state::Room& room) const {
    if (take_seat_mode) room.take_seat_mode = *take_seat_mode;
    if (is_message_disabled) room.is_message_disabled = *is_message_disabled;
    if (is_public_visible) room.is_public_visible = *is_public_visible;
    if (room_name) room.room_name = *room_name;
    if (cover_url) room.cover_url = *cover_url;
    if (category) room.category = *category;
    if (activity_status) room.activity_status = *activity_status;
    if (is_unlimited_room_enabled) room.is_unlimited_room_enabled = *is_unlimited_room_enabled;
    if (notice) room.notice = *notice;
    if (max_member_count) room.max_member_count = *max_member_count;
}

std::optional<std::string> find_sensitive_field(const rules::SensitiveWordMatcher& words, std::string_view path,
                                                std::string_view room_id, const EditableFields& fields) {
    if (words.size() == 0) return std::nullopt;
    if (words.contains_any(room_id)) return field_path(path, "RoomId");
    if (fields.room_name && words.contains_any(*fields.room_name)) return field_path(path, "RoomName");
    if (fields.cover_url && words.contains_any(*fields.cover_url)) return field_path(path, "CoverURL");
    if (fields.category) {
        for (std::size_t i = 0; i < fields.category->size(); ++i) {
            const auto* tag = std::get_if<std::string>(&(*fields.category)[i]);
            if (tag && words.contains_any(*tag)) return field_path(path, element_path("Category", i));
        }
    }
    if (fields.notice && words.contains_any(*fields.notice)) return field_path(path, "Notice");
    return std::nullopt;
}

// The readers for the two kinds of JSON (room_fields.hpp): Boost.JSON's document, which every command reads, and
// create_room's body read from the parser's events.
template FieldCheck check_account_type(const json::object&, std::string_view, std::string_view);
template FieldCheck require_body_object(const json::value&, const json::object*&);
template FieldCheck check_room_info_accounts(const json::value&);
template FieldCheck check_room_info_accounts(const BodyValue&);
template FieldCheck require_object(const json::value&, std::string_view, const json::object*&);
template FieldCheck require_object(const BodyValue&, std::string_view, const BodyObject*&);
template std::optional<std::string_view> named_room_id(const json::value&);
template std::optional<std::string_view> named_room_id(const BodyValue&);
template FieldCheck read_room_id(const json::object&, std::string_view, std::string&);
template FieldCheck read_room_id(const BodyObject&, std::string_view, std::string&);
template FieldCheck read_room_type(const json::object&, std::string_view, std::string&);
template FieldCheck read_room_type(const BodyObject&, std::string_view, std::string&);
template FieldCheck read_owner_account(const json::object&, std::string_view, std::string_view, std::string&);
template FieldCheck read_owner_account(const BodyObject&, std::string_view, std::string_view, std::string&);
template FieldCheck read_seat_template(const json::object&, std::string_view, std::string&);
template FieldCheck read_seat_template(const BodyObject&, std::string_view, std::string&);
template FieldCheck read_max_seat_count(const json::object&, std::string_view, std::string_view, std::uint32_t,
                                        std::uint32_t&);
template FieldCheck read_max_seat_count(const BodyObject&, std::string_view, std::string_view, std::uint32_t,
                                        std::uint32_t&);
template FieldCheck read_editable_fields(const json::object&, std::string_view, EditableFields&);
template FieldCheck read_editable_fields(const BodyObject&, std::string_view, EditableFields&);

}  // namespace lee::api
