#pragma once
// How a stored room is shown: get_room_info's RoomInfo, a get_room_list entry, the control API's full record.
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "state/room.hpp"

namespace lee::api {

class JsonText;

boost::json::object room_info_json(const state::Room& room);
// A get_room_list entry, written as JSON text.
void write_room_list_entry(JsonText& out, const state::ListedRoom& room);
// `[{"Key":..,"Value":..}, ...]`, as get_room_metadata answers.
boost::json::array metadata_json(const std::vector<state::MetadataEntry>& entries);
// `["a", "b"]`, as get_robot answers.
boost::json::array accounts_json(const std::vector<std::string>& accounts);
// The control API's view: the RoomInfo, then the room's Metadata and RobotList_Account.
boost::json::object room_record_json(const state::Room& room);

}  // namespace lee::api
