// get_seat_list (service room_engine_http_mic): {"RoomId"} → "Response":{"SeatList":[...]}, one seat per
// MaxSeatCount, Index 0..N-1. A room created over REST has nobody in it, so every seat is empty (the docs leave
// Member_Account out of an empty seat) and none is locked or muted.
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"

namespace lee::api {

CommandResult get_seat_list(const CommandContext& context, const boost::json::value& body) {
    CommandResult result;
    const auto room = find_named_room(context, body, result);
    if (!room) return result;
    boost::json::array seats;
    for (std::uint32_t index = 0; index < room->max_seat_count; ++index) {
        seats.push_back(boost::json::object{
            {"Index", index}, {"IsTakenDisabled", false}, {"IsVideoDisabled", false}, {"IsAudioDisabled", false}});
    }
    result.payload["Response"] = boost::json::object{{"SeatList", std::move(seats)}};
    return result;
}

}  // namespace lee::api
