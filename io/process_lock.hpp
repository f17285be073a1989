#pragma once
// One process at a time: an flock()ed file holding "pid N on HOST since TIME". The kernel
// drops the lock when its process dies, so a lock left by a killed run is simply taken over.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace chanmirror::io {

class ProcessLock {
  public:
    ProcessLock(ProcessLock&& other) noexcept;
    ProcessLock& operator=(ProcessLock&& other) noexcept;
    ProcessLock(const ProcessLock&) = delete;
    ProcessLock& operator=(const ProcessLock&) = delete;
    ~ProcessLock();  // empties the file ("released cleanly") and unlocks

  private:
    friend class LockFile;
    explicit ProcessLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

struct LockAttempt {
    std::optional<ProcessLock> lock;  // empty: another live process holds it
    std::string holder;               // the other holder's "pid N on HOST since TIME"
    std::string taken_over;           // a dead holder's line, when its lock was taken over
};

// Takes the lock at `path` (creating the file and its directory) or says who holds it.
core::Result<LockAttempt> try_lock(const std::filesystem::path& path);

// Takes the lock, waiting as long as another process holds it; `on_wait(holder)` runs once
// before waiting.
core::Result<LockAttempt> wait_for_lock(const std::filesystem::path& path,
                                        const std::function<void(const std::string&)>& on_wait);

}  // namespace chanmirror::io
