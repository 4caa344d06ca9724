// set_callback_token (v4/live_config): {"Token", "IsTokenEnable"}, envelope only (cloud.tencent.com/document/
// product/647/118333). Both are required while the app has no token; after that, either may be left out.
#include "api/callback_config.hpp"

namespace lee::api {

CommandResult set_callback_token(const CommandContext& context, const boost::json::value& body) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return failure(*error);
    const bool first = context.app.webhook.token.empty();
    std::optional<std::string> token;
    std::optional<bool> enabled;
    if (const auto* value = object->if_contains("Token")) {
        if (!value->is_string()) return failure(code::invalid_parameter, "Token must be a string");
        if (auto why = rules::callback_token_problem(value->get_string()); !why.empty()) {
            return failure(code::invalid_parameter, "Token " + why);
        }
        token = std::string(value->get_string());
    } else if (first) {
        return failure(code::invalid_parameter, "Token is required when the app has no token yet");
    }
    if (const auto* value = object->if_contains("IsTokenEnable")) {
        if (!value->is_bool()) return failure(code::invalid_parameter, "IsTokenEnable must be true or false");
        enabled = value->get_bool();
    } else if (first) {
        return failure(code::invalid_parameter, "IsTokenEnable is required when the app has no token yet");
    }
    CommandResult result =
        succeeded(enabled.value_or(context.app.webhook.token_enabled) ? "ok: callbacks are signed with the token"
                                                                      : "ok: token kept, callbacks are not signed");
    result.webhook_change = [token, enabled](rules::WebhookSettings& settings) {
        if (token) settings.token = *token;
        if (enabled) settings.token_enabled = *enabled;
    };
    return result;
}

}  // namespace lee::api
