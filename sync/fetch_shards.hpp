#pragma once
// Upstream CEP-16 sharded repodata: the shard index of a subdir and the shards of chosen
// package names, fetched in parallel, each checked against the sha256 the index names
// (shards are content-addressed) and kept in a local cache so a nightly run only fetches
// the shards that changed.

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/shard_reader.hpp"
#include "sync/http_client.hpp"
#include "sync/retry.hpp"

namespace chanmirror::sync {

struct UpstreamShards {
    std::string index_url;
    std::string shards_base;  // absolute, ends in '/'
    core::ShardIndex index;
};

// nullopt when upstream serves no shard index (404, 403, 410, 501) or one that does not
// decode: the caller falls back to repodata.json. Other failures are errors naming the URL.
core::Result<std::optional<UpstreamShards>> fetch_shard_index(HttpClient& client,
                                                              const std::string& subdir_url,
                                                              const RetryPolicy& retry);

struct ShardRequest {
    std::string url;
    core::Sha256 sha256{};
    std::string body;  // out: the verified, still compressed shard
    bool from_cache = false;
};

// Content-addressed copies of upstream shards: <dir>/<sha256-hex>.msgpack.zst.
class ShardCache {
  public:
    // An empty dir disables the cache; read_only serves --dry-run (it changes nothing).
    ShardCache(std::filesystem::path dir, bool read_only);

    std::optional<std::string> find(const core::Sha256& sha256) const;
    void store(const core::Sha256& sha256, const std::string& body) const;
    // Removes every cached shard not in `used` (after a run that fetched all it needed).
    void keep_only(const std::set<std::string>& used_hex) const;

  private:
    std::filesystem::path dir_;
    bool read_only_;
};

// Fills each request's body (from the cache or over HTTP, in parallel, with retries on
// transient failures and on a digest mismatch). The error names the shard's URL.
core::Result<void> fetch_shards(HttpClient& client, std::vector<ShardRequest>& requests,
                                const RetryPolicy& retry, const ShardCache& cache);

}  // namespace chanmirror::sync
