#include "api/callback_bodies.hpp"

#include <initializer_list>

#include <boost/json.hpp>

#include "api/room_view.hpp"
#include "core/callback_events.hpp"

namespace lee::api {
namespace json = boost::json;
namespace {

// The named fields of get_room_info's RoomInfo, in the given order: the webhooks show the same values.
json::object pick(const state::Room& room, std::initializer_list<std::string_view> fields) {
    const json::object full = room_info_json(room);
    json::object out;
    for (const auto field : fields) {
        if (const auto* value = full.if_contains(field)) out[field] = *value;
    }
    return out;
}

json::object head(core::CallbackEvent event, std::string_view operator_account) {
    json::object out;
    out["CallbackCommand"] = core::callback_command(event);
    out["Operator_Account"] = operator_account;
    return out;
}

}  // namespace

json::object after_create_room(std::string_view operator_account, const state::Room& room, std::int64_t now_ms) {
    json::object out = head(core::CallbackEvent::after_create_room, operator_account);
    out["RoomInfo"] = pick(room, {"RoomId", "RoomName", "RoomType", "Owner_Account", "MaxMemberCount",
                                  "IsMessageDisabled", "CustomInfo", "IsSeatEnabled", "TakeSeatMode", "MaxSeatCount",
                                  "CreateTime", "IsPublicVisible", "CoverURL", "Category"});
    out["EventTime"] = now_ms;
    return out;
}

json::object after_destroy_room(std::string_view operator_account, const state::Room& room, std::int64_t now_ms) {
    json::object out = head(core::CallbackEvent::after_destroy_room, operator_account);
    out["RoomId"] = room.room_id;
    out["EventType"] = "DestroyByUser";  // DestroyBySystem is for rooms the service closes itself
    out["EventTime"] = now_ms;
    out["RoomInfo"] =
        pick(room, {"RoomName", "RoomType", "Owner_Account", "IsSeatEnabled", "TakeSeatMode", "MaxMemberCount",
                    "MaxSeatCount", "Category", "CustomInfo", "IsMessageDisabled", "CoverURL", "ActivityStatus",
                    "IsPublicVisible", "ViewCount", "BackgroundURL", "IsUnlimitedRoomEnabled"});
    return out;
}

json::object after_update_room_info(std::string_view operator_account, const state::Room& room, std::int64_t now_ms) {
    json::object out = head(core::CallbackEvent::after_update_room_info, operator_account);
    out["RoomInfo"] = pick(room, {"RoomId", "RoomName", "MaxMemberCount", "IsMessageDisabled", "CoverURL", "Category",
                                  "ActivityStatus", "IsPublicVisible", "TakeSeatMode", "CustomInfo"});
    out["EventTime"] = now_ms;
    return out;
}

json::object after_set_metadata(std::string_view operator_account, std::string_view room_id,
                                const std::vector<state::MetadataEntry>& items, std::int64_t now_ms) {
    json::object out = head(core::CallbackEvent::after_set_metadata, operator_account);
    out["RoomId"] = room_id;
    out["Metadata"] = metadata_json(items);
    out["EventTime"] = now_ms;
    return out;
}

json::object after_del_metadata(std::string_view operator_account, std::string_view room_id,
                                const std::vector<std::string>& keys, std::int64_t now_ms) {
    json::object out = head(core::CallbackEvent::after_del_metadata, operator_account);
    out["RoomId"] = room_id;
    out["Keys"] = accounts_json(keys);
    out["EventTime"] = now_ms;
    return out;
}

json::object after_change_owner(std::string_view operator_account, std::string_view room_id,
                                std::string_view current_owner, std::string_view original_owner, std::int64_t now_ms) {
    json::object out;
    out["CallbackCommand"] = core::callback_command(core::CallbackEvent::after_change_owner);
    out["RoomId"] = room_id;
    out["EventTime"] = now_ms;
    out["Operator_Account"] = operator_account;
    out["CurrentOwner_Account"] = current_owner;
    out["OriginalOwner_Account"] = original_owner;
    return out;
}

}  // namespace lee::api
