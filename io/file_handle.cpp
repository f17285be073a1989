#include "io/file_handle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace chanmirror::io {

core::Error errno_error(std::string_view what, const std::filesystem::path& path) {
    int err = errno;
    auto kind = err == ENOENT                    ? core::ErrorKind::not_found
                : err == ENOSPC || err == EDQUOT ? core::ErrorKind::no_space
                                                 : core::ErrorKind::io;
    return core::Error{kind, std::string(what) + " " + path.string() + ": " + std::strerror(err)};
}

namespace {

core::Result<FileHandle> open_with(const std::filesystem::path& path, int flags, const char* what,
                                   const std::filesystem::path& errors_name = {}) {
    const auto& named = errors_name.empty() ? path : errors_name;
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0)
        return tl::unexpected(errno_error(what, named));
    return core::Result<FileHandle>(tl::in_place, FileHandle::adopt(fd, named));
}

}  // namespace

FileHandle FileHandle::adopt(int fd, std::filesystem::path path) {
    return FileHandle(fd, std::move(path));
}

FileHandle::~FileHandle() {
    if (fd_ >= 0)
        ::close(fd_);
}

FileHandle::FileHandle(FileHandle&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

core::Result<FileHandle> FileHandle::open_read(const std::filesystem::path& path) {
    return open_with(path, O_RDONLY, "cannot open");
}

core::Result<FileHandle> FileHandle::create_new(const std::filesystem::path& path,
                                                const std::filesystem::path& errors_name) {
    return open_with(path, O_WRONLY | O_CREAT | O_EXCL, "cannot create", errors_name);
}

core::Result<FileHandle> FileHandle::open_append(const std::filesystem::path& path) {
    return open_with(path, O_WRONLY | O_CREAT | O_APPEND, "cannot open for append");
}

core::Result<std::size_t> FileHandle::read(void* buffer, std::size_t size) {
    for (;;) {
        ssize_t n = ::read(fd_, buffer, size);
        if (n >= 0)
            return static_cast<std::size_t>(n);
        if (errno != EINTR)
            return tl::unexpected(errno_error("cannot read", path_));
    }
}

core::Result<std::size_t> FileHandle::pread(void* buffer, std::size_t size, std::uint64_t offset) {
    for (;;) {
        ssize_t n = ::pread(fd_, buffer, size, static_cast<off_t>(offset));
        if (n >= 0)
            return static_cast<std::size_t>(n);
        if (errno != EINTR)
            return tl::unexpected(errno_error("cannot read", path_));
    }
}

core::Result<void> FileHandle::write_all(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd_, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return tl::unexpected(errno_error("cannot write", path_));
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

core::Result<void> FileHandle::sync() {
    if (::fsync(fd_) != 0)
        return tl::unexpected(errno_error("cannot fsync", path_));
    return {};
}

core::Result<void> FileHandle::close() {
    int fd = std::exchange(fd_, -1);
    if (fd >= 0 && ::close(fd) != 0)
        return tl::unexpected(errno_error("cannot close", path_));
    return {};
}

core::Result<std::string> read_file(const std::filesystem::path& path) {
    auto file = FileHandle::open_read(path);
    if (!file)
        return tl::unexpected(file.error());
    std::string out;
    char buffer[1 << 16];
    for (;;) {
        auto n = file->read(buffer, sizeof buffer);
        if (!n)
            return tl::unexpected(n.error());
        if (*n == 0)
            break;
        out.append(buffer, *n);
    }
    return out;
}

void start_writeback(const FileHandle& file) {
    (void)::sync_file_range(file.fd(), 0, 0, SYNC_FILE_RANGE_WRITE);
}

core::Result<void> sync_filesystem(const std::filesystem::path& dir) {
    auto handle = open_with(dir, O_RDONLY | O_DIRECTORY, "cannot open directory");
    if (!handle)
        return tl::unexpected(handle.error());
    if (::syncfs(handle->fd()) != 0)
        return tl::unexpected(errno_error("syncfs", dir));
    return {};
}

core::Result<void> sync_directory(const std::filesystem::path& dir) {
    auto handle = open_with(dir, O_RDONLY | O_DIRECTORY, "cannot open directory");
    if (!handle)
        return tl::unexpected(handle.error());
    return handle->sync();
}

}  // namespace chanmirror::io
