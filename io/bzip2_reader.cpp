#include "io/bzip2_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace chanmirror::io {
namespace {

constexpr std::uint64_t block_magic = 0x314159265359;
constexpr std::uint64_t stream_end_magic = 0x177245385090;
constexpr int max_code_length = 20;
constexpr int max_alphabet = 258;
constexpr int max_groups = 6;
constexpr int max_selectors = 18002;
constexpr int group_size = 50;
constexpr int lookup_bits = 10;
constexpr std::uint32_t max_run_weight = 2 * 1024 * 1024;
constexpr int parallel_walkers = 24;  // chains followed at once (follow_in_parallel)

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

// What a block's header says, and how many bytes its symbols decoded to.
struct Block {
    std::uint32_t stored_crc = 0;
    std::uint32_t orig_ptr = 0;
    std::uint32_t size = 0;
};

}  // namespace

struct Bzip2Reader::State {
    enum class Phase { stream_header, block_header, walking, ended };

    State(Pull pull, Tuning tuning) : in(std::move(pull)), tuning(tuning) {}

    BitReader in;
    Tuning tuning;
    Phase phase = Phase::stream_header;
    bool first_stream = true;
    std::optional<core::Error> error;
    int block_size_100k = 0;
    std::uint32_t stream_crc = 0;
    // Sized for the stream's blocks and left uninitialised: every byte read was written first.
    std::size_t capacity = 0;
    std::unique_ptr<std::uint8_t[]> block_bytes;  // the block as the BWT left it
    std::unique_ptr<std::uint32_t[]> tt;          // per sorted slot: link << 8 | byte
    Block block;
    std::array<HuffmanTable, max_groups> tables;
    std::vector<std::uint8_t> selectors = std::vector<std::uint8_t>(max_selectors);

    // The walk through the current block, resumable between reads: `left` bytes still to
    // follow from slot `position`, or the rest already followed into block_bytes (ahead).
    std::uint32_t position = 0;
    std::uint32_t left = 0;
    std::uint32_t walked = 0;
    bool tried_parallel = false;
    const std::uint8_t* ahead = nullptr;
    std::uint32_t ahead_next = 0;
    std::uint32_t ahead_end = 0;
    std::size_t pool_capacity = 0;
    std::unique_ptr<std::uint8_t[]> pool;  // the parallel walkers' pieces, in chunks
    std::vector<std::uint32_t> chunk_after;
    std::uint32_t repeat = 0;
    std::uint32_t block_crc = 0;
    int run = 0;
    std::uint8_t last = 0;

    bool fail(std::string message) {
        error = core::Error{core::ErrorKind::invalid_input, std::move(message)};
        return false;
    }
    bool truncated() {
        if (in.pull_error) {
            error = *in.pull_error;
            return false;
        }
        return fail("bzip2 data ends early (truncated file?)");
    }
    bool get(int n, std::uint32_t& value) { return in.get(n, value) || truncated(); }

    bool read_stream_header();
    bool read_block_header();
    bool after_marker(std::uint64_t marker);
    bool decode_block();
    bool decode_tables(int& alphabet, std::array<std::uint8_t, 256>& symbols, int& selector_count);
    bool finish_block();
    bool follow_in_parallel();
    std::size_t walk(std::uint8_t* out, std::size_t size);
    [[nodiscard]] bool block_done() const {
        return left == 0 && ahead_next == ahead_end && !repeat;
    }
};

