#pragma once
// MD5 of up to 16 messages at once, one per SIMD lane. MD5 is a single chain of dependent
// steps, so one message cannot go faster than ~750 MB/s on a core; lanes hash several files
// side by side (AVX-512: 16 lanes, AVX2: 8) for 3-6x that throughput. No Debian library offers
// multi-buffer MD5 (OpenSSL hashes one message at a time), hence these few kernels; where the
// CPU has neither instruction set, callers use OpenSSL per file.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace chanmirror::io {

enum class Md5Kernel { avx512, avx2 };

class Md5Lanes {
  public:
    static constexpr unsigned max_width = 16;
    static constexpr std::size_t block_bytes = 64;

    // The widest kernel this CPU runs; nullopt when it has none.
    static std::optional<Md5Kernel> best_kernel();
    // Every kernel this CPU runs (tests check each against OpenSSL).
    static std::vector<Md5Kernel> supported_kernels();

    explicit Md5Lanes(Md5Kernel kernel);

    // How many messages a kernel runs side by side.
    static unsigned width_of(Md5Kernel kernel) { return kernel == Md5Kernel::avx512 ? 16 : 8; }
    [[nodiscard]] unsigned width() const { return width_of(kernel_); }

    // Starts a new message in `lane`.
    void reset(unsigned lane);

    // Runs `blocks` 64-byte blocks of every lane's data through its state: data[lane] points at
    // blocks * 64 readable bytes, for unused lanes too (their state is simply not read).
    void compress(std::span<const unsigned char* const> data, std::size_t blocks);

    // The digest of `lane`, once its message and padding (see pad) went through compress.
    [[nodiscard]] std::array<unsigned char, 16> digest(unsigned lane) const;

    // Appends MD5's padding for a message of `message_bytes` to `tail`, the message's last
    // (message_bytes % 64) bytes, which `tail` must already hold; returns the bytes added. The
    // tail then ends on a block boundary. `tail` needs room for 72 more bytes.
    static std::size_t pad(unsigned char* tail_end, std::uint64_t message_bytes);

  private:
    Md5Kernel kernel_;
    alignas(64) std::uint32_t state_[4][max_width];  // a, b, c, d of each lane
};

}  // namespace chanmirror::io
