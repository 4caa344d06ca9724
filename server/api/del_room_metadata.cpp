// del_room_metadata: {"RoomId", "Keys":[...]} (at least one key), envelope only. Deletes the keys that exist;
// 100503 only when none of them does (room_metadata.hpp).
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"
#include "api/room_metadata.hpp"

namespace lee::api {

CommandResult del_room_metadata(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    std::vector<std::string> keys;
    if (auto error = read_keys_body(body, 1, room_id, keys)) return failure(*error);
    return decide_on_room(context, room_id, [&](state::Room& room) { return delete_metadata(room.metadata, keys); });
}

}  // namespace lee::api
