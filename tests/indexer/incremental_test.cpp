// Re-indexing reads only what changed, and never serves stale metadata for a replaced file.
#include "indexer/index_channel.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "tests/indexer/indexer_fixture.hpp"
#include "tests/support/package_builder.hpp"

using namespace chanmirror;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

TEST(Incremental, NoChangeRerunReadsNoArchiveAndRewritesNothing) {
    test::TempDir dir;
    test::copy_fixture_subdirs(dir.path(), {"linux-64", "noarch"});
    auto first = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_GT(first.extracted, 0u);
    auto mtime = fs::last_write_time(dir / "linux-64/repodata.json");
    auto shard_index_bytes = test::read_bytes(dir / "linux-64/repodata_shards.msgpack.zst");

    auto second = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(second.extracted, 0u);
    EXPECT_EQ(second.reused, first.extracted);
    EXPECT_EQ(second.bytes_hashed, 0u);
    EXPECT_EQ(fs::last_write_time(dir / "linux-64/repodata.json"), mtime);
    // created_at is kept when nothing else changed, so the index bytes stay identical.
    EXPECT_EQ(test::read_bytes(dir / "linux-64/repodata_shards.msgpack.zst"), shard_index_bytes);
}

TEST(Incremental, FileReplacedUnderTheSameNameIsReRead) {
    test::TempDir dir;
    test::PackageSpec spec;
    spec.payload_bytes = 1000;
    auto path = test::build_conda(dir / "noarch", spec);
    test::index_or_fail(test::options_for(dir.path()));
    auto before =
        test::read_json(dir / "noarch/repodata.json")["packages.conda"]["example-1.0-0.conda"];

    spec.payload_bytes = 2000;  // same name, different bytes (rattler#2608)
    fs::remove(path);
    test::build_conda(dir / "noarch", spec);
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.extracted, 1u);
    auto after =
        test::read_json(dir / "noarch/repodata.json")["packages.conda"]["example-1.0-0.conda"];
    EXPECT_NE(before["sha256"], after["sha256"]);
    EXPECT_EQ(after["size"], fs::file_size(dir / "noarch/example-1.0-0.conda"));
}

TEST(Incremental, DeletedFilesLeaveTheIndex) {
    test::TempDir dir;
    test::PackageSpec a, b;
    b.name = "other";
    test::build_tar_bz2(dir / "noarch", a);
    auto b_path = test::build_tar_bz2(dir / "noarch", b);
    test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(test::read_json(dir / "noarch/repodata.json")["packages"].size(), 2u);
    fs::remove(b_path);
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.extracted, 0u);
    auto packages = test::read_json(dir / "noarch/repodata.json")["packages"];
    EXPECT_EQ(packages.size(), 1u);
    EXPECT_TRUE(packages.contains("example-1.0-0.tar.bz2"));
    auto shards = test::records_from_shards(dir / "noarch");
    EXPECT_FALSE(shards["packages"].contains("other-1.0-0.tar.bz2"));
}

TEST(Incremental, DamagedCacheIsRebuiltNotFatal) {
    test::TempDir dir;
    test::build_conda(dir / "noarch", test::PackageSpec{});
    test::index_or_fail(test::options_for(dir.path()));
    test::write_bytes(dir / "noarch/.cache/chanmirror-index.sqlite", "not a database at all");
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.extracted, 1u);
    EXPECT_EQ(report.indexed, 1u);
}

}  // namespace
