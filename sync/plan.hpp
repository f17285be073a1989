#pragma once
// Pure planning for one subdir: which files to download, keep and delete. No disk, no network.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/repodata.hpp"
#include "sync/artifact_info.hpp"
#include "sync/select.hpp"

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

// The selected upstream records as files to fetch, sorted by name, each name once.
struct WantedFiles {
    std::vector<WantedFile> files;
    std::vector<std::pair<std::string, std::string>> refused;  // (file name, why)
};

// Refused: a name that is not a plain file name (it becomes a local path), a name both maps
// list (two records for one file: which one the file must match is not known), a record
// without size or digest (the file could not be verified).
WantedFiles wanted_files(const core::RepoData& upstream, const SubdirSelection& selected);

// True when `local` holds exactly the bytes `wanted` describes (size and sha256, else md5).
bool matches(const LocalFile& local, const ArtifactInfo& wanted);

// `wanted` must outlive the plan (download points into it).
SubdirPlan plan_subdir(const std::vector<WantedFile>& wanted,
                       const std::map<std::string, LocalFile>& local, const PlanOptions& options);

}  // namespace chanmirror::sync
