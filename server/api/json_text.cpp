#include "api/json_text.hpp"

#include <algorithm>
#include <cstdint>

#include <boost/json/serializer.hpp>

namespace lee::api {
namespace {

// Bytes a JSON string holds as they are: all but the controls, '"' and '\\' (Boost.JSON's serializer writes
// the rest, non-ASCII included, unchanged).
constexpr auto kVerbatim = [] {
    std::array<bool, 256> table{};
    for (std::size_t c = 0x20; c < table.size(); ++c) table[c] = c != '"' && c != '\\';
    return table;
}();

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;

// Whether eight bytes are all verbatim: a zero byte in x ^ c marks c, and (x - 0x20...) & ~x marks the controls.
constexpr bool verbatim_word(std::uint64_t x) noexcept {
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    const std::uint64_t quote = x ^ (kOnes * '"');
    const std::uint64_t backslash = x ^ (kOnes * '\\');
    const std::uint64_t marked =
        ((x - kOnes * 0x20) & ~x) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
    return (marked & kHighs) == 0;
}

// Copies `text` to `dest` (room for its size) while it checks that every byte is verbatim,
// eight at a time; false, with `dest` partly written, when one is not. The last word of a text of eight bytes or
// more overlaps the one before it, so no byte is looked at alone.
bool copy_verbatim(std::string_view text, char* dest) noexcept {
    const std::size_t size = text.size();
    if (size < sizeof(std::uint64_t)) {
        for (std::size_t i = 0; i < size; ++i) {
            if (!kVerbatim[static_cast<unsigned char>(text[i])]) return false;
            dest[i] = text[i];
        }
        return true;
    }
    std::uint64_t x = 0;
    for (std::size_t i = 0; i + sizeof x < size; i += sizeof x) {
        std::memcpy(&x, text.data() + i, sizeof x);
        if (!verbatim_word(x)) return false;
        std::memcpy(dest + i, &x, sizeof x);
    }
    std::memcpy(&x, text.data() + size - sizeof x, sizeof x);
    if (!verbatim_word(x)) return false;
    std::memcpy(dest + size - sizeof x, &x, sizeof x);
    return true;
}

// The most a JSON string of `size` bytes takes: each byte escaped as \u00XX, and the quotes.
constexpr std::size_t quoted_room(std::size_t size) { return 6 * size + 2; }

// Writes `text` quoted at `dest` (room for its size + 2) when no byte of it needs escaping; false, with `dest` partly
// written, when one does.
bool quote_verbatim(std::string_view text, char* dest) {
    if (!copy_verbatim(text, dest + 1)) return false;
    dest[0] = '"';
    dest[text.size() + 1] = '"';
    return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    // Room for the text quoted as it is, taken back when it needs escaping.
    const std::size_t used = out.size();
    out.resize(used + text.size() + 2);
    if (quote_verbatim(text, out.data() + used)) return;
    out.resize(used);
    JsonText writer(out);
    writer.quoted(text);
}

void JsonText::quoted(std::string_view text) {
    room(text.size() + 2);
    if (quote_verbatim(text, cursor_)) {
        cursor_ += text.size() + 2;
        return;
    }
    room(quoted_room(text.size()));
    boost::json::serializer serializer;
    serializer.reset(boost::json::string_view(text.data(), text.size()));
    while (!serializer.done()) {
        room(quoted_room(0));  // never taken: the room above holds the whole text (kept so a wrong bound only grows)
        cursor_ += serializer.read(cursor_, static_cast<std::size_t>(end_ - cursor_)).size();
    }
}

void JsonText::grow(std::size_t bytes) { claim(static_cast<std::size_t>(cursor_ - out_.data()), bytes); }

void JsonText::claim(std::size_t used, std::size_t bytes) {
    // Claimed a little ahead, as resize zero-fills what it adds, but not past a capacity that holds `bytes`: the
    // caller's reserve is kept. Beyond the capacity, the string grows as append would grow it (at least doubling).
    std::size_t claimed = used + std::max(bytes, kClaimAhead);
    if (used + bytes <= out_.capacity()) claimed = std::min(claimed, out_.capacity());
    out_.resize(claimed);
    cursor_ = out_.data() + used;
    end_ = out_.data() + out_.size();
}

}  // namespace lee::api
