#pragma once
// Which upstream files the mirror holds: every file of every mirrored subdir, the MatchSpec
// selection of core/selection.hpp (specs, excludes, latest-N, closure), or exactly the files
// of a `conda list --explicit` file with the digests it pins.

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

// One file of an explicit file and the digests it pins.
struct PinnedFile {
    std::string md5;     // lower-case hex, or ""
    std::string sha256;  // lower-case hex, or ""
    std::string source;  // "FILE:LINE", for messages
};

// The files of an explicit file per mirrored subdir.
using ExplicitSelection = std::map<SubdirKey, std::map<std::string, PinnedFile>>;

// The files to mirror in one subdir. `all` (the default, no selection configured) stands for
// every record of the upstream repodata without listing 500,000 names; otherwise `files`.
struct SubdirSelection {
    bool all = false;
    std::set<std::string> files;
    // Pinned files that cannot be mirrored: (file name, why).
    std::vector<std::pair<std::string, std::string>> failures;

    [[nodiscard]] bool contains(const std::string& filename) const {
        return all || files.contains(filename);
    }
};

using FileSelection = std::map<SubdirKey, SubdirSelection>;

// True when the job selects packages (specs, excludes or latest-N) rather than whole subdirs.
bool is_selective(const core::SelectionOptions& options);

// Given the upstream repodata of every channel x subdir of the job, the file names to mirror.
// With `pinned`, exactly its files (the specs are ignored): each must be in its upstream
// subdir with the digests it pins, else it is a failure. A subdir missing from the result
// mirrors nothing. `report` gets the selection's counts (and, with verbose, one line per
// drop or missing dependency). Errors name a bad spec.
core::Result<FileSelection> select_files(const std::vector<UpstreamSubdir>& upstream,
                                         const core::SelectionOptions& options,
                                         const ExplicitSelection* pinned,
                                         std::vector<std::string>& report, bool verbose);

// The package names whose records the selection looks at, given the records loaded so far:
// with CEP-16 shards, the shards to fetch next (`known_names`: every name the shard indexes
// list, for name globs). Loading them and asking again reaches a fixed point.
core::Result<std::set<std::string>> names_to_load(const std::vector<UpstreamSubdir>& upstream,
                                                  const core::SelectionOptions& options,
                                                  const ExplicitSelection* pinned,
                                                  const std::set<std::string>& known_names);

}  // namespace chanmirror::sync
