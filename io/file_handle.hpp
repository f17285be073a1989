#pragma once
// An owned POSIX file descriptor whose errors name the file.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/error.hpp"

namespace chanmirror::io {

class FileHandle {
  public:
    FileHandle() = default;
    ~FileHandle();
    FileHandle(FileHandle&& other) noexcept;
    FileHandle& operator=(FileHandle&& other) noexcept;
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;

    // Takes ownership of an already open descriptor.
    static FileHandle adopt(int fd, std::filesystem::path path);
    static core::Result<FileHandle> open_read(const std::filesystem::path& path);
    // O_CREAT|O_EXCL|O_WRONLY: never clobbers someone else's file. Errors name `errors_name`
    // when given: a temp file's errors name the file it will become.
    static core::Result<FileHandle> create_new(const std::filesystem::path& path,
                                               const std::filesystem::path& errors_name = {});
    // O_CREAT|O_WRONLY|O_APPEND: resumable downloads.
    static core::Result<FileHandle> open_append(const std::filesystem::path& path);

    // Returns bytes read; 0 at end of file.
    core::Result<std::size_t> read(void* buffer, std::size_t size);
    core::Result<std::size_t> pread(void* buffer, std::size_t size, std::uint64_t offset);
    core::Result<void> write_all(const void* data, std::size_t size);
    core::Result<void> write_all(std::string_view bytes) {
        return write_all(bytes.data(), bytes.size());
    }
    core::Result<void> sync();
    core::Result<void> close();

    [[nodiscard]] int fd() const { return fd_; }
    // The path errors name.
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    FileHandle(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
    int fd_ = -1;
    std::filesystem::path path_;
};

// "<what> <path>: <strerror(errno)>" as an io Error.
core::Error errno_error(std::string_view what, const std::filesystem::path& path);

// Reads a whole (small) file: index files, configs. Packages are always streamed.
core::Result<std::string> read_file(const std::filesystem::path& path);

// Starts writing a file's dirty pages to disk without waiting (sync_file_range WRITE), so
// a later fsync/syncfs finds little left to do. A hint: errors are ignored.
void start_writeback(const FileHandle& file);

// syncfs: every dirty file of the filesystem holding `dir`, in one call (a batch of new files
// costs one journal commit instead of one per file).
core::Result<void> sync_filesystem(const std::filesystem::path& dir);

// fsync a directory so a rename inside it is durable.
core::Result<void> sync_directory(const std::filesystem::path& dir);

}  // namespace chanmirror::io
