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

// conda-build before conda-package-handling wrote members alphabetically (old packages have
// no recipe at all), boa and rattler-build write all of info/ first (their recipe.yaml is
// not what conda-index reads). Either way info/ is one run, the head reads all of it, and no
// recipe is looked for beyond it: the full read this saves was most of a cold index of the
// real fixture packages.
TEST(TarBz2Head, OtherWritersKeepInfoTogetherSoNoRecipeIsLookedForBeyondTheHead) {
    test::TempDir dir;
    auto alphabetical_without_recipe = conda_build_package("1.0", "alpha", 1);
    alphabetical_without_recipe.tar_order = test::TarOrder::alphabetical;
    alphabetical_without_recipe.info_files.erase("info/recipe/meta.yaml");
    alphabetical_without_recipe.pkg_files["bin/tool"] = "#!/bin/sh\n";  // before info/, as krb5's

    auto alphabetical_with_recipe = conda_build_package("1.0", "alpha_recipe", 1);
    alphabetical_with_recipe.tar_order = test::TarOrder::alphabetical;
    alphabetical_with_recipe.pkg_files["bin/tool"] = "#!/bin/sh\n";

    auto info_first = conda_build_package("1.0", "boa", 1);
    info_first.tar_order = test::TarOrder::info_first;
    info_first.info_files.erase("info/recipe/meta.yaml");
    info_first.info_files["info/recipe/recipe.yaml"] = "context: {}\n";
    info_first.info_files["info/licenses/LICENSE"] = "MIT\n";
    info_first.info_files["info/paths.json"] = R"({"paths": [], "paths_version": 1})";

    for (const auto& spec : {alphabetical_without_recipe, alphabetical_with_recipe, info_first}) {
        auto path = test::build_tar_bz2(dir / "noarch", spec);
        auto extracted = indexer::extract_package(path);
        ASSERT_TRUE(extracted) << extracted.error().message;
        EXPECT_FALSE(extracted->recipe_deferred) << spec.build;
        EXPECT_EQ(extracted->bytes_hashed, fs::file_size(path)) << spec.build;
    }
    auto with_recipe = indexer::extract_package(dir / "noarch/example-1.0-alpha_recipe.tar.bz2");
    ASSERT_TRUE(with_recipe);
    EXPECT_NE(with_recipe->extras.find("https://example.org/alpha_recipe.tar.gz"),
              std::string::npos)
        << "an alphabetical archive's recipe sits inside info/, which the head reads whole";

    // conda-package-handling's order with no recipe at all: nothing tells the head that none
    // follows, so one is still looked for.
    auto cph_without_recipe = conda_build_package("1.0", "cph", 1);
    cph_without_recipe.info_files.erase("info/recipe/meta.yaml");
    auto extracted =
        indexer::extract_package(test::build_tar_bz2(dir / "noarch", cph_without_recipe));
    ASSERT_TRUE(extracted) << extracted.error().message;
    EXPECT_TRUE(extracted->recipe_deferred);
}

// When channeldata.json surely uses the recipe (the only build of its version), the first
// pass reads on to it instead of leaving it for a second read from the start.
TEST(TarBz2Head, ARecipeWantedNowIsReadInTheSamePass) {
    test::TempDir dir;
    auto path = test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", "0", 1));
    auto extracted = indexer::extract_package(path, [](std::string_view) { return true; });
    ASSERT_TRUE(extracted) << extracted.error().message;
    EXPECT_FALSE(extracted->recipe_deferred);
    EXPECT_NE(extracted->extras.find("https://example.org/0.tar.gz"), std::string::npos);
    EXPECT_EQ(extracted->bytes_hashed, fs::file_size(path));

    auto no_recipe = conda_build_package("1.0", "none", 1);
    no_recipe.info_files.erase("info/recipe/meta.yaml");
    extracted = indexer::extract_package(test::build_tar_bz2(dir / "noarch", no_recipe),
                                         [](std::string_view) { return true; });
    ASSERT_TRUE(extracted) << extracted.error().message;
    EXPECT_FALSE(extracted->recipe_deferred) << "read to the end: there is none to defer";
    EXPECT_EQ(extracted->extras.find("source_url"), std::string::npos);
}

