#pragma once
// channeldata.json (CEP 38), built the way conda-index builds it so that existing tooling
// sees the same per-package summary.

#include <map>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"

namespace chanmirror::core {

struct ChanneldataSubdir {
    std::string subdir;
    const RepoData* repodata = nullptr;                   // as published (patched)
    const std::map<std::string, Json>* extras = nullptr;  // file -> about/recipe/paths facts
    const RunExportsMap* run_exports = nullptr;           // file -> run_exports
};

// Subdirs are folded in name order. The result ends with a newline, as conda-index's does.
std::string build_channeldata(std::vector<ChanneldataSubdir> subdirs);

// What decides which build of a (name, version) is newest: its record's timestamp, 0 when it
// has none (the first build met wins a tie).
double build_timestamp(const Json& record);

// The files of a subdir whose extras build_channeldata reads: the newest build of each
// (name, version).
std::vector<std::string> channeldata_sources(const RepoData& repodata);

}  // namespace chanmirror::core
