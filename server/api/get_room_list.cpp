// get_room_list: emulated-api.md section 4. Public rooms ordered by ViewCount desc, CreateTime desc, RoomId asc
// ("descend", the default), or in exactly the reverse order ("ascend"). The cursor names the last room returned
// by its sort key, not by position, so rooms created or destroyed between pages never make a room that existed
// throughout the listing be skipped or repeated, in either direction.
#include <array>
#include <charconv>

#include <boost/json.hpp>

#include "api/command_result.hpp"
#include "api/error_table.hpp"
#include "api/json_text.hpp"
#include "api/room_view.hpp"

namespace lee::api {
namespace {

constexpr std::int64_t kMaxCount = 20;
constexpr std::string_view kCursorVersion = "v2";

enum class Direction : char { descend = 'd', ascend = 'a' };

using SortKey = state::ListPosition;

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

struct Cursor {
    Direction direction;
    SortKey after;
};

// Opaque to clients: hex of "v2:<sdkappid>:<d|a>:<ViewCount>:<CreateTime>:<RoomId>", written inside the quotes of
// the JSON string that carries it.
void write_cursor(JsonText& out, std::uint64_t sdkappid, Direction direction, const SortKey& key) {
    std::string plain;
    plain.reserve(96 + key.room_id.size());
    {
        JsonText writer(plain);
        writer.raw(kCursorVersion);
        writer.put(':');
        writer.decimal(sdkappid);
        writer.put(':');
        writer.put(static_cast<char>(direction));
        writer.put(':');
        writer.decimal(key.view_count);
        writer.put(':');
        writer.decimal(key.create_time);
        writer.put(':');
        writer.raw(key.room_id);
    }
    out.hex(plain);
}

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

std::optional<Cursor> decode_cursor(std::string_view text, std::uint64_t sdkappid) {
    const auto plain = from_hex(text);
    if (!plain) return std::nullopt;
    std::string_view rest = *plain;
    std::array<std::string_view, 5> parts;
    for (auto& part : parts) {
        const auto colon = rest.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        part = rest.substr(0, colon);
        rest.remove_prefix(colon + 1);
    }
    Cursor cursor{Direction::descend, {}};
    std::uint64_t issued_for = 0;
    if (parts[0] != kCursorVersion || !parse_number(parts[1], issued_for) || issued_for != sdkappid) {
        return std::nullopt;
    }
    if (parts[2] == "a") {
        cursor.direction = Direction::ascend;
    } else if (parts[2] != "d") {
        return std::nullopt;
    }
    if (!parse_number(parts[3], cursor.after.view_count) || !parse_number(parts[4], cursor.after.create_time)) {
        return std::nullopt;
    }
    cursor.after.room_id = std::string(rest);
    return cursor;
}

std::string_view direction_name(Direction direction) { return direction == Direction::descend ? "descend" : "ascend"; }

// Next: absent, "" and "0" (what the console sends for page 1) all mean the first page.
FieldCheck read_next(const boost::json::object& request, std::uint64_t sdkappid, std::optional<Cursor>& out) {
    const auto* next = request.if_contains("Next");
    if (!next) return std::nullopt;
    if (!next->is_string()) return FieldError{code::invalid_parameter, "Next must be a string"};
    const std::string_view text = next->get_string();
    if (text.empty() || text == "0") return std::nullopt;
    out = decode_cursor(text, sdkappid);
    if (!out) return FieldError{code::invalid_parameter, "Next is not a cursor issued for this app"};
    return std::nullopt;
}

FieldCheck read_count(const boost::json::object& request, std::int64_t& out) {
    const auto* value = request.if_contains("Count");
    if (!value) return std::nullopt;
    if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > kMaxCount) {
        return FieldError{code::invalid_parameter, "Count must be an integer between 1 and 20"};
    }
    out = value->get_int64();
    return std::nullopt;
}

// SortDirection: not in the docs; the console sends "descend" and its typings allow "ascend". Exact case.
FieldCheck read_direction(const boost::json::object& request, Direction& out) {
    const auto* value = request.if_contains("SortDirection");
    if (!value) return std::nullopt;
    if (value->is_string() && value->get_string() == "descend") {
        out = Direction::descend;
    } else if (value->is_string() && value->get_string() == "ascend") {
        out = Direction::ascend;
    } else {
        return FieldError{code::invalid_parameter, "SortDirection must be \"descend\" or \"ascend\""};
    }
    return std::nullopt;
}

}  // namespace

CommandResult get_room_list(const CommandContext& context, const boost::json::value& body) {
    const boost::json::object* object = nullptr;
    if (auto error = require_body_object(body, object)) return failure(*error);
    std::optional<Cursor> cursor;
    std::int64_t count = kMaxCount;
    Direction direction = Direction::descend;
    if (auto error = read_next(*object, context.sdkappid, cursor)) return failure(*error);
    if (auto error = read_count(*object, count)) return failure(*error);
    if (auto error = read_direction(*object, direction)) return failure(*error);
    // A cursor is a place in one order; in the other order it would list the rooms already seen again.
    if (cursor && cursor->direction != direction) {
        return failure(code::invalid_parameter,
                       "Next was issued for SortDirection \"" + std::string(direction_name(cursor->direction)) + "\"");
    }

    bool more = false;
    std::optional<SortKey> after;
    if (cursor) after = std::move(cursor->after);
    CommandResult result;
    std::string& text = result.payload_text;
    text.reserve(128 + static_cast<std::size_t>(count) * 256);
    // The entries are rendered as the registry reads each room in place (no copy of the room is made); the head,
    // whose cursor depends on whether more rooms follow, goes in front of them after the walk.
    SortKey last;
    {
        JsonText entries(text);
        bool first = true;
        context.tenant.rooms.visit_public(
            after, direction == Direction::descend ? state::ListOrder::descend : state::ListOrder::ascend,
            static_cast<std::size_t>(count), more, [&](const state::ListedRoom& room) {
                if (!first) entries.put(',');
                first = false;
                write_room_list_entry(entries, room);
                last.view_count = room.view_count;
                last.create_time = room.create_time;
                last.room_id.assign(room.room_id);  // its capacity reused from room to room
            });
        entries.literal("]}");
    }
    std::string head;
    head.reserve(48 + 2 * (72 + last.room_id.size()));  // the literals, and the hex of the longest cursor
    {
        JsonText writer(head);
        writer.literal(R"("Response":{"Next":")");
        if (more) write_cursor(writer, context.sdkappid, direction, last);
        writer.literal(R"(","RoomList":[)");
    }
    text.insert(0, head);
    return result;
}

}  // namespace lee::api
