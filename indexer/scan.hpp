#pragma once
// Finds the subdirs of a channel and the package files in each, with the (size, mtime) the
// stat cache compares.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::indexer {

struct ScannedFile {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
};

// CEP 26: "noarch" or ^[a-z0-9]+-[a-z0-9]+$, at most 32 characters.
bool is_subdir_name(std::string_view name);

// Subdirectories of `channel` named like subdirs, sorted.
core::Result<std::vector<std::string>> find_subdirs(const std::filesystem::path& channel);

// *.conda and *.tar.bz2 regular files (symlinks followed); dot-files and temp files skipped.
core::Result<std::map<std::string, ScannedFile>> scan_packages(const std::filesystem::path& subdir);

}  // namespace chanmirror::indexer
