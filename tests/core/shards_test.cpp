#include "core/shards.hpp"

#include <gtest/gtest.h>

using namespace chanmirror;
using nlohmann::json;

namespace {

core::RepoData sample() {
    core::RepoData r;
    r.info = {{"subdir", "noarch"}};
    r.packages["foo-1.0-0.tar.bz2"] =
        R"({"name":"foo","version":"1.0","md5":"00112233445566778899aabbccddeeff","sha256":"zz-not-hex"})";
    r.conda_packages["foo-1.0-0.conda"] = R"({"name":"foo","version":"1.0"})";
    r.conda_packages["bar-2-0.conda"] = R"({"name":"bar","version":"2"})";
    r.removed = {"foo-0.9-0.tar.bz2", "gone-1-0.conda"};
    return r;
}

TEST(Shards, OneShardPerNameWithBinaryDigestsAndRunExports) {
    core::RunExportsMap exports{{"foo-1.0-0.conda", {{"weak", {"foo >=1"}}}}};
    auto shards = core::build_shards(sample(), exports);
    ASSERT_TRUE(shards);
    ASSERT_EQ(shards->size(), 2u);
    json foo = json::from_msgpack(shards->at("foo"));
    EXPECT_TRUE(foo["packages"]["foo-1.0-0.tar.bz2"]["md5"].is_binary());
    EXPECT_EQ(foo["packages"]["foo-1.0-0.tar.bz2"]["md5"].get_binary().size(), 16u);
    EXPECT_EQ(foo["packages"]["foo-1.0-0.tar.bz2"]["sha256"], "zz-not-hex");
    EXPECT_EQ(foo["packages"]["foo-1.0-0.tar.bz2"]["run_exports"], json::object());
    EXPECT_EQ(foo["packages.conda"]["foo-1.0-0.conda"]["run_exports"]["weak"][0], "foo >=1");
    EXPECT_EQ(foo["removed"], json({"foo-0.9-0.tar.bz2"}));
    EXPECT_FALSE(json::from_msgpack(shards->at("bar")).contains("removed"));
}

TEST(Shards, BytesAreDeterministic) {
    auto a = core::build_shards(sample(), {});
    auto b = core::build_shards(sample(), {});
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b);
}

TEST(Shards, IndexCarriesVersionInfoAndRawHashes) {
    core::Sha256 h{};
    h[0] = 0xab;
    auto bytes = core::build_shard_index({"linux-64", "", "./shards/", "2026-01-01T00:00:00Z"},
                                         {{"foo", h}});
    json index = json::from_msgpack(bytes);
    EXPECT_EQ(index["version"], 1);
    EXPECT_EQ(index["info"]["shards_base_url"], "./shards/");
    EXPECT_EQ(index["info"]["subdir"], "linux-64");
    EXPECT_EQ(index["shards"]["foo"].get_binary()[0], 0xab);
}

TEST(Shards, PackageNameFromFilename) {
    EXPECT_EQ(core::package_name_from_filename("python-dateutil-2.8.2-pyhd8ed1ab_0.tar.bz2"),
              "python-dateutil");
    EXPECT_EQ(core::package_name_from_filename("_r-mutex-1.0.1-anacondar_1.conda"), "_r-mutex");
}

TEST(Shards, RecordWithoutNameIsAnError) {
    core::RepoData r;
    r.packages["x-1-0.tar.bz2"] = R"({"version":"1"})";
    auto shards = core::build_shards(r, {});
    ASSERT_FALSE(shards);
    EXPECT_NE(shards.error().message.find("x-1-0.tar.bz2"), std::string::npos);
}

}  // namespace
