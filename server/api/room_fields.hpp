#pragma once
// Field rules of emulated-api.md section 3, shared by every command that reads room fields. Each reader checks
// one field where it sits in the JSON and reports the first violation with its JSON path, which is what the
// 100002 / 60015 ErrorInfo names.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "state/room.hpp"

namespace lee::rules {
class SensitiveWordMatcher;
}

namespace lee::api {

struct FieldError {
    int code;            // 100002, or 60015 for an account field that is not a string
    std::string detail;  // "RoomInfo.RoomId exceeds 48 bytes"
};
using FieldCheck = std::optional<FieldError>;

inline constexpr std::size_t kMaxRoomIdBytes = 48;
inline constexpr std::size_t kMaxAccountBytes = 32;
inline constexpr std::size_t kMaxRoomNameBytes = 100;
inline constexpr std::size_t kMaxCoverUrlBytes = 200;
inline constexpr std::size_t kMaxCategoryTags = 3;
inline constexpr std::size_t kMaxNoticeBytes = 100;
// No doc gives MaxMemberCount a range; a real room's is its package's limit. 1..100000 covers every package.
inline constexpr std::int64_t kMaxMemberCountLimit = 100000;

// Where a key starts its probe in a small open-addressing table of `slots` (a power of two): length and the first
// and last bytes tell apart the names the readers ask for, and cost no loop.
constexpr std::size_t key_slot(std::string_view key, std::size_t slots) noexcept {
    if (key.empty()) return 0;
    const std::size_t first = static_cast<unsigned char>(key.front());
    const std::size_t last = static_cast<unsigned char>(key.back());
    return (key.size() * 7U + first * 3U + last) & (slots - 1);
}

// While one is alive on a thread, the readers below find the members of its object through an index built in one
// pass over it. update_room_info asks RoomInfo (a dozen members) for fifteen keys, and each `if_contains` walked the
// members (on create_room, 5 % of a create's instructions before it read its body from events, issue 11). Other
// objects, and large ones, are looked up as before. The index points into the object, which must not change while
// the index lives.
class IndexedMembers {
public:
    explicit IndexedMembers(const boost::json::object& object) noexcept;
    ~IndexedMembers();
    IndexedMembers(const IndexedMembers&) = delete;
    IndexedMembers& operator=(const IndexedMembers&) = delete;
    // The member named `key` of `object`: through the index when it is the indexed one, else by `if_contains`.
    static const boost::json::value* member(const boost::json::object& object, std::string_view key);

private:
    static constexpr std::size_t kSlots = 64;       // a power of two
    static constexpr std::size_t kMaxMembers = 32;  // half the slots at most, so probes stay short
    const boost::json::object& object_;
    const IndexedMembers* outer_;  // the one alive before this one on the thread
    bool indexed_ = false;         // false for an object of more than kMaxMembers
    std::array<const boost::json::key_value_pair*, kSlots> slots_{};
};

// JSON paths as ErrorInfo names them: "RoomInfo.RoomId", "Category[2]".
std::string field_path(std::string_view path, std::string_view key);
std::string element_path(std::string_view key, std::size_t index);

// The readers create_room uses are templates over the JSON they read: Boost.JSON's document (json::value and
// json::object), or create_room's body read from the parser's events (BodyValue and BodyObject, room_info_body.hpp).
// Both are instantiated in room_fields.cpp, so the rules are written once.

// Step 12: an account field present but not a JSON string.
template <class Object>
FieldCheck check_account_type(const Object& object, std::string_view path, std::string_view key);
// Step 12 for a `{"RoomInfo": {...}}` body: RoomInfo.Owner_Account, when RoomInfo is an object at all.
template <class Value>
FieldCheck check_room_info_accounts(const Value& body);
// Step 12 for a list of accounts (RobotList_Account): an element that is not a string, when the list is an array.
FieldCheck check_account_list_type(const boost::json::object& object, std::string_view key);

// The body as an object; any other JSON value is a 100002.
template <class Value, class Object>
FieldCheck require_body_object(const Value& body, const Object*& out);
// The object at body[key]; a body or member that is not an object is a 100002.
template <class Value, class Object>
FieldCheck require_object(const Value& body, std::string_view key, const Object*& out);
// The RoomId a body names, at the top level or under RoomInfo (when that is an object), when it is a string: what
// the journal and the access log show for the request.
template <class Value>
std::optional<std::string_view> named_room_id(const Value& body);

template <class Object>
FieldCheck read_room_id(const Object& object, std::string_view path, std::string& out);
template <class Object>
FieldCheck read_room_type(const Object& object, std::string_view path, std::string& out);
// Owner_Account, or the caller's identifier when absent; 1..32 bytes either way.
template <class Object>
FieldCheck read_owner_account(const Object& object, std::string_view path, std::string_view identifier,
                              std::string& out);
template <class Object>
FieldCheck read_seat_template(const Object& object, std::string_view path, std::string& out);
// SeatLayoutTemplateId of a valid SeatTemplate (600, 601, 800, 801, 200, 70, 50), 0 for any other string.
std::uint32_t seat_layout_template_id(std::string_view seat_template);
// MaxSeatCount: must be an integer when present; for audio templates 1..package_max (default package_max), for
// video templates the template's own count.
template <class Object>
FieldCheck read_max_seat_count(const Object& object, std::string_view path, std::string_view seat_template,
                               std::uint32_t package_max, std::uint32_t& out);

// A required account field (NewOwner_Account): a string of 1..32 bytes.
FieldCheck read_account(const boost::json::object& object, std::string_view path, std::string_view key,
                        std::string& out);
// A required string of at least `min_bytes` bytes, with no upper bound of its own (metadata keys and values).
FieldCheck read_required_text(const boost::json::object& object, std::string_view path, std::string_view key,
                              std::size_t min_bytes, std::string& out);
// The array at object[key], with at least `min_items` elements (min_items is 0 or 1: "must not be empty").
FieldCheck require_array(const boost::json::object& object, std::string_view key, std::size_t min_items,
                         const boost::json::array*& out);
// A required array of at least `min_items` strings, each 1..max_bytes bytes (Keys, RobotList_Account).
FieldCheck read_string_list(const boost::json::object& object, std::string_view key, std::size_t min_items,
                            std::size_t max_bytes, std::vector<std::string>& out);

// The fields both create_room and update_room_info may set; absent ones stay nullopt.
struct EditableFields {
    std::optional<std::string> take_seat_mode;
    std::optional<bool> is_message_disabled;
    std::optional<bool> is_public_visible;
    std::optional<std::string> room_name;
    std::optional<std::string> cover_url;
    std::optional<std::vector<state::CategoryTag>> category;
    std::optional<std::int32_t> activity_status;
    std::optional<bool> is_unlimited_room_enabled;
    // update_room_info only (read_update_only_fields): create_room ignores them like any unknown field.
    std::optional<std::string> notice;
    std::optional<std::uint32_t> max_member_count;

    void apply_to(state::Room& room) const;
};
template <class Object>
FieldCheck read_editable_fields(const Object& object, std::string_view path, EditableFields& out);
// Notice (≤100 bytes) and MaxMemberCount (1..kMaxMemberCountLimit), which only update_room_info's doc lists.
FieldCheck read_update_only_fields(const boost::json::object& object, std::string_view path, EditableFields& out);

// 100026: the JSON path of the first field that contains a sensitive word (RoomId, RoomName, CoverURL, string
// Category tags, Notice), or nullopt.
std::optional<std::string> find_sensitive_field(const rules::SensitiveWordMatcher& words, std::string_view path,
                                                std::string_view room_id, const EditableFields& fields);

}  // namespace lee::api
