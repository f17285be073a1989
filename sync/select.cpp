#include "sync/select.hpp"

namespace chanmirror::sync {

FileSelection select_files(const std::vector<UpstreamSubdir>& upstream) {
    FileSelection out;
    for (const auto& subdir : upstream)
        out[subdir.key].all = true;
    return out;
}

}  // namespace chanmirror::sync
