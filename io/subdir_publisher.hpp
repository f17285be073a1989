#pragma once
// Publishes one subdir's index files in the order that keeps every published state
// consistent: shards, then the shard index, then repodata.json.zst, then repodata.json.
// Each file is atomic and only replaced when its bytes change.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"

namespace chanmirror::io {

struct PublishOptions {
    bool shards = true;
    bool zst = true;
    bool run_exports = true;
    int zstd_level = 16;     // repodata.json.zst, as conda-index
    unsigned threads = 0;    // cores compression may use (shards, .zst twins); 0: every core
    std::string created_at;  // one value per run, "%Y-%m-%dT%H:%M:%SZ"
    // Unreferenced shards are kept this long for clients holding an older index (CEP-16).
    std::chrono::hours shard_retention{24 * 7};
};

struct SubdirPublication {
    std::string subdir;
    const core::RepoData* repodata = nullptr;       // what clients see (patched)
    const core::RepoData* from_packages = nullptr;  // unpatched (indexer only), optional
    const core::RunExportsMap* run_exports = nullptr;
};

struct PublishStats {
    int files_written = 0;
    int files_unchanged = 0;
    int shards_written = 0;
    int shards_removed = 0;
};

core::Result<PublishStats> publish_subdir(const std::filesystem::path& subdir_dir,
                                          const SubdirPublication& publication,
                                          const PublishOptions& options);

// The bytes publish_subdir writes, built apart from writing them: sync builds a subdir's
// index while its last files download and writes it once they are on disk.
struct PreparedSubdir {
    struct Shard {
        std::string name;
        core::Sha256 hash;  // of `bytes`, the shard's file name
        std::string bytes;  // zstd
    };
    struct JsonFile {
        std::string name;  // "repodata.json", ...
        std::string bytes;
        std::optional<std::string> zst;  // unset: compressed only if the json changed
    };
    std::string subdir;
    std::string base_url;
    std::vector<Shard> shards;  // empty without options.shards
    std::vector<JsonFile> json_files;
};

// `compress_now`: compress every .zst twin here, rather than when publishing finds its json
// changed (a rerun that changes nothing then compresses nothing).
core::Result<PreparedSubdir> prepare_subdir(const SubdirPublication& publication,
                                            const PublishOptions& options, bool compress_now);

// Writes a prepared subdir in publish_subdir's order: shards, shard index, each .zst before
// its json.
core::Result<PublishStats> publish_prepared(const std::filesystem::path& subdir_dir,
                                            const PreparedSubdir& prepared,
                                            const PublishOptions& options);

}  // namespace chanmirror::io
