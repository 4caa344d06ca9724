#include "rules/sensitive_words.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/utf8.hpp"
#include "rules/rules_error.hpp"

namespace lee::rules {

namespace {

constexpr std::size_t kMaxEntryBytes = 256;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

unsigned char fold(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

bool is_ascii_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

SensitiveWordMatcher::SensitiveWordMatcher() : SensitiveWordMatcher(std::vector<std::string>{}) {}

SensitiveWordMatcher::SensitiveWordMatcher(const std::vector<std::string>& words, std::size_t max_table_bytes) {
    words_.reserve(words.size());
    {
        // Freed before the automaton's arrays are made, which then reuse its pages.
        std::unordered_set<std::string_view> seen;
        seen.reserve(words.size());
        for (const auto& w : words) {
            const std::string_view t = trim(w);
            if (!t.empty() && seen.insert(t).second) words_.emplace_back(t);
        }
    }

    // The trie, built breadth-first from the words in folded order: the words below a node are a run of that order,
    // and its children split the run by the next byte, in label order. So the nodes come out numbered breadth-first
    // (as the table below and the failure links want them) with each node's edges together and sorted, in one pass
    // over the words' bytes. (A child list per node, grown word by word, then renumbered, took a third of the time
    // to READY with the benchmark's list, issue 11.) Case variants ("Gamble", "gamble") sort by first appearance,
    // and the first one seen is the one reported.
    const auto folded_less = [this](std::size_t a, std::size_t b) {
        const std::string_view x = words_[a];
        const std::string_view y = words_[b];
        const std::size_t common = std::min(x.size(), y.size());
        for (std::size_t i = 0; i < common; ++i) {
            const unsigned char fx = fold(static_cast<unsigned char>(x[i]));
            const unsigned char fy = fold(static_cast<unsigned char>(y[i]));
            if (fx != fy) return fx < fy;
        }
        return x.size() != y.size() ? x.size() < y.size() : a < b;
    };
    if (words_.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
        throw std::length_error("sensitive word list too large");
    }
    std::vector<std::uint32_t> order(words_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), folded_less);
    const auto byte_at = [&](std::size_t k, std::size_t depth) {
        return fold(static_cast<unsigned char>(words_[order[k]][depth]));
    };

    // A state per distinct folded prefix: in sorted order, each word adds the bytes past what it shares with the
    // word before. Every array below is reserved to its final size, so none is copied as it grows: on a VM each
    // page first written costs a fault of several microseconds, even populated (issue 11: startup).
    std::size_t state_count = 1;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::string_view word = words_[order[k]];
        std::size_t common = 0;
        if (k > 0) {
            const std::string_view before = words_[order[k - 1]];
            while (common < before.size() && common < word.size() && byte_at(k - 1, common) == byte_at(k, common)) {
                ++common;
            }
        }
        state_count += word.size() - common;
    }
    if (state_count > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
        throw std::length_error("sensitive word list too large");
    }
    // nodes_ is its own queue: a state made but not yet expanded holds the run of `order` below it (the words that
    // share its path) in edges_begin/edges_end and its depth in fail, until its turn puts its node there.
    nodes_.reserve(state_count);
    labels_.reserve(state_count - 1);  // an edge into every state but the root
    targets_.reserve(state_count - 1);
    nodes_.push_back({0, static_cast<std::uint32_t>(order.size()), 0, -1});
    for (std::size_t state = 0; state < nodes_.size(); ++state) {
        std::uint32_t from = nodes_[state].edges_begin;
        const std::uint32_t to = nodes_[state].edges_end;
        const auto depth = static_cast<std::size_t>(nodes_[state].fail);
        // A word that ends here sorts before the words it is a prefix of.
        const bool ends_here = from < to && words_[order[from]].size() == depth;
        const std::int32_t own = ends_here ? static_cast<std::int32_t>(order[from]) : -1;
        while (from < to && words_[order[from]].size() == depth) ++from;
        const auto edges_begin = static_cast<std::uint32_t>(labels_.size());
        while (from < to) {
            const unsigned char label = byte_at(from, depth);
            std::uint32_t end = from + 1;
            while (end < to && byte_at(end, depth) == label) ++end;
            labels_.push_back(label);
            targets_.push_back(static_cast<std::int32_t>(nodes_.size()));
            nodes_.push_back({from, end, static_cast<std::int32_t>(depth + 1), -1});
            from = end;
        }
        // `match` holds the own word for now; the failure link comes below.
        nodes_[state] = Node{edges_begin, static_cast<std::uint32_t>(labels_.size()), 0, own};
    }
    assert(nodes_.size() == state_count);  // the bound checked above holds for the states made
    for (std::uint32_t e = nodes_[0].edges_begin; e < nodes_[0].edges_end; ++e) root_next_[labels_[e]] = targets_[e];

