#include "log/access_log.hpp"

#include <array>
#include <chrono>
#include <ctime>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include "core/utf8.hpp"

namespace lee::log {
namespace {

constexpr std::array<std::string_view, 5> kLevelNames = {"debug", "info", "warn", "error", "off"};

std::string timestamp() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::array<char, 40> buffer{};
    const std::size_t length = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &utc);
    std::array<char, 8> fraction{};
    std::snprintf(fraction.data(), fraction.size(), ".%03dZ", static_cast<int>(millis));
    return std::string(buffer.data(), length) + fraction.data();
}

// Request text may hold any bytes: a log line, JSON or not, carries them as valid UTF-8 (U+FFFD for the rest).
std::string printable(std::string_view text) { return core::to_valid_utf8(text); }

std::string quoted(std::string_view text) { return boost::json::serialize(boost::json::string_view(printable(text))); }

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
    for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
        if (kLevelNames[i] == name) return static_cast<Level>(i);
    }
    return std::nullopt;
}

std::optional<Format> parse_format(std::string_view name) {
    if (name == "text") return Format::text;
    if (name == "json") return Format::json;
    return std::nullopt;
}

AccessLog::AccessLog(Level level, Format format, std::FILE* out) : level_(level), format_(format), out_(out) {
    if (level_ != Level::off) writer_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (!writer_.joinable()) return;
    if (flush_for(std::chrono::seconds(1))) {
        writer_.join();
    } else {
        writer_.detach();  // stuck in a write nobody will read; main() exits without waiting for it
    }
}

void AccessLog::request(const RequestRecord& record) {
    if (!enabled(Level::info)) return;
    std::array<char, 32> latency{};
    std::snprintf(latency.data(), latency.size(), "%.3f", record.latency_ms);
    const std::string sdkappid = record.sdkappid ? std::to_string(*record.sdkappid) : std::string();
    std::string line;
    if (format_ == Format::json) {
        line = R"({"ts":)" + quoted(timestamp()) + R"(,"level":"info","method":)" + quoted(record.method) +
               R"(,"path":)" + quoted(record.path) + R"(,"command":)" + quoted(record.command) + R"(,"sdkappid":)" +
               (record.sdkappid ? sdkappid : "null") + R"(,"status":)" + std::to_string(record.status) +
               R"(,"error_code":)" + std::to_string(record.error_code) + R"(,"latency_ms":)" + latency.data() + "}";
    } else {
        line = timestamp() + " info " + printable(record.method) + " " + printable(record.path) +
               " command=" + std::string(record.command.empty() ? "-" : record.command) +
               " sdkappid=" + (record.sdkappid ? sdkappid : "-") + " status=" + std::to_string(record.status) +
               " error_code=" + std::to_string(record.error_code) + " latency_ms=" + latency.data();
    }
    enqueue(std::move(line));
}

void AccessLog::message(Level level, std::string_view text) {
    if (!enabled(level)) return;
    const std::string_view name = kLevelNames[static_cast<std::size_t>(level)];
    if (format_ == Format::json) {
        enqueue(R"({"ts":)" + quoted(timestamp()) + R"(,"level":")" + std::string(name) + R"(","message":)" +
                quoted(text) + "}");
    } else {
        enqueue(timestamp() + " " + std::string(name) + " " + printable(text));
    }
}

void AccessLog::enqueue(std::string line) {
    {
        std::lock_guard lock(mutex_);
        if (queued_bytes_ + line.size() > kMaxQueuedBytes) {
            ++dropped_;
            return;
        }
        queued_bytes_ += line.size();
        queue_.push_back(std::move(line));
    }
    wake_.notify_one();
}

bool AccessLog::flush_for(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return drained_.wait_for(lock, limit, [&] { return !writer_.joinable() || (queue_.empty() && !writing_); });
}

void AccessLog::run() {
    std::vector<std::string> batch;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) break;
        batch.swap(queue_);
        queued_bytes_ = 0;
        const std::uint64_t dropped = std::exchange(dropped_, 0);
        writing_ = true;
        lock.unlock();
        for (const std::string& line : batch) {
            std::fwrite(line.data(), 1, line.size(), out_);
            std::fputc('\n', out_);
        }
        if (dropped)
            std::fprintf(out_, "%s warn access log dropped %llu lines\n", timestamp().c_str(),
                         static_cast<unsigned long long>(dropped));
        std::fflush(out_);
        batch.clear();
        lock.lock();
        writing_ = false;
        drained_.notify_all();
    }
    drained_.notify_all();
}

}  // namespace lee::log
