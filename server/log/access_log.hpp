#pragma once
// Access log and diagnostics on stderr. Lines are formatted by the request's thread but written by a
// background thread, so a slow terminal never stalls a request and no request lock is held while logging.
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace lee::log {

enum class Level { debug, info, warn, error, off };
enum class Format { text, json };

std::optional<Level> parse_level(std::string_view name);
std::optional<Format> parse_format(std::string_view name);

struct RequestRecord {
    std::string_view method;
    std::string_view path;
    std::string_view command;
    std::optional<std::uint64_t> sdkappid;
    unsigned status = 200;
    int error_code = 0;
    double latency_ms = 0;
};

class AccessLog {
public:
    AccessLog(Level level, Format format, std::FILE* out = stderr);
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    bool enabled(Level level) const { return level_ != Level::off && level >= level_; }
    void request(const RequestRecord& record);
    void message(Level level, std::string_view text);
    void flush();  // waits until every queued line is written

private:
    void enqueue(std::string line);
    void run();

    static constexpr std::size_t kMaxQueuedLines = 100'000;  // beyond this, lines are counted and dropped
    Level level_;
    Format format_;
    std::FILE* out_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::vector<std::string> queue_;
    std::uint64_t dropped_ = 0;
    bool writing_ = false;
    bool stopping_ = false;
    std::thread writer_;
};

}  // namespace lee::log
