#include "core/shard_reader.hpp"

#include <gtest/gtest.h>

using namespace chanmirror;
using nlohmann::json;

namespace {

core::RepoData sample() {
    core::RepoData r;
    r.info = {{"subdir", "noarch"}};
    r.packages["foo-1.0-0.tar.bz2"] =
        R"({"depends":["bar"],"md5":"00112233445566778899aabbccddeeff","name":"foo",)"
        R"("sha256":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",)"
        R"("summary":"caf\u00e9","version":"1.0"})";
    r.conda_packages["foo-1.0-0.conda"] = R"({"name":"foo","version":"1.0"})";
    r.removed = {"foo-0.9-0.tar.bz2"};
    return r;
}

TEST(ShardReader, ReadsBackWhatTheWriterWroteWithRunExportsSeparated) {
    core::RunExportsMap exports{{"foo-1.0-0.conda", {{"weak", {"foo >=1"}}}}};
    auto shards = core::build_shards(sample(), exports);
    ASSERT_TRUE(shards);
    core::RepoData back;
    core::RunExportsMap back_exports;
    ASSERT_TRUE(core::read_shard(shards->at("foo"), "foo shard", back, back_exports));
    EXPECT_EQ(back.packages, sample().packages) << "hex digests, sorted keys, ASCII escapes";
    EXPECT_EQ(back.conda_packages, sample().conda_packages);
    EXPECT_EQ(back.removed, sample().removed);
    EXPECT_EQ(back_exports.at("foo-1.0-0.conda"), exports.at("foo-1.0-0.conda"));
    EXPECT_EQ(back_exports.at("foo-1.0-0.tar.bz2"), json::object());
}

TEST(ShardReader, IndexGivesNamesAndHashes) {
    core::Sha256 h{};
    h[31] = 7;
    auto bytes = core::build_shard_index({"linux-64", "", "./shards/", "2026-01-01T00:00:00Z"},
                                         {{"foo", h}});
    auto index = core::parse_shard_index(bytes, "index");
    ASSERT_TRUE(index) << index.error().message;
    EXPECT_EQ(index->shards.at("foo"), h);
    EXPECT_EQ(index->info["shards_base_url"], "./shards/");
}

TEST(ShardReader, BadDocumentsAreNamed) {
    auto not_msgpack = core::parse_shard_index("\xc1garbage", "https://x/linux-64/idx");
    ASSERT_FALSE(not_msgpack);
    EXPECT_NE(not_msgpack.error().message.find("https://x/linux-64/idx"), std::string::npos);
    auto short_hash =
        json::to_msgpack(json{{"shards", {{"foo", json::binary(std::vector<std::uint8_t>(31))}}}});
    auto bad = core::parse_shard_index(
        {reinterpret_cast<const char*>(short_hash.data()), short_hash.size()}, "idx");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("foo"), std::string::npos);
    auto bad_record = json::to_msgpack(json{{"packages", {{"a-1-0.tar.bz2", 5}}}});
    core::RepoData into;
    core::RunExportsMap exports;
    EXPECT_FALSE(core::read_shard(
        {reinterpret_cast<const char*>(bad_record.data()), bad_record.size()}, "s", into, exports));
}

// msgpack strings are bytes; one that is not UTF-8 once ended the process when the record was
// written as JSON (found by fuzz/shard_reader_fuzzer).
TEST(ShardReader, TextThatIsNotUtf8IsRefused) {
    json record = {{"name", "a"}, {"version", "1"}, {"license", "caf\xe9"}};
    auto shard = json::to_msgpack(json{{"packages", {{"a-1-0.tar.bz2", record}}}});
    core::RepoData into;
    core::RunExportsMap exports;
    auto read = core::read_shard({reinterpret_cast<const char*>(shard.data()), shard.size()},
                                 "https://x/shards/ab.msgpack.zst", into, exports);
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find("https://x/shards/ab.msgpack.zst"), std::string::npos);
    EXPECT_NE(read.error().message.find("not UTF-8"), std::string::npos);
    EXPECT_TRUE(into.packages.empty());
}

}  // namespace
