// A .tar.bz2 is read only up to its payload; the recipe, which only channeldata.json uses and
// conda-build sorts in among the payload, is read in full just for the builds it reports.
#include <gtest/gtest.h>

#include "indexer/extract.hpp"
#include "tests/indexer/indexer_fixture.hpp"
#include "tests/support/package_builder.hpp"

using namespace chanmirror;
namespace fs = std::filesystem;

namespace {

// Big enough that the payload spans several bzip2 blocks, so stopping saves real work.
test::PackageSpec conda_build_package(const std::string& version, const std::string& build,
                                      std::int64_t timestamp) {
    test::PackageSpec spec;
    spec.version = version;
    spec.build = build;
    spec.payload_bytes = 3u << 20;
    spec.compressible_payload = true;
    spec.index_extra = {{"timestamp", timestamp}};
    spec.info_files["info/about.json"] = R"({"home": "https://example.org"})";
    spec.info_files["info/recipe/meta.yaml"] =
        "package:\n  name: example\nsource:\n  url: https://example.org/" + build + ".tar.gz\n";
    return spec;
}

TEST(TarBz2Head, StopsAtThePayloadAndDefersALaterRecipe) {
    test::TempDir dir;
    auto path = test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", "0", 1));
    auto extracted = indexer::extract_package(path);
    ASSERT_TRUE(extracted) << extracted.error().message;
    EXPECT_TRUE(extracted->recipe_deferred);
    EXPECT_EQ(extracted->bytes_hashed, fs::file_size(path)) << "the whole file is still hashed";
    EXPECT_NE(extracted->record.find("\"name\":\"example\""), std::string::npos);
    EXPECT_EQ(extracted->extras.find("source_url"), std::string::npos);

    auto source = indexer::read_recipe_source(path);
    ASSERT_TRUE(source) << source.error().message;
    EXPECT_EQ((*source)["source_url"], "https://example.org/0.tar.gz");
}

TEST(TarBz2Head, SmallArchivesAreReadToTheEnd) {
    test::TempDir dir;
    auto small = conda_build_package("1.0", "small", 1);
    small.payload_bytes = 1024;
    auto extracted = indexer::extract_package(test::build_tar_bz2(dir / "noarch", small));
    ASSERT_TRUE(extracted) << extracted.error().message;
    EXPECT_FALSE(extracted->recipe_deferred);
    EXPECT_NE(extracted->extras.find("https://example.org/small.tar.gz"), std::string::npos);
}

TEST(TarBz2Head, TruncatedArchiveIsStillSkippedAndNamed) {
    test::TempDir dir;
    auto path = test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", "0", 1));
    fs::resize_file(path, fs::file_size(path) * 6 / 10);
    auto report = test::index_or_fail(test::options_for(dir.path()));
    ASSERT_EQ(report.skipped.size(), 1u);
    EXPECT_EQ(report.skipped[0].path, "noarch/example-1.0-0.tar.bz2");
    EXPECT_FALSE(report.skipped[0].reason.empty());
    EXPECT_EQ(report.indexed, 0u);
}

TEST(TarBz2Head, ChanneldataReadsTheRecipesOfTheNewestBuildsOnly) {
    test::TempDir dir;
    for (auto [build, ts] :
         {std::pair{"h1_0", 100}, std::pair{"h2_0", 300}, std::pair{"h3_0", 200}})
        test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", build, ts));
    test::build_tar_bz2(dir / "noarch", conda_build_package("0.9", "h0_0", 50));
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.indexed, 4u);
    EXPECT_EQ(report.recipes_read, 2u) << "the newest build of 1.0 and of 0.9";
    auto entry = test::read_json(dir / "channeldata.json")["packages"]["example"];
    EXPECT_EQ(entry["source_url"], "https://example.org/h2_0.tar.gz");
    EXPECT_EQ(entry["home"], "https://example.org");

    report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.recipes_read, 0u) << "nothing changed";

    test::build_tar_bz2(dir / "noarch", conda_build_package("1.1", "h4_0", 400));
    report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.recipes_read, 1u) << "only the new build; the cache keeps the others";
    entry = test::read_json(dir / "channeldata.json")["packages"]["example"];
    EXPECT_EQ(entry["source_url"], "https://example.org/h4_0.tar.gz");
    EXPECT_EQ(entry["version"], "1.1");

    auto options = test::options_for(dir.path());
    options.channeldata = false;
    test::build_tar_bz2(dir / "noarch", conda_build_package("1.2", "h5_0", 500));
    EXPECT_EQ(test::index_or_fail(options).recipes_read, 0u) << "no channeldata.json, no recipes";
}

}  // namespace
