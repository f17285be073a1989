#pragma once
// A bzip2 decoder that pulls its input a chunk at a time and yields bytes as they are asked for.
//
// Why not libbz2: indexing a .tar.bz2 needs only the start of its first block, but no byte of a
// block exists before the whole block is decoded, and libbz2 reads every Huffman code one bit
// at a time: libbz2 was 72 % of a cold index's CPU. This decoder reads codes through a lookup
// table, follows a block's links along many chains at once once a block is wanted past its
// head, and otherwise follows libbz2 1.0.8 step for step, with the same checks (block and
// stream CRCs for every block decoded to its end, run and table bounds). fuzz/bzip2_fuzzer
// holds it to libbz2's output on arbitrary and on well-formed input.
//
// Concatenated streams are read as one, and bytes after the last stream that do not start
// another end the data, as libarchive's bzip2 filter does. Randomised blocks (written only by
// bzip2 0.9.0, 1998) are refused.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/error.hpp"

namespace chanmirror::io {

// When the rest of a block is followed along many chains at once instead of one: once
// `parallel_after` bytes of it were followed one by one and `parallel_min_left` are left.
// Tests and fuzzing lower these so that small blocks take that path too.
struct Bzip2Tuning {
    std::uint32_t parallel_after = 64 * 1024;
    std::uint32_t parallel_min_left = 128 * 1024;
};

// The bytes at the end of a file that hold a bzip2 stream's end: the 48-bit end-of-stream
// marker, the 32-bit stream CRC, and up to 7 bits of padding.
inline constexpr std::size_t bzip2_stream_end_bytes = 11;

// True when `tail`, a file's last bzip2_stream_end_bytes, ends a bzip2 stream (the marker at
// any of the 8 bit offsets padding allows). A truncated file almost surely does not.
bool ends_bzip2_stream(std::span<const std::uint8_t, bzip2_stream_end_bytes> tail);

class Bzip2Reader {
  public:
    // The next chunk of compressed input, or an empty span at its end. The chunk must stay
    // valid until the next call.
    using Pull = std::function<core::Result<std::span<const std::uint8_t>>()>;

    using Tuning = Bzip2Tuning;

    explicit Bzip2Reader(Pull pull, Tuning tuning = {});
    ~Bzip2Reader();
    Bzip2Reader(const Bzip2Reader&) = delete;
    Bzip2Reader& operator=(const Bzip2Reader&) = delete;

    // Decodes up to out.size() bytes; 0 once the data has ended. Errors say what is wrong
    // with the data (the caller names the file); a pull's error is passed on as it came.
    core::Result<std::size_t> read(std::span<std::uint8_t> out);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace chanmirror::io
