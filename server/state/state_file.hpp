#pragma once
// --state-file: the snapshot kept on disk. Written to a temporary file in the same directory, fsynced and renamed
// over the old one (then the directory fsynced), so a crash or a kill -9 at any moment leaves the last good
// snapshot, never a torn one. Mode 0600: it is the one place that holds secret keys.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace lee::state {

// The file's text; nullopt when there is no such file (a first start). Throws std::runtime_error naming the
// problem when it exists but cannot be read.
std::optional<std::string> read_state_file(const std::string& path);

// Replaces the file with `text` atomically. Throws std::runtime_error naming the step that failed.
void write_state_file(const std::string& path, std::string_view text);

// Saves what `render` returns every `interval` (none: only when asked) on a thread of its own, so rendering a
// large state never holds up an I/O thread; an unchanged text is not written again.
class StateFileSaver {
public:
    using Render = std::function<std::string()>;
    using Report = std::function<void(const std::string& problem)>;
    StateFileSaver(std::string path, std::chrono::milliseconds interval, Render render, Report report);
    ~StateFileSaver();
    StateFileSaver(const StateFileSaver&) = delete;
    StateFileSaver& operator=(const StateFileSaver&) = delete;
    // Saves now, on the caller's thread (at a clean stop); false when it failed (reported).
    bool save();

private:
    void run();
    std::string path_;
    std::chrono::milliseconds interval_;
    Render render_;
    Report report_;
    std::mutex save_mutex_;  // one save at a time
    std::size_t last_hash_ = 0;
    std::size_t last_size_ = SIZE_MAX;
    std::mutex wait_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace lee::state
