#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rules_error.hpp"
#include "rules/sensitive_words.hpp"

using lee::rules::parse_sensitive_words;
using lee::rules::RulesError;
using lee::rules::SensitiveWordMatcher;

namespace {

std::string fold_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Reference semantics for first_match: earliest end position, then the longest word ending there.
std::optional<std::string> naive_first_match(const std::vector<std::string>& words, std::string_view text) {
    const std::string t = fold_ascii(text);
    std::optional<std::string> best;
    std::size_t best_end = std::string::npos;
    for (const auto& w : words) {
        if (w.empty()) continue;
        const std::size_t pos = t.find(fold_ascii(w));
        if (pos == std::string::npos) continue;
        const std::size_t end = pos + w.size();
        if (end < best_end || (end == best_end && w.size() > best->size())) {
            best = w;
            best_end = end;
        }
    }
    return best;
}

// Checks that the RulesError names the file and the line.
bool names_file_and_line(const RulesError& e, const std::string& file, std::size_t line) {
    const std::string what = e.what();
    return e.file() == file && e.line() == line && what.find(file + ":" + std::to_string(line)) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sensitive_words)

BOOST_AUTO_TEST_CASE(ascii_case_insensitive_both_ways) {
    const SensitiveWordMatcher upper_word({"Gamble"});
    BOOST_TEST(upper_word.contains_any("xxgAMBLEyy"));
    BOOST_TEST(upper_word.contains_any("gamble"));
    BOOST_TEST(upper_word.contains_any("GAMBLE"));
    BOOST_TEST(*upper_word.first_match("xxgAMBLEyy") == "Gamble");  // reported as given, not folded

    const SensitiveWordMatcher lower_word({"gamble"});
    BOOST_TEST(lower_word.contains_any("XXGaMbLeYY"));
    BOOST_TEST(!lower_word.contains_any("gambl"));
}

BOOST_AUTO_TEST_CASE(substring_at_start_middle_end) {
    const SensitiveWordMatcher m({"bad"});
    BOOST_TEST(m.contains_any("bad"));
    BOOST_TEST(m.contains_any("badroom"));
    BOOST_TEST(m.contains_any("mybadroom"));
    BOOST_TEST(m.contains_any("roomisbad"));
    BOOST_TEST(!m.contains_any("ba d"));
    BOOST_TEST(!m.contains_any("ba"));
}

BOOST_AUTO_TEST_CASE(chinese_words) {
    const SensitiveWordMatcher m({"赌博"});
    BOOST_TEST(m.contains_any("今晚赌博直播"));
    BOOST_TEST(m.contains_any("赌博"));
    BOOST_TEST(m.contains_any("直播赌博"));
    BOOST_TEST(!m.contains_any("今晚直播"));
    BOOST_TEST(!m.contains_any("赌"));
    BOOST_TEST(!m.contains_any("博赌"));
    BOOST_TEST(*m.first_match("今晚赌博直播") == "赌博");
}

BOOST_AUTO_TEST_CASE(mixed_chinese_and_ascii) {
    const SensitiveWordMatcher m({"VIP赌场", "免费Coins"});
    BOOST_TEST(m.contains_any("欢迎来到vip赌场!"));
    BOOST_TEST(m.contains_any("room-免费COINS-now"));
    BOOST_TEST(!m.contains_any("VIP 赌场"));
    BOOST_TEST(!m.contains_any("免费Coin"));
}

BOOST_AUTO_TEST_CASE(chinese_word_does_not_match_char_sharing_leading_bytes) {
    // 赌 = E8 B5 8C and 走 = E8 B5 B0: same two leading bytes, different character.
    const SensitiveWordMatcher m({"赌"});
    BOOST_TEST(!m.contains_any("走"));
    BOOST_TEST(!m.contains_any("行走直播"));
    BOOST_TEST(m.contains_any("走赌走"));

    const SensitiveWordMatcher phrase({"赌博"});
    BOOST_TEST(!phrase.contains_any("走博"));
    BOOST_TEST(!phrase.contains_any("赌搏"));  // 博 = E5 8D 9A, 搏 = E6 90 8F
}

BOOST_AUTO_TEST_CASE(overlapping_words) {
    const SensitiveWordMatcher m({"he", "she", "hers"});
    BOOST_TEST(m.contains_any("ushers"));
    // "she" and "he" both end at index 3; the longer one is reported.
    BOOST_TEST(*m.first_match("ushers") == "she");
    BOOST_TEST(*m.first_match("uhers") == "he");
    BOOST_TEST(!m.contains_any("usrs"));

    // A word that is a proper suffix of another, found only through a failure link.
    const SensitiveWordMatcher suffix({"abcd", "bce"});
    BOOST_TEST(*suffix.first_match("xabcex") == "bce");
    BOOST_TEST(*suffix.first_match("abcd") == "abcd");

    const SensitiveWordMatcher suffix2({"foobar", "bar"});
    BOOST_TEST(*suffix2.first_match("xfoobarx") == "foobar");
    BOOST_TEST(*suffix2.first_match("xfoobaz bar") == "bar");

    // A word inside another: the inner one ends first.
    const SensitiveWordMatcher inner({"abcde", "bc"});
    BOOST_TEST(*inner.first_match("abcde") == "bc");
    BOOST_TEST(*inner.first_match("xbcx") == "bc");
}

BOOST_AUTO_TEST_CASE(no_false_positives) {
    const SensitiveWordMatcher m({"ass"});
    BOOST_TEST(!m.contains_any("as"));
    BOOST_TEST(!m.contains_any("a s s"));
    BOOST_TEST(!m.contains_any("asa"));
    BOOST_TEST(!m.first_match("as").has_value());
    BOOST_TEST(m.contains_any("class"));
}

BOOST_AUTO_TEST_CASE(empty_list_and_empty_text) {
    const SensitiveWordMatcher none;
    BOOST_TEST(none.size() == 0U);
    BOOST_TEST(none.words().empty());
    BOOST_TEST(!none.contains_any("anything at all 赌博"));
    BOOST_TEST(!none.contains_any(""));
    BOOST_TEST(!none.first_match("abc").has_value());

    const SensitiveWordMatcher only_blanks({"", "  ", "\t"});
    BOOST_TEST(only_blanks.size() == 0U);
    BOOST_TEST(!only_blanks.contains_any("abc"));

    const SensitiveWordMatcher m({"abc"});
    BOOST_TEST(!m.contains_any(""));
    BOOST_TEST(!m.first_match("").has_value());
}

BOOST_AUTO_TEST_CASE(first_match_is_earliest_ending) {
    const SensitiveWordMatcher m({"zzzz", "world", "hello"});
    BOOST_TEST(*m.first_match("hello world") == "hello");
    BOOST_TEST(*m.first_match("say world, hello") == "world");
    // "long..." starts first but "ong" ends first.
    const SensitiveWordMatcher n({"longword", "ong"});
    BOOST_TEST(*n.first_match("longword") == "ong");
    BOOST_TEST(!n.first_match("nothing here").has_value());
}

BOOST_AUTO_TEST_CASE(duplicates_and_trimming) {
    const SensitiveWordMatcher m({"bad", " bad ", "", "Bad", "bad", "赌博", "赌博"});
    const std::vector<std::string> expected{"bad", "Bad", "赌博"};
    BOOST_TEST(m.words() == expected, boost::test_tools::per_element());
    BOOST_TEST(m.size() == 3U);
    BOOST_TEST(*m.first_match("so BAD") == "bad");  // first-seen case variant wins
    BOOST_TEST(m.contains_any("赌博"));
}

// The trie is built from the words in folded order (each sharing its prefix with the one before): given out of order
// and in mixed case, the words still share their nodes, and a case variant seen first is the one reported even when
// a later one sorts before it byte for byte ('B' < 'b').
BOOST_AUTO_TEST_CASE(shared_prefixes_out_of_order) {
    const SensitiveWordMatcher m({"abc", "b", "AB", "Abd", "ab", "BC"});
    BOOST_TEST(m.states() == 7U);                 // the root, a, ab, abc, abd, b, bc
    BOOST_TEST(*m.first_match("xxABD") == "AB");  // "ab" ends before "abd"
    BOOST_TEST(*m.first_match("xxAbD") == "AB");
    BOOST_TEST(*m.first_match("c b") == "b");
    BOOST_TEST(*m.first_match("bc") == "b");
    const SensitiveWordMatcher upper_first({"BAD", "bad", "Bad"});
    BOOST_TEST(upper_first.states() == 4U);
    BOOST_TEST(*upper_first.first_match("so bad") == "BAD");
    const SensitiveWordMatcher lower_first({"bad", "BAD"});
    BOOST_TEST(*lower_first.first_match("so BAD") == "bad");
}

BOOST_AUTO_TEST_CASE(non_ascii_bytes_not_folded) {
    // É = C3 89 and é = C3 A9 differ by 0x20 in the last byte: folding non-ASCII bytes would wrongly equate them.
    const SensitiveWordMatcher m({"É"});
    BOOST_TEST(!m.contains_any("é"));
    BOOST_TEST(m.contains_any("CAFÉ"));

    const SensitiveWordMatcher lower({"café"});
    BOOST_TEST(lower.contains_any("CAFé"));
    BOOST_TEST(!lower.contains_any("CAFÉ"));
}

// Some 35,000 states over ~47 byte classes: the table holds rows for the shallowest few thousand, so texts step
// through the table near the root and through the trie walk deeper down (the small lists of the other cases fit the
// table whole).
BOOST_AUTO_TEST_CASE(thousands_of_words) {
    std::vector<std::string> words;
    const std::vector<std::string> han{"赌", "博", "毒", "品", "枪", "支", "诈", "骗"};
    for (int i = 0; i < 5000; ++i) {
        std::string w = "q";
        for (int n = i * 7919 + 13; n > 0; n /= 26) w += static_cast<char>('a' + n % 26);
        if (i % 3 == 0) w += han[static_cast<std::size_t>(i) % han.size()] + han[static_cast<std::size_t>(i / 8) % 8];
        if (i % 5 == 0) w[1] = static_cast<char>(w[1] - 'a' + 'A');
        words.push_back(w);
    }
    const SensitiveWordMatcher m(words);
    BOOST_TEST(m.size() == words.size());
    BOOST_TEST(m.table_rows() > 1000U);
    BOOST_TEST(m.table_rows() < m.states());
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string text = "--" + fold_ascii(words[i]) + "--";
        const auto found = m.first_match(text);
        BOOST_TEST_REQUIRE(found.has_value());
        // Another word may legitimately end earlier inside this one; it must still really be in the text.
        const std::size_t pos = text.find(fold_ascii(*found));
        BOOST_TEST_REQUIRE(pos != std::string::npos);
        BOOST_TEST(pos + found->size() <= 2 + words[i].size());
        // The quadratic reference check only on a sample, to keep the suite fast under sanitizers.
        if (i % 97 == 0) BOOST_TEST(*found == *naive_first_match(words, text));
    }
    // No word contains a digit or starts without 'q': this text must not match.
    BOOST_TEST(!m.contains_any("0123456789 abcdefghijklmnop 今晚直播 rstuvwxyz"));
}

