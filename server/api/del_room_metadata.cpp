// del_room_metadata: {"RoomId", "Keys":[...]} (at least one key), envelope only. Deletes the keys that exist;
// 100503 only when none of them does (room_metadata.hpp).
#include <boost/json.hpp>

#include "api/callback_bodies.hpp"
#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"
#include "api/room_metadata.hpp"

namespace lee::api {

CommandResult del_room_metadata(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    std::vector<std::string> keys;
    if (auto error = read_keys_body(body, 1, room_id, keys)) return failure(*error);
    CommandResult result =
        decide_on_room(context, room_id, [&](state::Room& room) { return delete_metadata(room.metadata, keys); });
    if (result.code == 0 && context.wants(core::CallbackEvent::after_del_metadata)) {
        result.callback = CallbackNotice{core::CallbackEvent::after_del_metadata,
                                         after_del_metadata(context.identifier, room_id, keys, context.now_ms)};
    }
    return result;
}

}  // namespace lee::api
