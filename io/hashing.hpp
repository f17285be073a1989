#pragma once
// md5 + sha256 + size over a byte stream in one pass (OpenSSL EVP): hash once, never re-read.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace chanmirror::io {

struct Digests {
    std::array<unsigned char, 16> md5{};
    std::array<unsigned char, 32> sha256{};
    std::uint64_t size = 0;

    [[nodiscard]] std::string md5_hex() const;
    [[nodiscard]] std::string sha256_hex() const;
};

using core::to_hex;

// Feed bytes as they stream past; finish() once.
class Hasher {
  public:
    Hasher();
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
core::Result<Digests> hash_file(const std::filesystem::path& path);

// sha256 of an in-memory buffer (shard names).
std::array<unsigned char, 32> sha256_of(std::span<const unsigned char> bytes);

}  // namespace chanmirror::io
