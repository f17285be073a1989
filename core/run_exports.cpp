#include "core/run_exports.hpp"

namespace chanmirror::core {
namespace {

Json entries_for(const RecordMap& records, const RunExportsMap& run_exports) {
    Json out = Json::object();
    for (const auto& [filename, record] : records) {
        auto it = run_exports.find(filename);
        out[filename] = {{"run_exports", it != run_exports.end() ? it->second : Json::object()}};
    }
    return out;
}

}  // namespace

Json normalize_run_exports(const Json& raw) {
    if (raw.is_array())
        return Json{{"weak", raw}};
    if (raw.is_object())
        return raw;
    return Json::object();
}

std::string run_exports_json(const std::string& subdir, const RepoData& repodata,
                             const RunExportsMap& run_exports) {
    Json doc = {{"info", {{"subdir", subdir}, {"version", 1}}},
                {"packages", entries_for(repodata.packages, run_exports)},
                {"packages.conda", entries_for(repodata.conda_packages, run_exports)}};
    return dump_compact(doc);
}

}  // namespace chanmirror::core
