#pragma once
// gzip/zstd copies of .json files for clients that send Accept-Encoding. A copy is keyed by
// the file's (inode, size, mtime), so a file replaced by an atomic rename is recompressed on
// the next request and the stale copy dropped.

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "io/file_handle.hpp"
#include "server/static_file.hpp"

namespace chanmirror::server {

enum class Encoding { identity, zstd, gzip };

// The best encoding the client accepts (q > 0): zstd, then gzip, else identity.
Encoding choose_encoding(std::string_view accept_encoding);
std::string_view encoding_name(Encoding encoding);

class CompressedCache {
  public:
    explicit CompressedCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    // The compressed bytes of `file` (already opened; described by info), or nullptr when
    // reading or compressing fails.
    std::shared_ptr<const std::string> get(const std::string& relative, const FileInfo& info,
                                           Encoding encoding, io::FileHandle& file);

    [[nodiscard]] std::size_t compressions() const { return compressions_; }

  private:
    struct Entry {
        std::uint64_t inode, size;
        std::int64_t mtime_ns;
        std::shared_ptr<const std::string> bytes;
    };
    using Key = std::pair<std::string, Encoding>;

    void insert_locked(const Key& key, Entry entry);

    std::size_t max_bytes_;
    std::mutex mutex_;
    std::map<Key, Entry> entries_;
    std::list<Key> order_;  // insertion order, oldest first, for eviction
    std::size_t total_bytes_ = 0;
    std::size_t compressions_ = 0;
};

}  // namespace chanmirror::server
