#pragma once
#include <cstdint>
#include <string>
#include <string_view>
namespace lee::auth {
// Outcome of checking a UserSig, in the emulator's check order:
// empty (70002) → illegal: undecodable/truncated/oversized/bad zlib/bad JSON/missing or mistyped field (70003)
// → identifier_mismatch (70013) → sdkappid_mismatch (70014) → signature_mismatch (70009) → expired (70001).
enum class UserSigVerdict { ok, empty, illegal, identifier_mismatch, sdkappid_mismatch, signature_mismatch, expired };
UserSigVerdict verify_usersig(std::string_view usersig, std::string_view secret_key, std::string_view identifier,
                              std::uint64_t sdkappid, std::int64_t now_unix_seconds);
// A UserSig the official verifiers accept (JSON order as the Node library: ver, identifier, sdkappid, time, expire,
// sig; zlib default level). Throws std::invalid_argument for a negative expire or time.
// A short, stable name for a secret key that does not reveal it: the first 8 hex digits of its SHA-256.
std::string key_fingerprint(std::string_view secret_key);

std::string generate_usersig(std::uint64_t sdkappid, std::string_view secret_key, std::string_view identifier,
                             std::int64_t expire_seconds, std::int64_t now_unix_seconds);
}  // namespace lee::auth
