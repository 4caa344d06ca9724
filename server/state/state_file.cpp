#include "state/state_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lee::state {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::optional<std::string> read_state_file(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        if (errno == ENOENT) return std::nullopt;
        fail("cannot stat", path);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot open", path);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) fail("cannot read", path);
    return std::move(text).str();
}

void write_state_file(const std::string& path, std::string_view text) {
    const std::string temporary = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create", temporary);
    auto abandon = [&](const std::string& what) {
        const int saved = errno;
        ::close(fd);
        ::unlink(temporary.c_str());
        errno = saved;
        fail(what, temporary);
    };
    // O_CREAT's mode is filtered by the umask and ignored for a file left over by an earlier crash: set it.
    if (::fchmod(fd, 0600) != 0) abandon("cannot chmod");
    for (std::size_t written = 0; written < text.size();) {
        const ssize_t step = ::write(fd, text.data() + written, text.size() - written);
        if (step < 0 && errno == EINTR) continue;
        if (step <= 0) abandon("cannot write");
        written += static_cast<std::size_t>(step);
    }
    if (::fsync(fd) != 0) abandon("cannot fsync");
    if (::close(fd) != 0) {
        ::unlink(temporary.c_str());
        fail("cannot close", temporary);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temporary.c_str());
        errno = saved;
        fail("cannot rename over", path);
    }
    // The rename itself is durable only once the directory is.
    const std::string directory = directory_of(path);
    const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

StateFileSaver::StateFileSaver(std::string path, std::chrono::milliseconds interval, Render render, Report report)
    : path_(std::move(path)), interval_(interval), render_(std::move(render)), report_(std::move(report)) {
    if (interval_.count() > 0) thread_ = std::thread([this] { run(); });
}

StateFileSaver::~StateFileSaver() {
    {
        std::lock_guard lock(wait_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool StateFileSaver::save() {
    std::lock_guard lock(save_mutex_);
    try {
        const std::string text = render_();
        const std::size_t hash = std::hash<std::string>{}(text);
        if (text.size() == last_size_ && hash == last_hash_) return true;
        write_state_file(path_, text);
        last_hash_ = hash;
        last_size_ = text.size();
        return true;
    } catch (const std::exception& error) {
        report_(error.what());
        return false;
    }
}

void StateFileSaver::run() {
    std::unique_lock lock(wait_mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
        lock.unlock();
        save();
        lock.lock();
    }
}

}  // namespace lee::state
