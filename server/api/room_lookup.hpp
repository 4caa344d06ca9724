#pragma once
// The `{"RoomId": ...}` body that get_room_info and destroy_room share.
#include <string>

#include <boost/json/value.hpp>

#include "api/room_fields.hpp"

namespace lee::api {

inline FieldCheck read_room_id_body(const boost::json::value& body, std::string& room_id) {
    if (!body.is_object()) return FieldError{100002, "the request body must be a JSON object"};
    return read_room_id(body.get_object(), "", room_id);
}

}  // namespace lee::api
