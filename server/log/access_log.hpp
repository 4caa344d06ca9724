#pragma once
// Access log and diagnostics on stderr. Lines are formatted by the request's thread but written by a
// background thread, so a slow terminal never stalls a request and no request lock is held while logging.
#include <chrono>
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
    // Waits until every queued line is written, at most `limit`; false when the writer is still stuck (e.g. on a
    // stderr pipe nobody reads).
    bool flush_for(std::chrono::milliseconds limit);

private:
    void enqueue(std::string line);
    void run();

    static constexpr std::size_t kMaxQueuedBytes =
        std::size_t{64} * 1024 * 1024;  // beyond this, lines are counted and dropped
    Level level_;
    Format format_;
    std::FILE* out_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::vector<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    std::uint64_t dropped_ = 0;
    bool writing_ = false;
    bool stopping_ = false;
    std::thread writer_;
};

}  // namespace lee::log
