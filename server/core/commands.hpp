#pragma once
// The command table: every emulated command once, with its service and default rate. Everything indexed by
// command (rate windows, rate limits, metrics, the handler switch in api/) derives from this one table, and the
// checks below make a missed or misplaced row a compile error instead of a null handler or an unlimited rate.
// It sits below every other folder so state/ and rules/ can use it without including api/.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lee::core {

enum class Command : std::uint8_t {
    create_room,
    destroy_room,
    get_room_info,
    update_room_info,
    get_room_list,
    set_room_metadata,
    get_room_metadata,
    del_room_metadata,
    get_room_statistic,
    get_room_stats,
    add_robot,
    get_robot,
    del_robot,
    change_room_owner,
    get_seat_list,
    set_callback,
    update_callback,
    get_callback,
    set_callback_token,
    get_callback_token,
};

struct CommandSpec {
    Command command;
    std::string_view service;    // the path segment after /v4/
    std::string_view name;       // the path segment after the service
    std::uint32_t default_rate;  // requests per second per app; 0 would mean unlimited
};

inline constexpr std::string_view kLiveEngineService = "live_engine_http_srv";
inline constexpr std::string_view kMicService = "room_engine_http_mic";
inline constexpr std::string_view kLiveConfigService = "live_config";

// The highest per-second limit a rate window counts to (what apps.json and the control API accept).
inline constexpr std::uint32_t kMaxRateLimit = 50'000'000;

inline constexpr std::array kCommands = {
    CommandSpec{Command::create_room, kLiveEngineService, "create_room", 200},
    CommandSpec{Command::destroy_room, kLiveEngineService, "destroy_room", 200},
    CommandSpec{Command::get_room_info, kLiveEngineService, "get_room_info", 200},
    CommandSpec{Command::update_room_info, kLiveEngineService, "update_room_info", 200},
    CommandSpec{Command::get_room_list, kLiveEngineService, "get_room_list", 10},
    CommandSpec{Command::set_room_metadata, kLiveEngineService, "set_room_metadata", 200},
    CommandSpec{Command::get_room_metadata, kLiveEngineService, "get_room_metadata", 200},
    CommandSpec{Command::del_room_metadata, kLiveEngineService, "del_room_metadata", 200},
    // The console calls get_room_statistic; the docs name the same call get_room_stats. Both are served.
    CommandSpec{Command::get_room_statistic, kLiveEngineService, "get_room_statistic", 100},
    CommandSpec{Command::get_room_stats, kLiveEngineService, "get_room_stats", 100},
    CommandSpec{Command::add_robot, kLiveEngineService, "add_robot", 100},
    CommandSpec{Command::get_robot, kLiveEngineService, "get_robot", 100},
    CommandSpec{Command::del_robot, kLiveEngineService, "del_robot", 100},
    CommandSpec{Command::change_room_owner, kLiveEngineService, "change_room_owner", 200},
    CommandSpec{Command::get_seat_list, kMicService, "get_seat_list", 200},
    // Webhook configuration (trtc.io/document/64420, 64419, 64418, 69528, 69529): 200/s each, as documented.
    CommandSpec{Command::set_callback, kLiveConfigService, "set_callback", 200},
    CommandSpec{Command::update_callback, kLiveConfigService, "update_callback", 200},
    CommandSpec{Command::get_callback, kLiveConfigService, "get_callback", 200},
    CommandSpec{Command::set_callback_token, kLiveConfigService, "set_callback_token", 200},
    CommandSpec{Command::get_callback_token, kLiveConfigService, "get_callback_token", 200},
};

inline constexpr std::size_t kCommandCount = kCommands.size();

namespace detail {
constexpr bool rows_in_enum_order() {
    for (std::size_t i = 0; i < kCommandCount; ++i) {
        if (static_cast<std::size_t>(kCommands[i].command) != i) return false;
    }
    return true;
}
// Unique by name alone, not only by service and name: rules files, fault rules and the journal's filter spell a
// command by its name.
constexpr bool names_unique_and_set() {
    for (std::size_t i = 0; i < kCommandCount; ++i) {
        if (kCommands[i].name.empty() || kCommands[i].service.empty() || kCommands[i].default_rate == 0) return false;
        for (std::size_t j = i + 1; j < kCommandCount; ++j) {
            if (kCommands[i].name == kCommands[j].name) return false;
        }
    }
    return true;
}
}  // namespace detail

static_assert(detail::rows_in_enum_order(), "kCommands rows must follow the order of enum Command");
static_assert(static_cast<std::size_t>(Command::get_callback_token) + 1 == kCommandCount,
              "every value of enum Command needs a row in kCommands");
static_assert(detail::names_unique_and_set(), "each row needs a unique name, a service and a default rate");

constexpr std::size_t index_of(Command command) { return static_cast<std::size_t>(command); }
constexpr const CommandSpec& spec_of(Command command) { return kCommands[index_of(command)]; }
constexpr std::string_view command_name(Command command) { return spec_of(command).name; }

// The command a /v4 path names, by service and name.
constexpr std::optional<Command> find_command(std::string_view service, std::string_view name) {
    for (const auto& row : kCommands) {
        if (row.service == service && row.name == name) return row.command;
    }
    return std::nullopt;
}

// By name alone, as rules files and the control API spell commands.
constexpr std::optional<Command> command_from_name(std::string_view name) {
    for (const auto& row : kCommands) {
        if (row.name == name) return row.command;
    }
    return std::nullopt;
}

}  // namespace lee::core
