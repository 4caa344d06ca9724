// create_room: emulated-api.md section 3.
#include <optional>
#include <type_traits>

#include <boost/json.hpp>

#include "api/callback_bodies.hpp"
#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/json_text.hpp"
#include "api/room_info_body.hpp"

namespace lee::api {
namespace {

constexpr std::string_view kPath = "RoomInfo";

// Over either kind of JSON the field readers serve (room_fields.hpp).
template <class Value>
CommandResult create_from(const CommandContext& context, const Value& body) {
    if (auto error = check_room_info_accounts(body)) return failure(*error);

    using Object = std::remove_cvref_t<decltype(body.get_object())>;
    const Object* info = nullptr;
    if (auto error = require_object(body, kPath, info)) return failure(*error);
    state::Room room;
    EditableFields fields;
    if (auto error = read_room_id(*info, kPath, room.room_id)) return failure(*error);
    if (auto error = read_room_type(*info, kPath, room.room_type)) return failure(*error);
    if (auto error = read_owner_account(*info, kPath, context.identifier, room.owner_account)) return failure(*error);
    if (auto error = read_seat_template(*info, kPath, room.seat_template)) return failure(*error);
    if (auto error =
            read_max_seat_count(*info, kPath, room.seat_template, context.app.max_seat_count, room.max_seat_count)) {
        return failure(*error);
    }
    if (auto error = read_editable_fields(*info, kPath, fields)) return failure(*error);
    // Without a RoomName the room is named after its RoomId (copied only then: apply_to sets a given name).
    if (!fields.room_name) room.room_name = room.room_id;
    fields.apply_to(room);

    if (!context.app.paid) return explained(code::not_paid, "state: 100007 the app has no paid package");
    if (auto field = find_sensitive_field(context.rules.sensitive_words, kPath, room.room_id, fields)) {
        return sensitive_word_in(std::move(*field));
    }
    if (context.app.is_chat_group(room.room_id)) {
        return explained(code::room_id_is_chat_group, "state: 100011 RoomId is one of the app's chat_group_ids");
    }

    room.create_time = context.now_ms / 1000;
    const std::string& owner = room.owner_account;
    std::int64_t window_age_ms = 0;
    switch (context.tenant.rooms.create(room, context.now_ms, context.app.room_create_interval_ms, &window_age_ms)) {
        case state::CreateOutcome::too_frequent:
            return explained(code::create_too_frequent, "state: 100012 RoomId created " +
                                                            std::to_string(window_age_ms) +
                                                            " ms ago (room_create_interval_ms " +
                                                            std::to_string(context.app.room_create_interval_ms) + ")");
        case state::CreateOutcome::exists_same_owner:
            return explained(code::room_exists_same_owner, "state: 100010 room exists, owned by " + owner);
        case state::CreateOutcome::exists_other_owner:
            return explained(code::room_exists, "state: 100003 room exists with another owner than " + owner);
        case state::CreateOutcome::full: {
            const std::string bound = std::to_string(context.tenant.rooms.max_rooms());
            return explained(failure(code::internal_error,
                                     "the emulator holds at most " + bound + " rooms per app: --max-rooms-per-app"),
                             "state: the app holds " + bound + " rooms, the emulator's bound");
        }
        case state::CreateOutcome::created:
            break;
    }
    CommandResult result;
    // As JSON text: a one-field object cost two allocations and a serializer walk per create (issue 11).
    constexpr std::string_view kRoomIdKey = R"("RoomId":)";
    result.payload_text.reserve(kRoomIdKey.size() + room.room_id.size() + 2);  // one allocation when nothing escapes
    result.payload_text.append(kRoomIdKey);
    append_json_string(result.payload_text, room.room_id);
    result.why = "ok: room created";
    if (context.wants(core::CallbackEvent::after_create_room)) {
        result.callback = CallbackNotice{core::CallbackEvent::after_create_room,
                                         after_create_room(context.identifier, room, context.now_ms)};
    }
    return result;
}

}  // namespace

CommandResult create_room(const CommandContext& context, const RoomInfoBody& body) {
    return create_from(context, body.document());
}

CommandResult create_room(const CommandContext& context, const boost::json::value& body) {
    return create_from(context, body);
}

}  // namespace lee::api
