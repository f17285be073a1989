#pragma once
// Upstream channels for sync tests, built from the real fixtures: packages from
// shared/fixtures/packages/<subdir>/ with the repodata.json(.zst) and run_exports.json that
// conda-index wrote for exactly those files (shared/fixtures/expected/conda-index/<subdir>/).

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/repodata.hpp"

namespace chanmirror::test {

// Copies the subdirs into `channel_dir/<subdir>/` (never touching shared/).
void build_fixture_channel(const std::filesystem::path& channel_dir,
                           const std::vector<std::string>& subdirs);

// Adds conda-index's CEP-16 shards for those subdirs: repodata_shards.msgpack.zst with its
// shards beside it (`shards_base_url: ""`), as conda-index 0.12 writes them.
void add_fixture_shards(const std::filesystem::path& channel_dir,
                        const std::vector<std::string>& subdirs);

// Parses, edits and rewrites `<subdir_dir>/repodata.json` and its .zst twin.
void edit_repodata(const std::filesystem::path& subdir_dir,
                   const std::function<void(core::RepoData&)>& edit);

// zstd level 3, for test fixtures.
std::string zstd_bytes(const std::string& raw);

// Each record's bytes of a repodata.json, by file name (both sections).
core::RecordMap records_of(const std::filesystem::path& repodata_json);

// A YAML config with fast retries for tests.
std::string fast_retry_config(const std::filesystem::path& dest, int retries = 3);

}  // namespace chanmirror::test
