#pragma once
// Room metadata, shared by set_room_metadata, get_room_metadata and del_room_metadata: the field rules (step 13)
// and the docs' limits with their codes (step 14). The limit checks work on a room's stored entries under the
// registry's lock and change them only when every check passes, so a refused request leaves the room as it was.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "api/command_handler.hpp"
#include "api/room_fields.hpp"
#include "state/room.hpp"

namespace lee::rules {
class SensitiveWordMatcher;
}

namespace lee::api {

// "The key count is limited to 10, with each key length restricted to 50 bytes or less. Individual values can be
// up to 2KB in size, while the aggregate size of all values should not surpass 16KB." Counted per room, after
// the request's keys are merged in.
inline constexpr std::size_t kMaxMetadataKeys = 10;
inline constexpr std::size_t kMaxMetadataKeyBytes = 50;
inline constexpr std::size_t kMaxMetadataValueBytes = 2048;
inline constexpr std::size_t kMaxMetadataTotalBytes = 16384;

// Metadata: a non-empty array of {"Key": non-empty string, "Value": string}. Lengths are limits, not field
// rules: they have codes of their own, checked once the room is known.
FieldCheck read_metadata_items(const boost::json::object& object, std::vector<state::MetadataEntry>& out);

// get's and del's `{"RoomId", "Keys":[...]}`: Keys an array of at least `min_keys` non-empty strings.
FieldCheck read_keys_body(const boost::json::value& body, std::size_t min_keys, std::string& room_id,
                          std::vector<std::string>& keys);

// 100026: the JSON path of the first key or value with a sensitive word ("Metadata[1].Value"), or nullopt.
std::optional<std::string> find_sensitive_metadata(const rules::SensitiveWordMatcher& words,
                                                   const std::vector<state::MetadataEntry>& items);

// set: per item 100504 (key too long), then 100501 (value too long); then, with the items merged into the room's
// (an existing key is updated in place, a new one appended), 100500 (too many keys) and 100502 (values too long
// in total). Code 0: `stored` holds the merge.
CommandResult set_metadata(std::vector<state::MetadataEntry>& stored, const std::vector<state::MetadataEntry>& items);

// del: 100504 for a key longer than any key can be, 100503 when none of the keys exists; otherwise the keys that
// exist are deleted and the others ignored.
CommandResult delete_metadata(std::vector<state::MetadataEntry>& stored, const std::vector<std::string>& keys);

// get: the stored entries whose key is in `keys`, all of them when `keys` is empty, in the order they were first
// set. Keys that do not exist are left out.
std::vector<state::MetadataEntry> select_metadata(const std::vector<state::MetadataEntry>& stored,
                                                  const std::vector<std::string>& keys);

}  // namespace lee::api
