#pragma once
// What was extracted from each package file, keyed by (file name, size, mtime): a re-index
// reads only new or changed files. One SQLite database per subdir, in <subdir>/.cache/.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::indexer {

struct CachedPackage {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string record;  // empty when the file could not be indexed
    std::string run_exports;
    std::string extras;
    std::string error;             // why it was skipped
    std::string warnings;          // newline-separated
    bool recipe_deferred = false;  // extras lack the recipe's fields (see ExtractedPackage)
};

class StatCache {
  public:
    // Opens (creating if needed) <subdir_dir>/.cache/chanmirror-index.sqlite. A cache written by
    // another schema version is discarded.
    static core::Result<StatCache> open(const std::filesystem::path& subdir_dir);
    StatCache(StatCache&&) noexcept;
    StatCache& operator=(StatCache&&) noexcept;
    ~StatCache();

    core::Result<std::map<std::string, CachedPackage>> load();
    // Replaces the entries for `updated` and deletes `removed`, in one transaction.
    core::Result<void> store(const std::map<std::string, CachedPackage>& updated,
                             const std::vector<std::string>& removed);

    // Small named values, e.g. the fingerprint of the inputs last published.
    core::Result<std::string> get_meta(const std::string& key);
    core::Result<void> set_meta(const std::string& key, const std::string& value);

  private:
    struct Db;
    explicit StatCache(std::unique_ptr<Db> db);
    static core::Result<StatCache> open_database(const std::filesystem::path& subdir_dir);
    std::unique_ptr<Db> db_;
};

}  // namespace chanmirror::indexer
