#pragma once
// A stored room as JSON, every field under its API name: what a snapshot holds. The API's own views of a room
// (api/room_view) add computed fields and leave some out; this one is complete and reads back to the same room.
#include <string>

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>

#include "state/room.hpp"

namespace lee::state {

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Room& room);

// Reads what tag_invoke wrote. Throws rules::SettingError naming `path` and the bad field; an absent field keeps
// a fresh room's value, an unknown one is refused (a typo must not silently become a default).
Room read_room(const boost::json::value& value, const std::string& path);

}  // namespace lee::state
