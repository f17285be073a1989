#pragma once
// md5 + sha256 + size of many files, each read once: md5 runs across files in SIMD lanes
// (Md5Lanes), sha256 per file with OpenSSL (which uses the CPU's SHA extensions). A channel's
// packages are hashed this way before their metadata is read, so indexing is no longer held
// to one file's serial MD5 speed.

#include <filesystem>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "io/hashing.hpp"
#include "io/md5_lanes.hpp"

namespace chanmirror::io {

// One result per file, in the order given; an unreadable file's error names it. Files are
// started in that order too, so put the largest first. `kernel`
// picks the MD5 kernel (tests try each); by default the best this CPU has, or OpenSSL per
// file where it has none.
std::vector<core::Result<Digests>> hash_files(
    std::span<const std::filesystem::path> files, unsigned threads,
    std::optional<Md5Kernel> kernel = Md5Lanes::best_kernel());

}  // namespace chanmirror::io
