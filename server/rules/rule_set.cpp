#include "rules/rule_set.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/rules_error.hpp"

namespace lee::rules {
namespace {

constexpr std::uintmax_t kMaxRulesFileBytes = std::uintmax_t{16} * 1024 * 1024;
constexpr const char* kSensitiveWordsFile = "sensitive_words.txt";

// nullopt when the file does not exist; throws when it exists but cannot be read.
std::optional<std::string> read_optional_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    if (!std::filesystem::is_regular_file(path, ec)) throw RulesError(path.string(), 0, "is not a regular file");
    if (std::filesystem::file_size(path, ec) > kMaxRulesFileBytes) {
        throw RulesError(path.string(), 0, "is larger than 16 MiB");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw RulesError(path.string(), 0, "cannot be read");
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

}  // namespace

std::shared_ptr<const RuleSet> load_rules_directory(const std::string& directory) {
    const std::filesystem::path root(directory);
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec)) throw RulesError(directory, 0, "is not a directory");
    auto rules = std::make_shared<RuleSet>();
    const auto apps_path = root / "apps.json";
    if (const auto text = read_optional_file(apps_path)) rules->apps = parse_apps(*text, apps_path.string());
    const auto words_path = root / kSensitiveWordsFile;
    if (const auto text = read_optional_file(words_path)) {
        rules->sensitive_words = SensitiveWordMatcher(parse_sensitive_words(*text, words_path.string()));
    }
    const auto faults_path = root / "faults.json";
    if (const auto text = read_optional_file(faults_path))
        rules->faults = parse_faults_file(*text, faults_path.string());
    return rules;
}

std::size_t expected_load_bytes(const std::string& directory) {
    // What loading the word list peaks at: the automaton's table, about two bytes a state for each byte class (a
    // state a byte at most, some hundred classes) up to its bound, and some 30 bytes a list byte for the parsed
    // words, the states and the edges (each array reserved to its final size). Measured peaks of the benchmark's
    // generator: 128, 50 and 28 bytes a list byte at 500, 2,500 and 10,000 words; this gives 130, 50 and 35 (past
    // 65,536 states there is no table). A little over is right: a page populated for nothing costs about a sixth of
    // what a page left out does.
    constexpr std::uintmax_t kTableBytesPerListByte = 200;
    constexpr std::uintmax_t kBytesPerListByte = 30;
    std::error_code ec;
    auto size = std::filesystem::file_size(std::filesystem::path(directory) / kSensitiveWordsFile, ec);
    if (ec) return 0;
    size = std::min(size, kMaxRulesFileBytes);  // a larger file fails to load anyway
    const std::uintmax_t table =
        std::min<std::uintmax_t>(size * kTableBytesPerListByte, SensitiveWordMatcher::kMaxTableBytes);
    return static_cast<std::size_t>(table + size * kBytesPerListByte);
}

}  // namespace lee::rules
