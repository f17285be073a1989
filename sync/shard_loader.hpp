#pragma once
// A selective sync over CEP-16 shards (issue 5, "bandwidth"): instead of every subdir's whole
// repodata.json, fetch the shards of the names the selection looks at, ask the selection
// again with the records they bring, and repeat until it asks for nothing new. The selection
// over the loaded records is then the selection over the full repodata.

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/selection.hpp"
#include "sync/fetch_shards.hpp"
#include "sync/select.hpp"
#include "sync/subdir_sync.hpp"

namespace chanmirror::sync {

struct ShardLoadStats {
    std::size_t subdirs = 0;  // subdirs read through shards
    std::size_t listed = 0;   // names their shard indexes list
    std::size_t fetched = 0;  // shards fetched over HTTP
    std::size_t cached = 0;   // shards read from the local cache
    std::size_t rounds = 0;
    std::uint64_t bytes = 0;  // compressed bytes of the shards read
};

// Fills upstream.repodata (and run_exports) of every work that has `shards`. Other works
// (full repodata) take part in the selection as they are. Errors name a shard URL or a spec.
core::Result<ShardLoadStats> load_needed_shards(HttpClient& client, std::vector<SubdirWork>& works,
                                                const core::SelectionOptions& selection,
                                                const ExplicitSelection* pinned,
                                                const RetryPolicy& retry, const ShardCache& cache);

}  // namespace chanmirror::sync
