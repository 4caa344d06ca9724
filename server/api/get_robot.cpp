// get_robot: {"RoomId"} → "Response":{"RobotList_Account":[...]}, in the order the robots were added.
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"
#include "api/room_view.hpp"

namespace lee::api {

CommandResult get_robot(const CommandContext& context, const boost::json::value& body) {
    CommandResult result;
    const auto room = find_named_room(context, body, result);
    if (!room) return result;
    result.payload["Response"] = boost::json::object{{"RobotList_Account", accounts_json(room->robots)}};
    return result;
}

}  // namespace lee::api
