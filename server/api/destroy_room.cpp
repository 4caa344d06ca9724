// destroy_room: emulated-api.md section 4. The create interval of the RoomId is kept, so destroy-then-create
// is still subject to 100012.
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"

namespace lee::api {

CommandResult destroy_room(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    if (auto error = read_room_id_body(body, room_id)) return failure(*error);
    if (!context.tenant.rooms.destroy(room_id)) return no_room(room_id);
    return succeeded("ok: room destroyed, its metadata and robots with it");
}

}  // namespace lee::api
