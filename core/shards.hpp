#pragma once
// CEP-16 sharded repodata: one msgpack shard per package name, content-addressed by the
// sha256 of its compressed bytes, and an index mapping names to those hashes.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/repodata.hpp"

namespace chanmirror::core {

using Sha256 = std::array<std::uint8_t, 32>;

// run_exports per file name (CEP-21); files without an entry get {}.
using RunExportsMap = std::map<std::string, Json>;

// Splits repodata into per-name shard documents (uncompressed msgpack, deterministic bytes):
// records with md5/sha256 as raw bytes and run_exports added; `removed` names kept with
// their package. Records whose JSON cannot be read are reported by file name.
Result<std::map<std::string, std::string>> build_shards(const RepoData& repodata,
                                                        const RunExportsMap& run_exports);

struct ShardIndexInfo {
    std::string subdir;
    std::string base_url;  // CEP-15 base for packages; "" = next to index
    std::string shards_base_url = "./shards/";
    std::string created_at;  // "%Y-%m-%dT%H:%M:%SZ"
};

// The repodata_shards.msgpack document (uncompressed).
std::string build_shard_index(const ShardIndexInfo& info,
                              const std::map<std::string, Sha256>& shards);

// The package name a file name belongs to, from repodata (records carry "name").
// For `removed` entries without a record, the name is parsed from "<name>-<version>-<build>.ext".
std::string package_name_from_filename(std::string_view filename);

}  // namespace chanmirror::core
