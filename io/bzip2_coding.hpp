#pragma once
// bzip2's coding, piece by piece, as libbz2 1.0.8 reads it: the bit stream, the CRC, the
// Huffman tables and the move-to-front list. Internal to io/bzip2_*.cpp.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "io/bzip2_reader.hpp"

namespace chanmirror::io::bzip2 {

constexpr std::uint64_t block_magic = 0x314159265359;
constexpr std::uint64_t stream_end_magic = 0x177245385090;
constexpr int max_code_length = 20;
constexpr int max_alphabet = 258;
constexpr int max_groups = 6;
constexpr int max_selectors = 18002;
constexpr int group_size = 50;
constexpr int lookup_bits = 10;
constexpr std::uint32_t max_run_weight = 2 * 1024 * 1024;

// bzip2's CRC-32: polynomial 0x04c11db7, most significant bit first.
constexpr std::array<std::uint32_t, 256> crc_table = [] {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i << 24;
        for (int bit = 0; bit < 8; ++bit)
            c = (c & 0x80000000u) ? (c << 1) ^ 0x04c11db7u : c << 1;
        table[i] = c;
    }
    return table;
}();

inline std::uint32_t crc_update(std::uint32_t crc, std::uint8_t byte) {
    return (crc << 8) ^ crc_table[(crc >> 24) ^ byte];
}

// Bits most significant first, pulled from the caller's chunks. Bits past the end of input
// read as zero; callers check available() before trusting them.
class BitReader {
  public:
    explicit BitReader(Bzip2Reader::Pull pull) : pull_(std::move(pull)) {}

    // At least `n` (<= 32) bits buffered, unless the input ends first.
    [[gnu::always_inline]] bool need(int n) {
        if (count_ < n) [[unlikely]]
            refill();
        return count_ >= n;
    }
    [[nodiscard]] std::uint32_t peek(int n) const {
        return static_cast<std::uint32_t>(bits_ >> (64 - n));
    }
    void skip(int n) {
        bits_ <<= n;
        count_ -= n;
    }
    bool get(int n, std::uint32_t& value) {
        if (!need(n))
            return false;
        value = peek(n);
        skip(n);
        return true;
    }
    [[nodiscard]] int available() const { return count_; }
    void align_to_byte() { skip(count_ % 8); }
    // Set when a pull failed; the input then counts as ended.
    std::optional<core::Error> pull_error;

  private:
    void refill() {
        for (;;) {
            if (end_ - next_ >= 8) {
                // Loads eight bytes at once; the bits beyond the whole bytes taken are the
                // next bytes' own, so the next load ORs the same values over them.
                std::uint64_t word = 0;
                for (int i = 0; i < 8; ++i)
                    word = (word << 8) | next_[i];
                bits_ |= word >> count_;
                int bytes = (63 - count_) >> 3;
                next_ += bytes;
                count_ += bytes * 8;
                return;
            }
            while (count_ <= 56 && next_ != end_) {
                bits_ |= std::uint64_t{*next_++} << (56 - count_);
                count_ += 8;
            }
            if (count_ > 56 || ended_)
                return;
            auto chunk = pull_();
            if (!chunk) {
                pull_error = chunk.error();
                ended_ = true;
                return;
            }
            if (chunk->empty()) {
                ended_ = true;
                return;
            }
            next_ = chunk->data();
            end_ = next_ + chunk->size();
        }
    }

    Bzip2Reader::Pull pull_;
    const std::uint8_t* next_ = nullptr;
    const std::uint8_t* end_ = nullptr;
    std::uint64_t bits_ = 0;  // left-aligned: the next bit is bit 63
    int count_ = 0;
    bool ended_ = false;
};

// One coding table, decoded as libbz2 decodes it (its limit/base/perm arrays and loop), with
// the codes of up to lookup_bits bits resolved in advance.
struct HuffmanTable {
    static constexpr std::uint16_t longer = 0;    // length field: resolve bit by bit
    static constexpr std::uint16_t invalid = 31;  // length field: no symbol has this code

