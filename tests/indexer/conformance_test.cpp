// The indexer against conda-index 0.12's own output for the same real packages.
#include "indexer/index_channel.hpp"

#include <gtest/gtest.h>

#include <map>

#include "io/zstd.hpp"
#include "tests/indexer/indexer_fixture.hpp"

using namespace chanmirror;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Conformance : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        test::copy_fixture_subdirs(dir_->path(), test::conda_index_subdirs());
        report_ = test::index_or_fail(test::options_for(dir_->path()));
    }
    static void TearDownTestSuite() { delete dir_; }
    static fs::path ours(const std::string& rel) { return dir_->path() / rel; }
    static fs::path expected(const std::string& rel) {
        return test::fixtures_dir() / "expected/conda-index" / rel;
    }
    static test::TempDir* dir_;
    static indexer::IndexReport report_;
};
test::TempDir* Conformance::dir_ = nullptr;
indexer::IndexReport Conformance::report_;

TEST_F(Conformance, EveryFixturePackageIsIndexed) {
    EXPECT_TRUE(report_.skipped.empty());
    EXPECT_EQ(report_.indexed, 151u);
    EXPECT_TRUE(report_.written);
}

TEST_F(Conformance, RepodataIsByteIdenticalToCondaIndex) {
    for (const auto& s : test::conda_index_subdirs()) {
        EXPECT_EQ(test::read_bytes(ours(s + "/repodata.json")),
                  test::read_bytes(expected(s + "/repodata.json")))
            << s;
        EXPECT_EQ(test::read_bytes(ours(s + "/repodata_from_packages.json")),
                  test::read_bytes(expected(s + "/repodata_from_packages.json")))
            << s;
    }
}

// A channel larger than the page cache is hashed and read a batch at a time; many small
// batches must give the very same index as one.
TEST_F(Conformance, SmallBatchesGiveTheSameIndex) {
    test::TempDir dir;
    test::copy_fixture_subdirs(dir.path(), test::conda_index_subdirs());
    auto options = test::options_for(dir.path());
    options.batch_bytes = 256u << 10;  // dozens of batches, some of a single large file
    auto report = test::index_or_fail(options);
    EXPECT_EQ(report.indexed, report_.indexed);
    EXPECT_EQ(report.bytes_hashed, report_.bytes_hashed);
    for (const auto& s : test::conda_index_subdirs()) {
        EXPECT_EQ(test::read_bytes(dir / (s + "/repodata.json")),
                  test::read_bytes(ours(s + "/repodata.json")))
            << s;
    }
    EXPECT_EQ(test::read_bytes(dir / "channeldata.json"),
              test::read_bytes(ours("channeldata.json")));
}

TEST_F(Conformance, ZstDecodesToRepodataAndCarriesContentSize) {
    for (const auto& s : test::conda_index_subdirs()) {
        auto zst = test::read_bytes(ours(s + "/repodata.json.zst"));
        auto json_bytes = test::read_bytes(ours(s + "/repodata.json"));
        auto decoded = io::zstd_decompress(zst, s);
        ASSERT_TRUE(decoded) << decoded.error().message;
        EXPECT_EQ(*decoded, json_bytes) << s;
        // Frame header: magic, then the descriptor's content-size flag must be set.
        ASSERT_GT(zst.size(), 5u);
        EXPECT_NE(static_cast<unsigned char>(zst[4]) & 0xC0, 0) << s << ": no content size";
    }
}

TEST_F(Conformance, RunExportsMatchCondaIndex) {
    for (const auto& s : test::conda_index_subdirs()) {
        EXPECT_EQ(test::read_json(ours(s + "/run_exports.json")),
                  test::read_json(expected(s + "/run_exports.json")))
            << s;
    }
}

// Timestamps are CEP 38's "newest build"; conda-index keeps whichever group it visits last,
// which for .tar.bz2-only packages follows Python's randomised set order, so that one field
// is checked against the standard instead.
TEST_F(Conformance, ChanneldataMatchesCondaIndex) {
    json ours_doc = test::read_json(ours("channeldata.json"));
    json ref = test::read_json(expected("channeldata.json"));
    EXPECT_EQ(ours_doc["subdirs"], ref["subdirs"]);
    EXPECT_EQ(ours_doc["channeldata_version"], 1);
    ASSERT_EQ(ours_doc["packages"].size(), ref["packages"].size());
    std::map<std::string, std::int64_t> newest;
    for (const auto& s : test::conda_index_subdirs()) {
        json repodata = test::read_json(ours(s + "/repodata.json"));
        for (const char* section : {"packages", "packages.conda"}) {
            for (auto& [fn, r] : repodata[section].items()) {
                std::int64_t t = r.value("timestamp", std::int64_t{0});
                if (t > 253402300799)
                    t /= 1000;
                auto& n = newest[r["name"].get<std::string>()];
                n = std::max(n, t);
            }
        }
    }
    for (auto& [name, entry] : ref["packages"].items()) {
        json mine = ours_doc["packages"][name];
        EXPECT_EQ(mine["timestamp"], newest[name]) << name;
        mine.erase("timestamp");
        entry.erase("timestamp");
        EXPECT_EQ(mine, entry) << name;
    }
}

