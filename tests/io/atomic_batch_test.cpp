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

// The publisher relies on the order: the shard index, then each .zst before its json. When
// a rename fails, the names before it are published, the one after it is not, and no temp
// file is left.
TEST(AtomicBatch, RenamesInTheOrderAddedAndStopsAtAFailure) {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "repodata.json.zst" / "occupied");
    io::AtomicBatch batch;
    ASSERT_TRUE(batch.add(dir / "repodata_shards.msgpack.zst", "index"));
    ASSERT_TRUE(batch.add(dir / "repodata.json.zst", "zst"));  // a non-empty directory there
    ASSERT_TRUE(batch.add(dir / "repodata.json", "json"));
    auto committed = batch.commit();
    ASSERT_FALSE(committed);
    EXPECT_NE(committed.error().message.find("repodata.json.zst"), std::string::npos)
        << committed.error().message;
    EXPECT_EQ(names_in(dir.path()),
              (std::vector<std::string>{"repodata.json.zst", "repodata_shards.msgpack.zst"}));
    EXPECT_EQ(test::read_bytes(dir / "repodata_shards.msgpack.zst"), "index");
}

TEST(AtomicBatch, AddIfChangedLeavesEqualFilesAlone) {
    test::TempDir dir;
    test::write_bytes(dir / "repodata.json", "same");
    auto before = std::filesystem::last_write_time(dir / "repodata.json");
    io::AtomicBatch batch;
    auto same = batch.add_if_changed(dir / "repodata.json", "same");
    auto changed = batch.add_if_changed(dir / "run_exports.json", "new");
    ASSERT_TRUE(same && changed);
    EXPECT_EQ(*same, io::WriteOutcome::unchanged);
    EXPECT_EQ(*changed, io::WriteOutcome::written);
    EXPECT_EQ(batch.size(), 1u);
    ASSERT_TRUE(batch.commit());
    EXPECT_EQ(std::filesystem::last_write_time(dir / "repodata.json"), before);
    EXPECT_EQ(test::read_bytes(dir / "run_exports.json"), "new");
}

TEST(AtomicBatch, EmptyCommitIsANoOp) {
    io::AtomicBatch batch;
    EXPECT_TRUE(batch.commit());
}

}  // namespace
