#include "sync/plan.hpp"

#include <cmath>
#include <unordered_set>

namespace chanmirror::sync {

bool matches(const LocalFile& local, const ArtifactInfo& wanted) {
    const auto& have = wanted.checked_by_sha256() ? local.sha256 : local.md5;
    return local.size == wanted.size && !wanted.expected_digest().empty() &&
           have == wanted.expected_digest();
}

SubdirPlan plan_subdir(const std::vector<WantedFile>& wanted,
                       const std::map<std::string, LocalFile>& local, const PlanOptions& options) {
    SubdirPlan plan;
    std::unordered_set<std::string_view> wanted_names;
    if (!local.empty())
        wanted_names.reserve(wanted.size());
    for (const auto& file : wanted) {
        if (local.empty()) {
            plan.download.push_back(&file);
            plan.download_bytes += file.info.size;
            continue;
        }
        wanted_names.insert(file.filename);
        auto it = local.find(file.filename);
        if (it != local.end() && matches(it->second, file.info)) {
            plan.keep.push_back(file.filename);
        } else {
            plan.download.push_back(&file);
            plan.download_bytes += file.info.size;
        }
    }
    for (const auto& [name, file] : local) {
        if (wanted_names.contains(name))
            continue;
        plan.remove.push_back(name);
        plan.remove_bytes += file.size;
    }
    auto limit = options.max_delete * static_cast<double>(local.size());
    if (!options.force && !plan.remove.empty() && static_cast<double>(plan.remove.size()) > limit) {
        plan.refusal = "would delete " + std::to_string(plan.remove.size()) + " of " +
                       std::to_string(local.size()) + " files, more than --max-delete " +
                       std::to_string(static_cast<int>(std::lround(options.max_delete * 100))) +
                       "%; nothing changed here (rerun with --force to allow it)";
    }
    return plan;
}

}  // namespace chanmirror::sync
