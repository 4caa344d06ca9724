#pragma once
// What an answer may ask of the transport besides sending itself: a delay, or a network fault instead of (or in
// the middle of) the answer. Decided above (faults/, api/), carried out by http/ on its own timers.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lee::core {

enum class NetworkFault : std::uint8_t {
    none,
    reset,      // TCP RST (SO_LINGER 0), no answer
    close,      // orderly close (FIN), no answer
    garbage,    // bytes that are not HTTP, then close
    truncated,  // headers promise a longer body than is sent, then close
    stall,      // never answer; hold the connection until the client or a stop closes it
};

constexpr std::string_view network_fault_name(NetworkFault fault) {
    switch (fault) {
        case NetworkFault::none:
            return "none";
        case NetworkFault::reset:
            return "reset";
        case NetworkFault::close:
            return "close";
        case NetworkFault::garbage:
            return "garbage";
        case NetworkFault::truncated:
            return "truncated";
        case NetworkFault::stall:
            return "stall";
    }
    return "none";
}

// "none" is not a fault anyone asks for, so it is not accepted here.
constexpr std::optional<NetworkFault> network_fault_from_name(std::string_view name) {
    for (const auto fault : {NetworkFault::reset, NetworkFault::close, NetworkFault::garbage, NetworkFault::truncated,
                             NetworkFault::stall}) {
        if (network_fault_name(fault) == name) return fault;
    }
    return std::nullopt;
}

struct TransportDirective {
    std::chrono::milliseconds delay{0};  // before anything is sent (or the network fault happens)
    NetworkFault network = NetworkFault::none;
};

}  // namespace lee::core
