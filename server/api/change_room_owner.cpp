// change_room_owner: {"RoomId", "NewOwner_Account"}, envelope only. The new owner is what get_room_info,
// get_room_list and create_room's 100010/100003 see from then on; naming the current owner is a success.
#include <utility>

#include <boost/json.hpp>

#include "api/callback_bodies.hpp"
#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_lookup.hpp"

namespace lee::api {
namespace {
constexpr std::string_view kNewOwner = "NewOwner_Account";
}

CommandResult change_room_owner(const CommandContext& context, const boost::json::value& body) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return failure(*error);
    if (auto error = check_account_type(*object, "", kNewOwner)) return failure(*error);
    std::string room_id;
    if (auto error = read_room_id(*object, "", room_id)) return failure(*error);
    std::string owner;
    if (auto error = read_account(*object, "", kNewOwner, owner)) return failure(*error);
    std::string previous;
    CommandResult result = decide_on_room(context, room_id, [&](state::Room& room) {
        previous = std::exchange(room.owner_account, owner);
        if (previous == owner) return succeeded("ok: " + owner + " already owns the room");
        return succeeded("ok: owner changed from " + previous + " to " + owner);
    });
    // Every success raises it, naming the current owner too (the doc: after the owner is changed successfully).
    if (result.code == 0 && context.wants(core::CallbackEvent::after_change_owner)) {
        result.callback =
            CallbackNotice{core::CallbackEvent::after_change_owner,
                           after_change_owner(context.identifier, room_id, owner, previous, context.now_ms)};
    }
    return result;
}

}  // namespace lee::api
