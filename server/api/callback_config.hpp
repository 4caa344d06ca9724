#pragma once
// The body set_callback and update_callback share, {"Url": "...", "CallbackCommandList": [...]}, both mandatory
// (trtc.io/document/64420, 64419), and the view get_callback answers with.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "core/callback_events.hpp"
#include "rules/webhook_settings.hpp"

namespace lee::api {

struct CallbackConfig {
    std::string url;
    std::vector<std::string> commands;
};

inline FieldCheck read_callback_config(const boost::json::value& body, CallbackConfig& out) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return error;
    const auto* url = object->if_contains("Url");
    if (!url) return FieldError{code::invalid_parameter, "Url is required"};
    if (!url->is_string()) return FieldError{code::invalid_parameter, "Url must be a string"};
    out.url = url->get_string();
    if (auto why = rules::callback_url_problem(out.url); !why.empty()) {
        return FieldError{code::invalid_parameter, "Url " + why};
    }
    const auto* list = object->if_contains("CallbackCommandList");
    if (!list) return FieldError{code::invalid_parameter, "CallbackCommandList is required"};
    if (!list->is_array()) return FieldError{code::invalid_parameter, "CallbackCommandList must be an array"};
    if (list->get_array().size() > rules::kMaxCallbackCommands) {
        return FieldError{code::invalid_parameter, "CallbackCommandList holds more than " +
                                                       std::to_string(rules::kMaxCallbackCommands) + " commands"};
    }
    for (const auto& item : list->get_array()) {
        if (!item.is_string() || !rules::callback_command_problem(item.get_string()).empty()) {
            return FieldError{code::invalid_parameter,
                              "CallbackCommandList items must be Live callback commands such as "
                              "Live.CallbackAfterCreateRoom"};
        }
        std::string name(item.get_string());
        if (std::find(out.commands.begin(), out.commands.end(), name) == out.commands.end()) {
            out.commands.push_back(std::move(name));
        }
    }
    return std::nullopt;
}

inline CommandResult store_callback_config(CallbackConfig config, std::string why) {
    CommandResult result = succeeded(std::move(why) + " " + config.url);
    result.webhook_change = [config = std::move(config)](rules::WebhookSettings& settings) {
        settings.url = config.url;
        settings.events = config.commands;
    };
    return result;
}

}  // namespace lee::api
