#pragma once
// Pure planning for one subdir: which files to download, keep and delete. No disk, no network.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sync/artifact_info.hpp"

namespace chanmirror::sync {

struct WantedFile {
    std::string filename;
    ArtifactInfo info;
};

// A package file already in the mirror folder; digests are known when it was (or had been) hashed.
struct LocalFile {
    std::uint64_t size = 0;
    std::string sha256;
    std::string md5;
};

struct PlanOptions {
    double max_delete = 0.10;  // fraction of the subdir's current files
    bool force = false;        // delete even above max_delete
};

struct SubdirPlan {
    std::vector<const WantedFile*> download;  // into `wanted`: missing, or present with other bytes
    std::vector<std::string> keep;            // present and verified
    std::vector<std::string> remove;          // present, no longer wanted
    std::uint64_t download_bytes = 0;
    std::uint64_t remove_bytes = 0;
    std::optional<std::string> refusal;  // set when the deletion cap refuses this subdir
};

// True when `local` holds exactly the bytes `wanted` describes (size and sha256, else md5).
bool matches(const LocalFile& local, const ArtifactInfo& wanted);

// `wanted` must outlive the plan (download points into it).
SubdirPlan plan_subdir(const std::vector<WantedFile>& wanted,
                       const std::map<std::string, LocalFile>& local, const PlanOptions& options);

}  // namespace chanmirror::sync
