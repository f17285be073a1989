// Following a decoded block's inverse-BWT links back to its text, and undoing the run-length
// coding bzip2 applies before the BWT.
#include <algorithm>
#include <array>
#include <cstring>

#include "io/bzip2_state.hpp"

namespace chanmirror::io {

using namespace bzip2;

namespace {
constexpr int parallel_walkers = 24;  // chains followed at once (follow_in_parallel)
}  // namespace

// Follows the rest of the block along many chains at once. Each link names the next, so one
// walker waits for a cache miss per byte; walkers started at slots spread over the block keep
// that many misses in flight. Each walker stops at the next slot where another starts (or
// where the text starts over), so together they follow every link once, and their pieces, in
// the order they lead into one another, are the rest of the text. Leaves everything as it
// was and returns false where the links are not that one chain (a block whose text repeats).
bool Bzip2Reader::State::follow_in_parallel() {
    constexpr std::uint32_t start_flag = 0x80000000u;  // links need 20 bits, bytes 8
    constexpr std::uint32_t chunk = 4096;
    std::uint32_t* links = slot_links.get();
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
    // Cleared again: a fallback follows these links one by one.
    links[block.orig_ptr] &= ~start_flag;
    for (int w = 0; w < walkers; ++w)
        links[start[static_cast<std::size_t>(w)]] &= ~start_flag;

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
    ahead_next = 0;
    ahead_end = total;
    left = 0;
    return true;
}

// Undoes the BWT and the initial run-length coding (four equal bytes, then a count).
std::size_t Bzip2Reader::State::walk(std::uint8_t* out, std::size_t size) {
    const std::uint32_t* links = slot_links.get();
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
            byte = block_bytes[ahead_next++];
        } else {
            if (left == 0)
                break;
            if (!tried_parallel && block.size - left >= tuning.parallel_after &&
                left >= tuning.parallel_min_left) {
                tried_parallel = true;
                if (follow_in_parallel())
                    continue;
            }
            std::uint32_t link = links[position];
            byte = static_cast<std::uint8_t>(link);
            position = link >> 8;
            --left;
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

}  // namespace chanmirror::io
