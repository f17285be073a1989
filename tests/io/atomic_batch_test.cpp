#include "io/atomic_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(AtomicBatch, NamesAppearOnlyAtCommitWithTheirBytes) {
    test::TempDir dir;
    io::AtomicBatch batch;
    ASSERT_TRUE(batch.add(dir / "a.msgpack.zst", "first"));
    ASSERT_TRUE(batch.add(dir / "b.msgpack.zst", "second"));
    EXPECT_EQ(batch.size(), 2u);
    for (const auto& name : names_in(dir.path()))
        EXPECT_TRUE(io::is_temp_name(name)) << name;  // nothing under its real name yet
    ASSERT_TRUE(batch.commit());
    EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"a.msgpack.zst", "b.msgpack.zst"}));
    EXPECT_EQ(test::read_bytes(dir / "a.msgpack.zst"), "first");
    EXPECT_EQ(test::read_bytes(dir / "b.msgpack.zst"), "second");
}

TEST(AtomicBatch, DroppedWithoutCommitLeavesNothing) {
    test::TempDir dir;
    {
        io::AtomicBatch batch;
        ASSERT_TRUE(batch.add(dir / "a.msgpack.zst", "bytes"));
    }
    EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(AtomicBatch, EmptyCommitIsANoOp) {
    io::AtomicBatch batch;
    EXPECT_TRUE(batch.commit());
}

}  // namespace
