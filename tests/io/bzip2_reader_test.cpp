// Bzip2Reader against libbz2's own streams (written through libarchive): every shape of data
// libbz2's encoder produces comes back byte for byte however the input is chunked and the
// output asked for, and every damaged or truncated stream is an error, never other bytes.
#include "io/bzip2_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tests/support/package_builder.hpp"

using namespace chanmirror;

namespace {

struct Chunking {
    std::size_t pull = std::size_t{1} << 20;   // bytes handed to the reader per pull
    std::size_t read = std::size_t{64} << 10;  // bytes asked for per read
};

// Every block past its first byte followed along many chains at once, however small.
constexpr io::Bzip2Reader::Tuning parallel_at_once{1, 1};

// Decodes `stream` to the end, or returns the first error's message prefixed by "error: ".
std::string decode(const std::string& stream, Chunking chunking = {},
                   io::Bzip2Reader::Tuning tuning = {}) {
    std::size_t offset = 0;
    io::Bzip2Reader reader(
        [&]() -> core::Result<std::span<const std::uint8_t>> {
            auto n = std::min(chunking.pull, stream.size() - offset);
            std::span<const std::uint8_t> chunk(
                reinterpret_cast<const std::uint8_t*>(stream.data()) + offset, n);
            offset += n;
            return chunk;
        },
        tuning);
    std::string out;
    std::vector<std::uint8_t> buffer(chunking.read);
    for (;;) {
        auto n = reader.read(buffer);
        if (!n)
            return "error: " + n.error().message;
        if (*n == 0)
            return out;
        out.append(reinterpret_cast<const char*>(buffer.data()), *n);
    }
}

std::string noise(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(size, '\0');
    for (auto& c : out)
        c = static_cast<char>(rng());
    return out;
}

std::string words(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const std::vector<std::string> vocabulary = {
        "conda ", "forge ", "numpy ", "\n", "1.26.4 ", "py312h", "_0 ", "linux-64 ", "{\"a\":"};
    std::string out;
    while (out.size() < size)
        out += vocabulary[rng() % vocabulary.size()];
    out.resize(size);
    return out;
}

// Runs of every length around bzip2's first run-length coding (4 equal bytes, then a count
// of up to 251 more), each followed by a different byte.
std::string runs() {
    std::string out;
    for (int length = 1; length < 300; ++length)
        out += std::string(static_cast<std::size_t>(length), static_cast<char>('a' + length % 7)) +
               "|";
    out += std::string(100000, 'z');
    return out;
}

std::string every_byte_value() {
    std::string out;
    for (int round = 0; round < 40; ++round) {
        for (int b = 0; b < 256; ++b)
            out += static_cast<char>((b * 97 + round) % 256);
    }
    return out;
}

std::string repeated(const std::string& phrase, std::size_t size) {
    std::string out;
    while (out.size() < size)
        out += phrase;
    return out;
}

struct Case {
    const char* name;
    std::string data;
    int level;
};

std::vector<Case> cases() {
    return {
        {"empty", "", 9},
        {"one byte", "x", 9},
        {"four equal bytes at the end", "abcdzzzz", 9},
        {"runs", runs(), 9},
        {"every byte value", every_byte_value(), 9},
        {"noise (large move-to-front indexes)", noise(300000, 1), 9},
        {"text over several 100 kB blocks", words(450000, 2), 1},
        {"noise and text over several blocks", noise(150000, 3) + words(150000, 4), 1},
        // Past 64 KiB of a block the rest is followed along many chains (default tuning).
        {"text in one 700 kB block", words(700000, 11), 9},
        // A text that repeats makes the links several cycles, not one chain.
        {"one phrase repeated", repeated("numpy-1.26.4-py312h_0 ", 600000), 9},
    };
}

TEST(Bzip2Reader, DecodesLibbz2StreamsByteForByteHoweverChunked) {
    const std::vector<Chunking> chunkings = {{}, {1, 1}, {7, 4093}, {65536, 1}, {3, 1 << 20}};
    const std::vector<io::Bzip2Reader::Tuning> tunings = {{}, parallel_at_once, {5000, 100}};
    for (const auto& c : cases()) {
        auto stream = test::bzip2_compress(c.data, c.level);
        for (const auto& chunking : chunkings) {
            if (c.data.size() > 100000 && (chunking.pull == 1 || chunking.read == 1))
                continue;  // byte-at-a-time over large inputs only slows the test down
            for (const auto& tuning : tunings) {
                auto out = decode(stream, chunking, tuning);
                EXPECT_EQ(out.size(), c.data.size()) << c.name << ": " << out.substr(0, 200);
                EXPECT_TRUE(out == c.data)
                    << c.name << " (pull " << chunking.pull << ", read " << chunking.read
                    << ", parallel after " << tuning.parallel_after << ")";
            }
        }
    }
}

TEST(Bzip2Reader, ReadsConcatenatedStreamsAsOneAndIgnoresBytesThatStartNoStream) {
    auto a = words(120000, 5);
    auto b = noise(5000, 6);
    auto joined =
        test::bzip2_compress(a, 1) + test::bzip2_compress("", 9) + test::bzip2_compress(b, 9);
    EXPECT_TRUE(decode(joined) == a + b);
    // libarchive's bzip2 filter ends the data where no further stream starts; so does this.
    EXPECT_TRUE(decode(joined + "trailing bytes, not bzip2") == a + b);
    EXPECT_TRUE(decode(joined + "BZh9 and no block") == a + b);
}

TEST(Bzip2Reader, EveryTruncationIsAnError) {
    auto data = words(3000, 7) + runs().substr(0, 2000);
    auto stream = test::bzip2_compress(data, 9);
    for (std::size_t cut = 0; cut < stream.size(); ++cut) {
        auto out = decode(stream.substr(0, cut), {},
                          cut % 2 ? parallel_at_once : io::Bzip2Reader::Tuning{});
        ASSERT_TRUE(out.starts_with("error: ")) << "cut at " << cut << " of " << stream.size();
        if (cut >= 4) {
            EXPECT_NE(out.find("ends early"), std::string::npos) << cut << ": " << out;
        }
    }
}

TEST(Bzip2Reader, EveryFlippedBitIsAnErrorOrTheSameBytes) {
    // The block and stream CRCs catch what the format's own checks do not; the last byte's
    // padding bits and the block-size digit may change without changing the data.
    auto data = words(1500, 8);
    auto stream = test::bzip2_compress(data, 9);
    int errors = 0;
    for (std::size_t bit = 0; bit < stream.size() * 8; ++bit) {
        auto damaged = stream;
        damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (0x80 >> (bit % 8)));
        auto out = decode(damaged, {}, bit % 2 ? parallel_at_once : io::Bzip2Reader::Tuning{});
        if (out.starts_with("error: ")) {
            ++errors;
        } else {
            ASSERT_TRUE(out == data) << "bit " << bit << " gave other bytes";
        }
    }
    EXPECT_GT(errors, static_cast<int>(stream.size() * 8) - 16);
}

