// set_callback (v4/live_config): {"Url", "CallbackCommandList"}, envelope only. The app's callback URL and the
// callbacks that are on, replacing what was set before (apps.json's callback_url and callback_events).
#include "api/callback_config.hpp"

namespace lee::api {

CommandResult set_callback(const CommandContext&, const boost::json::value& body) {
    CallbackConfig config;
    if (auto error = read_callback_config(body, config)) return failure(*error);
    return store_callback_config(std::move(config), "ok: callbacks go to");
}

}  // namespace lee::api
