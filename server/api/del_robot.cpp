// del_robot: {"RoomId", "RobotList_Account":[...]}, envelope only. Robots that are not in the room are ignored.
#include <algorithm>

#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/robot_list.hpp"
#include "api/room_lookup.hpp"

namespace lee::api {

CommandResult del_robot(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    std::vector<std::string> robots;
    if (auto error = read_robot_list_body(body, room_id, robots)) return failure(*error);
    return decide_on_room(context, room_id, [&](state::Room& room) {
        const std::size_t removed = std::erase_if(room.robots, [&](const std::string& robot) {
            return std::find(robots.begin(), robots.end(), robot) != robots.end();
        });
        return succeeded("ok: " + std::to_string(removed) + " robot(s) removed; the room holds " +
                         std::to_string(room.robots.size()));
    });
}

}  // namespace lee::api
