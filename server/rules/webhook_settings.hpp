#pragma once
// An app's webhook settings: where the emulator POSTs its Live callbacks, the token that signs them, and which
// callbacks are on. Read from apps.json and PUT /_emulator/apps/{id}, changed by the emulated
// v4/live_config/set_callback* commands: one struct, so all three work on the same settings.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lee::rules {

inline constexpr std::size_t kMaxCallbackUrlBytes = 1024;
inline constexpr std::size_t kMaxCallbackTokenBytes = 128;  // the set_callback_token doc: 1..128
inline constexpr std::size_t kMaxCallbackCommandBytes = 64;
inline constexpr std::size_t kMaxCallbackCommands = 32;

struct WebhookSettings {
    std::string url;  // http or https; empty: no callbacks
    std::string token;
    bool token_enabled = false;                      // IsTokenEnable: sign with the token
    std::optional<std::vector<std::string>> events;  // CallbackCommands that are on; unset: all

    bool wants(std::string_view callback_command) const;
    bool signs() const { return token_enabled && !token.empty(); }
};

// Why a callback URL is refused (empty text: accepted): absolute http or https, a host, no fragment, no user
// info, at most kMaxCallbackUrlBytes.
std::string callback_url_problem(std::string_view url);
// Why a CallbackCommand name is refused: "Live.Callback" and letters, at most kMaxCallbackCommandBytes. Names the
// emulator never sends (documented callbacks of features it does not emulate) are kept, as the real service would.
std::string callback_command_problem(std::string_view name);
// Why a token is refused: 1..kMaxCallbackTokenBytes of printable ASCII.
std::string callback_token_problem(std::string_view token);

}  // namespace lee::rules
