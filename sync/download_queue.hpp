#pragma once
// Parallel, verified, resumable downloads. Each file streams into "<target>.partial", resumes
// with Range after an interruption, and takes its real name only once its size and sha256
// (md5 when upstream has no sha256) match, hashed as the bytes stream in (partial_file.hpp).
// Its writeback to disk starts in the background (writeback_queue.hpp). Transient failures
// are retried with exponential backoff and jitter; a file that still fails is reported by name.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "io/hashing.hpp"
#include "sync/artifact_info.hpp"
#include "sync/http_client.hpp"
#include "sync/progress.hpp"
#include "sync/retry.hpp"

namespace chanmirror::sync {

inline constexpr std::string_view partial_suffix = ".partial";

struct DownloadItem {
    std::string url;
    std::filesystem::path target;
    ArtifactInfo expected;
    std::string label;  // "<channel>/<subdir>/<filename>", for messages
};

struct DownloadResult;

struct DownloadOptions {
    int jobs = 8;
    RetryPolicy retry;
    // Called as each item's outcome becomes final (publishing a subdir can start while others
    // still download), from the lane that downloaded it, one call at a time.
    std::function<void(std::size_t index, const DownloadResult&)> on_finished;
    // Download loops, each on its own thread with its own share of `jobs` and connections
    // (at most `jobs`). One per core puts the receiving, hashing and writing on every core.
    int lanes = 1;
};

struct DownloadResult {
    bool ok = false;
    io::Digests digests;  // when ok: the one digest the file was checked by
    std::string error;    // when not ok: the last failure
    int attempts = 0;
};

struct DownloadReport {
    std::vector<DownloadResult> results;  // one per item, same order
    std::uint64_t bytes = 0;              // received over the network
    int retries = 0;
    std::size_t http2_transfers = 0;  // completed transfers that used HTTP/2
};

DownloadReport download_all(const HttpOptions& http, const std::vector<DownloadItem>& items,
                            const DownloadOptions& options, Progress* progress);

}  // namespace chanmirror::sync
