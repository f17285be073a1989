#pragma once
// A real full disk for tests: a tmpfs of a few hundred KiB, mounted for one shell script in a
// mount namespace of its own (unshare), so no root mount is touched and nothing needs cleaning.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/run_command.hpp"

namespace chanmirror::test {

// Runs `script` (sh) with a fresh tmpfs of `kib` KiB mounted on `mount_point` (an existing,
// empty directory) and $FS set to it. The mount ends with the script, so the script copies
// out whatever the test looks at. nullopt when this machine cannot make such a mount (no
// user or mount namespaces).
std::optional<CommandResult> run_on_small_filesystem(const std::filesystem::path& mount_point,
                                                     std::size_t kib, const std::string& script);

// Shell lines that fill the filesystem at $FS except for $FREE KiB (a file "$FS/filler");
// `rm -f "$FS/filler"` gives the space back.
inline constexpr const char* fill_filesystem_but_free =
    "dd if=/dev/zero of=\"$FS/filler\" bs=4k 2>/dev/null\n"
    "size=$(stat -c %s \"$FS/filler\")\n"
    "keep=$((size > FREE * 1024 ? size - FREE * 1024 : 0))\n"
    "truncate -s \"$keep\" \"$FS/filler\"\n";

}  // namespace chanmirror::test
