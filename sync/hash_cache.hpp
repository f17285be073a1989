#pragma once
// Digests of files already in the mirror, keyed by (name, size, mtime): a file whose size and
// mtime are unchanged is not hashed again. One TSV file per subdir under DEST/.chanmirror/.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "io/hashing.hpp"

namespace chanmirror::sync {

// A downloaded file was checked by one digest, so the other is "" (unknown): a record that
// later switched to the unknown one (sha256 dropped upstream) downloads the file again.
struct CachedDigest {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string sha256;
    std::string md5;
};

class HashCache {
  public:
    // A missing or unreadable cache file is an empty cache.
    static HashCache load(const std::filesystem::path& file);
    core::Result<void> save() const;

    // Digests of `path` (named `filename`), from the cache when size and mtime still match,
    // else by hashing the file (and remembering it).
    core::Result<CachedDigest> digest(const std::filesystem::path& path,
                                      const std::string& filename);
    // Records digests just computed while downloading.
    void remember(const std::filesystem::path& path, const std::string& filename,
                  const io::Digests& digests);
    void forget(const std::string& filename) { dirty_ = entries_.erase(filename) > 0 || dirty_; }
    [[nodiscard]] std::size_t hashed() const { return hashed_; }

  private:
    std::filesystem::path file_;
    std::map<std::string, CachedDigest> entries_;
    std::size_t hashed_ = 0;
    bool dirty_ = false;
};

// size and mtime (ns) of a file, or nullopt when it does not exist.
std::optional<std::pair<std::uint64_t, std::int64_t>> stat_size_mtime(
    const std::filesystem::path& path);

}  // namespace chanmirror::sync
