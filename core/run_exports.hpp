#pragma once
// run_exports.json (CEP 12) and the normalisation of info/run_exports.json.

#include <string>

#include "core/repodata.hpp"
#include "core/shards.hpp"

namespace chanmirror::core {

// info/run_exports.json is a list (= {"weak": list}) or a dict; anything else is {}.
Json normalize_run_exports(const Json& raw);

// {"info":{"subdir":S,"version":1},"packages":{fn:{"run_exports":{...}}},"packages.conda":{...}}
// with an entry for every artifact of `repodata` ({} when none is known).
std::string run_exports_json(const std::string& subdir, const RepoData& repodata,
                             const RunExportsMap& run_exports);

}  // namespace chanmirror::core
