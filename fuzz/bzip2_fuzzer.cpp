// Bzip2Reader held to libbz2, the decoder it replaces: on any bytes it must decode exactly what
// libbz2 decodes (streams joined as libarchive joins them) and fail exactly where libbz2 fails,
// however its input is chunked; and libbz2's own streams of any data come back unchanged.
//   byte 0: bit 0 picks the property (0: the rest is a stream, 1: the rest is data to
//           compress at level 1 + byte0 / 2 % 9); bytes 1 and 2 size the pulls and reads,
//           and an odd byte 2 lowers the tuning so that small blocks are followed along many
//           chains too.
#include <bzlib.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "io/bzip2_reader.hpp"

using chanmirror::fuzz::check;
namespace io = chanmirror::io;
namespace core = chanmirror::core;

namespace {

// libarchive reads on after a stream only where "BZh1".."BZh9" and a block or end-of-stream
// marker follow.
bool starts_stream(std::string_view bytes) {
    return bytes.size() >= 10 && bytes.starts_with("BZh") && bytes[3] >= '1' && bytes[3] <= '9' &&
           (bytes.substr(4, 6) == "\x31\x41\x59\x26\x53\x59" ||
            bytes.substr(4, 6) == "\x17\x72\x45\x38\x50\x90");
}

std::optional<std::string> libbz2_decode(std::string_view in) {
    std::string out;
    std::vector<char> buffer(std::size_t{1} << 16);
    for (bool first = true;; first = false) {
        if (!first && !starts_stream(in))
            return out;
        bz_stream stream{};
        if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK)
            std::abort();
        stream.next_in = const_cast<char*>(in.data());
        stream.avail_in = static_cast<unsigned>(in.size());
        int rc = BZ_OK;
        do {
            stream.next_out = buffer.data();
            stream.avail_out = static_cast<unsigned>(buffer.size());
            rc = BZ2_bzDecompress(&stream);
            out.append(buffer.data(), buffer.size() - stream.avail_out);
        } while (rc == BZ_OK && (stream.avail_in > 0 || stream.avail_out == 0));
        in.remove_prefix(in.size() - stream.avail_in);
        BZ2_bzDecompressEnd(&stream);
        if (rc != BZ_STREAM_END)
            return std::nullopt;
    }
}

struct Decoded {
    std::string bytes;
    std::optional<core::Error> error;
};

Decoded our_decode(std::string_view in, std::size_t pull_size, std::size_t read_size,
                   io::Bzip2Reader::Tuning tuning) {
    std::size_t offset = 0;
    io::Bzip2Reader reader(
        [&]() -> core::Result<std::span<const std::uint8_t>> {
            auto n = std::min(pull_size, in.size() - offset);
            std::span<const std::uint8_t> chunk(
                reinterpret_cast<const std::uint8_t*>(in.data()) + offset, n);
            offset += n;
            return chunk;
        },
        tuning);
    Decoded out;
    std::vector<std::uint8_t> buffer(read_size);
    for (;;) {
        auto n = reader.read(buffer);
        if (!n) {
            out.error = n.error();
            return out;
        }
        if (*n == 0)
            return out;
        out.bytes.append(reinterpret_cast<const char*>(buffer.data()), *n);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3)
        return 0;
    std::size_t pull_size = 1 + data[1] % 64 * (data[1] >= 128 ? 97 : 1);
    std::size_t read_size = 1 + data[2] * std::size_t{61};
    io::Bzip2Reader::Tuning tuning;
    if (data[2] % 2)
        tuning = {1u + data[2] / 2u % 64u, 1u + data[1] % 64u};
    std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);

    if ((data[0] & 1) == 0) {
        auto ours = our_decode(rest, pull_size, read_size, tuning);
        if (ours.error && ours.error->message.find("randomised") != std::string::npos)
            return 0;  // refused on purpose; libbz2 still decodes bzip2 0.9.0's blocks
        auto theirs = libbz2_decode(rest);
        check(ours.error.has_value() == !theirs.has_value(),
              "Bzip2Reader fails exactly where libbz2 fails");
        check(!theirs || ours.bytes == *theirs, "Bzip2Reader decodes what libbz2 decodes");
        return 0;
    }

    int level = 1 + data[0] / 2 % 9;
    std::vector<char> stream(rest.size() + rest.size() / 100 + 600);
    auto stream_size = static_cast<unsigned>(stream.size());
    if (BZ2_bzBuffToBuffCompress(stream.data(), &stream_size, const_cast<char*>(rest.data()),
                                 static_cast<unsigned>(rest.size()), level, 0, 0) != BZ_OK)
        std::abort();
    auto ours =
        our_decode(std::string_view(stream.data(), stream_size), pull_size, read_size, tuning);
    check(!ours.error, "a libbz2 stream decodes");
    check(ours.bytes == rest, "a libbz2 stream decodes to its data");
    return 0;
}