    std::array<std::uint16_t, 1 << lookup_bits> lookup{};  // symbol << 5 | code length
    std::array<std::int32_t, 23> limit{};
    std::array<std::int32_t, 23> base{};
    std::array<std::uint16_t, max_alphabet> perm{};
    int min_length = 0;
    int alphabet = 0;

    void build(const std::uint8_t* lengths, int alphabet_size) {
        alphabet = alphabet_size;
        min_length = 32;
        int max_length = 0;
        for (int i = 0; i < alphabet; ++i) {
            min_length = std::min<int>(min_length, lengths[i]);
            max_length = std::max<int>(max_length, lengths[i]);
        }
        int pp = 0;
        for (int length = min_length; length <= max_length; ++length) {
            for (int symbol = 0; symbol < alphabet; ++symbol) {
                if (lengths[symbol] == length)
                    perm[pp++] = static_cast<std::uint16_t>(symbol);
            }
        }
        base.fill(0);
        for (int i = 0; i < alphabet; ++i)
            ++base[lengths[i] + 1];
        for (std::size_t i = 1; i < base.size(); ++i)
            base[i] += base[i - 1];
        limit.fill(0);
        std::int32_t vec = 0;
        for (int i = min_length; i <= max_length; ++i) {
            vec += base[i + 1] - base[i];
            limit[i] = vec - 1;
            vec <<= 1;
        }
        for (int i = min_length + 1; i <= max_length; ++i)
            base[i] = ((limit[i - 1] + 1) << 1) - base[i];

        for (std::uint32_t prefix = 0; prefix < lookup.size(); ++prefix)
            lookup[prefix] = resolve(prefix);
    }

    // The symbol index for `zvec`, a code of `length` bits, or -1.
    [[nodiscard]] int symbol_of(std::int32_t zvec, int length) const {
        std::int32_t index = zvec - base[length];
        return index < 0 || index >= alphabet ? -1 : perm[index];
    }

  private:
    [[nodiscard]] std::uint16_t resolve(std::uint32_t prefix) const {
        for (int length = min_length; length <= lookup_bits; ++length) {
            auto zvec = static_cast<std::int32_t>(prefix >> (lookup_bits - length));
            if (zvec <= limit[length]) {
                int symbol = symbol_of(zvec, length);
                if (symbol < 0)
                    return invalid;
                return static_cast<std::uint16_t>(symbol << 5 | length);
            }
        }
        return longer;
    }
};

// Takes the byte at `index` of the move-to-front list and puts it first. Indexes are small
// for all but incompressible data, so the first 32 bytes are shifted as two vectors.
inline std::uint8_t move_to_front(std::array<std::uint8_t, 256>& list, int index) {
    std::uint8_t byte = list[static_cast<std::size_t>(index)];
#if defined(__SSE2__)
    if (index < 32) {
        auto* head = reinterpret_cast<__m128i*>(list.data());
        __m128i low = _mm_loadu_si128(head);
        __m128i high = _mm_loadu_si128(head + 1);
        __m128i low_shifted = _mm_slli_si128(low, 1);
        __m128i high_shifted = _mm_or_si128(_mm_slli_si128(high, 1), _mm_srli_si128(low, 15));
        __m128i limit = _mm_set1_epi8(static_cast<char>(index + 1));
        __m128i low_moved = _mm_cmpgt_epi8(
            limit, _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
        __m128i high_moved = _mm_cmpgt_epi8(
            limit, _mm_setr_epi8(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31));
        _mm_storeu_si128(head, _mm_or_si128(_mm_and_si128(low_moved, low_shifted),
                                            _mm_andnot_si128(low_moved, low)));
        _mm_storeu_si128(head + 1, _mm_or_si128(_mm_and_si128(high_moved, high_shifted),
                                                _mm_andnot_si128(high_moved, high)));
        list[0] = byte;
        return byte;
    }
#endif
    std::memmove(list.data() + 1, list.data(), static_cast<std::size_t>(index));
    list[0] = byte;
    return byte;
}

}  // namespace chanmirror::io::bzip2
