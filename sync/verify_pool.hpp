#pragma once
// Verification off the transfer thread: a few workers hash each finished .partial (from the
// page cache, with the one digest the record is checked by), compare size and digest, start
// its writeback to disk and rename it to its real name, while the libcurl loop keeps
// downloading. Durability comes later, from one syncfs per subdir before its index, which by
// then mostly waits for nothing.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "io/hashing.hpp"
#include "sync/artifact_info.hpp"

namespace chanmirror::sync {

struct VerifyTask {
    std::size_t index = 0;
    std::filesystem::path partial;
    std::filesystem::path target;
    ArtifactInfo expected;
    // Computed while the bytes streamed in (partial_file.hpp): the file is not read again.
    std::optional<io::Digests> digests;
};

struct VerifyOutcome {
    std::size_t index = 0;
    bool ok = false;
    bool mismatch = false;  // the bytes are wrong (partial removed); else an I/O error
    io::Digests digests;
    std::string error;
};

class VerifyPool {
  public:
    explicit VerifyPool(int threads);
    ~VerifyPool();
    VerifyPool(const VerifyPool&) = delete;
    VerifyPool& operator=(const VerifyPool&) = delete;

    void submit(VerifyTask task);
    // Outcomes ready now; waits up to `timeout` for the first one when none is.
    std::vector<VerifyOutcome> take(std::chrono::milliseconds timeout);
    // Tasks submitted whose outcome has not been taken yet.
    [[nodiscard]] std::size_t pending() const;

  private:
    void work();

    mutable std::mutex mutex_;
    std::condition_variable task_ready_;
    std::condition_variable outcome_ready_;
    std::deque<VerifyTask> tasks_;
    std::vector<VerifyOutcome> outcomes_;
    std::size_t pending_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

// Hashes `task.partial`, checks it against `task.expected` and renames it. The outcome's
// digests hold sha256 only (md5 only when the record has no sha256).
VerifyOutcome verify_and_promote(const VerifyTask& task);

}  // namespace chanmirror::sync
