#pragma once
// `chanmirror index`: package files -> repodata.json(.zst), repodata_from_packages.json,
// CEP-16 shards, run_exports.json per subdir, and channeldata.json per channel.
// Stages: scan -> diff against the stat cache -> hash, then extract (parallel) -> build -> patch
// -> write.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::indexer {

struct IndexOptions {
    std::filesystem::path channel;
    std::vector<std::string> subdirs;  // empty: every subdir found (noarch always)
    unsigned threads = 0;              // 0: one per core
    std::optional<std::filesystem::path> patch_instructions;
    std::string base_url;  // CEP-15: info.base_url = <base_url>/<subdir>/
    bool shards = true;
    bool zst = true;
    bool run_exports = true;
    bool channeldata = true;
    bool strict = false;  // write nothing when any package was skipped
    // Changed files are hashed, then read, this many bytes at a time (at least one file), so
    // that their heads are still in the page cache when read after hashing.
    std::uint64_t batch_bytes = std::uint64_t{1} << 30;
};

struct SkippedPackage {
    std::string path;  // <subdir>/<file>
    std::string reason;
};

struct IndexReport {
    std::size_t indexed = 0;  // packages in the index
    std::size_t extracted = 0;
    std::size_t reused = 0;        // taken from the stat cache
    std::size_t recipes_read = 0;  // .tar.bz2 read again in full for channeldata.json
    std::vector<SkippedPackage> skipped;
    std::vector<std::string> warnings;
    std::uint64_t bytes_hashed = 0;
    double seconds = 0;
    bool written = false;
};

// Fatal problems (unreadable channel, unwritable output, bad patch file) are errors; bad
// packages are listed in the report and everything else is still indexed.
core::Result<IndexReport> index_channel(const IndexOptions& options);

}  // namespace chanmirror::indexer