TEST_F(Conformance, ShardsDecodeToExactlyTheRepodataRecords) {
    for (const auto& s : test::conda_index_subdirs()) {
        json repodata = test::read_json(ours(s + "/repodata.json"));
        json from_shards = test::records_from_shards(ours(s));
        for (const char* section : {"packages", "packages.conda"}) {
            json records = from_shards[section];
            for (auto& [fn, record] : records.items()) {
                EXPECT_TRUE(record.contains("run_exports")) << fn;
                record.erase("run_exports");
            }
            EXPECT_EQ(records, repodata[section]) << s << " " << section;
        }
    }
}

TEST_F(Conformance, ShardIndexFollowsCep16) {
    json index = test::read_msgpack_zst(ours("linux-64/repodata_shards.msgpack.zst"));
    EXPECT_EQ(index["version"], 1);
    EXPECT_EQ(index["info"]["subdir"], "linux-64");
    EXPECT_EQ(index["info"]["base_url"], "");
    EXPECT_EQ(index["info"]["shards_base_url"], "./shards/");
    EXPECT_EQ(index["info"]["created_at"].get<std::string>().size(), 20u);
    for (auto& [name, hash] : index["shards"].items()) {
        ASSERT_TRUE(hash.is_binary()) << name;
        EXPECT_EQ(hash.get_binary().size(), 32u) << name;
    }
}

TEST_F(Conformance, ShardRunExportsComeFromThePackage) {
    json shards = test::records_from_shards(ours("osx-64"));
    json record = shards["packages.conda"]["zlib-1.2.11-h1de35cc_3.conda"];
    EXPECT_EQ(record["run_exports"], json::parse(R"({"weak":["zlib >=1.2.11,<1.3.0a0"]})"));
}

TEST(ConformanceAllSubdirs, UnknownButWellFormedSubdirsAreIndexedToo) {
    test::TempDir dir;
    test::copy_fixture_subdirs(dir.path(), {"emscripten-32", "linux-ppc", "linux-fake"});
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_TRUE(report.skipped.empty());
    for (const char* s : {"emscripten-32", "linux-ppc", "linux-fake", "noarch"}) {
        json repodata = test::read_json(dir / (std::string(s) + "/repodata.json"));
        EXPECT_EQ(repodata["info"]["subdir"], s);
    }
    EXPECT_FALSE(test::read_json(dir / "emscripten-32/repodata.json")["packages"].empty());
    EXPECT_TRUE(test::read_json(dir / "noarch/repodata.json")["packages"].empty());
}

}  // namespace

namespace {

TEST(SubdirDiscovery, FoldersWithoutPackagesAreLeftAloneButEmptiedOnesAreCleared) {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "docs-site");  // subdir-shaped, but no packages
    std::filesystem::create_directories(dir / "not_a_subdir");
    test::copy_fixture_subdirs(dir.path(), {"linux-32"});
    test::index_or_fail(test::options_for(dir.path()));
    EXPECT_FALSE(std::filesystem::exists(dir / "docs-site/repodata.json"));
    EXPECT_FALSE(std::filesystem::exists(dir / "not_a_subdir/repodata.json"));
    EXPECT_TRUE(std::filesystem::exists(dir / "noarch/repodata.json"));
    for (const auto& e : std::filesystem::directory_iterator(dir / "linux-32")) {
        if (e.path().extension() == ".bz2" || e.path().extension() == ".conda")
            std::filesystem::remove(e.path());
    }
    test::index_or_fail(test::options_for(dir.path()));
    auto repodata = test::read_json(dir / "linux-32/repodata.json");
    EXPECT_TRUE(repodata["packages"].empty());
    EXPECT_TRUE(repodata["packages.conda"].empty());
}

}  // namespace
