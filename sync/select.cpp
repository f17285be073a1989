#include "sync/select.hpp"

#include "core/glob.hpp"
#include "core/shards.hpp"
#include "sync/artifact_info.hpp"

namespace chanmirror::sync {
namespace {

std::vector<core::SelectionInput> selection_inputs(const std::vector<UpstreamSubdir>& upstream) {
    std::vector<core::SelectionInput> inputs;
    for (const auto& subdir : upstream)
        inputs.push_back({subdir.key.first, subdir.key.second, subdir.repodata});
    return inputs;
}

// Empty when the upstream record carries the pinned digests; else why not.
std::string check_pin(ArtifactInfoReader& reader, const std::string& record,
                      const std::string& filename, const PinnedFile& pin) {
    auto info = reader.read(record, filename);
    if (!info)
        return info.error().message;
    bool checked = false;
    for (auto [kind, pinned, upstream] : {std::tuple{"sha256", &pin.sha256, &info->sha256},
                                          std::tuple{"md5", &pin.md5, &info->md5}}) {
        if (pinned->empty() || upstream->empty())
            continue;
        if (*pinned != *upstream)
            return std::string("upstream ") + kind + " " + *upstream + " differs from the " + kind +
                   " " + *pinned + " pinned at " + pin.source;
        checked = true;
    }
    if (!checked)
        return "upstream record has no digest to check the one pinned at " + pin.source;
    return {};
}

FileSelection select_pinned(const std::vector<UpstreamSubdir>& upstream,
                            const ExplicitSelection& pinned, std::vector<std::string>& report) {
    FileSelection out;
    ArtifactInfoReader reader;
    std::size_t files = 0, failed = 0;
    for (const auto& [key, pins] : pinned) {
        auto& selection = out[key];
        const core::RepoData* repodata = nullptr;
        for (const auto& subdir : upstream) {
            if (subdir.key == key)
                repodata = subdir.repodata;
        }
        for (const auto& [filename, pin] : pins) {
            const auto* record = repodata ? repodata->find_record(filename) : nullptr;
            std::string why;
            if (repodata == nullptr)
                why = "no upstream repodata for " + key.first + "/" + key.second;
            else if (record == nullptr)
                why = "not in upstream repodata (pinned at " + pin.source + ")";
            else
                why = check_pin(reader, *record, filename, pin);
            if (why.empty()) {
                selection.files.insert(filename);
                ++files;
            } else {
                selection.failures.emplace_back(filename, std::move(why));
                ++failed;
            }
        }
    }
    report.push_back("explicit: " + std::to_string(files) + " files selected, " +
                     std::to_string(failed) + " cannot be mirrored");
    return out;
}

}  // namespace

bool is_selective(const core::SelectionOptions& options) {
    return !options.include.empty() || !options.exclude.empty() || options.latest.has_value();
}

core::Result<FileSelection> select_files(const std::vector<UpstreamSubdir>& upstream,
                                         const core::SelectionOptions& options,
                                         const ExplicitSelection* pinned,
                                         std::vector<std::string>& report, bool verbose) {
    if (pinned != nullptr)
        return select_pinned(upstream, *pinned, report);
    FileSelection out;
    if (!is_selective(options)) {
        for (const auto& subdir : upstream)
            out[subdir.key].all = true;
        return out;
    }
    auto selected = core::select_files(selection_inputs(upstream), options);
    if (!selected)
        return tl::unexpected(selected.error());
    report.push_back("selection: " + selected->summary());
    if (verbose) {
        for (auto& line : selected->details())
            report.push_back("  " + line);
    }
    for (auto& [key, files] : selected->files)
        out[key].files = std::move(files);
    return out;
}

core::Result<std::set<std::string>> names_to_load(const std::vector<UpstreamSubdir>& upstream,
                                                  const core::SelectionOptions& options,
                                                  const ExplicitSelection* pinned,
                                                  const std::set<std::string>& known_names) {
    std::set<std::string> names;
    if (pinned != nullptr) {
        for (const auto& [key, pins] : *pinned) {
            for (const auto& [filename, pin] : pins)
                names.insert(core::package_name_from_filename(filename));
        }
        return names;
    }
    auto selected = core::select_files(selection_inputs(upstream), options);
    if (!selected)
        return tl::unexpected(selected.error());
    names = std::move(selected->visited_names);
    for (const auto& pattern : selected->visited_patterns) {
        auto matcher =
            core::StringMatcher::parse(pattern, core::StringMatcher::Case::lower_pattern);
        if (!matcher)
            continue;  // select_files parsed it already
        for (const auto& name : known_names) {
            if (matcher->matches(name))
                names.insert(name);
        }
    }
    return names;
}

}  // namespace chanmirror::sync