BOOST_AUTO_TEST_CASE(agrees_with_naive_search_on_random_input) {
    // A tiny alphabet forces dense overlaps and long failure chains.
    std::mt19937 rng(12345);
    const std::vector<std::string> alphabet{"a", "B", "b", "赌", "走", "É"};
    auto random_string = [&](std::size_t max_len) {
        std::string s;
        const std::size_t len = std::uniform_int_distribution<std::size_t>(0, max_len)(rng);
        for (std::size_t i = 0; i < len; ++i) {
            s += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
        }
        return s;
    };
    for (int round = 0; round < 300; ++round) {
        std::vector<std::string> words;
        const int count = std::uniform_int_distribution<int>(0, 12)(rng);
        for (int i = 0; i < count; ++i) words.push_back(random_string(5));
        // The whole automaton in the table, the trie walk alone, and rows for the shallowest states only.
        const SensitiveWordMatcher whole(words);
        const SensitiveWordMatcher walk(words, 0);
        const SensitiveWordMatcher part(words, 2 * whole.states());  // states / classes rows
        // A state for every distinct folded prefix, the empty one (the root) included.
        std::set<std::string> prefixes{""};
        for (const auto& word : words) {
            for (std::size_t length = 1; length <= word.size(); ++length)
                prefixes.insert(fold_ascii(word.substr(0, length)));
        }
        BOOST_TEST_REQUIRE(whole.states() == prefixes.size());
        BOOST_TEST_REQUIRE(whole.table_rows() == whole.states());
        BOOST_TEST_REQUIRE(walk.table_rows() == 0U);
        BOOST_TEST_REQUIRE((part.table_rows() < part.states() || part.states() == 1));  // the root alone fits
        for (int j = 0; j < 20; ++j) {
            const std::string text = random_string(30);
            const auto expected = naive_first_match(whole.words(), text);
            for (const SensitiveWordMatcher* m : {&whole, &walk, &part}) {
                const auto actual = m->first_match(text);
                BOOST_TEST_REQUIRE(actual.has_value() == expected.has_value());
                if (expected) BOOST_TEST(std::string(*actual) == *expected);
                BOOST_TEST(m->contains_any(text) == expected.has_value());
            }
        }
    }
}

