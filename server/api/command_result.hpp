#pragma once
// Small constructors shared by the command files.
#include <string>

#include "api/command_handler.hpp"
#include "api/room_fields.hpp"

namespace lee::api {

inline CommandResult failure(int code, std::string detail = {}) { return CommandResult{code, std::move(detail), {}}; }
inline CommandResult failure(FieldError error) { return failure(error.code, std::move(error.detail)); }

}  // namespace lee::api
