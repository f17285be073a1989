#pragma once
// What a download needs from an upstream record: size and digests, read straight from the
// record's JSON text (simdjson) without building a tree.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "io/hashing.hpp"

namespace chanmirror::sync {

// A file is the record's when its size matches and then one digest: sha256, or md5 only when
// the record has no sha256 (md5 costs twice sha256's time here, and proves less).
struct ArtifactInfo {
    std::uint64_t size = 0;
    std::string sha256;  // lower-case hex, "" when upstream has none
    std::string md5;

    [[nodiscard]] bool checked_by_sha256() const { return !sha256.empty(); }
    // What to hash a file with to check it.
    [[nodiscard]] io::DigestSet digest_set() const {
        return checked_by_sha256() ? io::DigestSet::sha256_only : io::DigestSet::md5_only;
    }
    [[nodiscard]] const char* digest_name() const { return checked_by_sha256() ? "sha256" : "md5"; }
    [[nodiscard]] const std::string& expected_digest() const {
        return checked_by_sha256() ? sha256 : md5;
    }
    // The checked digest's hex in `got`.
    [[nodiscard]] std::string digest_of(const io::Digests& got) const {
        return checked_by_sha256() ? got.sha256_hex() : got.md5_hex();
    }
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
