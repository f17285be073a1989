#pragma once
// Reads a member near the end of a .tar.bz2 without decoding what comes before it. bzip2
// blocks are independent, so decoding can start at any of the last blocks' magic; the member
// is found in the decoded tail by its header (see TarTailScan). conda-package-handling sorts
// a package's recipe in among its payload by extension, so ".yaml" usually lands in the last
// block or two, and this spares decoding the whole archive just for channeldata.json.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/tar_tail_scan.hpp"

namespace chanmirror::io {

// The first of `names` (in archive order) among the members that lie in the archive's last
// bzip2 blocks: 1, then 4, then 16 of them are tried. nullopt when they do not hold it, the
// archive has fewer blocks, or they do not decode: the caller then reads the archive from
// its start, which is exact and names any damage. Errors are I/O errors.
core::Result<std::optional<TarTailScan::Member>> find_member_near_end(
    const std::filesystem::path& path, const std::vector<std::string>& names,
    std::size_t max_member_size);

}  // namespace chanmirror::io