TEST(Bzip2Reader, SaysWhatIsWrong) {
    EXPECT_EQ(decode(""), "error: not bzip2-compressed (no \"BZh\" signature)");
    EXPECT_EQ(decode(std::string(1000, '\0')),
              "error: not bzip2-compressed (no \"BZh\" signature)");

    auto stream = test::bzip2_compress(words(5000, 9), 9);
    auto crc_damaged = stream;
    crc_damaged[10] = static_cast<char>(crc_damaged[10] ^ 1);  // the block's stored CRC
    EXPECT_EQ(decode(crc_damaged), "error: bzip2 block CRC mismatch (data damaged)");

    auto randomised = stream;
    randomised[14] = static_cast<char>(randomised[14] | 0x80);  // the bit after the block CRC
    EXPECT_NE(decode(randomised).find("randomised bzip2 block"), std::string::npos);

    auto magic_damaged = stream;
    magic_damaged[4] = 'X';
    EXPECT_EQ(decode(magic_damaged), "error: bad bzip2 block header (data damaged)");
}

TEST(Bzip2Reader, PassesOnThePullsErrorAsItCame) {
    auto stream = test::bzip2_compress(words(200000, 10), 9);
    int pulls = 0;
    io::Bzip2Reader reader([&]() -> core::Result<std::span<const std::uint8_t>> {
        if (++pulls == 2)
            return core::fail(core::ErrorKind::io, "read pkg.tar.bz2: Input/output error");
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(stream.data()),
                                             1000);
    });
    std::vector<std::uint8_t> buffer(4096);
    auto n = reader.read(buffer);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().kind, core::ErrorKind::io);
    EXPECT_EQ(n.error().message, "read pkg.tar.bz2: Input/output error");
}

}  // namespace
