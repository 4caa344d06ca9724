#pragma once
// The `{"RoomId": ...}` body that get_room_info and destroy_room share.
#include <string>

#include <boost/json/value.hpp>

#include "api/room_fields.hpp"

namespace lee::api {

inline FieldCheck read_room_id_body(const boost::json::value& body, std::string& room_id) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return error;
    return read_room_id(*object, "", room_id);
}

}  // namespace lee::api
