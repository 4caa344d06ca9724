// destroy_room: emulated-api.md section 4. The create interval of the RoomId is kept, so destroy-then-create
// is still subject to 100012.
#include <boost/json.hpp>

#include "api/callback_bodies.hpp"
#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"

namespace lee::api {

CommandResult destroy_room(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    if (auto error = read_room_id_body(body, room_id)) return failure(*error);
    const bool announce = context.wants(core::CallbackEvent::after_destroy_room);
    state::Room removed;
    if (!context.tenant.rooms.destroy(room_id, announce ? &removed : nullptr)) return no_room(room_id);
    CommandResult result = succeeded("ok: room destroyed, its metadata and robots with it");
    if (announce) {
        result.callback = CallbackNotice{core::CallbackEvent::after_destroy_room,
                                         after_destroy_room(context.identifier, removed, context.now_ms)};
    }
    return result;
}

}  // namespace lee::api
