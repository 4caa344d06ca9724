// set_room_metadata: {"RoomId", "Metadata":[{"Key","Value"}, ...]}, envelope only. A key that exists is updated,
// others are added (the docs). Then, as update_room_info: 100026 (keys and values) → 100004; then the limits of
// room_metadata.hpp.
#include <boost/json.hpp>

#include "api/callback_bodies.hpp"
#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"
#include "api/room_metadata.hpp"

namespace lee::api {

CommandResult set_room_metadata(const CommandContext& context, const boost::json::value& body) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return failure(*error);
    std::string room_id;
    if (auto error = read_room_id(*object, "", room_id)) return failure(*error);
    std::vector<state::MetadataEntry> items;
    if (auto error = read_metadata_items(*object, items)) return failure(*error);
    if (auto field = find_sensitive_metadata(context.rules.sensitive_words, items)) {
        return sensitive_word_in(std::move(*field));
    }
    CommandResult result =
        decide_on_room(context, room_id, [&](state::Room& room) { return set_metadata(room.metadata, items); });
    if (result.code == 0 && context.wants(core::CallbackEvent::after_set_metadata)) {
        result.callback = CallbackNotice{core::CallbackEvent::after_set_metadata,
                                         after_set_metadata(context.identifier, room_id, items, context.now_ms)};
    }
    return result;
}

}  // namespace lee::api
