#pragma once
// One sync per DEST: DEST/.chanmirror/lock, an io::ProcessLock naming its holder. A lock left
// by a killed run is taken over.

#include <filesystem>

#include "io/process_lock.hpp"

namespace chanmirror::sync {

std::filesystem::path lock_path(const std::filesystem::path& dest);

inline core::Result<io::LockAttempt> try_lock_dest(const std::filesystem::path& dest) {
    return io::try_lock(lock_path(dest));
}

}  // namespace chanmirror::sync
