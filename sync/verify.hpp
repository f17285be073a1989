#pragma once
// `chanmirror verify`: re-hash every file a published repodata.json lists and report missing,
// corrupt and unlisted files.

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::sync {

enum class ProblemKind { missing, corrupt, unlisted };

struct VerifyProblem {
    ProblemKind kind;
    std::string path;  // relative to DEST
    std::string detail;
};

struct VerifyReport {
    std::size_t subdirs = 0;
    std::size_t checked = 0;
    std::vector<VerifyProblem> problems;
};

// `channel` (a path under DEST) limits the check; "" checks every subdir under DEST.
core::Result<VerifyReport> verify_mirror(const std::filesystem::path& dest,
                                         const std::string& channel);

std::string_view to_string(ProblemKind kind);

}  // namespace chanmirror::sync
