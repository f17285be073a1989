#pragma once
// The selection seam: which upstream files the mirror holds. Today every file of every
// mirrored subdir; MatchSpec filters, latest-N and dependency closure (issue 5) plug in here.

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/repodata.hpp"
#include "core/selection.hpp"

namespace chanmirror::sync {

// (channel local path, subdir), e.g. ("conda-forge", "linux-64").
using SubdirKey = std::pair<std::string, std::string>;

struct UpstreamSubdir {
    SubdirKey key;
    const core::RepoData* repodata = nullptr;  // upstream, as fetched
};

// The files to mirror in one subdir. `all` (the default, no selection configured) stands for
// every record of the upstream repodata without listing 500,000 names; otherwise `files`.
struct SubdirSelection {
    bool all = false;
    std::set<std::string> files;

    [[nodiscard]] bool contains(const std::string& filename) const {
        return all || files.contains(filename);
    }
};

using FileSelection = std::map<SubdirKey, SubdirSelection>;

// True when the job selects packages (specs, excludes or latest-N) rather than whole subdirs.
bool is_selective(const core::SelectionOptions& options);

// Given the upstream repodata of every channel x subdir of the job, the file names to mirror.
// A subdir missing from the result mirrors nothing. `report` gets the selection's counts
// (and, with verbose, one line per drop or missing dependency). Errors name a bad spec.
core::Result<FileSelection> select_files(const std::vector<UpstreamSubdir>& upstream,
                                         const core::SelectionOptions& options,
                                         std::vector<std::string>& report, bool verbose);

}  // namespace chanmirror::sync
