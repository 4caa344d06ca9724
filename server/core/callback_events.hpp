#pragma once
// The Live webhooks ("third-party callbacks") the emulated commands trigger, once each, with their documented
// CallbackCommand. Settings name them by that string; metrics index counters by this enum, so labels stay bounded.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lee::core {

enum class CallbackEvent : std::uint8_t {
    after_create_room,
    after_destroy_room,
    after_update_room_info,
    after_set_metadata,
    after_del_metadata,
    after_change_owner,
};

inline constexpr std::array<std::string_view, 6> kCallbackCommands = {
    "Live.CallbackAfterCreateRoom",  "Live.CallbackAfterDestroyRoom", "Live.CallbackAfterUpdateRoomInfo",
    "Live.CallbackAfterSetMetadata", "Live.CallbackAfterDelMetadata", "Live.CallbackAfterChangeOwner",
};
inline constexpr std::size_t kCallbackEventCount = kCallbackCommands.size();
static_assert(static_cast<std::size_t>(CallbackEvent::after_change_owner) + 1 == kCallbackEventCount,
              "every CallbackEvent needs its CallbackCommand");

constexpr std::string_view callback_command(CallbackEvent event) {
    return kCallbackCommands[static_cast<std::size_t>(event)];
}

constexpr std::optional<CallbackEvent> callback_event_from_command(std::string_view command) {
    for (std::size_t i = 0; i < kCallbackEventCount; ++i) {
        if (kCallbackCommands[i] == command) return static_cast<CallbackEvent>(i);
    }
    return std::nullopt;
}

// What became of one delivery, for records and metrics (a fixed set, so metric labels stay bounded).
enum class CallbackOutcome : std::uint8_t {
    delivered,           // the receiver answered (any HTTP status: it is recorded, never acted on)
    failed,              // no answer: refused, reset, TLS or HTTP error
    timeout,             // no answer within the timeout
    dropped_queue_full,  // never sent: the queue was at its bound
    dropped_fault,       // never sent: a fault rule said drop
};
inline constexpr std::array<std::string_view, 5> kCallbackOutcomes = {"delivered", "failed", "timeout",
                                                                      "dropped_queue_full", "dropped_fault"};
constexpr std::string_view callback_outcome_name(CallbackOutcome outcome) {
    return kCallbackOutcomes[static_cast<std::size_t>(outcome)];
}

}  // namespace lee::core
