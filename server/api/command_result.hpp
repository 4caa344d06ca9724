#pragma once
// Small constructors shared by the command files.
#include <string>

#include "api/command_handler.hpp"
#include "api/room_fields.hpp"

namespace lee::api {

inline CommandResult failure(int code, std::string detail = {}) {
    return CommandResult{code, std::move(detail), {}, {}};
}
inline CommandResult failure(FieldError error) { return failure(error.code, std::move(error.detail)); }
// A result with the reason the journal shows for it.
inline CommandResult explained(CommandResult result, std::string why) {
    result.why = std::move(why);
    return result;
}
inline CommandResult explained(int code, std::string why) { return explained(failure(code), std::move(why)); }

}  // namespace lee::api
