#pragma once
// md5 + sha256 + size over a byte stream in one pass (OpenSSL EVP): hash once, never re-read.
// A download is checked by one digest only (sha256, md5 when the record has none), and md5
// costs about twice sha256 on CPUs with SHA extensions, so a hasher can compute just one.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace chanmirror::io {

enum class DigestSet { md5_and_sha256, sha256_only, md5_only };

struct Digests {
    std::array<unsigned char, 16> md5{};
    std::array<unsigned char, 32> sha256{};
    std::uint64_t size = 0;
    bool has_md5 = true;
    bool has_sha256 = true;

    // "" for a digest that was not computed.
    [[nodiscard]] std::string md5_hex() const;
    [[nodiscard]] std::string sha256_hex() const;
};

using core::to_hex;

// Feed bytes as they stream past; finish() once.
class Hasher {
  public:
    Hasher();
    explicit Hasher(DigestSet set);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;

    void update(std::span<const unsigned char> bytes);
    void update(const void* data, std::size_t size) {
        update({static_cast<const unsigned char*>(data), size});
    }
    [[nodiscard]] Digests finish();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// Hashes a whole file with a streaming read.
core::Result<Digests> hash_file(const std::filesystem::path& path,
                                DigestSet set = DigestSet::md5_and_sha256);

// Feeds a whole file to `hasher` (which goes on taking bytes); returns how many it read.
core::Result<std::uint64_t> hash_file_into(const std::filesystem::path& path, Hasher& hasher);

// sha256 of an in-memory buffer (shard names).
std::array<unsigned char, 32> sha256_of(std::span<const unsigned char> bytes);

}  // namespace chanmirror::io
