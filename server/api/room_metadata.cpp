#include "api/room_metadata.hpp"

#include <algorithm>
#include <limits>

#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "rules/sensitive_words.hpp"

namespace lee::api {
namespace json = boost::json;

namespace {

constexpr std::string_view kMetadata = "Metadata";

std::string item_path(std::size_t index, std::string_view key) {
    return field_path(element_path(kMetadata, index), key);
}

std::size_t value_bytes(const std::vector<state::MetadataEntry>& entries) {
    std::size_t total = 0;
    for (const auto& entry : entries) total += entry.value.size();
    return total;
}

CommandResult too_long(int code, std::string field, std::size_t bytes, std::size_t limit) {
    std::string why = "state: " + std::to_string(code) + " " + field + " is " + std::to_string(bytes) +
                      " bytes (at most " + std::to_string(limit) + ")";
    return explained(failure(code, std::move(field)), std::move(why));
}

}  // namespace

FieldCheck read_metadata_items(const json::object& object, std::vector<state::MetadataEntry>& out) {
    const json::array* list = nullptr;
    if (auto error = require_array(object, kMetadata, 1, list)) return error;
    const json::array& items = *list;
    out.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
        const json::object* item = items[i].if_object();
        if (!item) return FieldError{code::invalid_parameter, element_path(kMetadata, i) + " must be a JSON object"};
        std::string key;
        std::string value;
        if (auto error = read_required_text(*item, element_path(kMetadata, i), "Key", 1, key)) return error;
        if (auto error = read_required_text(*item, element_path(kMetadata, i), "Value", 0, value)) return error;
        out.push_back({std::move(key), std::move(value)});
    }
    return std::nullopt;
}

FieldCheck read_keys_body(const json::value& body, std::size_t min_keys, std::string& room_id,
                          std::vector<std::string>& keys) {
    const json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return error;
    if (auto error = read_room_id(*object, "", room_id)) return error;
    return read_string_list(*object, "Keys", min_keys, std::numeric_limits<std::size_t>::max(), keys);
}

std::optional<std::string> find_sensitive_metadata(const rules::SensitiveWordMatcher& words,
                                                   const std::vector<state::MetadataEntry>& items) {
    if (words.size() == 0) return std::nullopt;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (words.contains_any(items[i].key)) return item_path(i, "Key");
        if (words.contains_any(items[i].value)) return item_path(i, "Value");
    }
    return std::nullopt;
}

CommandResult set_metadata(std::vector<state::MetadataEntry>& stored, const std::vector<state::MetadataEntry>& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].key.size() > kMaxMetadataKeyBytes) {
            return too_long(code::metadata_key_too_long, item_path(i, "Key"), items[i].key.size(),
                            kMaxMetadataKeyBytes);
        }
        if (items[i].value.size() > kMaxMetadataValueBytes) {
            return too_long(code::metadata_value_too_long, item_path(i, "Value"), items[i].value.size(),
                            kMaxMetadataValueBytes);
        }
    }
    std::vector<state::MetadataEntry> merged = stored;
    for (const auto& item : items) {
        const auto existing = std::find_if(merged.begin(), merged.end(),
                                           [&](const state::MetadataEntry& entry) { return entry.key == item.key; });
        if (existing != merged.end()) {
            existing->value = item.value;
        } else {
            merged.push_back(item);
        }
    }
    if (merged.size() > kMaxMetadataKeys) {
        return explained(failure(code::metadata_too_many_keys, std::string(kMetadata)),
                         "state: 100500 the room would hold " + std::to_string(merged.size()) + " keys (at most " +
                             std::to_string(kMaxMetadataKeys) + ")");
    }
    const std::size_t total = value_bytes(merged);
    if (total > kMaxMetadataTotalBytes) {
        return explained(failure(code::metadata_values_too_long, std::string(kMetadata)),
                         "state: 100502 the room's values would total " + std::to_string(total) + " bytes (at most " +
                             std::to_string(kMaxMetadataTotalBytes) + ")");
    }
    stored = std::move(merged);
    return succeeded("ok: " + std::to_string(items.size()) + " metadata item(s) set; the room holds " +
                     std::to_string(stored.size()) + " key(s), " + std::to_string(total) + " value bytes");
}

CommandResult delete_metadata(std::vector<state::MetadataEntry>& stored, const std::vector<std::string>& keys) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].size() > kMaxMetadataKeyBytes) {
            return too_long(code::metadata_key_too_long, element_path("Keys", i), keys[i].size(), kMaxMetadataKeyBytes);
        }
    }
    const std::size_t before = stored.size();
    std::erase_if(stored, [&](const state::MetadataEntry& entry) {
        return std::find(keys.begin(), keys.end(), entry.key) != keys.end();
    });
    const std::size_t deleted = before - stored.size();
    if (deleted == 0) {
        return explained(failure(code::metadata_keys_not_found, "Keys"),
                         "state: 100503 none of the " + std::to_string(keys.size()) + " key(s) exists");
    }
    return succeeded("ok: " + std::to_string(deleted) + " metadata key(s) deleted; the room holds " +
                     std::to_string(stored.size()));
}

std::vector<state::MetadataEntry> select_metadata(const std::vector<state::MetadataEntry>& stored,
                                                  const std::vector<std::string>& keys) {
    if (keys.empty()) return stored;
    std::vector<state::MetadataEntry> out;
    for (const auto& entry : stored) {
        if (std::find(keys.begin(), keys.end(), entry.key) != keys.end()) out.push_back(entry);
    }
    return out;
}

}  // namespace lee::api