// Deferred recipes are read on other threads while the subdirs publish. A subdir that cannot
// be published ends the run with its error; the reads are waited for (ASan would see them
// outlive their jobs otherwise), and once the subdir is fixed the next run completes.
TEST(TarBz2Head, APublishErrorWhileRecipesAreReadEndsTheRunCleanly) {
    test::TempDir dir;
    for (auto [build, ts] : {std::pair{"h1_0", 100}, std::pair{"h2_0", 200}})
        test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", build, ts));
    test::build_tar_bz2(dir / "linux-64", conda_build_package("2.0", "h3_0", 300));
    auto without_channeldata = test::options_for(dir.path());
    without_channeldata.channeldata = false;  // so every recipe is left for later
    test::index_or_fail(without_channeldata);

    // linux-64 gains a package, so it must be published again, and cannot be.
    test::build_tar_bz2(dir / "linux-64", conda_build_package("2.0", "h4_0", 400));
    fs::remove(dir / "linux-64/repodata.json");
    fs::create_directories(dir / "linux-64/repodata.json");  // a directory: cannot be replaced
    auto report = indexer::index_channel(test::options_for(dir.path()));
    ASSERT_FALSE(report);
    EXPECT_NE(report.error().message.find("linux-64"), std::string::npos) << report.error().message;
    EXPECT_FALSE(fs::exists(dir / "channeldata.json"));

    fs::remove(dir / "linux-64/repodata.json");
    auto fixed = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(fixed.recipes_read, 1u) << "1.0's newest build, h2_0, read again after the failure";
    auto entry = test::read_json(dir / "channeldata.json")["packages"]["example"];
    EXPECT_EQ(entry["source_url"], "https://example.org/h4_0.tar.gz")
        << "read in its first pass: newer than the cached h3_0";
    EXPECT_EQ(entry["subdirs"], nlohmann::json({"linux-64", "noarch"}));
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
    // 0.9's only build reads its recipe in the first pass; so does 1.0's newest when the other
    // two reached their payload before it did, else it is read again once all are known.
    EXPECT_LE(report.recipes_read, 1u);
    auto entry = test::read_json(dir / "channeldata.json")["packages"]["example"];
    EXPECT_EQ(entry["source_url"], "https://example.org/h2_0.tar.gz");
    EXPECT_EQ(entry["home"], "https://example.org");

    report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.recipes_read, 0u) << "nothing changed";

    test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", "h5_0", 500));
    report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.recipes_read, 0u)
        << "1.0's new build is newer than every cached one: its recipe is read in one pass";
    EXPECT_EQ(test::read_json(dir / "channeldata.json")["packages"]["example"]["source_url"],
              "https://example.org/h5_0.tar.gz");

    test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", "h4_0", 400));
    test::build_tar_bz2(dir / "noarch", conda_build_package("1.1", "h6_0", 600));
    report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.recipes_read, 0u)
        << "an older build of 1.0 is not needed; 1.1's only build is read in one pass";
    entry = test::read_json(dir / "channeldata.json")["packages"]["example"];
    EXPECT_EQ(entry["source_url"], "https://example.org/h6_0.tar.gz");
    EXPECT_EQ(entry["version"], "1.1");

    auto options = test::options_for(dir.path());
    options.channeldata = false;
    test::build_tar_bz2(dir / "noarch", conda_build_package("1.2", "h7_0", 700));
    EXPECT_EQ(test::index_or_fail(options).recipes_read, 0u) << "no channeldata.json, no recipes";
}

// A build newer than the cached ones of its version, but not read in the first pass (its
// head was read with channeldata.json off), still gets its recipe read once it is wanted.
TEST(TarBz2Head, ARecipeNotReadInTheFirstPassIsReadWhenChanneldataWantsIt) {
    test::TempDir dir;
    test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", "h1_0", 100));
    test::build_tar_bz2(dir / "noarch", conda_build_package("1.0", "h2_0", 200));
    auto options = test::options_for(dir.path());
    options.channeldata = false;
    EXPECT_EQ(test::index_or_fail(options).recipes_read, 0u);
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.recipes_read, 1u) << "h2_0, the newest, from the cache's deferred mark";
    EXPECT_EQ(test::read_json(dir / "channeldata.json")["packages"]["example"]["source_url"],
              "https://example.org/h2_0.tar.gz");
}

}  // namespace
