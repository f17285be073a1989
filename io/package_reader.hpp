#pragma once
// Reads the members a request wants out of a conda package, streaming, and no further than it
// must; memory does not grow with package size. Digests are io::hash_files' job.
//   .conda    ZIP (stored) -> info-*.tar.zst; the pkg-*.tar.zst member is skipped unread
//   .tar.bz2  bzip2 tar (decoded by Bzip2Reader); decompression stops once every wanted
//             member was found, or earlier where the request's stop_before says the rest is
//             not needed

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::io {

enum class PackageFormat { conda, tar_bz2 };

// Which component's members to look at: the metadata, or the payload (patch packages keep
// <subdir>/patch_instructions.json in the payload).
enum class PackageComponent { info, pkg };

struct PackageContents {
    PackageFormat format = PackageFormat::conda;
    std::map<std::string, std::string> members;  // normalised path ("info/index.json") -> bytes
    std::vector<std::string> member_order;       // members' paths in archive order
    std::vector<std::string> warnings;           // layout oddities that did not stop reading
    bool dot_slash_warned = false;
    bool stopped_early = false;  // members after the stopping point were not looked at
};

struct ReadRequest {
    PackageComponent component = PackageComponent::info;
    // Members to capture (paths normalised: no leading "./").
    std::function<bool(std::string_view path)> wanted;
    // True once nothing more is needed; the rest of the file is then not read.
    std::function<bool(const std::map<std::string, std::string>& members)> complete =
        [](const auto&) { return false; };
    // Asked before each non-directory member of a .tar.bz2: true when it and everything after
    // it are not needed. Only honoured where stopping cannot hide damage that reading would
    // find cheaply: the file is larger than small_archive_bytes and ends with a complete
    // bzip2 stream.
    std::function<bool(const std::map<std::string, std::string>& members, std::string_view next)>
        stop_before = nullptr;
    std::size_t max_member_size = std::size_t{64} << 20;
};

// Archives up to this size are always read to the end: it costs a few milliseconds, and
// hand-made packages (conda-verify's, say) put info/ files anywhere.
inline constexpr std::uint64_t small_archive_bytes = std::uint64_t{64} << 10;

core::Result<PackageContents> read_package(const std::filesystem::path& path,
                                           const ReadRequest& request);

}  // namespace chanmirror::io
