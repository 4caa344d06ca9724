#pragma once
// The `{"RoomId", "RobotList_Account":[...]}` body that add_robot and del_robot share.
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "api/room_fields.hpp"

namespace lee::api {

inline constexpr std::string_view kRobotList = "RobotList_Account";
// "Each room can accommodate a maximum of three robots." (the docs)
inline constexpr std::size_t kMaxRobots = 3;

// Step 12: an account in the list that is not a string is 60015, like Owner_Account. Step 13: RoomId, then a
// non-empty list of 1..32-byte accounts (the emulator has no account registry to check them against).
inline FieldCheck read_robot_list_body(const boost::json::value& body, std::string& room_id,
                                       std::vector<std::string>& robots) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return error;
    if (auto error = check_account_list_type(*object, kRobotList)) return error;
    if (auto error = read_room_id(*object, "", room_id)) return error;
    return read_string_list(*object, kRobotList, 1, kMaxAccountBytes, robots);
}

}  // namespace lee::api
