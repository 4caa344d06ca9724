// get_room_metadata: {"RoomId", "Keys":[...]} → "Response":{"Metadata":[{"Key","Value"}, ...]}. Keys is required
// (the docs say "Mandatory"); [] asks for every key. Keys that do not exist are left out, and no key is too long
// to ask for: it simply does not exist.
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_metadata.hpp"
#include "api/room_view.hpp"

namespace lee::api {

CommandResult get_room_metadata(const CommandContext& context, const boost::json::value& body) {
    std::string room_id;
    std::vector<std::string> keys;
    if (auto error = read_keys_body(body, 0, room_id, keys)) return failure(*error);
    std::vector<state::MetadataEntry> selected;
    if (!context.tenant.rooms.read(room_id,
                                   [&](const state::Room& room) { selected = select_metadata(room.metadata, keys); })) {
        return no_room(room_id);
    }
    CommandResult result;
    result.payload["Response"] = boost::json::object{{"Metadata", metadata_json(selected)}};
    return result;
}

}  // namespace lee::api
