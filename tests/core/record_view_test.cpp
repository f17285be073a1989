#include "core/record_view.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/repodata.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using chanmirror::core::RecordIndex;
using chanmirror::core::RepoData;
using chanmirror::core::SpecCache;
using chanmirror::core::Version;

TEST(RecordIndex, ReadsTheFieldsMatchSpecTestsFromARealRecord) {
    const auto path =
        chanmirror::test::fixtures_dir() / "repodata/conda-subchannel-demo/linux-64/repodata.json";
    auto repodata = chanmirror::core::parse_repodata(chanmirror::test::read_bytes(path), "fixture");
    ASSERT_TRUE(repodata) << repodata.error().message;
    RecordIndex index = RecordIndex::build(*repodata, "conda-forge", "linux-64");
    EXPECT_EQ(index.size(), 2709u);
    EXPECT_EQ(index.names().size(), 63u);
    EXPECT_EQ(index.named("python").size(), 50u);
    EXPECT_EQ(index.named("setuptools").size(), 813u);
    EXPECT_TRUE(index.named("numpy").empty());
    index.load_all();
    EXPECT_TRUE(index.problems().empty());

    const auto& ids = index.named("python");
    const auto it = std::find_if(ids.begin(), ids.end(), [&](std::uint32_t id) {
        return index.record(id).filename == "python-3.9.18-h0755675_1_cpython.conda";
    });
    ASSERT_NE(it, ids.end());
    const auto& r = index.record(*it);
    EXPECT_EQ(r.name, "python");
    EXPECT_EQ(r.version, *Version::parse("3.9.18"));
    EXPECT_EQ(r.build, "h0755675_1_cpython");
    EXPECT_EQ(r.build_number, 1);
    EXPECT_EQ(r.subdir, "linux-64");
    EXPECT_EQ(r.license, "Python-2.0");
    EXPECT_EQ(r.md5.size(), 32u);
    EXPECT_EQ(r.sha256.size(), 64u);
    const auto deps = index.depends(*it);
    ASSERT_EQ(deps.size(), 16u);
    EXPECT_EQ(deps.front(), "bzip2 >=1.0.8,<2.0a0");
    EXPECT_EQ(deps.back(), "pip");
    const auto f = index.fields(*it);
    EXPECT_EQ(f.channel, "conda-forge");
    EXPECT_EQ(f.fn, "python-3.9.18-h0755675_1_cpython.conda");
    EXPECT_TRUE(chanmirror::core::MatchSpec::parse("python 3.9.18 *_cpython")->matches(f));
}

TEST(RecordIndex, EscapesFeatureListsDefaultsAndUnreadableRecords) {
    RepoData repodata;
    repodata.packages["a-1-0.tar.bz2"] =
        R"({"build":"0","depends":["b \u003e=1"],"license":"A\"B","name":"a",)"
        R"("track_features":["x","y"],"version":"1"})";
    repodata.packages["noname-1-0.tar.bz2"] = R"({"build":"0","version":"1"})";
    repodata.packages["badver-1-0.tar.bz2"] = R"({"build":"0","name":"badver","version":"1 2"})";
    repodata.conda_packages["c-2-1.conda"] =
        R"({"build":"1","build_number":1,"license":null,"name":"c","version":"2"})";
    repodata.packages["b-1-0.tar.bz2"] = R"({"build":"0","name":"other","version":"1"})";
    repodata.packages["odd.tar.bz2"] = R"({"build":"0","name":"odd","version":"1"})";
    RecordIndex index = RecordIndex::build(repodata, "ch", "noarch");
    ASSERT_EQ(index.size(), 6u);
    EXPECT_EQ(index.problems().size(), 0u);     // nothing read yet but the odd file name
    ASSERT_EQ(index.named("odd").size(), 1u);   // grouped by its record's name
    EXPECT_TRUE(index.named("other").empty());  // only its file name counts
    EXPECT_TRUE(index.named("b").empty());      // whose record disagrees: reported
    ASSERT_EQ(index.problems().size(), 1u);
    EXPECT_EQ(index.problems()[0], "b-1-0.tar.bz2: name 'other' differs from the file name");
    ASSERT_EQ(index.named("a").size(), 1u);
    const auto& a = index.record(index.named("a")[0]);
    EXPECT_EQ(a.license, "A\"B");
    EXPECT_EQ(a.track_features, "x y");
    EXPECT_EQ(a.subdir, "noarch");  // absent: the repodata's subdir
    EXPECT_EQ(index.depends(index.named("a")[0])[0], "b >=1");
    const auto& c = index.record(index.named("c")[0]);
    EXPECT_EQ(c.license, "");
    EXPECT_EQ(c.build_number, 1);
    EXPECT_TRUE(index.named("badver").empty());
    EXPECT_TRUE(index.named("noname").empty());
    ASSERT_EQ(index.problems().size(), 3u);
    EXPECT_NE(index.problems()[1].find("badver-1-0.tar.bz2"), std::string::npos);
    EXPECT_EQ(index.problems()[2], "noname-1-0.tar.bz2: no name");
}

TEST(SpecCache, ParsesEachTextOnceAndMarksVirtualAndInvalidSpecs) {
    SpecCache cache;
    const std::string a = "python >=3.8";
    const std::string same = "python >=3.8";
    EXPECT_EQ(cache.intern(a), cache.intern(same));
    EXPECT_EQ(cache.size(), 1u);
    const auto& glibc = cache.entry(cache.intern("__glibc >=2.17"));
    EXPECT_TRUE(glibc.is_virtual);
    const auto& bad = cache.entry(cache.intern("numpy[version="));
    EXPECT_FALSE(bad.spec);
    EXPECT_FALSE(cache.entry(cache.intern(a)).is_virtual);
}

}  // namespace
