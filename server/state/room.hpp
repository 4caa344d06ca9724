#pragma once
// A live room as the registry stores it: every field filled in (defaults applied by the caller).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lee::state {

// Category tags are integers in the docs and strings in the seed; both are kept as given.
using CategoryTag = std::variant<std::int64_t, std::string>;

struct MetadataEntry {
    std::string key;
    std::string value;
};

struct Room {
    std::string room_id;
    std::string room_name;
    std::string room_type = "Live";
    std::string owner_account;
    std::string take_seat_mode = "FreeToTake";
    std::string seat_template;
    std::uint32_t max_seat_count = 0;
    std::uint32_t max_member_count = 300;  // a fresh room's (inferred: a real room gets its package's limit)
    bool is_message_disabled = false;
    bool is_public_visible = true;
    bool is_unlimited_room_enabled = false;
    std::string cover_url;
    std::vector<CategoryTag> category;
    std::int32_t activity_status = 0;
    std::int64_t create_time = 0;  // unix seconds on the emulator clock
    std::uint64_t view_count = 0;
    std::string notice;
    // Kept in the room so they go away with it: a room created again under the same RoomId starts empty.
    std::vector<MetadataEntry> metadata;  // in the order the keys were first set
    std::vector<std::string> robots;      // RobotList_Account, in the order they were added
};

// What a get_room_list entry shows of a room, read in place from the registry: the views (and `category`) are valid
// only during the call that hands it over (issue 11: unpacking whole rooms for a page was a quarter of its cost).
struct ListedRoom {
    std::string_view room_id;
    std::string_view room_name;
    std::string_view owner_account;
    std::string_view cover_url;
    std::string_view seat_template;
    const std::vector<CategoryTag>& category;
    std::int64_t create_time;
    std::uint64_t view_count;
    std::int32_t activity_status;
    bool is_unlimited_room_enabled;
};

}  // namespace lee::state