// "BZh1".."BZh9". After the first stream, anything else (or nothing) ends the data, and a
// following stream must also show a block or end-of-stream marker, as libarchive requires.
bool Bzip2Reader::State::read_stream_header() {
    bool first = first_stream;
    first_stream = false;
    auto not_bzip2 = [&] { return fail("not bzip2-compressed (no \"BZh\" signature)"); };
    auto end_of_data = [&] {
        if (in.pull_error)
            return truncated();
        phase = Phase::ended;
        return true;
    };
    std::uint32_t signature = 0;
    if (!in.get(32, signature))
        return !first ? end_of_data() : in.pull_error ? truncated() : not_bzip2();
    std::uint32_t level = signature & 0xff;
    if ((signature >> 8) != 0x425a68 || level < '1' || level > '9')
        return first ? not_bzip2() : end_of_data();
    block_size_100k = static_cast<int>(level - '0');
    stream_crc = 0;
    if (auto size = std::size_t{100000} * static_cast<std::size_t>(block_size_100k);
        size > capacity) {
        block_bytes = std::make_unique_for_overwrite<std::uint8_t[]>(size);
        tt = std::make_unique_for_overwrite<std::uint32_t[]>(size);
        capacity = size;
    }
    phase = Phase::block_header;
    if (first)
        return true;
    std::uint32_t high = 0;
    std::uint32_t low = 0;
    if (!in.get(24, high) || !in.get(24, low))
        return end_of_data();
    std::uint64_t marker = std::uint64_t{high} << 24 | low;
    if (marker != block_magic && marker != stream_end_magic)
        return end_of_data();
    return after_marker(marker);
}

bool Bzip2Reader::State::read_block_header() {
    std::uint32_t high = 0;
    std::uint32_t low = 0;
    if (!get(24, high) || !get(24, low))
        return false;
    return after_marker(std::uint64_t{high} << 24 | low);
}

bool Bzip2Reader::State::after_marker(std::uint64_t marker) {
    if (marker == stream_end_magic) {
        std::uint32_t stored = 0;
        if (!get(32, stored))
            return false;
        if (stored != stream_crc)
            return fail("bzip2 stream CRC mismatch (data damaged)");
        in.align_to_byte();
        phase = Phase::stream_header;
        return true;
    }
    if (marker != block_magic)
        return fail("bad bzip2 block header (data damaged)");
    phase = Phase::walking;
    return decode_block();
}

bool Bzip2Reader::State::decode_tables(int& alphabet, std::array<std::uint8_t, 256>& symbols,
                                       int& selector_count) {
    std::uint32_t used_ranges = 0;
    if (!get(16, used_ranges))
        return false;
    int in_use = 0;
    for (int i = 0; i < 16; ++i) {
        if (!(used_ranges & (0x8000u >> i)))
            continue;
        std::uint32_t used = 0;
        if (!get(16, used))
            return false;
        for (int j = 0; j < 16; ++j) {
            if (used & (0x8000u >> j))
                symbols[static_cast<std::size_t>(in_use++)] = static_cast<std::uint8_t>(i * 16 + j);
        }
    }
    if (in_use == 0)
        return fail("bzip2 block uses no byte values (data damaged)");
    alphabet = in_use + 2;

    std::uint32_t groups = 0;
    std::uint32_t count = 0;
    if (!get(3, groups) || !get(15, count))
        return false;
    if (groups < 2 || groups > max_groups || count < 1)
        return fail("bad bzip2 coding tables (data damaged)");
    std::array<std::uint8_t, max_groups> order{0, 1, 2, 3, 4, 5};
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint32_t j = 0;
        for (;;) {
            std::uint32_t bit = 0;
            if (!get(1, bit))
                return false;
            if (!bit)
                break;
            if (++j >= groups)
                return fail("bad bzip2 table selector (data damaged)");
        }
        if (i >= max_selectors)
            continue;  // libbz2 reads and ignores selectors past its limit
        std::uint8_t chosen = order[j];
        std::copy_backward(order.begin(), order.begin() + j, order.begin() + j + 1);
        order[0] = chosen;
        selectors[i] = chosen;
    }
    selector_count = static_cast<int>(std::min<std::uint32_t>(count, max_selectors));

    std::array<std::uint8_t, max_alphabet> lengths{};
    for (std::uint32_t t = 0; t < groups; ++t) {
        std::uint32_t length = 0;
        if (!get(5, length))
            return false;
        for (int symbol = 0; symbol < alphabet; ++symbol) {
            for (;;) {
                if (length < 1 || length > max_code_length)
                    return fail("bad bzip2 code length (data damaged)");
                std::uint32_t bit = 0;
                if (!get(1, bit))
                    return false;
                if (!bit)
                    break;
                if (!get(1, bit))
                    return false;
                length = bit ? length - 1 : length + 1;
            }
            lengths[static_cast<std::size_t>(symbol)] = static_cast<std::uint8_t>(length);
        }
        tables[t].build(lengths.data(), alphabet);
    }
    return true;
}

