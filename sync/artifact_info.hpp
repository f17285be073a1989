#pragma once
// What a download needs from an upstream record: size and digests, read straight from the
// record's JSON text (simdjson) without building a tree.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace chanmirror::sync {

struct ArtifactInfo {
    std::uint64_t size = 0;
    std::string sha256;  // lower-case hex, "" when upstream has none
    std::string md5;
};

// Reuses one parser and buffer across records; not thread-safe.
class ArtifactInfoReader {
  public:
    ArtifactInfoReader();
    ~ArtifactInfoReader();
    ArtifactInfoReader(const ArtifactInfoReader&) = delete;
    ArtifactInfoReader& operator=(const ArtifactInfoReader&) = delete;

    // `what` (the file name) is used in errors. A record without size or without any digest
    // is an error: the file could not be verified.
    core::Result<ArtifactInfo> read(std::string_view record_json, std::string_view what);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace chanmirror::sync
