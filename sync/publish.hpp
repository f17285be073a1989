#pragma once
// The mirror's side of a subdir: upstream records kept byte for byte (only those whose file is
// present and verified), base_url dropped, published through io::publish_subdir; then files
// that left upstream are removed.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"
#include "io/subdir_publisher.hpp"

namespace chanmirror::sync {

// Upstream repodata restricted to `present` files, with info.base_url removed (the files sit
// next to the mirror's repodata.json) and repodata_version back to 1 when it only marked base_url.
core::RepoData mirrored_repodata(const core::RepoData& upstream,
                                 const std::set<std::string>& present);

// The mirror's index files for `repodata` as bytes (shards, repodata.json(.zst),
// run_exports.json(.zst)): the CPU work of publishing, done while files still download.
core::Result<io::PreparedSubdir> prepare_mirror(const std::string& subdir,
                                                const core::RepoData& repodata,
                                                const core::RunExportsMap* run_exports);

// Writes a prepared index (each file atomic, shards first).
core::Result<io::PublishStats> publish_prepared_mirror(const std::filesystem::path& subdir_dir,
                                                       const io::PreparedSubdir& prepared,
                                                       const std::string& created_at);

// Removes files after the index that no longer names them is published; returns failures.
std::vector<std::string> remove_files(const std::filesystem::path& subdir_dir,
                                      const std::vector<std::string>& filenames);

// Flushes downloaded files to disk before an index names them (one syncfs per subdir).
core::Result<void> flush_filesystem(const std::filesystem::path& dir);

}  // namespace chanmirror::sync
