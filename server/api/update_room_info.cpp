// update_room_info: emulated-api.md section 4, with create_room's field rules for the fields it may change, and
// Notice and MaxMemberCount, which only its doc lists.
#include <boost/json.hpp>

#include "api/callback_bodies.hpp"
#include "api/command_result.hpp"
#include "api/error_table.hpp"

namespace lee::api {
namespace {
constexpr std::string_view kPath = "RoomInfo";
}

CommandResult update_room_info(const CommandContext& context, const boost::json::value& body) {
    if (auto error = check_room_info_accounts(body)) return failure(*error);
    const boost::json::object* info = nullptr;
    if (auto error = require_object(body, kPath, info)) return failure(*error);
    const IndexedMembers indexed(*info);
    std::string room_id;
    if (auto error = read_room_id(*info, kPath, room_id)) return failure(*error);
    EditableFields fields;
    if (auto error = read_editable_fields(*info, kPath, fields)) return failure(*error);
    if (auto error = read_update_only_fields(*info, kPath, fields)) return failure(*error);
    // The RoomId itself is not being set here, so only the changed fields are screened.
    if (auto field = find_sensitive_field(context.rules.sensitive_words, kPath, {}, fields)) {
        return sensitive_word_in(std::move(*field));
    }
    const bool announce = context.wants(core::CallbackEvent::after_update_room_info);
    CommandResult result;
    if (!context.tenant.rooms.update(room_id, [&](state::Room& room) {
            fields.apply_to(room);
            // Built under the room's lock: the webhook shows the room as this update left it.
            if (announce) {
                result.callback = CallbackNotice{core::CallbackEvent::after_update_room_info,
                                                 after_update_room_info(context.identifier, room, context.now_ms)};
            }
        })) {
        return no_room(room_id);
    }
    return result;
}

}  // namespace lee::api
