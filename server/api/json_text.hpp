#pragma once
// JSON text written by hand, where the order of fields is part of the contract or a DOM would cost too much: the
// envelope, create_room's answer, get_room_list's entries. Strings come out byte for byte as Boost.JSON's
// serializer writes them (the unit tests compare every byte).
#include <array>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace lee::api {

// Appends `text` as a JSON string (quoted and escaped by Boost.JSON's serializer) to `out`; `text` must not be a
// view into `out`.
void append_json_string(std::string& out, std::string_view text);

// Appends `value` in decimal (a JSON number, or any decimal the answers carry) to `out`.
template <std::integral Integer>
void append_decimal(std::string& out, Integer value) {
    std::array<char, 24> digits;  // uninitialised: to_chars writes every byte that is read
    const char* end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    // Pointer and length: the iterator-pair append goes through the general replace.
    out.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
}

// Writes through a cursor into room claimed by resizing `out`, for text made of many small pieces (a get_room_list
// page is some 300): each piece checks its room once, and a literal is copied with its size known at compile time,
// where each std::string::append is a call that checks capacity and then calls memcpy (issue 11). While the writer
// lives, `out` holds zero bytes past the cursor; they are cut off when it ends, so use `out` only after that. Text
// given to the writer must not be a view into `out`: claiming more room may move it.
class JsonText {
public:
    explicit JsonText(std::string& out) : out_(out) { claim(out.size(), 0); }
    ~JsonText() { out_.resize(static_cast<std::size_t>(cursor_ - out_.data())); }
    JsonText(const JsonText&) = delete;
    JsonText& operator=(const JsonText&) = delete;

    template <std::size_t N>
    void literal(const char (&text)[N]) {
        room(N - 1);
        std::memcpy(cursor_, text, N - 1);
        cursor_ += N - 1;
    }
    void raw(std::string_view text) {
        room(text.size());
        std::memcpy(cursor_, text.data(), text.size());
        cursor_ += text.size();
    }
    void put(char c) {
        room(1);
        *cursor_++ = c;
    }
    template <std::integral Integer>
    void decimal(Integer value) {
        static_assert(sizeof(Integer) <= sizeof(std::uint64_t), "kDecimalRoom holds 64-bit integers at most");
        room(kDecimalRoom);
        cursor_ = std::to_chars(cursor_, end_, value).ptr;
    }
    // As a JSON string, quoted and escaped as Boost.JSON's serializer writes it.
    void quoted(std::string_view text);
    // Two lower-case hex digits a byte.
    void hex(std::string_view bytes) {
        static constexpr char kDigits[] = "0123456789abcdef";
        room(2 * bytes.size());
        for (const unsigned char byte : bytes) {
            *cursor_++ = kDigits[byte >> 4];
            *cursor_++ = kDigits[byte & 0xF];
        }
    }

private:
    static constexpr std::size_t kDecimalRoom = 20;  // the digits of any 64-bit integer, with a sign
    static constexpr std::size_t kClaimAhead = 1024;

    void room(std::size_t bytes) {
        if (static_cast<std::size_t>(end_ - cursor_) < bytes) grow(bytes);
    }
    void grow(std::size_t bytes);
    // Makes at least `bytes` writable past `used`, the cursor at `used`.
    void claim(std::size_t used, std::size_t bytes);

    std::string& out_;
    char* cursor_ = nullptr;
    char* end_ = nullptr;
};

}  // namespace lee::api
