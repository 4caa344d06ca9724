// get_callback (v4/live_config): {} → "Response":{"Url","CallbackCommandList"} (trtc.io/document/64418). An app
// without a URL answers "" and [] (inferred); "all callbacks on" lists the ones the emulator sends.
#include "api/callback_config.hpp"

namespace lee::api {

CommandResult get_callback(const CommandContext& context, const boost::json::value& body) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return failure(*error);
    const rules::WebhookSettings& settings = context.app.webhook;
    boost::json::array commands;
    if (!settings.url.empty()) {
        if (settings.events) {
            for (const auto& name : *settings.events) commands.emplace_back(name);
        } else {
            for (const auto name : core::kCallbackCommands) commands.emplace_back(name);
        }
    }
    CommandResult result = succeeded("ok");
    result.payload["Response"] = boost::json::object{{"Url", settings.url}, {"CallbackCommandList", commands}};
    return result;
}

}  // namespace lee::api
