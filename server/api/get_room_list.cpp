// get_room_list: emulated-api.md section 4. Public rooms ordered by ViewCount desc, CreateTime desc, RoomId asc.
// The cursor names the last room returned by its sort key, not by position, so rooms created or destroyed
// between pages never make a room that existed throughout the listing be skipped or repeated.
#include <array>
#include <charconv>
#include <tuple>

#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/room_view.hpp"

namespace lee::api {
namespace {

constexpr std::int64_t kMaxCount = 20;
constexpr std::string_view kCursorVersion = "v1";

struct SortKey {
    std::uint64_t view_count = 0;
    std::int64_t create_time = 0;
    std::string room_id;
};

SortKey key_of(const state::Room& room) { return {room.view_count, room.create_time, room.room_id}; }

// True when `a` is listed before `b`; works on rooms and cursor keys alike (same member names), so comparing
// never copies a RoomId.
template <typename A, typename B>
bool before(const A& a, const B& b) {
    return std::tie(b.view_count, b.create_time, a.room_id) < std::tie(a.view_count, a.create_time, b.room_id);
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const unsigned char byte : bytes) {
        out.push_back(kDigits[byte >> 4]);
        out.push_back(kDigits[byte & 0xF]);
    }
    return out;
}

std::optional<std::string> from_hex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
        if (ec != std::errc{} || end != text.data() + i + 2) return std::nullopt;
        out.push_back(static_cast<char>(value));
    }
    return out;
}

// Opaque to clients: hex of "v1:<sdkappid>:<ViewCount>:<CreateTime>:<RoomId>".
std::string encode_cursor(std::uint64_t sdkappid, const SortKey& key) {
    return to_hex(std::string(kCursorVersion) + ":" + std::to_string(sdkappid) + ":" + std::to_string(key.view_count) +
                  ":" + std::to_string(key.create_time) + ":" + key.room_id);
}

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

std::optional<SortKey> decode_cursor(std::string_view cursor, std::uint64_t sdkappid) {
    const auto plain = from_hex(cursor);
    if (!plain) return std::nullopt;
    std::string_view rest = *plain;
    std::array<std::string_view, 4> parts;
    for (auto& part : parts) {
        const auto colon = rest.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        part = rest.substr(0, colon);
        rest.remove_prefix(colon + 1);
    }
    SortKey key;
    std::uint64_t issued_for = 0;
    if (parts[0] != kCursorVersion || !parse_number(parts[1], issued_for) || issued_for != sdkappid ||
        !parse_number(parts[2], key.view_count) || !parse_number(parts[3], key.create_time)) {
        return std::nullopt;
    }
    key.room_id = std::string(rest);
    return key;
}

}  // namespace

CommandResult get_room_list(const CommandContext& context, const boost::json::value& body) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return failure(*error);
    const boost::json::object& request = *object;
    std::optional<SortKey> after;
    if (const auto* next = request.if_contains("Next")) {
        if (!next->is_string()) return failure(code::invalid_parameter, "Next must be a string");
        if (!next->get_string().empty()) {
            after = decode_cursor(next->get_string(), context.sdkappid);
            if (!after) return failure(code::invalid_parameter, "Next is not a cursor issued for this app");
        }
    }
    std::int64_t count = kMaxCount;
    if (const auto* value = request.if_contains("Count")) {
        if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > kMaxCount) {
            return failure(code::invalid_parameter, "Count must be an integer between 1 and 20");
        }
        count = value->get_int64();
    }

    bool more = false;
    const std::vector<state::Room> page = context.tenant.rooms.select(
        [&](const state::Room& room) { return room.is_public_visible && (!after || before(*after, room)); },
        [](const state::Room& a, const state::Room& b) { return before(a, b); }, static_cast<std::size_t>(count), more);

    boost::json::array list;
    for (const state::Room& room : page) list.push_back(room_list_entry_json(room));
    const std::string next = more ? encode_cursor(context.sdkappid, key_of(page.back())) : "";
    CommandResult result;
    result.payload["Response"] = boost::json::object{{"Next", next}, {"RoomList", std::move(list)}};
    return result;
}

}  // namespace lee::api
