#pragma once
// The `{"RoomId": ...}` body that get_room_info, destroy_room and the other room-scoped reads share, and the
// decision on a named room that the room-scoped writes share.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "api/command_result.hpp"
#include "api/room_fields.hpp"

namespace lee::api {

inline FieldCheck read_room_id_body(const boost::json::value& body, std::string& room_id) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return error;
    return read_room_id(*object, "", room_id);
}

// Decides on the stored room under its lock (`decide` may change it, and must leave it alone when it refuses);
// 100004 when there is no such room.
inline CommandResult decide_on_room(const CommandContext& context, std::string_view room_id,
                                    const std::function<CommandResult(state::Room&)>& decide) {
    CommandResult result;
    if (!context.tenant.rooms.update(room_id, [&](state::Room& room) { result = decide(room); })) {
        return no_room(room_id);
    }
    return result;
}

// The room a `{"RoomId": ...}` body names; without one, `answer` says why (100002, 100004).
inline std::optional<state::Room> find_named_room(const CommandContext& context, const boost::json::value& body,
                                                  CommandResult& answer) {
    std::string room_id;
    if (auto error = read_room_id_body(body, room_id)) {
        answer = failure(*error);
        return std::nullopt;
    }
    auto room = context.tenant.rooms.find(room_id);
    if (!room) answer = no_room(room_id);
    return room;
}

}  // namespace lee::api
