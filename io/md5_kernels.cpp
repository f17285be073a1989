#include "io/md5_kernels.hpp"

#if defined(__x86_64__)

// GCC 12's AVX-512 intrinsics start some results from a deliberately undefined register
// (`__m512i __Y = __Y;`), which -Wmaybe-uninitialized reports wherever they inline.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include <array>
#include <utility>

// Each kernel is compiled for its instruction set by a target attribute; the dispatcher
// (md5_lanes.cpp) calls one only after checking that the CPU has it.
#define CHANMIRROR_AVX512 __attribute__((target("avx512f")))
#define CHANMIRROR_AVX2 __attribute__((target("avx2")))

namespace chanmirror::io::md5_kernels {
namespace {

// RFC 1321: K[i] = floor(|sin(i + 1)| * 2^32), and the per-step rotation.
constexpr std::array<std::uint32_t, 64> K = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
constexpr std::array<int, 16> rotation = {7, 12, 17, 22, 5, 9,  14, 20,
                                          4, 11, 16, 23, 6, 10, 15, 21};

constexpr int rotation_of(int step) {
    return rotation[(step / 16) * 4 + step % 4];
}

// The message word step i reads.
constexpr int word_of(int step) {
    switch (step / 16) {
        case 0:
            return step;
        case 1:
            return (5 * step + 1) % 16;
        case 2:
            return (3 * step + 5) % 16;
        default:
            return (7 * step) % 16;
    }
}

// ---- AVX-512: 16 lanes; vpternlogd computes each round's boolean function in one step and
// vprold rotates.

// The ternary-logic immediates of F, G, H and I over (b, c, d).
constexpr std::array<int, 4> ternary = {0xca, 0xe4, 0x96, 0x39};

template <int Step>
CHANMIRROR_AVX512 inline void step512(__m512i& a, __m512i& b, __m512i& c, __m512i& d,
                                      const __m512i* w) {
    constexpr int function = ternary[Step / 16];  // immediates must be constants even at -O0
    constexpr int bits = rotation_of(Step);
    __m512i f = _mm512_ternarylogic_epi32(b, c, d, function);
    __m512i t = _mm512_add_epi32(
        _mm512_add_epi32(a, f),
        _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(K[Step])), w[word_of(Step)]));
    t = _mm512_rol_epi32(t, bits);
    a = d;
    d = c;
    c = b;
    b = _mm512_add_epi32(b, t);
}

template <int... Steps>
CHANMIRROR_AVX512 inline void steps512(__m512i& a, __m512i& b, __m512i& c, __m512i& d,
                                       const __m512i* w, std::integer_sequence<int, Steps...>) {
    (step512<Steps>(a, b, c, d, w), ...);
}

// rows[l] holds lane l's 16 message words; afterwards rows[j] holds word j of every lane.
CHANMIRROR_AVX512 inline void transpose16(__m512i (&rows)[16]) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(rows[i], rows[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(rows[i], rows[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        rows[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        rows[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        rows[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        rows[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int k = 0; k < 4; ++k) {
        __m512i lo01 = _mm512_shuffle_i32x4(rows[k], rows[4 + k], 0x44);
        __m512i hi01 = _mm512_shuffle_i32x4(rows[k], rows[4 + k], 0xee);
        __m512i lo23 = _mm512_shuffle_i32x4(rows[8 + k], rows[12 + k], 0x44);
        __m512i hi23 = _mm512_shuffle_i32x4(rows[8 + k], rows[12 + k], 0xee);
        t[k] = _mm512_shuffle_i32x4(lo01, lo23, 0x88);
        t[4 + k] = _mm512_shuffle_i32x4(lo01, lo23, 0xdd);
        t[8 + k] = _mm512_shuffle_i32x4(hi01, hi23, 0x88);
        t[12 + k] = _mm512_shuffle_i32x4(hi01, hi23, 0xdd);
    }
    for (int i = 0; i < 16; ++i)
        rows[i] = t[i];
}

// ---- AVX2: 8 lanes; rotation is two shifts and an or.

template <int Bits>
CHANMIRROR_AVX2 inline __m256i rotl256(__m256i x) {
    return _mm256_or_si256(_mm256_slli_epi32(x, Bits), _mm256_srli_epi32(x, 32 - Bits));
}

template <int Step>
CHANMIRROR_AVX2 inline void step256(__m256i& a, __m256i& b, __m256i& c, __m256i& d,
                                    const __m256i* w) {
    __m256i f;
    if constexpr (Step < 16) {
        f = _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)));
    } else if constexpr (Step < 32) {
        f = _mm256_xor_si256(c, _mm256_and_si256(d, _mm256_xor_si256(b, c)));
    } else if constexpr (Step < 48) {
        f = _mm256_xor_si256(_mm256_xor_si256(b, c), d);
    } else {
        f = _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, _mm256_set1_epi32(-1))));
    }
    __m256i t = _mm256_add_epi32(
        _mm256_add_epi32(a, f),
        _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(K[Step])), w[word_of(Step)]));
    t = rotl256<rotation_of(Step)>(t);
    a = d;
    d = c;
    c = b;
    b = _mm256_add_epi32(b, t);
}

