// update_callback (v4/live_config): the same body as set_callback, and the same effect (inferred: its doc shows
// the same fields, both mandatory, and no error of its own).
#include "api/callback_config.hpp"

namespace lee::api {

CommandResult update_callback(const CommandContext&, const boost::json::value& body) {
    CallbackConfig config;
    if (auto error = read_callback_config(body, config)) return failure(*error);
    return store_callback_config(std::move(config), "ok: callbacks now go to");
}

}  // namespace lee::api
