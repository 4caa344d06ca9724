#include "api/envelope.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#include <boost/json.hpp>

namespace lee::api {
namespace {

// Appends what the serializer writes, through a buffer on the stack: no string per field.
void append(std::string& out, boost::json::serializer& serializer) {
    std::array<char, 512> buffer;
    while (!serializer.done()) out.append(serializer.read(buffer.data(), buffer.size()));
}

// Bytes a JSON string holds as they are: all but the controls, '"' and '\\' (Boost.JSON's serializer writes
// the rest, non-ASCII included, unchanged).
constexpr auto kVerbatim = [] {
    std::array<bool, 256> table{};
    for (std::size_t c = 0x20; c < table.size(); ++c) table[c] = c != '"' && c != '\\';
    return table;
}();

// Eight bytes at a time (a zero byte in x ^ c marks c; (x - 0x20...) & ~x marks the controls), then the rest.
bool verbatim(std::string_view text) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    std::size_t i = 0;
    for (; text.size() - i >= sizeof(std::uint64_t); i += sizeof(std::uint64_t)) {
        std::uint64_t x = 0;
        std::memcpy(&x, text.data() + i, sizeof x);
        const std::uint64_t quote = x ^ (kOnes * '"');
        const std::uint64_t backslash = x ^ (kOnes * '\\');
        const std::uint64_t marked =
            ((x - kOnes * 0x20) & ~x) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
        if ((marked & kHighs) != 0) return false;
    }
    for (; i < text.size(); ++i) {
        if (!kVerbatim[static_cast<unsigned char>(text[i])]) return false;
    }
    return true;
}

// As the serializer would write it, without one: a text with nothing to escape is only quoted.
void append_quoted(std::string& out, std::string_view text, std::optional<boost::json::serializer>& serializer) {
    if (verbatim(text)) {
        out.append(1, '"').append(text).push_back('"');
        return;
    }
    if (!serializer) serializer.emplace();
    serializer->reset(boost::json::string_view(text.data(), text.size()));
    append(out, *serializer);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    std::optional<boost::json::serializer> serializer;
    append_quoted(out, text, serializer);
}

std::string render_envelope(int error_code, std::string_view error_info, std::string_view request_id,
                            const boost::json::object* payload, std::string_view payload_text) {
    // Written by hand because the order of the four fields is part of the contract. A success with its payload as
    // text (create_room's) needs no serializer at all.
    std::optional<boost::json::serializer> serializer;
    std::string out;
    out.reserve(160 + error_info.size() + payload_text.size());
    out.append(error_code == 0 ? R"({"ActionStatus":"OK","ErrorInfo":)" : R"({"ActionStatus":"FAIL","ErrorInfo":)");
    append_quoted(out, error_info, serializer);
    out.append(R"(,"ErrorCode":)");
    append_decimal(out, error_code);
    out.append(R"(,"RequestId":)");
    append_quoted(out, request_id, serializer);  // the emulator's own ids have nothing to escape
    if (payload) {
        if (!serializer) serializer.emplace();
        for (const auto& [key, value] : *payload) {
            out.push_back(',');
            serializer->reset(key);
            append(out, *serializer);
            out.push_back(':');
            serializer->reset(&value);
            append(out, *serializer);
        }
    }
    if (!payload_text.empty()) out.append(",").append(payload_text);
    out.push_back('}');
    return out;
}

}  // namespace lee::api
