// Streams and blocks: signatures and markers, the coding tables, the Huffman and
// move-to-front stages that turn a block into its links, and both CRCs.
#include "io/bzip2_reader.hpp"

#include <algorithm>
#include <string>

#include "io/bzip2_state.hpp"

namespace chanmirror::io {

using namespace bzip2;

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
        slot_links = std::make_unique_for_overwrite<std::uint32_t[]>(size);
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
    std::uint32_t* links = slot_links.get();
    for (std::uint32_t i = 0; i < size; ++i)
        links[next_slot[bytes[i]]++] = i << 8 | bytes[i];

    position = block.orig_ptr;
    left = size;
    tried_parallel = false;
    ahead_next = ahead_end = 0;
    repeat = 0;
    run = 0;
    block_crc = 0xffffffffu;
    return true;
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

bool ends_bzip2_stream(std::span<const std::uint8_t, bzip2_stream_end_bytes> tail) {
    unsigned __int128 bits = 0;
    for (std::uint8_t b : tail)
        bits = (bits << 8) | b;
    constexpr std::uint64_t mask = (std::uint64_t{1} << 48) - 1;
    for (int padding = 0; padding < 8; ++padding) {
        if ((static_cast<std::uint64_t>(bits >> (32 + padding)) & mask) == stream_end_magic)
            return true;
    }
    return false;
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
