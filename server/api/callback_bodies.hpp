#pragma once
// The bodies of the Live webhooks the emulated commands raise, field for field and in the order of the docs'
// samples (sources in README "Webhooks"). EventTime is the emulator clock's, in ms.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "state/room.hpp"

namespace lee::api {

// Live.CallbackAfterCreateRoom (cloud.tencent.com/document/product/647/110679).
boost::json::object after_create_room(std::string_view operator_account, const state::Room& room, std::int64_t now_ms);
// Live.CallbackAfterDestroyRoom (cloud.tencent.com/document/product/269/117712), EventType DestroyByUser.
boost::json::object after_destroy_room(std::string_view operator_account, const state::Room& room, std::int64_t now_ms);
// Live.CallbackAfterUpdateRoomInfo (cloud.tencent.com/document/product/647/115659): the room as it is now.
boost::json::object after_update_room_info(std::string_view operator_account, const state::Room& room,
                                           std::int64_t now_ms);
// Live.CallbackAfterSetMetadata (cloud.tencent.com/document/product/269/125789): the items the request set.
boost::json::object after_set_metadata(std::string_view operator_account, std::string_view room_id,
                                       const std::vector<state::MetadataEntry>& items, std::int64_t now_ms);
// Live.CallbackAfterDelMetadata (cloud.tencent.com/document/product/269/125790): the keys the request named.
boost::json::object after_del_metadata(std::string_view operator_account, std::string_view room_id,
                                       const std::vector<std::string>& keys, std::int64_t now_ms);
// Live.CallbackAfterChangeOwner (cloud.tencent.com/document/product/269/125794).
boost::json::object after_change_owner(std::string_view operator_account, std::string_view room_id,
                                       std::string_view current_owner, std::string_view original_owner,
                                       std::int64_t now_ms);

}  // namespace lee::api
