#pragma once
// What a Bzip2Reader keeps between reads. Internal: io/bzip2_reader.cpp decodes streams and
// blocks into it, io/bzip2_links.cpp follows a block's links back to its text.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/bzip2_coding.hpp"

namespace chanmirror::io {
namespace bzip2 {

// What a block's header says, and how many bytes its symbols decoded to.
struct Block {
    std::uint32_t stored_crc = 0;
    std::uint32_t orig_ptr = 0;
    std::uint32_t size = 0;
};

}  // namespace bzip2

struct Bzip2Reader::State {
    enum class Phase { stream_header, block_header, walking, ended };

    State(Pull pull, Tuning tuning) : in(std::move(pull)), tuning(tuning) {}

    bzip2::BitReader in;
    Tuning tuning;
    Phase phase = Phase::stream_header;
    bool first_stream = true;
    std::optional<core::Error> error;
    int block_size_100k = 0;
    std::uint32_t stream_crc = 0;
    // Sized for the stream's blocks and left uninitialised: every byte read was written first.
    std::size_t capacity = 0;
    std::unique_ptr<std::uint8_t[]> block_bytes;  // the block as the BWT left it
    std::unique_ptr<std::uint32_t[]> slot_links;  // per sorted slot: link << 8 | byte
    bzip2::Block block;
    std::array<bzip2::HuffmanTable, bzip2::max_groups> tables;
    std::vector<std::uint8_t> selectors = std::vector<std::uint8_t>(bzip2::max_selectors);

    // The walk through the current block, resumable between reads: `left` bytes still to
    // follow from slot `position`, or the rest already followed into block_bytes (read from
    // ahead_next to ahead_end).
    std::uint32_t position = 0;
    std::uint32_t left = 0;
    bool tried_parallel = false;
    std::uint32_t ahead_next = 0;
    std::uint32_t ahead_end = 0;
    std::size_t pool_capacity = 0;
    std::unique_ptr<std::uint8_t[]> pool;    // the parallel walkers' pieces, in chunks
    std::vector<std::uint32_t> chunk_after;  // per chunk: the same walker's next chunk
    // The run-length decoding: copies of `last` still owed, and how many equal bytes ran.
    std::uint32_t repeat = 0;
    int run = 0;
    std::uint8_t last = 0;
    std::uint32_t block_crc = 0;  // of the block's bytes given out so far

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

}  // namespace chanmirror::io
