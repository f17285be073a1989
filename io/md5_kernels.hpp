#pragma once
// The SIMD compression functions behind Md5Lanes (x86-64 only). Each runs `blocks` 64-byte
// blocks of data[lane] through state[.][lane] for its lanes: 16 (AVX-512F) or 8 (AVX2).

#include <cstddef>
#include <cstdint>

namespace chanmirror::io::md5_kernels {

#if defined(__x86_64__)
void compress_avx512(std::uint32_t (&state)[4][16], const unsigned char* const* data,
                     std::size_t blocks);
void compress_avx2(std::uint32_t (&state)[4][16], const unsigned char* const* data,
                   std::size_t blocks);
#endif

}  // namespace chanmirror::io::md5_kernels
