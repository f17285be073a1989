#pragma once
// One sync per DEST: an flock()ed DEST/.chanmirror/lock holding "pid host start". The kernel
// drops the lock when its process dies, so a lock left by a killed run is taken over.

#include <filesystem>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace chanmirror::sync {

class DestLock {
  public:
    DestLock(DestLock&& other) noexcept;
    DestLock& operator=(DestLock&& other) noexcept;
    DestLock(const DestLock&) = delete;
    DestLock& operator=(const DestLock&) = delete;
    ~DestLock();

  private:
    friend struct LockAttempt;
    friend core::Result<struct LockAttempt> try_lock_dest(const std::filesystem::path& dest);
    explicit DestLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

struct LockAttempt {
    std::optional<DestLock> lock;  // empty: another live process holds it
    std::string holder;            // the other holder's "pid N on HOST since TIME"
    std::string taken_over;        // a dead holder's line, when its lock was taken over
};

core::Result<LockAttempt> try_lock_dest(const std::filesystem::path& dest);

std::filesystem::path lock_path(const std::filesystem::path& dest);

}  // namespace chanmirror::sync
