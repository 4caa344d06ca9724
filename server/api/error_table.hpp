#pragma once
// Tencent error codes and their documented ErrorInfo texts (emulated-api.md section 6).
#include <string>
#include <string_view>

namespace lee::api {

namespace code {
inline constexpr int ok = 0;
inline constexpr int http_parse = 60002;
inline constexpr int json_parse = 60003;
inline constexpr int account_or_signature = 60004;
inline constexpr int sdkappid_invalid = 60006;
inline constexpr int rate_limited = 60007;
inline constexpr int bad_method = 60008;
inline constexpr int bad_resource = 60009;
inline constexpr int admin_required = 60010;
inline constexpr int sdkappid_missing = 60012;
inline constexpr int account_type = 60015;
inline constexpr int sdkappid_disabled = 60016;
inline constexpr int usersig_expired = 70001;
inline constexpr int usersig_empty = 70002;
inline constexpr int usersig_illegal = 70003;
inline constexpr int usersig_mismatch = 70009;
inline constexpr int usersig_identifier = 70013;
inline constexpr int usersig_sdkappid = 70014;
inline constexpr int internal_error = 100001;
inline constexpr int invalid_parameter = 100002;
inline constexpr int room_exists = 100003;
inline constexpr int room_not_found = 100004;
inline constexpr int not_paid = 100007;
inline constexpr int room_exists_same_owner = 100010;
inline constexpr int room_id_is_chat_group = 100011;
inline constexpr int create_too_frequent = 100012;
inline constexpr int sensitive_content = 100026;
}  // namespace code

// The documented text, or empty for a code the table does not know.
std::string_view error_text(int code) noexcept;

bool is_known_error_code(int code) noexcept;

// ErrorInfo for a failure: the documented text, naming the offending field where the code calls for it.
std::string error_info(int code, std::string_view detail);

}  // namespace lee::api
