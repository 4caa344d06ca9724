#pragma once
// create_room's body read from the JSON parser's events (issue 11: building the whole document cost a fifth of a
// create). The text is parsed in full, so it must be valid JSON as before, but only the members create_room checks
// are kept: RoomInfo and RoomId at the top, and RoomInfo's fields (room_fields.hpp). They are kept in a shape that
// reads like Boost.JSON's values (is_string, get_string, if_object, get_array...), so the field readers of
// room_fields.hpp are one set of rules over both. As in Boost.JSON's documents, the last of duplicate keys wins.
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include <boost/json/error.hpp>

#include "api/room_fields.hpp"

namespace lee::api {

// How deep a command's body may nest, for both readers (more is a 60003 "body is not valid JSON").
inline constexpr std::size_t kMaxBodyDepth = 32;

class BodyObject;
class BodyArray;

// One kept value. A string is a view into the body's text, or into the RoomInfoBody's storage when the parser had
// to decode it (escapes). A container not kept (an object other than the body and RoomInfo, an array other than
// RoomInfo.Category) is known by its kind only.
class BodyValue {
public:
    enum class Kind : std::uint8_t { absent, null, boolean, int64, uint64, real, string, object, array };

    Kind kind() const noexcept { return kind_; }
    bool is_string() const noexcept { return kind_ == Kind::string; }
    std::string_view get_string() const noexcept { return text_; }
    bool is_bool() const noexcept { return kind_ == Kind::boolean; }
    bool get_bool() const noexcept { return boolean_; }
    bool is_int64() const noexcept { return kind_ == Kind::int64; }
    std::int64_t get_int64() const noexcept { return static_cast<std::int64_t>(number_); }
    bool is_uint64() const noexcept { return kind_ == Kind::uint64; }
    std::uint64_t get_uint64() const noexcept { return number_; }
    bool is_object() const noexcept { return kind_ == Kind::object; }
    // Only for a kept object (the body, RoomInfo): the readers ask no other for its members.
    const BodyObject& get_object() const noexcept { return *object_; }
    const BodyObject* if_object() const noexcept { return is_object() ? object_ : nullptr; }
    bool is_array() const noexcept { return kind_ == Kind::array; }
    // Only for a kept array (RoomInfo.Category).
    const BodyArray& get_array() const noexcept { return *array_; }

private:
    friend class RoomInfoEvents;
    Kind kind_ = Kind::absent;
    bool boolean_ = false;
    std::uint64_t number_ = 0;  // an int64 as its two's complement
    std::string_view text_;
    const BodyObject* object_ = nullptr;
    const BodyArray* array_ = nullptr;
};

// The names an object keeps, found by a probe of a small table (key_slot, room_fields.hpp): create_room's readers
// make some eighteen lookups and a body names a dozen members, so a walk over the names would give back much of
// what leaving out the document saved.
class KeptNames {
public:
    static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t kMaxNames = 16;  // what a BodyObject holds

    template <std::size_t N>
    constexpr explicit KeptNames(const std::array<std::string_view, N>& names) : names_(names.data()) {
        static_assert(N <= kMaxNames);
        slots_.fill(kEmpty);
        for (std::size_t i = 0; i < N; ++i) {
            std::size_t slot = key_slot(names[i], kSlots);
            while (slots_[slot] != kEmpty) slot = (slot + 1) & (kSlots - 1);
            slots_[slot] = static_cast<std::uint8_t>(i);
        }
    }

    std::size_t index_of(std::string_view key) const noexcept {
        for (std::size_t slot = key_slot(key, kSlots);; slot = (slot + 1) & (kSlots - 1)) {
            const std::uint8_t index = slots_[slot];
            if (index == kEmpty) return npos;
            if (same(names_[index], key)) return index;
        }
    }

private:
    static constexpr std::size_t kSlots = 2 * kMaxNames;  // a power of two, twice the names at least
    static constexpr std::uint8_t kEmpty = 0xFF;
    // The names are short: a few loads that may overlap, where a call to memcmp cost more than the compare.
    template <class Word>
    static bool same_word(const char* a, const char* b) noexcept {
        Word x = 0;
        Word y = 0;
        std::memcpy(&x, a, sizeof(Word));
        std::memcpy(&y, b, sizeof(Word));
        return x == y;
    }
    static bool same(std::string_view name, std::string_view key) noexcept {
        const std::size_t size = key.size();
        if (name.size() != size) return false;
        const char* a = name.data();
        const char* b = key.data();
        if (size >= 8) {
            for (std::size_t at = 0; at + 8 < size; at += 8) {
                if (!same_word<std::uint64_t>(a + at, b + at)) return false;
            }
            return same_word<std::uint64_t>(a + size - 8, b + size - 8);
        }
        if (size >= 4) return same_word<std::uint32_t>(a, b) && same_word<std::uint32_t>(a + size - 4, b + size - 4);
        for (std::size_t at = 0; at < size; ++at) {
            if (a[at] != b[at]) return false;
        }
        return true;
    }
    const std::string_view* names_;
    std::array<std::uint8_t, kSlots> slots_{};
};

// A kept object: the values of the members it keeps, by name.
class BodyObject {
public:
    explicit BodyObject(const KeptNames& names) noexcept : names_(&names) {}
    // The member named `key` when it is kept and was present, else null. Inline, as the readers call it often.
    const BodyValue* member(std::string_view key) const noexcept {
        const std::size_t index = names_->index_of(key);
        assert(index != KeptNames::npos && "a reader asked for a member this body does not keep");
        if (index == KeptNames::npos) return nullptr;
        const BodyValue& value = values_[index];
        return value.kind() == BodyValue::Kind::absent ? nullptr : &value;
    }

private:
    friend class RoomInfoEvents;
    const KeptNames* names_;
    std::array<BodyValue, KeptNames::kMaxNames> values_;
};

// RoomInfo.Category: its length, and its first kMaxCategoryTags elements (a longer one is refused on its length).
class BodyArray {
public:
    std::size_t size() const noexcept { return size_; }
    const BodyValue& operator[](std::size_t index) const noexcept { return items_[index]; }

private:
    friend class RoomInfoEvents;
    std::size_t size_ = 0;
    std::array<BodyValue, kMaxCategoryTags> items_;
};

// The body as create_room reads it, parsed once, on construction. Holds views into `text`, which must outlive it;
// neither copied nor moved (its values point into it).
class RoomInfoBody {
public:
    explicit RoomInfoBody(std::string_view text);
    RoomInfoBody(const RoomInfoBody&) = delete;
    RoomInfoBody& operator=(const RoomInfoBody&) = delete;

    // Why the text is not JSON (at most kMaxBodyDepth deep): the error json::parse gives the same text.
    const boost::json::error_code& error() const noexcept { return error_; }
    // The whole body: an object whose members are "RoomInfo" and "RoomId" when present. Meaningful without error().
    const BodyValue& document() const noexcept { return document_; }

private:
    friend class RoomInfoEvents;
    boost::json::error_code error_;
    BodyValue document_;
    BodyObject top_;
    BodyObject room_info_;
    BodyArray category_;
    std::string decoded_;  // strings the parser decoded; reserved to the text's size, so views into it hold
};

}  // namespace lee::api
