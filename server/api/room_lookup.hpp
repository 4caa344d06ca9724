#pragma once
// The `{"RoomId": ...}` body that get_room_info, destroy_room and the other room-scoped reads share.
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "api/command_result.hpp"
#include "api/room_fields.hpp"

namespace lee::api {

inline FieldCheck read_room_id_body(const boost::json::value& body, std::string& room_id) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return error;
    return read_room_id(*object, "", room_id);
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
