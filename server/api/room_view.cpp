#include "api/room_view.hpp"

#include <boost/json.hpp>

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

json::object room_info_json(const state::Room& room) {
    json::object out;
    out["RoomId"] = room.room_id;
    out["RoomName"] = room.room_name;
    out["RoomType"] = room.room_type;
    out["Owner_Account"] = room.owner_account;
    out["CreateTime"] = room.create_time;
    out["TakeSeatMode"] = room.take_seat_mode;
    out["SeatTemplate"] = room.seat_template;
    out["MaxSeatCount"] = room.max_seat_count;
    out["IsMessageDisabled"] = room.is_message_disabled;
    out["IsPublicVisible"] = room.is_public_visible;
    out["CoverURL"] = room.cover_url;
    out["Category"] = category_json(room);
    out["ActivityStatus"] = room.activity_status;
    out["ViewCount"] = room.view_count;
    return out;
}

json::object room_list_entry_json(const state::Room& room) {
    json::object out;
    out["RoomId"] = room.room_id;
    out["RoomName"] = room.room_name;
    out["Owner_Account"] = room.owner_account;
    out["CoverURL"] = room.cover_url;
    out["Category"] = category_json(room);
    out["CreateTime"] = room.create_time;
    out["ActivityStatus"] = room.activity_status;
    out["ViewCount"] = room.view_count;
    return out;
}

}  // namespace lee::api
