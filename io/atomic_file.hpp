#pragma once
// Publishing files so readers only ever see the old or the new complete bytes:
// temp file in the same directory -> write -> fsync -> rename -> fsync(dir).

#include <filesystem>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "io/file_handle.hpp"

namespace chanmirror::io {

enum class WriteOutcome { written, unchanged };

// Replaces `path` with `bytes` unless it already holds exactly those bytes (then its mtime
// is kept, as conda-index does, so HTTP caches stay valid).
core::Result<WriteOutcome> write_file_if_changed(const std::filesystem::path& path,
                                                 std::string_view bytes);

// Unconditional atomic replace. (Many files at once: AtomicBatch.)
core::Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Streaming form: write into temp(), then commit() renames over the target.
// Destroyed without commit(), the temp file is removed.
class AtomicFile {
  public:
    static core::Result<AtomicFile> create(const std::filesystem::path& target);
    AtomicFile(AtomicFile&&) noexcept = default;
    AtomicFile& operator=(AtomicFile&&) noexcept = default;
    ~AtomicFile();

    FileHandle& handle() { return handle_; }
    core::Result<void> write(std::string_view bytes) { return handle_.write_all(bytes); }
    core::Result<void> commit();

    [[nodiscard]] const std::filesystem::path& temp_path() const { return temp_; }

  private:
    AtomicFile(std::filesystem::path target, std::filesystem::path temp, FileHandle handle)
        : target_(std::move(target)), temp_(std::move(temp)), handle_(std::move(handle)) {}
    std::filesystem::path target_;
    std::filesystem::path temp_;
    FileHandle handle_;
    bool committed_ = false;
};

// Files published together (hundreds of shards, a subdir's index files): each is written to a
// temp file and closed; commit() makes them all durable with one syncfs instead of an fsync
// (a journal commit) per file, renames them in the order they were added, and syncs each
// directory once. A name therefore only ever appears with its complete bytes, and never
// before the names added ahead of it. Destroyed without commit(), the temp files are removed.
class AtomicBatch {
  public:
    AtomicBatch() = default;
    AtomicBatch(const AtomicBatch&) = delete;
    AtomicBatch& operator=(const AtomicBatch&) = delete;
    ~AtomicBatch();

    core::Result<void> add(const std::filesystem::path& target, std::string_view bytes);
    // Adds `target` only when it does not already hold exactly `bytes` (its mtime is then
    // kept, as write_file_if_changed does).
    core::Result<WriteOutcome> add_if_changed(const std::filesystem::path& target,
                                              std::string_view bytes);
    core::Result<void> commit();
    [[nodiscard]] std::size_t size() const { return pending_.size(); }

  private:
    // Removes the temp files from pending_[from] on and forgets them.
    void discard_from(std::size_t from);

    struct Pending {
        std::filesystem::path temp;
        std::filesystem::path target;
    };
    std::vector<Pending> pending_;
};

// Temp files carry this marker so servers never serve them and scans skip them.
inline constexpr std::string_view temp_marker = ".chanmirror-tmp-";
bool is_temp_name(std::string_view file_name);

}  // namespace chanmirror::io
