#pragma once
// A download's ".partial" file. Bytes are gathered into whole 4 KiB blocks before they are
// written: libcurl hands the body over in 16 KiB pieces at an arbitrary offset, and a write
// that ends inside a fresh block makes ext4 zero the rest of that block first (~10 % of the
// download loop's CPU) besides costing a syscall per piece. The bytes are also hashed as they
// pass (the one digest the record is checked by), so verifying a download needs no second
// read of the file; a resumed file's existing bytes are hashed once when it is reopened.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "io/file_handle.hpp"
#include "io/hashing.hpp"

namespace chanmirror::sync {

class PartialFile {
  public:
    // Opens `path` for appending, keeping up to `keep_at_most` bytes already there (a longer
    // or unreadable file starts over). Returns the bytes kept: the offset to resume from.
    core::Result<std::uint64_t> open(const std::filesystem::path& path, std::uint64_t keep_at_most,
                                     io::DigestSet digests);
    core::Result<void> append(std::string_view bytes);
    // Drops every byte: the server ignored Range and sends the whole file again.
    core::Result<void> restart();
    // Writes what is buffered (a later attempt resumes after it). The file stays open.
    core::Result<void> flush();
    // Every byte is in: flushes and hands over the descriptor (writeback and rename happen
    // elsewhere) and the digests of the whole file.
    core::Result<std::pair<io::FileHandle, io::Digests>> finish();
    // Closes without writing what is buffered: the file is discarded.
    void abandon();

    // Bytes appended or kept so far, buffered or not.
    [[nodiscard]] std::uint64_t size() const { return size_; }
    // Bytes appended but not yet written.
    [[nodiscard]] std::size_t buffered() const { return buffered_; }

  private:
    core::Result<void> write_buffered();

    io::FileHandle file_;
    io::DigestSet digest_set_ = io::DigestSet::sha256_only;
    io::Hasher hasher_{digest_set_};
    // Held only while the file is open: a job list holds one PartialFile per file.
    std::unique_ptr<char[]> buffer_;
    std::size_t buffered_ = 0;
    std::uint64_t size_ = 0;
};

}  // namespace chanmirror::sync
