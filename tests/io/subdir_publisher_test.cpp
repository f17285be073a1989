#include "io/subdir_publisher.hpp"

#include <gtest/gtest.h>

#include "io/atomic_file.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

namespace fs = std::filesystem;

TEST(SubdirPublisher, ShardsAreNamedOnlyWithTheirBytesAndStaleBatchTempsGo) {
    test::TempDir dir;
    auto shards = dir / "shards";
    // Left by a run killed before its shard batch was committed: one old, one recent.
    auto old_temp = shards / ".aa.msgpack.zst.chanmirror-tmp-1-0-1";
    auto recent_temp = shards / ".bb.msgpack.zst.chanmirror-tmp-1-1-2";
    test::write_bytes(old_temp, "partial");
    test::write_bytes(recent_temp, "partial");
    fs::last_write_time(old_temp, fs::file_time_type::clock::now() - std::chrono::hours(48));

    core::RepoData repodata;
    repodata.info = {{"subdir", "noarch"}};
    repodata.packages["a-1-0.tar.bz2"] =
        R"({"build":"0","build_number":0,"depends":[],"name":"a","size":1,"version":"1"})";
    repodata.conda_packages["b-1-0.conda"] =
        R"({"build":"0","build_number":0,"depends":[],"name":"b","size":1,"version":"1"})";
    io::PublishOptions options;
    options.created_at = "2026-01-01T00:00:00Z";
    auto stats = io::publish_subdir(dir.path(), {"noarch", &repodata, nullptr, nullptr}, options);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->shards_written, 2);

    EXPECT_FALSE(fs::exists(old_temp));
    EXPECT_TRUE(fs::exists(recent_temp));  // may belong to a publish still running
    int named = 0;
    for (const auto& entry : fs::directory_iterator(shards)) {
        auto name = entry.path().filename().string();
        if (io::is_temp_name(name))
            continue;
        ++named;
        EXPECT_TRUE(name.ends_with(".msgpack.zst")) << name;
        EXPECT_GT(fs::file_size(entry.path()), 0u) << name;
    }
    EXPECT_EQ(named, 2);
    EXPECT_TRUE(fs::exists(dir / "repodata_shards.msgpack.zst"));
}

}  // namespace
