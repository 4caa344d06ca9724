#include "rules/sensitive_words.hpp"

#include <algorithm>
#include <array>
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
    std::unordered_set<std::string_view> seen;
    for (const auto& w : words) {
        const std::string_view t = trim(w);
        // Views into the caller's vector stay valid for the whole constructor.
        if (!t.empty() && seen.insert(t).second) words_.emplace_back(t);
    }

    // Build the trie with per-node sorted child lists, then flatten it; the build-time shape is cheap to grow,
    // the flat one is cheap to scan.
    std::vector<std::vector<std::pair<unsigned char, std::int32_t>>> children(1);
    std::vector<std::int32_t> terminal(1, -1);
    for (std::size_t wi = 0; wi < words_.size(); ++wi) {
        std::size_t state = 0;
        for (const char ch : words_[wi]) {
            const unsigned char c = fold(static_cast<unsigned char>(ch));
            auto& kids = children[state];
            auto it = std::lower_bound(kids.begin(), kids.end(), c,
                                       [](const auto& edge, unsigned char label) { return edge.first < label; });
            if (it == kids.end() || it->first != c) {
                if (children.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
                    throw std::length_error("sensitive word list too large");
                }
                const auto id = static_cast<std::int32_t>(children.size());
                kids.insert(it, {c, id});
                // Only now may `children` grow: the insert above went through a reference into it.
                state = static_cast<std::size_t>(id);
                children.emplace_back();
                terminal.push_back(-1);
            } else {
                state = static_cast<std::size_t>(it->second);
            }
        }
        // Case variants ("Gamble", "gamble") share a node; the first one seen is the one reported.
        if (terminal[state] < 0) terminal[state] = static_cast<std::int32_t>(wi);
    }

    nodes_.resize(children.size());
    for (std::size_t v = 0; v < children.size(); ++v) {
        nodes_[v].edges_begin = static_cast<std::uint32_t>(labels_.size());
        for (const auto& [label, target] : children[v]) {
            labels_.push_back(label);
            targets_.push_back(target);
        }
        nodes_[v].edges_end = static_cast<std::uint32_t>(labels_.size());
        nodes_[v].fail = 0;
        nodes_[v].match = -1;
    }
    for (const auto& [label, target] : children[0]) root_next_[label] = target;
    std::vector<std::vector<std::pair<unsigned char, std::int32_t>>>().swap(children);  // its memory goes now

    // Breadth-first, so every failure target (strictly shallower) is final before it is used.
    std::vector<std::int32_t> queue;
    queue.reserve(nodes_.size());
    for (std::uint32_t e = nodes_[0].edges_begin; e < nodes_[0].edges_end; ++e) queue.push_back(targets_[e]);
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const std::int32_t v = queue[head];
        Node& node = nodes_[static_cast<std::size_t>(v)];
        // Own word first: it is the longest word ending here.
        node.match = terminal[static_cast<std::size_t>(v)] >= 0 ? terminal[static_cast<std::size_t>(v)]
                                                                : nodes_[static_cast<std::size_t>(node.fail)].match;
        for (std::uint32_t e = node.edges_begin; e < node.edges_end; ++e) {
            const std::int32_t child = targets_[e];
            nodes_[static_cast<std::size_t>(child)].fail = next_state(node.fail, labels_[e]);
            queue.push_back(child);
        }
    }
    number_breadth_first(queue);
    build_table(max_table_bytes);
}

void SensitiveWordMatcher::number_breadth_first(const std::vector<std::int32_t>& breadth_first) {
    std::vector<std::int32_t> number(nodes_.size(), 0);
    for (std::size_t i = 0; i < breadth_first.size(); ++i) {
        number[static_cast<std::size_t>(breadth_first[i])] = static_cast<std::int32_t>(i + 1);
    }
    std::vector<Node> nodes(nodes_.size());
    std::vector<unsigned char> labels;
    std::vector<std::int32_t> targets;
    labels.reserve(labels_.size());
    targets.reserve(targets_.size());
    for (std::size_t v = 0; v < nodes.size(); ++v) {
        const Node& old = nodes_[v == 0 ? 0 : static_cast<std::size_t>(breadth_first[v - 1])];
        Node& node = nodes[v];
        node.edges_begin = static_cast<std::uint32_t>(labels.size());
        for (std::uint32_t e = old.edges_begin; e < old.edges_end; ++e) {
            labels.push_back(labels_[e]);
            targets.push_back(number[static_cast<std::size_t>(targets_[e])]);
        }
        node.edges_end = static_cast<std::uint32_t>(labels.size());
        node.fail = number[static_cast<std::size_t>(old.fail)];
        node.match = old.match;
    }
    for (auto& next : root_next_) next = number[static_cast<std::size_t>(next)];
    nodes_ = std::move(nodes);
    labels_ = std::move(labels);
    targets_ = std::move(targets);
}

void SensitiveWordMatcher::build_table(std::size_t max_bytes) {
    if (nodes_.size() > std::size_t{std::numeric_limits<std::uint16_t>::max()} + 1) return;
    for (const unsigned char label : labels_) {
        if (class_of_[label] == 0) class_of_[label] = static_cast<std::uint16_t>(class_count_++);
    }
    table_rows_ = std::min(nodes_.size(), max_bytes / (class_count_ * sizeof(std::uint16_t)));
    table_.assign(table_rows_ * class_count_, 0);
    const auto row = [&](std::size_t state) {
        return table_.begin() + static_cast<std::ptrdiff_t>(state * class_count_);
    };
    // A state's row is its failure state's (shallower, so numbered lower and already final) with its own edges on
    // top: the automaton's full transition for every class.
    for (std::size_t state = 0; state < table_rows_; ++state) {
        const Node& node = nodes_[state];
        if (state != 0) std::copy_n(row(static_cast<std::size_t>(node.fail)), class_count_, row(state));
        for (std::uint32_t e = node.edges_begin; e < node.edges_end; ++e) {
            row(state)[class_of_[labels_[e]]] = static_cast<std::uint16_t>(targets_[e]);
        }
    }
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
        const unsigned char byte = fold(static_cast<unsigned char>(ch));
        const auto current = static_cast<std::size_t>(state);
        state = current < table_rows_ ? table_[current * class_count_ + class_of_[byte]] : next_state(state, byte);
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
