#pragma once
// The stages of one channel x subdir between fetching upstream repodata and the run summary:
// read what upstream wants, look at what the mirror has, plan, and (after the downloads)
// publish and prune. sync_job.cpp calls them in order.

#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "config/channel.hpp"
#include "io/subdir_publisher.hpp"
#include "sync/download_queue.hpp"
#include "sync/fetch_repodata.hpp"
#include "sync/fetch_shards.hpp"
#include "sync/hash_cache.hpp"
#include "sync/plan.hpp"
#include "sync/select.hpp"
#include "sync/summary.hpp"

namespace chanmirror::sync {

struct SubdirWork {
    config::Channel channel;
    std::string subdir;
    std::filesystem::path dir;  // DEST/<channel>/<subdir>
    FetchedRepodata upstream;
    std::optional<UpstreamShards> shards;  // set when upstream.repodata is built from shards
    HashCache hashes;
    std::vector<WantedFile> wanted;
    SubdirPlan plan;
    SubdirSummary summary;
    std::vector<std::size_t> downloads;  // indices into the job's download list
    std::string publish_log;             // what publishing said (written off the main thread)

    [[nodiscard]] std::string label(const std::string& filename) const {
        return channel.local_path + "/" + subdir + "/" + filename;
    }
};

// Files the mirror folder holds now (package names only; digests from the hash cache for
// files that might be kept).
std::map<std::string, LocalFile> scan_local(SubdirWork& work);

// After a 304: true when every file the published index lists is still on disk with the bytes
// it lists (hash cache, re-hashing only files whose size or mtime changed).
bool published_mirror_intact(SubdirWork& work);

// Fills work.wanted from the selected names (records without size/digest become failures)
// and work.plan from the local scan.
void plan_work(SubdirWork& work, const SubdirSelection& selected, const PlanOptions& options);

// Every file the plan keeps or downloads: what the index names when every download arrives.
std::set<std::string> planned_files(const SubdirWork& work);

// Once the subdir's downloads are over (`results[i]` for `work.downloads[i]`): records their
// outcomes in the summary and hash cache, and returns the files the index may name.
std::set<std::string> record_downloads(SubdirWork& work, const std::vector<DownloadItem>& items,
                                       const std::vector<DownloadResult>& results);

// The index naming exactly `present` (upstream's records of those files), not yet written.
core::Result<io::PreparedSubdir> prepare_index(const SubdirWork& work,
                                               const std::set<std::string>& present);

// Once the downloaded files were made durable (`durable`: flush_filesystem's outcome), writes
// the prepared index, then removes what left upstream and saves the hash cache. Messages go
// to `log`. False when nothing was published.
bool publish_work(SubdirWork& work, const core::Result<io::PreparedSubdir>& prepared,
                  const core::Result<void>& durable, const std::string& created_at,
                  std::ostream& log);

}  // namespace chanmirror::sync
