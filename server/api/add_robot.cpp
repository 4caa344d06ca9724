// add_robot: {"RoomId", "RobotList_Account":[...]}, envelope only. A robot already in the room is a success and
// is not added twice; more than three robots in the room is 100002 (the docs give the limit, not its code).
#include <algorithm>

#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/robot_list.hpp"
#include "api/room_lookup.hpp"

namespace lee::api {
namespace {

CommandResult add_robots(std::vector<std::string>& stored, const std::vector<std::string>& robots) {
    std::vector<std::string> merged = stored;
    for (const auto& robot : robots) {
        if (std::find(merged.begin(), merged.end(), robot) == merged.end()) merged.push_back(robot);
    }
    if (merged.size() > kMaxRobots) {
        std::string detail = std::string(kRobotList) + " would make " + std::to_string(merged.size()) +
                             " robots; a room holds at most " + std::to_string(kMaxRobots);
        std::string why = "state: 100002 " + detail;  // decided on the room's robots, after 100004
        return explained(failure(code::invalid_parameter, std::move(detail)), std::move(why));
    }
    const std::size_t added = merged.size() - stored.size();
    stored = std::move(merged);
    return succeeded("ok: " + std::to_string(added) + " robot(s) added; the room holds " +
                     std::to_string(stored.size()));
}

}  // namespace

CommandResult add_robot(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    std::vector<std::string> robots;
    if (auto error = read_robot_list_body(body, room_id, robots)) return failure(*error);
    return decide_on_room(context, room_id, [&](state::Room& room) { return add_robots(room.robots, robots); });
}

}  // namespace lee::api
