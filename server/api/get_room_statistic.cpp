// get_room_statistic (the console's name) and get_room_stats (the docs' name): {"RoomId"} → the documented
// "Response" with every count 0, since nobody watches, chats in or sends gifts to an emulated room.
#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"

namespace lee::api {

CommandResult get_room_statistic(const CommandContext& context, const boost::json::value& body) {
    CommandResult result;
    if (!find_named_room(context, body, result)) return result;
    boost::json::object stats;
    for (const char* field : {"TotalViewers", "TotalGiftsSent", "TotalGiftCoins", "TotalUniqueGiftSenders",
                              "TotalLikesReceived", "TotalMsgCount"}) {
        stats[field] = 0;
    }
    result.payload["Response"] = std::move(stats);
    return result;
}

}  // namespace lee::api
