#include "sync/select.hpp"

namespace chanmirror::sync {

FileSelection select_files(const std::vector<UpstreamSubdir>& upstream) {
    FileSelection out;
    for (const auto& subdir : upstream) {
        auto& files = out[subdir.key];
        for (const auto* section : {&subdir.repodata->packages, &subdir.repodata->conda_packages}) {
            for (const auto& [filename, record] : *section)
                files.insert(filename);
        }
    }
    return out;
}

}  // namespace chanmirror::sync
