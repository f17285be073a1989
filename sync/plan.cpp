#include "sync/plan.hpp"

#include <cmath>
#include <unordered_set>

namespace chanmirror::sync {

WantedFiles wanted_files(const core::RepoData& upstream, const SubdirSelection& selected) {
    WantedFiles out;
    ArtifactInfoReader reader;
    out.files.reserve(selected.all ? upstream.size() : selected.files.size());
    auto add = [&](const std::string& filename, const std::string& record) {
        if (!core::is_plain_package_filename(filename)) {
            out.refused.emplace_back(filename, "not a plain file name; refusing to write it");
            return;
        }
        auto info = reader.read(record, filename);
        if (info)
            out.files.push_back({filename, std::move(*info)});
        else
            out.refused.emplace_back(filename, info.error().message);
    };
    // Both maps are sorted by file name: merging them keeps `files` sorted.
    auto a = upstream.packages.begin(), a_end = upstream.packages.end();
    auto b = upstream.conda_packages.begin(), b_end = upstream.conda_packages.end();
    while (a != a_end || b != b_end) {
        if (a != a_end && b != b_end && a->first == b->first) {
            if (selected.contains(a->first)) {
                out.refused.emplace_back(
                    a->first,
                    "listed in both \"packages\" and \"packages.conda\"; refusing to "
                    "guess which record the file must match");
            }
            ++a, ++b;
            continue;
        }
        bool take_a = b == b_end || (a != a_end && a->first < b->first);
        auto& it = take_a ? a : b;
        if (selected.contains(it->first))
            add(it->first, it->second);
        ++it;
    }
    return out;
}

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
