// get_callback_token (v4/live_config): {} → "Response":{"Token","IsTokenEnable"}; 100302 while the app has none
// (cloud.tencent.com/document/product/647/118334). This is the emulated REST API, which shows the token to the
// app's admin as the real one does; the control API never shows it.
#include "api/callback_config.hpp"

namespace lee::api {

CommandResult get_callback_token(const CommandContext& context, const boost::json::value& body) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return failure(*error);
    const rules::WebhookSettings& settings = context.app.webhook;
    if (settings.token.empty()) {
        return explained(code::callback_token_not_set, "state: 100302 the app has no callback token");
    }
    CommandResult result = succeeded("ok");
    result.payload["Response"] =
        boost::json::object{{"Token", settings.token}, {"IsTokenEnable", settings.token_enabled}};
    return result;
}

}  // namespace lee::api