template <int... Steps>
CHANMIRROR_AVX2 inline void steps256(__m256i& a, __m256i& b, __m256i& c, __m256i& d,
                                     const __m256i* w, std::integer_sequence<int, Steps...>) {
    (step256<Steps>(a, b, c, d, w), ...);
}

// rows[l] holds 8 consecutive words of lane l; afterwards rows[j] holds word j of every lane.
CHANMIRROR_AVX2 inline void transpose8(__m256i* rows) {
    __m256i t[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(rows[i], rows[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(rows[i], rows[i + 1]);
    }
    __m256i u[8];
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int k = 0; k < 4; ++k) {
        rows[k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x20);
        rows[4 + k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x31);
    }
}

}  // namespace

CHANMIRROR_AVX512 void compress_avx512(std::uint32_t (&state)[4][16],
                                       const unsigned char* const* data, std::size_t blocks) {
    __m512i a = _mm512_loadu_si512(state[0]);
    __m512i b = _mm512_loadu_si512(state[1]);
    __m512i c = _mm512_loadu_si512(state[2]);
    __m512i d = _mm512_loadu_si512(state[3]);
    for (std::size_t block = 0; block < blocks; ++block) {
        __m512i w[16];
        for (int lane = 0; lane < 16; ++lane)
            w[lane] = _mm512_loadu_si512(data[lane] + block * 64);
        transpose16(w);
        const __m512i a0 = a, b0 = b, c0 = c, d0 = d;
        steps512(a, b, c, d, w, std::make_integer_sequence<int, 64>{});
        a = _mm512_add_epi32(a, a0);
        b = _mm512_add_epi32(b, b0);
        c = _mm512_add_epi32(c, c0);
        d = _mm512_add_epi32(d, d0);
    }
    _mm512_storeu_si512(state[0], a);
    _mm512_storeu_si512(state[1], b);
    _mm512_storeu_si512(state[2], c);
    _mm512_storeu_si512(state[3], d);
}

CHANMIRROR_AVX2 void compress_avx2(std::uint32_t (&state)[4][16], const unsigned char* const* data,
                                   std::size_t blocks) {
    auto* words = reinterpret_cast<__m256i*>(state);  // a, b, c, d: lanes 0-7 of each row of 16
    __m256i a = _mm256_loadu_si256(words + 0);
    __m256i b = _mm256_loadu_si256(words + 2);
    __m256i c = _mm256_loadu_si256(words + 4);
    __m256i d = _mm256_loadu_si256(words + 6);
    for (std::size_t block = 0; block < blocks; ++block) {
        __m256i w[16];
        for (int lane = 0; lane < 8; ++lane) {
            const auto* p = reinterpret_cast<const __m256i*>(data[lane] + block * 64);
            w[lane] = _mm256_loadu_si256(p);
            w[8 + lane] = _mm256_loadu_si256(p + 1);
        }
        transpose8(w);
        transpose8(w + 8);
        const __m256i a0 = a, b0 = b, c0 = c, d0 = d;
        steps256(a, b, c, d, w, std::make_integer_sequence<int, 64>{});
        a = _mm256_add_epi32(a, a0);
        b = _mm256_add_epi32(b, b0);
        c = _mm256_add_epi32(c, c0);
        d = _mm256_add_epi32(d, d0);
    }
    _mm256_storeu_si256(words + 0, a);
    _mm256_storeu_si256(words + 2, b);
    _mm256_storeu_si256(words + 4, c);
    _mm256_storeu_si256(words + 6, d);
}

}  // namespace chanmirror::io::md5_kernels

#endif
