#pragma once
// The selection seam: which upstream files the mirror holds. Today every file of every
// mirrored subdir; MatchSpec filters, latest-N and dependency closure (issue 5) plug in here.

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/repodata.hpp"

namespace chanmirror::sync {

// (channel local path, subdir), e.g. ("conda-forge", "linux-64").
using SubdirKey = std::pair<std::string, std::string>;

struct UpstreamSubdir {
    SubdirKey key;
    const core::RepoData* repodata = nullptr;  // upstream, as fetched
};

using FileSelection = std::map<SubdirKey, std::set<std::string>>;

// Given the upstream repodata of every channel x subdir of the job, the file names to mirror.
FileSelection select_files(const std::vector<UpstreamSubdir>& upstream);

}  // namespace chanmirror::sync
