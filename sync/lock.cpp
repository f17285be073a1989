#include "sync/lock.hpp"

namespace chanmirror::sync {

std::filesystem::path lock_path(const std::filesystem::path& dest) {
    return dest / ".chanmirror" / "lock";
}

}  // namespace chanmirror::sync
