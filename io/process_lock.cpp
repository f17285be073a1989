#include "io/process_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "io/file_handle.hpp"
#include "io/utc_time.hpp"

namespace chanmirror::io {
namespace {

namespace fs = std::filesystem;

std::string read_holder(int fd) {
    std::string out;
    char buf[256];
    ssize_t n = 0;
    off_t off = 0;
    while ((n = ::pread(fd, buf, sizeof buf, off)) > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        off += n;
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\0'))
        out.pop_back();
    return out;
}

std::string describe_self() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return "pid " + std::to_string(::getpid()) + " on " + host + " since " + utc_timestamp_now();
}

}  // namespace

// The open lock file; owns the descriptor until it becomes a ProcessLock.
class LockFile {
  public:
    static core::Result<LockFile> open(const fs::path& path) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) {
            return core::fail(core::ErrorKind::io,
                              "cannot create " + path.parent_path().string() + ": " + ec.message());
        }
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return tl::unexpected(errno_error("open", path));
        return LockFile(fd, path);
    }
    LockFile(LockFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(other.path_) {}
    ~LockFile() {
        if (fd_ >= 0)
            ::close(fd_);
    }

    // false: another process holds it.
    core::Result<bool> lock(bool wait) {
        while (::flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
            if (errno == EINTR)
                continue;
            if (errno == EWOULDBLOCK && !wait)
                return false;
            return tl::unexpected(errno_error("flock", path_));
        }
        return true;
    }

    [[nodiscard]] std::string holder() const {
        auto h = read_holder(fd_);
        return h.empty() ? "another process" : h;
    }

    // Records this process as the holder; the previous line (a dead holder's) is returned.
    core::Result<LockAttempt> claim() {
        LockAttempt attempt;
        attempt.taken_over = read_holder(fd_);
        auto me = describe_self() + "\n";
        if (::ftruncate(fd_, 0) != 0 ||
            ::pwrite(fd_, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
            return tl::unexpected(errno_error("write", path_));
        }
        attempt.lock.emplace(ProcessLock(std::exchange(fd_, -1)));
        return attempt;
    }

  private:
    LockFile(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
    int fd_ = -1;
    fs::path path_;
};

ProcessLock::ProcessLock(ProcessLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ProcessLock& ProcessLock::operator=(ProcessLock&& other) noexcept {
    if (this != &other) {
        this->~ProcessLock();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

ProcessLock::~ProcessLock() {
    if (fd_ < 0)
        return;
    (void)::ftruncate(fd_, 0);  // an empty lock file means "released cleanly"
    ::close(fd_);               // releases the flock
    fd_ = -1;
}

namespace {

// Without on_wait: gives up when another process holds the lock.
core::Result<LockAttempt> acquire(const fs::path& path,
                                  const std::function<void(const std::string&)>* on_wait) {
    auto file = LockFile::open(path);
    if (!file)
        return tl::unexpected(file.error());
    auto locked = file->lock(/*wait=*/false);
    if (!locked)
        return tl::unexpected(locked.error());
    if (!*locked) {
        if (!on_wait) {
            LockAttempt busy;
            busy.holder = file->holder();
            return busy;
        }
        (*on_wait)(file->holder());
        if (auto waited = file->lock(/*wait=*/true); !waited)
            return tl::unexpected(waited.error());
    }
    return file->claim();
}

}  // namespace

core::Result<LockAttempt> try_lock(const fs::path& path) {
    return acquire(path, nullptr);
}

core::Result<LockAttempt> wait_for_lock(const fs::path& path,
                                        const std::function<void(const std::string&)>& on_wait) {
    return acquire(path, &on_wait);
}

}  // namespace chanmirror::io
