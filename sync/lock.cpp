#include "sync/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "io/file_handle.hpp"
#include "io/subdir_publisher.hpp"

namespace chanmirror::sync {
namespace {

std::string read_all(int fd) {
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
    return "pid " + std::to_string(::getpid()) + " on " + host + " since " +
           io::utc_timestamp_now();
}

}  // namespace

std::filesystem::path lock_path(const std::filesystem::path& dest) {
    return dest / ".chanmirror" / "lock";
}

DestLock::DestLock(DestLock&& other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
}

DestLock& DestLock::operator=(DestLock&& other) noexcept {
    if (this != &other) {
        this->~DestLock();
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

DestLock::~DestLock() {
    if (fd_ < 0)
        return;
    (void)::ftruncate(fd_, 0);  // an empty lock file means "released cleanly"
    ::close(fd_);               // releases the flock
    fd_ = -1;
}

core::Result<LockAttempt> try_lock_dest(const std::filesystem::path& dest) {
    auto path = lock_path(dest);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
        return core::fail(core::ErrorKind::io,
                          "cannot create " + path.parent_path().string() + ": " + ec.message());
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return tl::unexpected(io::errno_error("open", path));
    LockAttempt attempt;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        attempt.holder = read_all(fd);
        ::close(fd);
        if (err != EWOULDBLOCK) {
            errno = err;
            return tl::unexpected(io::errno_error("flock", path));
        }
        if (attempt.holder.empty())
            attempt.holder = "another process";
        return attempt;
    }
    attempt.taken_over = read_all(fd);  // non-empty: its holder died without releasing
    auto me = describe_self() + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
        ::close(fd);
        return tl::unexpected(io::errno_error("write", path));
    }
    attempt.lock.emplace(DestLock(fd));
    return attempt;
}

}  // namespace chanmirror::sync