// Past 65,536 states a table's 16-bit entries cannot name every state: the trie walk alone serves.
BOOST_AUTO_TEST_CASE(more_states_than_a_table_can_name) {
    std::mt19937 rng(7);
    std::vector<std::string> words;
    for (int i = 0; i < 7000; ++i) {
        std::string w;
        for (int n = 0; n < 12; ++n) w += static_cast<char>('a' + std::uniform_int_distribution<int>(0, 25)(rng));
        words.push_back(w);
    }
    const SensitiveWordMatcher m(words);
    BOOST_TEST_REQUIRE(m.states() > 65536U);
    BOOST_TEST(m.table_rows() == 0U);
    BOOST_TEST(*m.first_match("xx" + words[4321] + "yy") == words[4321]);
    BOOST_TEST(!m.contains_any("0123456789"));
}

// Exactly 65,536 states: the last state's number, 65,535, still fits a 16-bit entry, so the table covers them all.
BOOST_AUTO_TEST_CASE(as_many_states_as_a_table_can_name) {
    const std::string word(65535, 'a');
    const SensitiveWordMatcher m({word});
    BOOST_TEST_REQUIRE(m.states() == 65536U);
    BOOST_TEST(m.table_rows() == m.states());
    BOOST_TEST(*m.first_match("x" + word) == word);
    BOOST_TEST(!m.contains_any(std::string(65534, 'A') + "b" + std::string(10, 'a')));
    const SensitiveWordMatcher over({word + "a"});  // one state more: no table
    BOOST_TEST(over.table_rows() == 0U);
    BOOST_TEST(over.contains_any(std::string(65537, 'A')));
}

