#pragma once
// Tencent error codes and their documented ErrorInfo texts (emulated-api.md section 6). Below every other folder:
// the API renders them, and fault rules (rules/, faults/) may name any of them.
#include <cstddef>
#include <string_view>

namespace lee::core {

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
inline constexpr int callback_token_not_set = 100302;
inline constexpr int metadata_too_many_keys = 100500;
inline constexpr int metadata_value_too_long = 100501;
inline constexpr int metadata_values_too_long = 100502;
inline constexpr int metadata_keys_not_found = 100503;
inline constexpr int metadata_key_too_long = 100504;
}  // namespace code

inline constexpr std::size_t kErrorCodeCount = 32;  // the table's rows, 0 not included

// The documented text, or empty for a code the table does not know.
std::string_view error_text(int code) noexcept;

bool is_known_error_code(int code) noexcept;

// 0 for code 0, 1..kErrorCodeCount for the table's codes in ascending order, kErrorCodeCount + 1 for any other
// code: a dense index for per-code counters.
std::size_t error_code_index(int code) noexcept;
// The inverse for 0..kErrorCodeCount.
int error_code_at(std::size_t index) noexcept;

}  // namespace lee::core
