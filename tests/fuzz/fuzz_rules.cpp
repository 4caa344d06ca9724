// The rules loaders on arbitrary text: lee::rules::parse_apps (apps.json), parse_faults_file (faults.json) and
// parse_sensitive_words (sensitive_words.txt) each get every input. They may refuse it with RulesError and nothing
// else (any other exception ends the run). What they accept must hold up:
//   - a RulesError's message is valid UTF-8 (POST /_emulator/reload puts it in a JSON answer);
//   - each app's settings, written as JSON the way GET /_emulator/apps shows them, read back to the same settings;
//   - each fault rule, written as GET /_emulator/faults shows it, reads back to the same rule (README: GET's output
//     can be saved as a faults.json);
//   - every sensitive word is valid UTF-8 and the matcher built from the list finds it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include "core/utf8.hpp"
#include "fuzz_check.hpp"
#include "rules/apps.hpp"
#include "rules/fault_rules.hpp"
#include "rules/rules_error.hpp"
#include "rules/rules_json.hpp"
#include "rules/sensitive_words.hpp"

namespace {

using lee::fuzz::check;
using lee::fuzz::fail;

void check_refusal(const lee::rules::RulesError& error) {
    check(lee::core::is_valid_utf8(error.what()), "a RulesError message is not valid UTF-8", error.what());
}

void check_app(const lee::rules::AppSettings& app) {
    const boost::json::object written = lee::rules::app_settings_to_json(app);
    try {
        const auto read = lee::rules::parse_app_settings(written, lee::rules::AppSettings{}, "$");
        // The key and the callback token are never written out (only whether there is one and its fingerprint), so
        // they cannot read back; everything else must.
        auto without_key = [](boost::json::object settings) {
            settings.erase("has_secret_key");
            settings.erase("secret_key_fingerprint");
            settings.erase("has_callback_token");
            settings.erase("callback_token_fingerprint");
            return settings;
        };
        check(without_key(lee::rules::app_settings_to_json(read)) == without_key(written),
              "app settings do not read back as written", boost::json::serialize(written));
        check(read.secret_key.empty(), "a secret key was read back from what the control API shows",
              boost::json::serialize(written));
        check(read.webhook.token.empty(), "a callback token was read back from what the control API shows",
              boost::json::serialize(written));
    } catch (const lee::rules::SettingError& error) {
        fail(std::string("app settings as written are refused: ") + error.what(), boost::json::serialize(written));
    }
}

void apps(std::string_view text) {
    try {
        const auto config = lee::rules::parse_apps(text, "apps.json");
        check_app(config.defaults);
        for (const auto& [sdkappid, app] : config.apps) {
            check(sdkappid == app.sdkappid && sdkappid != 0, "an app is filed under another sdkappid");
            check_app(app);
        }
    } catch (const lee::rules::RulesError& error) {
        check_refusal(error);
    }
}

void faults(std::string_view text) {
    try {
        for (const auto& rule : lee::rules::parse_faults_file(text, "faults.json")) {
            check(!rule.id.empty(), "a rule of faults.json has no id");
            const boost::json::value written = boost::json::value_from(rule);
            try {
                const auto read = lee::rules::parse_fault_rule(written, "$");
                check(boost::json::value_from(read) == written, "a fault rule does not read back as written",
                      boost::json::serialize(written));
            } catch (const lee::rules::SettingError& error) {
                fail(std::string("a fault rule as written is refused: ") + error.what(),
                     boost::json::serialize(written));
            }
        }
    } catch (const lee::rules::RulesError& error) {
        check_refusal(error);
    }
}

void words(std::string_view text) {
    try {
        const auto list = lee::rules::parse_sensitive_words(text, "sensitive_words.txt");
        const lee::rules::SensitiveWordMatcher matcher(list);
        for (const auto& word : list) {
            check(lee::core::is_valid_utf8(word), "a sensitive word is not valid UTF-8", word);
            check(!word.empty() && matcher.contains_any(word) && matcher.first_match(word).has_value(),
                  "the matcher does not find a word of its own list", word);
        }
    } catch (const lee::rules::RulesError& error) {
        check_refusal(error);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    apps(text);
    faults(text);
    words(text);
    return 0;
}
