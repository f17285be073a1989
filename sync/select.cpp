#include "sync/select.hpp"

namespace chanmirror::sync {

bool is_selective(const core::SelectionOptions& options) {
    return !options.include.empty() || !options.exclude.empty() || options.latest.has_value();
}

core::Result<FileSelection> select_files(const std::vector<UpstreamSubdir>& upstream,
                                         const core::SelectionOptions& options,
                                         std::vector<std::string>& report, bool verbose) {
    FileSelection out;
    if (!is_selective(options)) {
        for (const auto& subdir : upstream)
            out[subdir.key].all = true;
        return out;
    }
    std::vector<core::SelectionInput> inputs;
    for (const auto& subdir : upstream) {
        inputs.push_back({subdir.key.first, subdir.key.second, subdir.repodata});
    }
    auto selected = core::select_files(inputs, options);
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

}  // namespace chanmirror::sync