bool Bzip2Reader::State::decode_block() {
    std::uint32_t randomised = 0;
    if (!get(32, block.stored_crc) || !get(1, randomised) || !get(24, block.orig_ptr))
        return false;
    if (randomised)
        return fail("randomised bzip2 block (bzip2 0.9.0, 1998): not supported");
    auto capacity = static_cast<std::uint32_t>(100000 * block_size_100k);
    if (block.orig_ptr > 10 + capacity)
        return fail("bad bzip2 block start (data damaged)");

    int alphabet = 0;
    int selector_count = 0;
    std::array<std::uint8_t, 256> mtf{};
    if (!decode_tables(alphabet, mtf, selector_count))
        return false;
    const int end_of_block = alphabet - 1;

    std::array<std::uint32_t, 256> counts{};
    std::uint8_t* bytes = block_bytes.get();
    std::uint32_t size = 0;
    int group = -1;
    int group_left = 0;
    const HuffmanTable* table = nullptr;

    // Most codes resolve in one table look-up; longer ones take libbz2's bit-by-bit loop.
    auto resolve_long_code = [&](int& symbol) {
        int length = std::max(table->min_length, lookup_bits + 1);
        for (;;) {
            if (length > max_code_length)
                return fail("bad bzip2 Huffman code (data damaged)");
            if (static_cast<std::int32_t>(in.peek(length)) <= table->limit[length])
                break;
            ++length;
        }
        symbol = table->symbol_of(static_cast<std::int32_t>(in.peek(length)), length);
        if (symbol < 0)
            return fail("bad bzip2 Huffman code (data damaged)");
        if (length > in.available())
            return truncated();
        in.skip(length);
        return true;
    };
    auto next_symbol = [&](int& symbol) __attribute__((always_inline)) {
        if (group_left == 0) {
            if (++group >= selector_count)
                return fail("bzip2 block overruns its table selectors (data damaged)");
            group_left = group_size;
            table = &tables[selectors[static_cast<std::size_t>(group)]];
        }
        --group_left;
        in.need(max_code_length);
        std::uint16_t entry = table->lookup[in.peek(lookup_bits)];
        int length = entry & 31;
        if (length == HuffmanTable::longer) [[unlikely]]
            return resolve_long_code(symbol);
        if (length == HuffmanTable::invalid || length > in.available()) [[unlikely]] {
            return length == HuffmanTable::invalid ? fail("bad bzip2 Huffman code (data damaged)")
                                                   : truncated();
        }
        symbol = entry >> 5;
        in.skip(length);
        return true;
    };

    int symbol = 0;
    if (!next_symbol(symbol))
        return false;
    while (symbol != end_of_block) {
        if (symbol <= 1) {  // RUNA/RUNB: a run of the front byte, its length in bijective base 2
            std::uint64_t run_length = 0;
            std::uint32_t weight = 1;
            do {
                if (weight >= max_run_weight)
                    return fail("bzip2 run too long (data damaged)");
                run_length += static_cast<std::uint64_t>(symbol + 1) * weight;
                weight <<= 1;
                if (!next_symbol(symbol))
                    return false;
            } while (symbol <= 1);
            if (run_length > capacity - size)
                return fail("bzip2 block larger than its header allows (data damaged)");
            std::uint8_t byte = mtf[0];
            counts[byte] += static_cast<std::uint32_t>(run_length);
            std::memset(bytes + size, byte, run_length);
            size += static_cast<std::uint32_t>(run_length);
            continue;
        }
        if (size >= capacity)
            return fail("bzip2 block larger than its header allows (data damaged)");
        std::uint8_t byte = move_to_front(mtf, symbol - 1);
        ++counts[byte];
        bytes[size++] = byte;
        if (!next_symbol(symbol))
            return false;
    }
    if (block.orig_ptr >= size)
        return fail("bad bzip2 block start (data damaged)");
    block.size = size;

    // Inverse BWT: the sorted column's slot j holds the j-th smallest byte; its link is where
    // that same occurrence sits in the block, and the byte rides along in the low 8 bits.
    // (libbz2 keeps the block's own byte there and so reads each slot before writing it.)
    std::array<std::uint32_t, 256> next_slot{};
    std::uint32_t sum = 0;
    for (std::size_t v = 0; v < 256; ++v) {
        next_slot[v] = sum;
        sum += counts[v];
    }
    std::uint32_t* links = tt.get();
    for (std::uint32_t i = 0; i < size; ++i)
        links[next_slot[bytes[i]]++] = i << 8 | bytes[i];

    position = block.orig_ptr;
    left = size;
    walked = 0;
    tried_parallel = false;
    ahead_next = ahead_end = 0;
    repeat = 0;
    run = 0;
    block_crc = 0xffffffffu;
    return true;
}

