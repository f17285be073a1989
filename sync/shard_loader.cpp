#include "sync/shard_loader.hpp"

#include <algorithm>

#include "config/channel.hpp"
#include "io/zstd.hpp"

namespace chanmirror::sync {
namespace {

std::vector<UpstreamSubdir> loaded_upstream(const std::vector<SubdirWork>& works) {
    std::vector<UpstreamSubdir> upstream;
    for (const auto& w : works) {
        if (w.upstream.status == FetchStatus::fetched)
            upstream.push_back({{w.channel.local_path, w.subdir}, &w.upstream.repodata});
    }
    return upstream;
}

core::Result<void> read_into(SubdirWork& work, const ShardRequest& request) {
    auto what = config::redact(request.url);
    auto raw = io::zstd_decompress(request.body, what);
    if (!raw)
        return tl::unexpected(raw.error());
    return core::read_shard(*raw, what, work.upstream.repodata, *work.upstream.run_exports);
}

// conda-index lists `removed` sorted and once; shards each bring their own part.
void tidy_removed(std::vector<SubdirWork>& works) {
    for (auto& w : works) {
        if (!w.shards)
            continue;
        auto& removed = w.upstream.repodata.removed;
        std::sort(removed.begin(), removed.end());
        removed.erase(std::unique(removed.begin(), removed.end()), removed.end());
    }
}

// CEP-21: shard records MAY carry run_exports; when some do not, upstream's run_exports.json
// (when it has one) is the other source, so the mirror's run_exports.json stays complete.
void complete_run_exports(HttpClient& client, SubdirWork& work, const RetryPolicy& retry) {
    auto& known = *work.upstream.run_exports;
    auto lacks = [&](const core::RecordMap& records) {
        return std::any_of(records.begin(), records.end(),
                           [&](const auto& r) { return !known.contains(r.first); });
    };
    const auto& repodata = work.upstream.repodata;
    if (!lacks(repodata.packages) && !lacks(repodata.conda_packages))
        return;
    auto subdir_url = work.shards->index_url.substr(0, work.shards->index_url.rfind('/'));
    auto upstream = fetch_run_exports(client, subdir_url, retry);
    if (!upstream)
        return;
    for (const auto* records : {&repodata.packages, &repodata.conda_packages}) {
        for (const auto& [filename, record] : *records) {
            auto it = upstream->find(filename);
            if (!known.contains(filename) && it != upstream->end())
                known.emplace(filename, it->second);
        }
    }
}

}  // namespace

core::Result<ShardLoadStats> load_needed_shards(HttpClient& client, std::vector<SubdirWork>& works,
                                                const core::SelectionOptions& selection,
                                                const ExplicitSelection* pinned,
                                                const RetryPolicy& retry, const ShardCache& cache) {
    ShardLoadStats stats;
    std::set<std::string> known;  // every name some shard index lists
    for (const auto& w : works) {
        if (!w.shards)
            continue;
        ++stats.subdirs;
        stats.listed += w.shards->index.shards.size();
        for (const auto& [name, hash] : w.shards->index.shards)
            known.insert(name);
    }
    if (stats.subdirs == 0)
        return stats;
    std::set<std::string> loaded;
    std::set<std::string> used_hex;
    for (;;) {
        auto wanted = names_to_load(loaded_upstream(works), selection, pinned, known);
        if (!wanted)
            return tl::unexpected(wanted.error());
        std::vector<ShardRequest> requests;
        std::vector<SubdirWork*> owners;
        for (const auto& name : *wanted) {
            if (!loaded.insert(name).second)
                continue;
            for (auto& w : works) {
                if (!w.shards)
                    continue;
                auto it = w.shards->index.shards.find(name);
                if (it == w.shards->index.shards.end())
                    continue;
                auto hex = core::to_hex({it->second.data(), it->second.size()});
                used_hex.insert(hex);
                requests.push_back(
                    {w.shards->shards_base + hex + ".msgpack.zst", it->second, {}, false});
                owners.push_back(&w);
            }
        }
        if (requests.empty())
            break;
        ++stats.rounds;
        if (auto r = fetch_shards(client, requests, retry, cache); !r)
            return tl::unexpected(r.error());
        for (std::size_t i = 0; i < requests.size(); ++i) {
            if (auto r = read_into(*owners[i], requests[i]); !r)
                return tl::unexpected(r.error());
            ++(requests[i].from_cache ? stats.cached : stats.fetched);
            stats.bytes += requests[i].body.size();
        }
    }
    tidy_removed(works);
    for (auto& w : works) {
        if (w.shards)
            complete_run_exports(client, w, retry);
    }
    cache.keep_only(used_hex);
    return stats;
}

}  // namespace chanmirror::sync
