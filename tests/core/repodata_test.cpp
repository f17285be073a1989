#include "core/repodata.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

TEST(Repodata, WriterProducesCondaIndexLayout) {
    core::RepoData r;
    r.info = {{"subdir", "noarch"}};
    r.packages["b-1-0.tar.bz2"] = R"({"name":"b"})";
    r.packages["a-1-0.tar.bz2"] = R"({"name":"a"})";
    r.conda_packages["\u00e9-1-0.conda"] = R"({"name":"e"})";
    EXPECT_EQ(
        core::to_json(r),
        R"({"info":{"subdir":"noarch"},"packages":{"a-1-0.tar.bz2":{"name":"a"},"b-1-0.tar.bz2":{"name":"b"}},)"
        R"("packages.conda":{"\u00e9-1-0.conda":{"name":"e"}},"removed":[],"repodata_version":1})");
}

TEST(Repodata, ParserKeepsRecordBytesAndIgnoresUnknownKeys) {
    std::string text =
        R"({"info": {"subdir": "linux-64", "base_url": "https://x/"}, "signatures": {"a": 1},
            "packages": {"a-1-0.tar.bz2": {"name": "a", "depends": ["python >=3.8"], "zz_unknown": 1.5}},
            "packages.conda": {}, "removed": ["old-1-0.tar.bz2"], "repodata_version": 2})";
    auto r = core::parse_repodata(std::move(text), "test");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->info["base_url"], "https://x/");
    EXPECT_EQ(r->repodata_version, 2);
    EXPECT_EQ(r->removed, std::vector<std::string>{"old-1-0.tar.bz2"});
    // Minified, but keys, order and number spelling are upstream's.
    EXPECT_EQ(r->packages.at("a-1-0.tar.bz2"),
              R"({"name":"a","depends":["python >=3.8"],"zz_unknown":1.5})");
}

TEST(Repodata, RealConformanceFixtureRoundTripsByteForByte) {
    auto path = test::fixtures_dir() / "expected/conda-index/noarch/repodata.json";
    auto original = test::read_bytes(path);
    auto r = core::parse_repodata(std::string(original), path.string());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(core::to_json(*r), original);
}

TEST(Repodata, UnsortedAndDuplicateFileNamesReadAsAMapDoes) {
    std::string text =
        R"({"packages": {"b-1-0.tar.bz2": {"v": 1}, "a-1-0.tar.bz2": {"v": 2},)"
        R"( "c-1-0.tar.bz2": {"v": 3}, "a-1-0.tar.bz2": {"v": 4}, "c-1-0.tar.bz2": {"v": 5}}})";
    auto r = core::parse_repodata(std::move(text), "test");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->packages.size(), 3u);
    EXPECT_EQ(r->packages.begin()->first, "a-1-0.tar.bz2");
    EXPECT_EQ(r->packages.at("a-1-0.tar.bz2"), R"({"v":4})");  // the later duplicate wins
    EXPECT_EQ(r->packages.at("b-1-0.tar.bz2"), R"({"v":1})");
    EXPECT_EQ(r->packages.at("c-1-0.tar.bz2"), R"({"v":5})");
}

TEST(Repodata, EmptyFileIsAnEmptyChannel) {
    auto r = core::parse_repodata(std::string("  \n"), "empty");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->size(), 0u);
}

TEST(Repodata, BadJsonNamesTheSource) {
    for (std::string bad : {R"({"packages": {"a": )", R"([1,2])", R"({"packages": [1]})"}) {
        auto r = core::parse_repodata(std::move(bad), "https://mirror/x/repodata.json");
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("https://mirror/x/repodata.json"), std::string::npos);
    }
}

// simdjson On-Demand skips a record's values unread; a record that is not JSON inside would
// have been published as it was, breaking every client (found by fuzz/repodata_fuzzer).
TEST(Repodata, RecordsThatAreNotJsonInsideAreRefusedByName) {
    for (std::string record : {R"({"subdir"(:"x"})", R"({"a":tru})", R"({"a":1 2})", R"({"a" "b"})",
                               R"({"a":01})", R"({"a":[1,]})"}) {
        std::string text = R"({"packages":{"bad-1-0.tar.bz2":)" + record + "}}";
        auto r = core::parse_repodata(std::move(text), "https://mirror/x/repodata.json");
        ASSERT_FALSE(r) << record;
        EXPECT_NE(r.error().message.find("https://mirror/x/repodata.json"), std::string::npos);
        EXPECT_NE(r.error().message.find("bad-1-0.tar.bz2"), std::string::npos) << record;
    }
}

TEST(Repodata, OnlyPlainPackageFileNamesAreSafeToWrite) {
    EXPECT_TRUE(core::is_plain_package_filename("numpy-1.26.4-py312h8753938_0.conda"));
    EXPECT_TRUE(core::is_plain_package_filename("caf\xc3\xa9-1.0-0.tar.bz2"));
    for (const char* name :
         {"../escape-1.0-0.conda", "/etc/cron.d/x-1.0-0.conda", "linux-64/x-1.0-0.tar.bz2",
          "x\\..\\y-1.0-0.conda", ".hidden-1.0-0.conda", "x\x1b[2J-1.0-0.conda", "x-1.0-0.zip"}) {
        EXPECT_FALSE(core::is_plain_package_filename(name)) << name;
    }
}

}  // namespace