// Follows the rest of the block along many chains at once. Each link names the next, so one
// walker waits for a cache miss per byte; walkers started at slots spread over the block keep
// that many misses in flight. Each walker stops at the next slot where another starts (or
// where the text starts over), so together they follow every link once, and their pieces, in
// the order they lead into one another, are the rest of the text. Leaves everything as it
// was and returns false where the links are not that one chain (a block whose text repeats).
bool Bzip2Reader::State::follow_in_parallel() {
    constexpr std::uint32_t start_flag = 0x80000000u;  // links need 20 bits, bytes 8
    constexpr std::uint32_t chunk = 4096;
    std::uint32_t* links = tt.get();
    const std::uint32_t size = block.size;
    if (position == block.orig_ptr)
        return false;

    std::array<std::uint32_t, parallel_walkers> start{};
    int walkers = 0;
    links[block.orig_ptr] |= start_flag;
    for (int k = 0; k < parallel_walkers; ++k) {
        auto slot =
            k == 0 ? position
                   : static_cast<std::uint32_t>(std::uint64_t{size} *
                                                static_cast<std::uint64_t>(k) / parallel_walkers);
        if (links[slot] & start_flag)
            continue;
        links[slot] |= start_flag;
        start[static_cast<std::size_t>(walkers++)] = slot;
    }
    auto clear_flags = [&] {
        links[block.orig_ptr] &= ~start_flag;
        for (int w = 0; w < walkers; ++w)
            links[start[static_cast<std::size_t>(w)]] &= ~start_flag;
    };

    // Together the walkers write at most one byte per slot, plus one partial chunk each.
    std::size_t chunks = size / chunk + static_cast<std::size_t>(walkers) + 1;
    if (pool_capacity < chunks * chunk) {
        pool = std::make_unique_for_overwrite<std::uint8_t[]>(chunks * chunk);
        pool_capacity = chunks * chunk;
    }
    chunk_after.resize(chunks);
    std::uint32_t free_chunk = 0;
    std::array<std::uint32_t, parallel_walkers> at{};
    std::array<std::uint32_t, parallel_walkers> steps{};
    std::array<std::uint32_t, parallel_walkers> first_chunk{};
    std::array<std::uint32_t, parallel_walkers> current_chunk{};
    std::array<std::uint8_t*, parallel_walkers> out{};
    std::array<std::uint8_t*, parallel_walkers> out_end{};
    std::array<int, parallel_walkers> active{};
    for (int w = 0; w < walkers; ++w) {
        auto i = static_cast<std::size_t>(w);
        first_chunk[i] = current_chunk[i] = free_chunk++;
        out[i] = pool.get() + std::size_t{first_chunk[i]} * chunk;
        out_end[i] = out[i] + chunk;
        std::uint32_t link = links[start[i]] & ~start_flag;  // its own start does not stop it
        *out[i]++ = static_cast<std::uint8_t>(link);
        at[i] = link >> 8;
        steps[i] = 1;
        active[i] = w;
    }
    for (int running = walkers; running > 0;) {
        for (int a = 0; a < running;) {
            auto i = static_cast<std::size_t>(active[static_cast<std::size_t>(a)]);
            std::uint32_t link = links[at[i]];
            if (link & start_flag) [[unlikely]] {
                active[static_cast<std::size_t>(a)] = active[static_cast<std::size_t>(--running)];
                continue;  // at[i] is where it stopped
            }
            if (out[i] == out_end[i]) [[unlikely]] {
                chunk_after[current_chunk[i]] = free_chunk;
                current_chunk[i] = free_chunk++;
                out[i] = pool.get() + std::size_t{current_chunk[i]} * chunk;
                out_end[i] = out[i] + chunk;
            }
            *out[i]++ = static_cast<std::uint8_t>(link);
            at[i] = link >> 8;
            ++steps[i];
            ++a;
        }
    }
    clear_flags();

    // Walker 0 began where the text stands; each piece leads to the walker starting where
    // it stopped, and the last one to the text's first slot.
    std::uint8_t* text = block_bytes.get();  // free since the links were built
    std::uint32_t total = 0;
    std::size_t w = 0;
    for (int pieces = 0;; ++pieces) {
        if (pieces == walkers || steps[w] > left - total)
            return false;
        std::uint32_t c = first_chunk[w];
        for (std::uint32_t copied = 0; copied < steps[w]; copied += chunk, c = chunk_after[c]) {
            std::memcpy(text + total + copied, pool.get() + std::size_t{c} * chunk,
                        std::min(chunk, steps[w] - copied));
        }
        total += steps[w];
        if (at[w] == block.orig_ptr)
            break;
        auto next = std::find(start.begin(), start.begin() + walkers, at[w]);
        if (next == start.begin() + walkers)
            return false;
        w = static_cast<std::size_t>(next - start.begin());
    }
    if (total != left)
        return false;
    ahead = text;
    ahead_next = 0;
    ahead_end = total;
    walked += left;
    left = 0;
    return true;
}

