#pragma once
// Sensitive-word matching for create_room (error 100026): substring search over UTF-8 text, case-insensitive for
// ASCII only. Byte-level Aho-Corasick so the cost is linear in the text whatever the size of the word list; folding
// only 'A'-'Z' is safe for UTF-8 because bytes of multi-byte sequences are never ASCII.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lee::rules {

// Immutable after construction; safe to share between threads (const methods only).
class SensitiveWordMatcher {
public:
    SensitiveWordMatcher();  // empty list: matches nothing
    // Words are trimmed of surrounding ASCII whitespace; empty strings are ignored, duplicates are fine.
    // `max_table_bytes` bounds the transition table (below); tests lower it to reach the trie walk.
    explicit SensitiveWordMatcher(const std::vector<std::string>& words, std::size_t max_table_bytes = kMaxTableBytes);

    bool contains_any(std::string_view text) const noexcept;
    // The first word found, in text order: the match that ends earliest, and of the words ending there the longest
    // (for diagnostics/tests); nullopt when there is none. The view points into words().
    std::optional<std::string_view> first_match(std::string_view text) const noexcept;
    // As given (trimmed, deduplicated, in first-seen order), for GET /_emulator/sensitive-words.
    const std::vector<std::string>& words() const noexcept { return words_; }
    std::size_t size() const noexcept { return words_.size(); }
    // The automaton's states, and how many of them (the shallowest) step through the table.
    std::size_t states() const noexcept { return nodes_.size(); }
    std::size_t table_rows() const noexcept { return table_rows_; }

    // 512 KiB: idle memory counts (issue 11: ≤ 10 MiB). The benchmark's 2,500 words (a tenth CJK: ~19,000 states,
    // 98 byte classes) get rows for their ~2,700 shallowest states, where a text that matches nothing spends
    // nearly all its steps; 500 seven-letter ASCII words fit whole.
    static constexpr std::size_t kMaxTableBytes = std::size_t{512} << 10;

private:
    // Sparse trie edges in CSR form (sorted labels per node) plus failure links: a dense 256-wide table per node
    // would cost ~50 MB for 5,000 ten-byte words, this costs well under 1 MB and stays O(text length) amortized.
    struct Node {
        std::uint32_t edges_begin;  // [edges_begin, edges_end) in labels_/targets_, sorted by label
        std::uint32_t edges_end;
        std::int32_t fail;   // longest proper suffix of this node's path that is also a trie path
        std::int32_t match;  // index in words_ of the longest word that is a suffix of this node's path, or -1
    };

    std::int32_t next_state(std::int32_t state, unsigned char byte) const noexcept;
    std::int32_t find_first(std::string_view text) const noexcept;  // index in words_, or -1

    std::vector<std::string> words_;
    std::vector<Node> nodes_;  // nodes_[0] is the root
    std::vector<unsigned char> labels_;
    std::vector<std::int32_t> targets_;
    // Most failure chains end at the root, so it gets a dense table (0 = stay at the root).
    std::array<std::int32_t, 256> root_next_{};

    // The same automaton as a transition table over byte classes (the bytes the words use, plus one class for every
    // other byte), one row per state for the shallowest states: one lookup per byte instead of a failure walk.
    // States are numbered breadth-first, so the rows are those of states [0, table_rows_); a deeper state takes the
    // walk. Entries are 16-bit state numbers, so only lists of up to 65,536 states get a table.
    // Sets the classes and the number of rows, and allocates the rows zeroed (state 0 is the root); the constructor
    // fills them as it makes the failure links.
    void plan_table(std::size_t max_bytes);
    std::array<std::uint16_t, 256> class_of_{};  // 0: a byte no word has; A-Z share a-z's classes (folding)
    std::size_t class_count_ = 1;
    std::size_t table_rows_ = 0;
    std::vector<std::uint16_t> table_;  // table_[state * class_count_ + class], for state < table_rows_
};

// Parses the text of sensitive_words.txt: one entry per line; `#` to end of line is a comment (a '#' anywhere in the
// line starts it); surrounding ASCII whitespace trimmed; empty lines skipped; a UTF-8 BOM at the start is skipped.
// Invalid UTF-8 anywhere on a line (comments included, so a file saved in another encoding is caught), or an entry
// longer than 256 bytes, throws RulesError(file_name, line_number, problem). Duplicates are kept.
std::vector<std::string> parse_sensitive_words(std::string_view text, const std::string& file_name);

}  // namespace lee::rules
