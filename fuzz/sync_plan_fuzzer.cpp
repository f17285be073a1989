// Sync planning over any upstream repodata and any mirror folder: which files to fetch, keep
// and delete, and the index the mirror publishes. Upstream file names become local paths and
// upstream records become the mirror's records, so every name planned must be plain, every
// file planned exactly once, and the published index must name exactly the planned files
// with upstream's records, byte for byte, in the map upstream filed them under.
#include <charconv>
#include <set>

#include "core/repodata.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"
#include "sync/plan.hpp"
#include "sync/publish.hpp"

namespace core = chanmirror::core;
namespace cs = chanmirror::sync;
using chanmirror::fuzz::check;

namespace {

// One local file per line: "name<TAB>size<TAB>sha256<TAB>md5" (missing fields are empty).
std::map<std::string, cs::LocalFile> local_files(std::string_view text) {
    std::map<std::string, cs::LocalFile> local;
    auto lines = chanmirror::fuzz::split_input(text, 64, '\n');
    for (auto line : lines) {
        auto f = chanmirror::fuzz::split_input(line, 4, '\t');
        if (!core::is_package_filename(f[0]))
            continue;  // scan_local lists package files only
        cs::LocalFile file;
        std::from_chars(f[1].data(), f[1].data() + f[1].size(), file.size);
        file.sha256 = std::string(f[2]);
        file.md5 = std::string(f[3]);
        local.emplace(std::string(f[0]), std::move(file));
    }
    return local;
}

const std::string* record_in(const core::RecordMap& map, const std::string& name) {
    auto it = map.find(name);
    return it == map.end() ? nullptr : &it->second;
}

void check_wanted(const core::RepoData& upstream, const cs::SubdirSelection& selected,
                  const cs::WantedFiles& wanted) {
    std::set<std::string> refused;
    for (const auto& [name, why] : wanted.refused) {
        check(!why.empty(), "a refusal says why");
        check(refused.insert(name).second, "a name is refused once");
    }
    for (std::size_t i = 0; i < wanted.files.size(); ++i) {
        const auto& name = wanted.files[i].filename;
        check(i == 0 || wanted.files[i - 1].filename < name, "wanted files are sorted, once each");
        check(core::is_plain_package_filename(name), "only plain names become local paths");
        check(selected.contains(name), "only selected files are wanted");
        check(!refused.contains(name), "a file is wanted or refused, not both");
        bool in_packages = record_in(upstream.packages, name) != nullptr;
        bool in_conda = record_in(upstream.conda_packages, name) != nullptr;
        check(in_packages != in_conda, "a wanted file has exactly one upstream record");
    }
    std::size_t accounted = wanted.files.size() + refused.size();
    std::set<std::string> selected_names;
    for (const auto* map : {&upstream.packages, &upstream.conda_packages}) {
        for (const auto& [name, record] : *map) {
            if (selected.contains(name))
                selected_names.insert(name);
        }
    }
    check(accounted == selected_names.size(), "every selected record is wanted or refused");
}

void check_plan(const cs::WantedFiles& wanted, const std::map<std::string, cs::LocalFile>& local,
                const cs::PlanOptions& options, const cs::SubdirPlan& plan) {
    std::map<std::string, const cs::ArtifactInfo*> wanted_info;
    for (const auto& file : wanted.files)
        wanted_info.emplace(file.filename, &file.info);
    std::set<std::string> planned(plan.keep.begin(), plan.keep.end());
    check(planned.size() == plan.keep.size(), "a file is kept once");
    for (const auto& name : plan.keep) {
        check(wanted_info.contains(name) && local.contains(name) &&
                  cs::matches(local.at(name), *wanted_info.at(name)),
              "only verified files are kept");
    }
    for (const auto* file : plan.download) {
        check(planned.insert(file->filename).second, "a file is kept or fetched, once");
        auto it = local.find(file->filename);
        check(it == local.end() || !cs::matches(it->second, file->info),
              "a verified file is not fetched again");
    }
    check(std::equal(planned.begin(), planned.end(), wanted_info.begin(), wanted_info.end(),
                     [](const auto& name, const auto& wanted) { return name == wanted.first; }),
          "every wanted file is kept or fetched");
    std::set<std::string> expected_removals;
    std::uint64_t removal_bytes = 0;
    for (const auto& [name, file] : local) {
        if (!wanted_info.contains(name)) {
            expected_removals.insert(name);
            removal_bytes += file.size;
        }
    }
    check(std::set<std::string>(plan.remove.begin(), plan.remove.end()) == expected_removals &&
              plan.remove.size() == expected_removals.size() && plan.remove_bytes == removal_bytes,
          "exactly the local files upstream no longer wants are removed");
    bool over_cap =
        !plan.remove.empty() && static_cast<double>(plan.remove.size()) >
                                    options.max_delete * static_cast<double>(local.size());
    check(plan.refusal.has_value() == (over_cap && !options.force),
          "the deletion cap refuses exactly when it is exceeded without --force");
}

void check_published(const core::RepoData& upstream, const std::set<std::string>& present) {
    auto mirrored = cs::mirrored_repodata(upstream, present);
    auto text = core::to_json(mirrored);
    auto reread = core::parse_repodata(std::string(text), "mirrored");
    check(reread.has_value(), "the mirror's repodata.json parses");
    check(reread->size() == present.size(), "the index names each present file once");
    for (const auto& name : present) {
        const auto* packages = record_in(reread->packages, name);
        const auto* conda = record_in(reread->conda_packages, name);
        const auto* up_packages = record_in(upstream.packages, name);
        const auto* up_conda = record_in(upstream.conda_packages, name);
        check((packages != nullptr) == (up_packages != nullptr) &&
                  (conda != nullptr) == (up_conda != nullptr),
              "a record stays in the map upstream filed it under");
        check(packages == nullptr || *packages == *up_packages, "records are upstream's bytes");
        check(conda == nullptr || *conda == *up_conda, "records are upstream's bytes");
    }
    check(!reread->info.contains("base_url"), "base_url is dropped: files sit beside the index");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // repodata.json, local files, selected names ("" = all), options.
    auto parts = chanmirror::fuzz::split_input(data, size, 4, '\0');
    auto upstream = core::parse_repodata(std::string(parts[0]), "upstream/repodata.json");
    if (!upstream)
        return 0;
    auto local = local_files(parts[1]);
    cs::SubdirSelection selected;
    selected.all = parts[2].empty();
    for (auto name : chanmirror::fuzz::split_input(parts[2], 64, '\n'))
        selected.files.emplace(name);
    cs::PlanOptions options;
    if (!parts[3].empty()) {
        options.max_delete = static_cast<unsigned char>(parts[3][0]) / 255.0;
        options.force = parts[3].size() > 1;
    }

    auto wanted = cs::wanted_files(*upstream, selected);
    check_wanted(*upstream, selected, wanted);
    auto plan = cs::plan_subdir(wanted.files, local, options);
    check_plan(wanted, local, options, plan);
    std::set<std::string> planned(plan.keep.begin(), plan.keep.end());
    for (const auto* file : plan.download)
        planned.insert(file->filename);
    check_published(*upstream, planned);
    return 0;
}
