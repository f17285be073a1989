#pragma once
// Selective mirrors (issue 5): which upstream files a job mirrors, given include specs,
// exclude specs and latest-N. Pure: the caller fetches the repodata and mirrors the result.
//
// Terms. A job has inputs (channel x subdir, each with its upstream RepoData). Its platforms
// are the non-noarch subdirs of its inputs (just "noarch" when it has no other). The context
// of a platform P is every input whose subdir is P or noarch, in every channel.
//
// 1. Candidates of a spec in a context: valid records of the context that match the spec,
//    match every include spec with an exact name equal to the record's name (include specs
//    pin their names; glob-named include specs pin nothing), and match no exclude spec;
//    then, with latest N, only records whose version is among the N newest versions of
//    their name in that set (VersionOrder; equal versions such as 1.0 and 1.0.0 count once).
// 2. Seeds: the candidates of each include spec in the context of every platform.
// 3. Closure: for each selected record and each `depends` entry not naming a virtual package
//    (`__*`), the candidates of that entry in the context of the record's platform (a noarch
//    record: in the context of every platform), added until nothing new comes in.
//    `constrains` are not followed. Dependency texts that do not parse are reported and
//    not followed (the record is kept).
// 4. Pruning: repeatedly drop each selected record one of whose non-virtual, parseable
//    `depends` is matched by no selected record of its platform's context (a noarch record:
//    of any input); drops cascade. The result is the largest such subset, whatever the order.
// 5. The result: file names per (channel, subdir); every input has an entry, maybe empty.
//
// Without include specs the whole subdir is mirrored: with neither exclude specs nor
// latest-N, every file of every input exactly (no index is built, nothing is pruned);
// otherwise every record is a seed of the implicit include spec `*` (so excludes and
// latest-N per name apply), followed by the same closure and pruning.
//
// Records are found by the name in their file name ({name}-{version}-{build}.ext, CEP 26) and
// read only when their name is looked up; a record whose `name` differs from its file name
// is reported in `unreadable` and never selected.
// `.conda` and `.tar.bz2` of one build are separate records; a spec selects both.
// `channel::name` specs compare the channel with SelectionInput::channel by name
// ("conda-forge" matches "https://conda.anaconda.org/conda-forge"); `url=` brackets never
// match (repodata records carry no URL).

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/repodata.hpp"

namespace chanmirror::core {

// (channel, subdir), e.g. ("conda-forge", "linux-64").
using SubdirKey = std::pair<std::string, std::string>;

struct SelectionInput {
    std::string channel;  // name ("conda-forge", "pkgs/main") or URL
    std::string subdir;
    const RepoData* repodata = nullptr;  // must outlive select_files()
};

struct SelectionOptions {
    std::vector<std::string> include;  // --spec; empty: the whole subdir
    std::vector<std::string> exclude;  // --exclude
    std::optional<int> latest;         // --latest N (N >= 1)
};

// A record pruning removed, and the first of its depends nothing selected matches.
struct DroppedRecord {
    SubdirKey location;
    std::string filename;
    std::string dependency;
};

// A depends entry without candidates in a platform's context.
struct MissingDependency {
    std::string dependency;
    std::string platform;          // the context's platform subdir
    SubdirKey needed_by_location;  // the first record that needed it
    std::string needed_by;
    std::size_t dependents = 0;  // how many selected records needed it there
};

struct SelectionResult {
    std::map<SubdirKey, std::set<std::string>> files;
    std::vector<DroppedRecord> dropped;  // in pruning order
    std::vector<MissingDependency> missing;
    std::vector<std::string> unmatched_includes;  // include specs without any candidate
    std::vector<std::string> invalid_depends;     // "<text>: <error> (needed by <file>)"
    std::vector<std::string> unreadable;          // "<channel>/<subdir>/<file>: <why>"
    // Package names whose records the closure looked up: with CEP-16 shards, the shards to
    // fetch. Re-run with those shards until this stops growing.
    std::set<std::string> visited_names;
    // Name globs and regexes looked up (e.g. "py*"): every name they match is needed too.
    std::set<std::string> visited_patterns;
    std::size_t seeds = 0;  // records selected as seeds (before pruning)
    std::size_t closure_added = 0;

    // One line per file, "<channel>/<subdir>/<filename>", sorted (the --dry-run listing).
    [[nodiscard]] auto listing() const -> std::vector<std::string>;
    // Counts in one line, e.g. "1234 files; 3 records dropped; 1 dependency without
    // candidates; ...".
    [[nodiscard]] auto summary() const -> std::string;
    // The --verbose details: one line per drop, missing dependency, unmatched include,
    // invalid dependency and unreadable record.
    [[nodiscard]] auto details() const -> std::vector<std::string>;
};

// Errors (ErrorKind::invalid_input) name the offending include or exclude spec, or a bad N.
auto select_files(const std::vector<SelectionInput>& inputs, const SelectionOptions& options)
    -> Result<SelectionResult>;

}  // namespace chanmirror::core
