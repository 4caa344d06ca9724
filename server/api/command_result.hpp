#pragma once
// Small constructors shared by the command files.
#include <string>
#include <string_view>

#include "api/command_handler.hpp"
#include "api/error_table.hpp"
#include "api/room_fields.hpp"

namespace lee::api {

inline CommandResult failure(int code, std::string detail = {}) {
    CommandResult result;
    result.code = code;
    result.detail = std::move(detail);
    return result;
}
inline CommandResult failure(FieldError error) { return failure(error.code, std::move(error.detail)); }
// A result with the reason the journal shows for it.
inline CommandResult explained(CommandResult result, std::string why) {
    result.why = std::move(why);
    return result;
}
inline CommandResult explained(int code, std::string why) { return explained(failure(code), std::move(why)); }
// 100004, the answer of every room-scoped command on a RoomId without a room.
inline CommandResult no_room(std::string_view room_id) {
    return explained(code::room_not_found, "state: 100004 no room " + std::string(room_id));
}
// 100026 naming the field (never the word) in ErrorInfo.
inline CommandResult sensitive_word_in(std::string field) {
    std::string why = "state: 100026 sensitive word in " + field;
    return explained(failure(code::sensitive_content, std::move(field)), std::move(why));
}
// A success with the reason the journal shows for it.
inline CommandResult succeeded(std::string why) { return explained(CommandResult{}, std::move(why)); }

}  // namespace lee::api
