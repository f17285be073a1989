#pragma once
// One subdir's journey through the stages: what changed since the cache, and, once the
// changed files are extracted, the documents to publish.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/repodata.hpp"
#include "core/shards.hpp"
#include "indexer/extract.hpp"
#include "indexer/index_channel.hpp"
#include "indexer/newest_builds.hpp"
#include "indexer/scan.hpp"
#include "indexer/stat_cache.hpp"

namespace chanmirror::indexer {

class SubdirIndex {
  public:
    static core::Result<SubdirIndex> open(const std::filesystem::path& channel, std::string subdir);

    [[nodiscard]] const std::string& subdir() const { return subdir_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    // Files whose (size, mtime) differ from the cache, or that it has never seen.
    [[nodiscard]] const std::vector<std::string>& changed() const { return changed_; }

    // Size of a scanned package file, in bytes.
    [[nodiscard]] std::uint64_t file_size(const std::string& name) const {
        return files_.at(name).size;
    }

    // Asked in the middle of reading a changed .tar.bz2, with its info/index.json: whether
    // channeldata.json surely uses its recipe, because every other build of its version (by
    // file name) is cached or read already and older, and it has no .conda twin. Thread-safe.
    [[nodiscard]] bool newest_build_of_its_version(const std::string& file,
                                                   std::string_view index_json);

    // Records the extraction of changed()[i]; safe to call from several threads for distinct i.
    void set_result(std::size_t i, core::Result<ExtractedPackage> result);

    // Saves the cache and assembles the unpatched repodata.
    core::Result<void> finish(IndexReport& report);

    // Parses run_exports and channel extras from the cache (only needed when publishing).
    void load_details();

    [[nodiscard]] bool has_deferred_recipes() const;
    // Those of `files` whose extras still lack their recipe's fields (a .tar.bz2 read only
    // up to its payload).
    [[nodiscard]] std::vector<std::string> deferred_recipes(
        const std::vector<std::string>& files) const;
    // Adds a file's recipe fields to its extras (after load_details), for the cache too.
    void complete_recipe(const std::string& file, const core::Json& source);
    core::Result<void> save_completed_recipes();

    // Identifies everything the published files depend on: each file's cache key and
    // outcome, plus `salt` (options, patch instructions). Equal fingerprints: same output.
    [[nodiscard]] std::string fingerprint(std::string_view salt) const;
    core::Result<std::string> published_fingerprint() { return meta("published"); }
    core::Result<void> set_published_fingerprint(const std::string& fp) {
        return set_meta("published", fp);
    }
    core::Result<std::string> meta(const std::string& key) { return cache_.get_meta(key); }
    core::Result<void> set_meta(const std::string& key, const std::string& value) {
        return cache_.set_meta(key, value);
    }

    core::RepoData from_packages;
    core::RunExportsMap run_exports;           // after load_details()
    std::map<std::string, core::Json> extras;  // after load_details()

  private:
    std::string subdir_;
    std::filesystem::path dir_;
    StatCache cache_;
    std::map<std::string, ScannedFile> files_;
    std::map<std::string, CachedPackage> cached_;
    std::vector<std::string> changed_;
    std::vector<CachedPackage> results_;
    std::map<std::string, CachedPackage> completed_recipes_;
    // The versions of changed .tar.bz2 files, and their builds' timestamps as they are read.
    std::unique_ptr<NewestBuilds> newest_builds_ = std::make_unique<NewestBuilds>();

    void track_versions_of_changed_tar_bz2();

    SubdirIndex(std::string subdir, std::filesystem::path dir, StatCache cache)
        : subdir_(std::move(subdir)), dir_(std::move(dir)), cache_(std::move(cache)) {}
};

}  // namespace chanmirror::indexer
