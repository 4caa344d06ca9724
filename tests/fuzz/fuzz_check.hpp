#pragma once
// What the fuzz targets share: a check that stops the run with a message naming the broken property (libFuzzer
// then saves the input as a crash file), and the path of the repository's files.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#ifndef LEE_SOURCE_DIR
#define LEE_SOURCE_DIR "."
#endif

namespace lee::fuzz {

// `what` names the property; `detail` (bytes of the answer, say) is printed escaped so a terminal shows it whole.
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
    std::fprintf(stderr, "\nFUZZ CHECK FAILED: %.*s\n", static_cast<int>(what.size()), what.data());
    if (!detail.empty()) {
        std::fputs("  detail: ", stderr);
        for (const unsigned char c : detail.substr(0, 2048)) {
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                std::fputc(c, stderr);
            } else {
                std::fprintf(stderr, "\\x%02x", c);
            }
        }
        std::fputc('\n', stderr);
    }
    std::abort();
}

inline void check(bool condition, std::string_view what, std::string_view detail = {}) {
    if (!condition) fail(what, detail);
}

}  // namespace lee::fuzz