    plan_table(max_table_bytes);
    const auto row = [&](std::size_t state) {
        return table_.begin() + static_cast<std::ptrdiff_t>(state * class_count_);
    };
    // In breadth-first order, so every failure target (strictly shallower, so numbered lower) is final before it is
    // used, and so is its table row. The root's children keep the root as theirs.
    for (std::size_t state = 0; state < nodes_.size(); ++state) {
        Node& node = nodes_[state];
        const auto fail = static_cast<std::size_t>(node.fail);
        if (state < table_rows_) {
            // The failure state's row with this state's own edges on top: the automaton's full transition for every
            // class.
            if (state != 0) std::copy_n(row(fail), class_count_, row(state));
            for (std::uint32_t e = node.edges_begin; e < node.edges_end; ++e) {
                row(state)[class_of_[labels_[e]]] = static_cast<std::uint16_t>(targets_[e]);
            }
        }
        if (state == 0) continue;
        // Own word first: it is the longest word ending here.
        if (node.match < 0) node.match = nodes_[fail].match;
        for (std::uint32_t e = node.edges_begin; e < node.edges_end; ++e) {
            // Through the failure state's row where it has one: most failure links end near the root.
            nodes_[static_cast<std::size_t>(targets_[e])].fail =
                fail < table_rows_ ? row(fail)[class_of_[labels_[e]]] : next_state(node.fail, labels_[e]);
        }
    }
}

void SensitiveWordMatcher::plan_table(std::size_t max_bytes) {
    if (nodes_.size() > std::size_t{std::numeric_limits<std::uint16_t>::max()} + 1) return;
    for (const unsigned char label : labels_) {
        if (class_of_[label] == 0) class_of_[label] = static_cast<std::uint16_t>(class_count_++);
    }
    // Labels are folded; an upper-case letter takes its lower-case class, so the scan looks a byte up once.
    for (unsigned char upper = 'A'; upper <= 'Z'; ++upper) class_of_[upper] = class_of_[fold(upper)];
    table_rows_ = std::min(nodes_.size(), max_bytes / (class_count_ * sizeof(std::uint16_t)));
    table_.assign(table_rows_ * class_count_, 0);
}

std::int32_t SensitiveWordMatcher::next_state(std::int32_t state, unsigned char byte) const noexcept {
    // Each failure step lowers the depth and each byte raises it by at most one: amortized O(1) per byte.
    while (state != 0) {
        const Node& node = nodes_[static_cast<std::size_t>(state)];
        const auto first = labels_.begin() + node.edges_begin;
        const auto last = labels_.begin() + node.edges_end;
        const auto it = std::lower_bound(first, last, byte);
        if (it != last && *it == byte) return targets_[static_cast<std::size_t>(it - labels_.begin())];
        state = node.fail;
    }
    return root_next_[byte];
}

std::int32_t SensitiveWordMatcher::find_first(std::string_view text) const noexcept {
    if (words_.empty()) return -1;
    std::int32_t state = 0;
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        const auto current = static_cast<std::size_t>(state);
        state =
            current < table_rows_ ? table_[current * class_count_ + class_of_[byte]] : next_state(state, fold(byte));
        const std::int32_t m = nodes_[static_cast<std::size_t>(state)].match;
        if (m >= 0) return m;
    }
    return -1;
}

bool SensitiveWordMatcher::contains_any(std::string_view text) const noexcept { return find_first(text) >= 0; }

std::optional<std::string_view> SensitiveWordMatcher::first_match(std::string_view text) const noexcept {
    const std::int32_t m = find_first(text);
    if (m < 0) return std::nullopt;
    return std::string_view{words_[static_cast<std::size_t>(m)]};
}

std::vector<std::string> parse_sensitive_words(std::string_view text, const std::string& file_name) {
    if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
    std::vector<std::string> entries;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);

        if (!core::is_valid_utf8(line)) throw RulesError(file_name, line_number, "invalid UTF-8");
        if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        if (line.size() > kMaxEntryBytes) {
            throw RulesError(file_name, line_number,
                             "entry is " + std::to_string(line.size()) + " bytes, longer than the " +
                                 std::to_string(kMaxEntryBytes) + "-byte limit");
        }
        entries.emplace_back(line);
    }
    return entries;
}

}  // namespace lee::rules
