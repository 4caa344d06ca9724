// get_room_info: emulated-api.md section 4. The payload sits under "Response", unlike create_room's.
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"
#include "api/room_view.hpp"

namespace lee::api {

CommandResult get_room_info(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    if (auto error = read_room_id_body(body, room_id)) return failure(*error);
    const auto room = context.tenant.rooms.find(room_id);
    if (!room) return explained(code::room_not_found, "state: 100004 no room " + room_id);
    CommandResult result;
    result.payload["Response"] = boost::json::object{{"RoomInfo", room_info_json(*room)}};
    return result;
}

}  // namespace lee::api
