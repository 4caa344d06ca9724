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

SensitiveWordMatcher::SensitiveWordMatcher(const std::vector<std::string>& words) {
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

    // Breadth-first, so every failure target (strictly shallower) is final before it is used.
    std::vector<std::int32_t> queue;
    queue.reserve(nodes_.size());
    for (const auto& edge : children[0]) queue.push_back(edge.second);
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
    build_dense(queue);
}

void SensitiveWordMatcher::build_dense(const std::vector<std::int32_t>& breadth_first) {
    for (const unsigned char label : labels_) {
        if (class_of_[label] == 0) class_of_[label] = static_cast<std::uint16_t>(class_count_++);
    }
    if (nodes_.size() * class_count_ * sizeof(std::int32_t) > kMaxDenseBytes) return;  // the trie walk serves
    dense_.assign(nodes_.size() * class_count_, 0);
    const auto row = [&](std::int32_t state) {
        return dense_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(state) * class_count_);
    };
    const auto fill_edges = [&](std::int32_t state) {
        const Node& node = nodes_[static_cast<std::size_t>(state)];
        for (std::uint32_t e = node.edges_begin; e < node.edges_end; ++e)
            row(state)[class_of_[labels_[e]]] = targets_[e];
    };
    fill_edges(0);
    // A state's row is its failure state's (shallower, so already final) with its own edges on top.
    for (const std::int32_t state : breadth_first) {
        std::copy_n(row(nodes_[static_cast<std::size_t>(state)].fail), class_count_, row(state));
        fill_edges(state);
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
        state = dense_.empty() ? next_state(state, byte)
                               : dense_[static_cast<std::size_t>(state) * class_count_ + class_of_[byte]];
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
