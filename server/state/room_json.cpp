#include "state/room_json.hpp"

#include <boost/json.hpp>

#include "rules/rules_json.hpp"

namespace lee::state {
namespace json = boost::json;

using rules::bad_setting;

void tag_invoke(json::value_from_tag, json::value& out, const Room& room) {
    json::array category;
    for (const auto& tag : room.category) std::visit([&](const auto& value) { category.emplace_back(value); }, tag);
    json::array metadata;
    for (const auto& entry : room.metadata)
        metadata.push_back(json::object{{"Key", entry.key}, {"Value", entry.value}});
    json::object object;
    object["RoomId"] = room.room_id;
    object["RoomName"] = room.room_name;
    object["RoomType"] = room.room_type;
    object["Owner_Account"] = room.owner_account;
    object["TakeSeatMode"] = room.take_seat_mode;
    object["SeatTemplate"] = room.seat_template;
    object["MaxSeatCount"] = room.max_seat_count;
    object["MaxMemberCount"] = room.max_member_count;
    object["IsMessageDisabled"] = room.is_message_disabled;
    object["IsPublicVisible"] = room.is_public_visible;
    object["IsUnlimitedRoomEnabled"] = room.is_unlimited_room_enabled;
    object["CoverURL"] = room.cover_url;
    object["Category"] = std::move(category);
    object["ActivityStatus"] = room.activity_status;
    object["CreateTime"] = room.create_time;
    object["ViewCount"] = room.view_count;
    object["Notice"] = room.notice;
    object["Metadata"] = std::move(metadata);
    object["RobotList_Account"] = json::value_from(room.robots);
    out = std::move(object);
}

namespace {

std::int64_t read_int(const json::value& value, const std::string& path, std::int64_t min, std::int64_t max) {
    if (!value.is_int64() || value.get_int64() < min || value.get_int64() > max) {
        bad_setting(path, "must be an integer in " + std::to_string(min) + ".." + std::to_string(max));
    }
    return value.get_int64();
}

std::vector<CategoryTag> read_category(const json::value& value, const std::string& path) {
    if (!value.is_array()) bad_setting(path, "must be an array of integers and strings");
    std::vector<CategoryTag> out;
    for (std::size_t i = 0; i < value.get_array().size(); ++i) {
        const json::value& tag = value.get_array()[i];
        if (tag.is_int64()) {
            out.emplace_back(tag.get_int64());
        } else if (tag.is_string()) {
            out.emplace_back(std::string(tag.get_string()));
        } else {
            bad_setting(path + "[" + std::to_string(i) + "]", "must be an integer or a string");
        }
    }
    return out;
}

std::vector<MetadataEntry> read_metadata(const json::value& value, const std::string& path) {
    if (!value.is_array()) bad_setting(path, R"(must be an array of {"Key","Value"})");
    std::vector<MetadataEntry> out;
    for (std::size_t i = 0; i < value.get_array().size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        const json::value& entry = value.get_array()[i];
        const json::object* object = entry.if_object();
        if (!object || object->size() != 2 || !object->contains("Key") || !object->contains("Value")) {
            bad_setting(at, R"(must be {"Key":"...","Value":"..."})");
        }
        MetadataEntry read{rules::read_string(object->at("Key"), at + ".Key"),
                           rules::read_string(object->at("Value"), at + ".Value")};
        for (const auto& seen : out) {
            if (seen.key == read.key) bad_setting(at + ".Key", "is set twice");
        }
        out.push_back(std::move(read));
    }
    return out;
}

}  // namespace

Room read_room(const json::value& value, const std::string& path) {
    const json::object* object = value.if_object();
    if (!object) bad_setting(path, "must be an object");
    Room room;
    for (const auto& [key, field] : *object) {
        const std::string at = path + "." + std::string(key);
        if (key == "RoomId") {
            room.room_id = rules::read_string(field, at);
            if (room.room_id.empty()) bad_setting(at, "must not be empty");
        } else if (key == "RoomName") {
            room.room_name = rules::read_string(field, at);
        } else if (key == "RoomType") {
            room.room_type = rules::read_string(field, at);
        } else if (key == "Owner_Account") {
            room.owner_account = rules::read_string(field, at);
        } else if (key == "TakeSeatMode") {
            room.take_seat_mode = rules::read_string(field, at);
        } else if (key == "SeatTemplate") {
            room.seat_template = rules::read_string(field, at);
        } else if (key == "MaxSeatCount") {
            room.max_seat_count = static_cast<std::uint32_t>(rules::read_uint(field, at, UINT32_MAX));
        } else if (key == "MaxMemberCount") {
            room.max_member_count = static_cast<std::uint32_t>(rules::read_uint(field, at, UINT32_MAX));
        } else if (key == "IsMessageDisabled") {
            room.is_message_disabled = rules::read_bool(field, at);
        } else if (key == "IsPublicVisible") {
            room.is_public_visible = rules::read_bool(field, at);
        } else if (key == "IsUnlimitedRoomEnabled") {
            room.is_unlimited_room_enabled = rules::read_bool(field, at);
        } else if (key == "CoverURL") {
            room.cover_url = rules::read_string(field, at);
        } else if (key == "Category") {
            room.category = read_category(field, at);
        } else if (key == "ActivityStatus") {
            room.activity_status = static_cast<std::int32_t>(read_int(field, at, INT32_MIN, INT32_MAX));
        } else if (key == "CreateTime") {
            room.create_time = read_int(field, at, 0, INT64_MAX);
        } else if (key == "ViewCount") {
            room.view_count = rules::read_uint(field, at, UINT64_MAX);
        } else if (key == "Notice") {
            room.notice = rules::read_string(field, at);
        } else if (key == "Metadata") {
            room.metadata = read_metadata(field, at);
        } else if (key == "RobotList_Account") {
            room.robots = rules::read_string_list(field, at);
        } else {
            bad_setting(at, "unknown room field");
        }
    }
    if (room.room_id.empty()) bad_setting(path + ".RoomId", "is required");
    return room;
}

}  // namespace lee::state
