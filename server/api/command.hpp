#pragma once
// The emulated commands under /v4/live_engine_http_srv/. Rate limits and routing are indexed by this enum.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lee::api {

enum class Command : std::uint8_t { create_room, destroy_room, get_room_info, update_room_info, get_room_list };

inline constexpr std::size_t kCommandCount = 5;

inline constexpr std::array<std::string_view, kCommandCount> kCommandNames = {
    "create_room", "destroy_room", "get_room_info", "update_room_info", "get_room_list"};

inline constexpr std::string_view kServiceName = "live_engine_http_srv";

constexpr std::string_view command_name(Command command) { return kCommandNames[static_cast<std::size_t>(command)]; }

constexpr std::optional<Command> command_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kCommandCount; ++i) {
        if (kCommandNames[i] == name) return static_cast<Command>(i);
    }
    return std::nullopt;
}

}  // namespace lee::api
