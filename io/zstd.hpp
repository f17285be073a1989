#pragma once
// One-shot zstd for index files and shards. Frames always carry the content size, which
// conda needs for shards (it caps decompression when the size is absent).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::io {

struct ZstdOptions {
    int level = 16;   // conda-index's level for repodata.json.zst
    int threads = 0;  // 0: single-threaded
};

core::Result<std::string> zstd_compress(std::string_view bytes, ZstdOptions options = {});

// Compresses each input, up to max(1, options.threads) at once; equal inputs (an unpatched
// subdir's repodata.json and repodata_from_packages.json) are compressed once.
std::vector<core::Result<std::string>> zstd_compress_all(
    const std::vector<std::string_view>& inputs, ZstdOptions options = {});

// Decompresses one or more frames; refuses output beyond max_size. `what` names the source.
core::Result<std::string> zstd_decompress(std::string_view bytes, std::string_view what,
                                          std::size_t max_size = std::size_t{1} << 32);

}  // namespace chanmirror::io