// Undoes the BWT and the initial run-length coding (four equal bytes, then a count).
std::size_t Bzip2Reader::State::walk(std::uint8_t* out, std::size_t size) {
    const std::uint32_t* links = tt.get();
    std::size_t produced = 0;
    std::uint32_t crc = block_crc;
    while (produced < size) {
        if (repeat) {
            auto n = std::min<std::size_t>(repeat, size - produced);
            std::memset(out + produced, last, n);
            for (std::size_t k = 0; k < n; ++k)
                crc = crc_update(crc, last);
            produced += n;
            repeat -= static_cast<std::uint32_t>(n);
            continue;
        }
        std::uint8_t byte = 0;
        if (ahead_next < ahead_end) {
            byte = ahead[ahead_next++];
        } else {
            if (left == 0)
                break;
            if (!tried_parallel && walked >= tuning.parallel_after &&
                left >= tuning.parallel_min_left) {
                tried_parallel = true;
                if (follow_in_parallel())
                    continue;
            }
            std::uint32_t link = links[position];
            byte = static_cast<std::uint8_t>(link);
            position = link >> 8;
            --left;
            ++walked;
        }
        if (run == 4) {
            repeat = byte;
            run = 0;
            continue;
        }
        run = (run > 0 && byte == last) ? run + 1 : 1;
        last = byte;
        out[produced++] = byte;
        crc = crc_update(crc, byte);
    }
    block_crc = crc;
    return produced;
}

bool Bzip2Reader::State::finish_block() {
    if (run == 4)
        return fail("bzip2 block ends inside a run (data damaged)");
    std::uint32_t crc = ~block_crc;
    if (crc != block.stored_crc)
        return fail("bzip2 block CRC mismatch (data damaged)");
    stream_crc = ((stream_crc << 1) | (stream_crc >> 31)) ^ crc;
    phase = Phase::block_header;
    return true;
}

Bzip2Reader::Bzip2Reader(Pull pull, Tuning tuning)
    : state_(std::make_unique<State>(std::move(pull), tuning)) {}
Bzip2Reader::~Bzip2Reader() = default;

core::Result<std::size_t> Bzip2Reader::read(std::span<std::uint8_t> out) {
    State& s = *state_;
    std::size_t produced = 0;
    while (produced < out.size() && !s.error) {
        switch (s.phase) {
            case State::Phase::stream_header:
                s.read_stream_header();
                break;
            case State::Phase::block_header:
                s.read_block_header();
                break;
            case State::Phase::walking:
                produced += s.walk(out.data() + produced, out.size() - produced);
                if (s.block_done())
                    s.finish_block();
                break;
            case State::Phase::ended:
                return produced;
        }
    }
    if (s.error)
        return tl::unexpected(*s.error);
    return produced;
}

}  // namespace chanmirror::io
