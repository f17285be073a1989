#pragma once
// Shared helpers for indexer tests: fresh channel copies, decoding of index outputs.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "indexer/index_channel.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::test {

// The subdirs conda-index 0.12 indexes from fixtures/packages (it skips unknown ones).
const std::vector<std::string>& conda_index_subdirs();

// Copies fixtures/packages/<subdir> for each subdir into `channel` (writable copies).
void copy_fixture_subdirs(const std::filesystem::path& channel,
                          const std::vector<std::string>& subdirs);

indexer::IndexReport index_or_fail(const indexer::IndexOptions& options);
indexer::IndexOptions options_for(const std::filesystem::path& channel);

nlohmann::json read_json(const std::filesystem::path& path);
// zstd-decompress then msgpack-decode (our own reader, independent of the writer's path).
nlohmann::json read_msgpack_zst(const std::filesystem::path& path);

// Records of repodata.json rebuilt from the CEP-16 shard index and shards, digests as hex.
nlohmann::json records_from_shards(const std::filesystem::path& subdir_dir);

}  // namespace chanmirror::test
