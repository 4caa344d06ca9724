// get_room_info: emulated-api.md section 4. The payload sits under "Response", unlike create_room's.
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"
#include "api/room_view.hpp"

namespace lee::api {

CommandResult get_room_info(const CommandContext& context, const boost::json::value& body) {
    CommandResult result;
    const auto room = find_named_room(context, body, result);
    if (!room) return result;
    result.payload["Response"] = boost::json::object{{"RoomInfo", room_info_json(*room)}};
    return result;
}

}  // namespace lee::api
