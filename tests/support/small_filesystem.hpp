#pragma once
// A real full disk for tests: a tmpfs of a few MiB, mounted for one shell script in a mount
// namespace of its own (unshare), so no root mount is touched and nothing needs cleaning.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/run_command.hpp"

namespace chanmirror::test {

// Runs `script` (sh) with a fresh tmpfs of `kib` KiB mounted on `mount_point` (an existing,
// empty directory), $FS set to it and each of `env` exported. The mount ends with the script,
// so the script copies out what the test looks at. nullopt when this machine cannot make such
// a mount (no user or mount namespaces). The script may call:
// - `fill_but_free KIB`: fills the filesystem but KIB KiB (`rm -f "$FS/filler"` undoes it);
// - `until_it_fits STEP_KIB COMMAND...`: runs COMMAND with 0, STEP_KIB, 2 x STEP_KIB ... KiB
//   free (up to 4 MiB) until it exits 0. Try N leaves $OUT/N.log, N.rc and N.temps (the temp
//   files left in $FS), after calling the script's `after_try N` for its own checks; read
//   them with read_tries.
std::optional<CommandResult> run_on_small_filesystem(const std::filesystem::path& mount_point,
                                                     std::size_t kib, const std::string& script,
                                                     const std::map<std::string, std::string>& env);

// One try of until_it_fits: what COMMAND printed, its exit code, and the temp files it left.
struct SpaceTry {
    std::string log;
    int exit_code = -1;
    std::string temps;
};

// Every try until_it_fits recorded in `out` ($OUT), in order; the last is the one that fitted
// (or the last one made).
std::vector<SpaceTry> read_tries(const std::filesystem::path& out);

// True when `log` says a write found the disk full (the kernel's words, or SQLite's).
inline bool says_disk_full(const std::string& log) {
    return log.find("No space left on device") != std::string::npos ||
           log.find("disk is full") != std::string::npos;
}

}  // namespace chanmirror::test