BOOST_AUTO_TEST_CASE(parse_comments_blank_lines_and_trimming) {
    const std::string text =
        "# header comment\n"
        "\n"
        "gamble\n"
        "  spaced word  \n"
        "\tTabbed\t\n"
        "赌博 # trailing comment\n"
        "   # indented comment\n"
        "inline#comment\n"
        "   \n"
        "last-no-newline";
    const auto words = parse_sensitive_words(text, "sensitive_words.txt");
    const std::vector<std::string> expected{"gamble", "spaced word", "Tabbed", "赌博", "inline", "last-no-newline"};
    BOOST_TEST(words == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(parse_crlf_and_bom) {
    const std::string bom = "\xEF\xBB\xBF";  // kept apart: "\xBFf..." would lex as one hex escape
    const std::string text = bom + "first\r\n# c\r\nsecond # x\r\n\r\n毒品\r\n";
    const auto words = parse_sensitive_words(text, "w.txt");
    const std::vector<std::string> expected{"first", "second", "毒品"};
    BOOST_TEST(words == expected, boost::test_tools::per_element());

    // A BOM-only or empty file is an empty list.
    BOOST_TEST(parse_sensitive_words(bom, "w.txt").empty());
    BOOST_TEST(parse_sensitive_words("", "w.txt").empty());
    // A BOM anywhere but the start is an ordinary (valid UTF-8) character, not skipped.
    BOOST_TEST(parse_sensitive_words("a\n" + bom + "b\n", "w.txt").back() == bom + "b");
}

BOOST_AUTO_TEST_CASE(parse_duplicates_kept_matcher_dedups) {
    const auto words = parse_sensitive_words("x\nx\ny\n", "w.txt");
    BOOST_TEST(words.size() == 3U);
    BOOST_TEST(SensitiveWordMatcher(words).size() == 2U);
}

BOOST_AUTO_TEST_CASE(parse_invalid_utf8_reports_file_and_line) {
    const std::vector<std::string> bad_lines{
        "\xC3\x28",          // bad continuation
        "\x80",              // stray continuation
        "\xE8\xB5",          // truncated
        "\xC0\xAF",          // overlong '/'
        "\xE0\x80\xAF",      // overlong, 3 bytes
        "\xED\xA0\x80",      // surrogate U+D800
        "\xF4\x90\x80\x80",  // U+110000
        "\xF8\x88\x80\x80\x80",
        "ok # comment \xFF",  // comments are checked too
    };
    for (const auto& bad : bad_lines) {
        const std::string text = "good\n# comment\n" + bad + "\nalso good\n";
        try {
            (void)parse_sensitive_words(text, "rules/sensitive_words.txt");
            BOOST_ERROR("expected RulesError for invalid UTF-8");
        } catch (const RulesError& e) {
            BOOST_TEST(names_file_and_line(e, "rules/sensitive_words.txt", 3), e.what());
            BOOST_TEST(std::string(e.what()).find("UTF-8") != std::string::npos);
        }
    }
    // Boundary code points are valid.
    BOOST_CHECK_NO_THROW(parse_sensitive_words("\xF4\x8F\xBF\xBF\n\xEF\xBF\xBF\n\xC2\x80\n", "w.txt"));
}

BOOST_AUTO_TEST_CASE(parse_over_long_entry) {
    const std::string max_ok(256, 'a');
    BOOST_TEST(parse_sensitive_words(max_ok + "\n", "w.txt").at(0) == max_ok);
    // Surrounding whitespace and comments do not count towards the limit.
    BOOST_CHECK_NO_THROW(parse_sensitive_words("   " + max_ok + "   # long comment " + std::string(300, 'c'), "w.txt"));

    const std::string text = "ok\r\n" + std::string(257, 'a') + "\r\n";
    BOOST_CHECK_EXCEPTION(parse_sensitive_words(text, "w.txt"), RulesError,
                          [](const RulesError& e) { return names_file_and_line(e, "w.txt", 2); });
    // 86 three-byte characters = 258 bytes: the limit is in bytes.
    std::string han;
    for (int i = 0; i < 86; ++i) han += "赌";
    BOOST_CHECK_THROW(parse_sensitive_words(han, "w.txt"), RulesError);
}

BOOST_AUTO_TEST_SUITE_END()
