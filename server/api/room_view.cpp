#include "api/room_view.hpp"

#include <variant>

#include <boost/json.hpp>

#include "api/json_text.hpp"
#include "api/room_fields.hpp"

namespace lee::api {
namespace json = boost::json;
namespace {

json::array category_json(const state::Room& room) {
    json::array out;
    for (const auto& tag : room.category) {
        std::visit([&](const auto& value) { out.emplace_back(value); }, tag);
    }
    return out;
}

}  // namespace

// Field order and fresh-room defaults: the docs' sample (2026 revision), with the fields the destroy webhook's
// RoomInfo and update_room_info's doc add, where a sample has them.
json::object room_info_json(const state::Room& room) {
    json::object out;
    out["RoomId"] = room.room_id;
    out["RoomName"] = room.room_name;
    out["RoomType"] = room.room_type;
    out["Owner_Account"] = room.owner_account;
    out["CreateTime"] = room.create_time;
    out["IsSeatEnabled"] = true;  // every template the emulator accepts has seats
    out["TakeSeatMode"] = room.take_seat_mode;
    out["SeatTemplate"] = room.seat_template;
    out["SeatLayoutTemplateId"] = seat_layout_template_id(room.seat_template);
    out["MaxSeatCount"] = room.max_seat_count;
    out["MaxMemberCount"] = room.max_member_count;
    out["IsMessageDisabled"] = room.is_message_disabled;
    out["IsPublicVisible"] = room.is_public_visible;
    out["IsLikeEnabled"] = true;  // no command turns likes off
    out["IsUnlimitedRoomEnabled"] = room.is_unlimited_room_enabled;
    out["CoverURL"] = room.cover_url;
    out["BackgroundURL"] = "";  // no command sets it
    out["Category"] = category_json(room);
    out["ActivityStatus"] = room.activity_status;
    out["ViewCount"] = room.view_count;
    out["MemberCount"] = 0;  // nobody joins an emulated room
    out["CustomInfo"] = "";  // no command sets it (the console keeps its custom info in metadata)
    out["Notice"] = room.notice;
    return out;
}

// The docs' eight fields, then three the console's typings add. No RoomType: the console tells a list item from
// a full RoomInfo by that key. Written as text: a page is 20 of these, and building then serializing them as
// JSON values was a third of a page's cost (issue 11).
void write_room_list_entry(JsonText& out, const state::ListedRoom& room) {
    out.literal(R"({"RoomId":)");
    out.quoted(room.room_id);
    out.literal(R"(,"RoomName":)");
    out.quoted(room.room_name);
    out.literal(R"(,"Owner_Account":)");
    out.quoted(room.owner_account);
    out.literal(R"(,"CoverURL":)");
    out.quoted(room.cover_url);
    out.literal(R"(,"Category":[)");
    for (const auto& tag : room.category) {
        if (&tag != room.category.data()) out.put(',');
        if (const auto* text = std::get_if<std::string>(&tag)) {
            out.quoted(*text);
        } else {
            out.decimal(std::get<std::int64_t>(tag));
        }
    }
    out.literal(R"(],"CreateTime":)");
    out.decimal(room.create_time);
    out.literal(R"(,"ActivityStatus":)");
    out.decimal(room.activity_status);
    out.literal(R"(,"ViewCount":)");
    out.decimal(room.view_count);
    if (room.is_unlimited_room_enabled) {
        out.literal(R"(,"IsUnlimitedRoomEnabled":true)");
    } else {
        out.literal(R"(,"IsUnlimitedRoomEnabled":false)");
    }
    out.literal(R"(,"SeatLayoutTemplateId":)");
    out.decimal(seat_layout_template_id(room.seat_template));
    out.literal(R"(,"CustomInfo":""})");
}

json::array metadata_json(const std::vector<state::MetadataEntry>& entries) {
    json::array out;
    for (const auto& entry : entries) out.push_back(json::object{{"Key", entry.key}, {"Value", entry.value}});
    return out;
}

json::array accounts_json(const std::vector<std::string>& accounts) {
    return json::array(accounts.begin(), accounts.end());
}

json::object room_record_json(const state::Room& room) {
    json::object out = room_info_json(room);
    out["Metadata"] = metadata_json(room.metadata);
    out["RobotList_Account"] = accounts_json(room.robots);
    return out;
}

}  // namespace lee::api
