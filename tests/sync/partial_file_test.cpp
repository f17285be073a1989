#include "sync/partial_file.hpp"

#include <gtest/gtest.h>

#include "io/hashing.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

std::string sha256_hex(const std::string& bytes) {
    return io::to_hex(
        io::sha256_of({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()}));
}

// Bytes that span several buffers, in pieces of odd sizes (libcurl hands over 16 KiB pieces
// at arbitrary offsets).
std::string pattern(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 7919) >> 3);
    return bytes;
}

void append_in_pieces(PartialFile& file, const std::string& bytes, std::size_t piece) {
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        ASSERT_TRUE(file.append(std::string_view(bytes).substr(at, piece)));
}

struct Finished {
    std::string bytes;  // the file's, once closed
    io::Digests digests;
};

Finished finish(PartialFile& file, const std::filesystem::path& path) {
    auto done = file.finish();
    if (!done) {
        ADD_FAILURE() << done.error().message;
        return {};
    }
    done->first = {};  // closed
    return {test::read_bytes(path), done->second};
}

// Opens a.partial where an earlier attempt left `leftover`; returns the bytes kept.
std::uint64_t open_after(PartialFile& file, const test::TempDir& dir, const std::string& leftover,
                         std::uint64_t keep_at_most, io::DigestSet digests) {
    test::write_bytes(dir / "a.partial", leftover);
    auto kept = file.open(dir / "a.partial", keep_at_most, digests);
    if (!kept) {
        ADD_FAILURE() << kept.error().message;
        return 0;
    }
    return *kept;
}

TEST(PartialFile, WritesEveryByteAndHashesThemAsTheyPass) {
    test::TempDir dir;
    auto bytes = pattern(1'000'003);
    PartialFile file;
    auto kept = file.open(dir / "a.partial", bytes.size(), io::DigestSet::sha256_only);
    ASSERT_TRUE(kept);
    EXPECT_EQ(*kept, 0u);
    append_in_pieces(file, bytes, 16'381);
    EXPECT_EQ(file.size(), bytes.size());
    auto done = finish(file, dir / "a.partial");
    EXPECT_EQ(done.bytes, bytes);
    EXPECT_EQ(done.digests.sha256_hex(), sha256_hex(bytes));
    EXPECT_EQ(done.digests.size, bytes.size());
}

TEST(PartialFile, FlushKeepsWhatArrivedAndAResumeHashesIt) {
    test::TempDir dir;
    auto bytes = pattern(700'001);
    {
        PartialFile first;
        ASSERT_TRUE(first.open(dir / "a.partial", bytes.size(), io::DigestSet::sha256_only));
        append_in_pieces(first, bytes.substr(0, 300'007), 16'384);
        ASSERT_TRUE(first.flush());
        first.abandon();
    }
    PartialFile second;
    auto kept = second.open(dir / "a.partial", bytes.size() - 1, io::DigestSet::sha256_only);
    ASSERT_TRUE(kept);
    EXPECT_EQ(*kept, 300'007u) << "a resume asks for the bytes after what is on disk";
    append_in_pieces(second, bytes.substr(300'007), 9'999);
    auto done = finish(second, dir / "a.partial");
    EXPECT_EQ(done.bytes, bytes);
    EXPECT_EQ(done.digests.sha256_hex(), sha256_hex(bytes)) << "the kept prefix is hashed too";
}

TEST(PartialFile, AbandonDropsWhatWasNotFlushed) {
    test::TempDir dir;
    PartialFile file;
    ASSERT_TRUE(file.open(dir / "a.partial", 100, io::DigestSet::sha256_only));
    ASSERT_TRUE(file.append("abc"));
    file.abandon();
    EXPECT_EQ(test::read_bytes(dir / "a.partial"), "");
}

TEST(PartialFile, ALeftoverLongerThanWantedStartsOver) {
    test::TempDir dir;
    PartialFile file;
    EXPECT_EQ(open_after(file, dir, "0123456789", 9, io::DigestSet::md5_only), 0u);
    ASSERT_TRUE(file.append("xyz"));
    auto done = finish(file, dir / "a.partial");
    EXPECT_EQ(done.bytes, "xyz");
    EXPECT_EQ(done.digests.md5_hex(), "d16fb36f0911f878998c136191af705e");
    EXPECT_EQ(done.digests.sha256_hex(), "");
}

TEST(PartialFile, RestartDropsEveryByteAndItsDigest) {
    test::TempDir dir;
    PartialFile file;
    EXPECT_EQ(open_after(file, dir, "stale", 100, io::DigestSet::sha256_only), 5u);
    ASSERT_TRUE(file.append("more"));
    ASSERT_TRUE(file.restart());
    EXPECT_EQ(file.size(), 0u);
    ASSERT_TRUE(file.append("fresh"));
    auto done = finish(file, dir / "a.partial");
    EXPECT_EQ(done.bytes, "fresh");
    EXPECT_EQ(done.digests.sha256_hex(), sha256_hex("fresh"));
}

}  // namespace
}  // namespace chanmirror::sync
