#pragma once
// Reading CEP-16 sharded repodata written by anyone (conda-index, rattler-index, us): the
// shard index and the per-name shards, as decompressed msgpack bytes. A selective sync
// builds its upstream RepoData from the shards of the names it needs.

#include <map>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"

namespace chanmirror::core {

struct ShardIndex {
    Json info = Json::object();            // base_url, shards_base_url, subdir, created_at, ...
    std::map<std::string, Sha256> shards;  // package name -> sha256 of the compressed shard
};

// Errors name `what` (the index URL) and say what is wrong with the document.
Result<ShardIndex> parse_shard_index(std::string_view msgpack, std::string_view what);

// Adds the records of one shard to `into`: md5/sha256 back to lower-case hex, `run_exports`
// (CEP-21) moved out of the record into `run_exports`, `removed` names appended. The records
// are written the way conda-index writes repodata.json (sorted keys, compact, ASCII).
Result<void> read_shard(std::string_view msgpack, std::string_view what, RepoData& into,
                        RunExportsMap& run_exports);

}  // namespace chanmirror::core
