#pragma once
// How a stored room is shown: get_room_info's RoomInfo, a get_room_list entry, the control API's full record.
#include <boost/json/fwd.hpp>

#include "state/room.hpp"

namespace lee::api {

boost::json::object room_info_json(const state::Room& room);
boost::json::object room_list_entry_json(const state::Room& room);

}  // namespace lee::api
