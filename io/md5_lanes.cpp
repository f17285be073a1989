#include "io/md5_lanes.hpp"

#include <cstring>

#include "io/md5_kernels.hpp"

namespace chanmirror::io {
namespace {

constexpr std::uint32_t initial_state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

bool cpu_has(Md5Kernel kernel) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    switch (kernel) {
        case Md5Kernel::avx512:
            return __builtin_cpu_supports("avx512f");
        case Md5Kernel::avx2:
            return __builtin_cpu_supports("avx2");
    }
#endif
    (void)kernel;
    return false;
}

}  // namespace

std::vector<Md5Kernel> Md5Lanes::supported_kernels() {
    std::vector<Md5Kernel> kernels;
    for (auto kernel : {Md5Kernel::avx512, Md5Kernel::avx2}) {
        if (cpu_has(kernel))
            kernels.push_back(kernel);
    }
    return kernels;
}

std::optional<Md5Kernel> Md5Lanes::best_kernel() {
    auto kernels = supported_kernels();
    if (kernels.empty())
        return std::nullopt;
    return kernels.front();
}

Md5Lanes::Md5Lanes(Md5Kernel kernel) : kernel_(kernel) {
    for (unsigned lane = 0; lane < max_width; ++lane)
        reset(lane);
}

void Md5Lanes::reset(unsigned lane) {
    for (int word = 0; word < 4; ++word)
        state_[word][lane] = initial_state[word];
}

void Md5Lanes::compress(std::span<const unsigned char* const> data, std::size_t blocks) {
#if defined(__x86_64__)
    if (kernel_ == Md5Kernel::avx512)
        md5_kernels::compress_avx512(state_, data.data(), blocks);
    else
        md5_kernels::compress_avx2(state_, data.data(), blocks);
#else
    (void)data;
    (void)blocks;
#endif
}

std::array<unsigned char, 16> Md5Lanes::digest(unsigned lane) const {
    std::array<unsigned char, 16> out{};
    for (int word = 0; word < 4; ++word) {
        std::uint32_t v = state_[word][lane];
        for (int byte = 0; byte < 4; ++byte)
            out[static_cast<std::size_t>(word * 4 + byte)] =
                static_cast<unsigned char>(v >> (8 * byte));
    }
    return out;
}

std::size_t Md5Lanes::pad(unsigned char* tail_end, std::uint64_t message_bytes) {
    std::size_t in_block = message_bytes % block_bytes;
    std::size_t zeros = (in_block < 56 ? 55 - in_block : 119 - in_block);
    tail_end[0] = 0x80;
    std::memset(tail_end + 1, 0, zeros);
    std::uint64_t bits = message_bytes * 8;
    for (int byte = 0; byte < 8; ++byte)
        tail_end[1 + zeros + static_cast<std::size_t>(byte)] =
            static_cast<unsigned char>(bits >> (8 * byte));
    return 1 + zeros + 8;
}

}  // namespace chanmirror::io
