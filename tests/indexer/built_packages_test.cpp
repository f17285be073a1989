// Packages the tests build themselves: both formats, odd metadata, non-ASCII, large payloads.
#include "indexer/index_channel.hpp"

#include <gtest/gtest.h>

#include "io/hashing.hpp"
#include "tests/indexer/indexer_fixture.hpp"
#include "tests/support/package_builder.hpp"
#include "tests/support/run_command.hpp"

using namespace chanmirror;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

TEST(BuiltPackages, BothFormatsGetRecordsWithDigestsOfTheWholeFile) {
    test::TempDir dir;
    test::PackageSpec spec;
    spec.subdir = "linux-64";
    spec.index_extra = {{"depends", {"python >=3.10", "libzlib >=1.2"}}, {"license", "MIT"}};
    auto conda = test::build_conda(dir / "linux-64", spec);
    auto bz2 = test::build_tar_bz2(dir / "linux-64", spec);
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.indexed, 2u);
    auto repodata = test::read_json(dir / "linux-64/repodata.json");
    for (auto [section, path] : {std::pair{"packages.conda", conda}, std::pair{"packages", bz2}}) {
        auto record = repodata[section][path.filename().string()];
        auto digests = io::hash_file(path);
        ASSERT_TRUE(digests);
        EXPECT_EQ(record["sha256"], digests->sha256_hex());
        EXPECT_EQ(record["md5"], digests->md5_hex());
        EXPECT_EQ(record["size"], digests->size);
        EXPECT_EQ(record["depends"], spec.index_extra["depends"]);
        EXPECT_EQ(record["license"], "MIT");
    }
}

TEST(BuiltPackages, DroppedKeysMatchCondaIndexAndUnknownKeysPassThrough) {
    test::TempDir dir;
    test::PackageSpec spec;
    spec.index_extra = {{"arch", "x86_64"},
                        {"platform", "linux"},
                        {"has_prefix", true},
                        {"mtime", 1},
                        {"ucs", 4},
                        {"binstar", {{"x", 1}}},
                        {"machine", "m"},
                        {"operatingsystem", "o"},
                        {"target-triplet", "t"},
                        {"requires_features", {}},
                        {"my_custom_key", {1, 2}},
                        {"noarch", "python"}};
    test::build_conda(dir / "noarch", spec);
    test::index_or_fail(test::options_for(dir.path()));
    auto record =
        test::read_json(dir / "noarch/repodata.json")["packages.conda"]["example-1.0-0.conda"];
    for (const char* dropped :
         {"arch", "platform", "has_prefix", "mtime", "ucs", "binstar", "machine", "operatingsystem",
          "target-triplet", "requires_features"}) {
        EXPECT_FALSE(record.contains(dropped)) << dropped;
    }
    EXPECT_EQ(record["my_custom_key"], json({1, 2}));
    EXPECT_EQ(record["noarch"], "python");
}

TEST(BuiltPackages, NonAsciiIsEscapedLikePythonJson) {
    test::TempDir dir;
    test::PackageSpec spec;
    spec.index_extra = {{"license", "Lizenz \u00e9\u4e2d\U0001F600"}, {"summary", "tab\there"}};
    test::build_tar_bz2(dir / "noarch", spec);
    test::index_or_fail(test::options_for(dir.path()));
    auto bytes = test::read_bytes(dir / "noarch/repodata.json");
    EXPECT_NE(bytes.find(R"("license":"Lizenz \u00e9\u4e2d\ud83d\ude00")"), std::string::npos)
        << bytes;
    EXPECT_NE(bytes.find(R"("summary":"tab\there")"), std::string::npos);
    for (unsigned char c : bytes)
        ASSERT_LT(c, 0x80) << "repodata.json must be pure ASCII";
}

TEST(BuiltPackages, FileNameMismatchIsIndexedUnderItsFileNameAndReported) {
    test::TempDir dir;
    test::PackageSpec spec;
    auto path = test::build_conda(dir / "noarch", spec);
    fs::rename(path, dir / "noarch/renamed-2.0-0.conda");
    auto report = test::index_or_fail(test::options_for(dir.path()));
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("renamed-2.0-0.conda"), std::string::npos);
    EXPECT_NE(report.warnings[0].find("example-1.0-0.conda"), std::string::npos);
    EXPECT_TRUE(test::read_json(dir / "noarch/repodata.json")["packages.conda"].contains(
        "renamed-2.0-0.conda"));
}

TEST(BuiltPackages, MetadataBrokenPackagesAreSkipped) {
    test::TempDir dir;
    test::PackageSpec no_index;
    no_index.name = "noindex";
    no_index.write_index_json = false;
    test::build_conda(dir / "noarch", no_index);
    test::PackageSpec bad_json;
    bad_json.name = "badjson";
    bad_json.info_files["info/index.json"] = "{\"name\": \"badjson\", ";
    test::build_tar_bz2(dir / "noarch", bad_json);
    test::PackageSpec bad_version;
    bad_version.name = "badversion";
    bad_version.version = "1.0!";
    test::build_tar_bz2(dir / "noarch", bad_version);
    test::build_tar_bz2(dir / "noarch", test::PackageSpec{});
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.indexed, 1u);
    ASSERT_EQ(report.skipped.size(), 3u);
}

TEST(BuiltPackages, RunExportsListFormIsWeakAndAboutFeedsChanneldata) {
    test::TempDir dir;
    test::PackageSpec spec;
    spec.info_files["info/run_exports.json"] = R"(["example >=1.0,<2"])";
    spec.info_files["info/about.json"] =
        R"({"home": "https://example.org", "summary": " two\nlines "})";
    spec.info_files["info/paths.json"] =
        R"({"paths": [{"_path": "etc/conda/activate.d/x.sh", "path_type": "hardlink"},
                      {"_path": "bin/.example-post-link.sh", "path_type": "hardlink"},
                      {"_path": "lib/libx.so", "file_mode": "binary", "prefix_placeholder": "/opt/p"}],
            "paths_version": 1})";
    test::build_conda(dir / "noarch", spec);
    test::index_or_fail(test::options_for(dir.path()));
    auto exports = test::read_json(dir / "noarch/run_exports.json");
    EXPECT_EQ(exports["packages.conda"]["example-1.0-0.conda"]["run_exports"],
              json::parse(R"({"weak":["example >=1.0,<2"]})"));
    auto entry = test::read_json(dir / "channeldata.json")["packages"]["example"];
    EXPECT_EQ(entry["home"], "https://example.org");
    EXPECT_EQ(entry["summary"], "two lines");
    EXPECT_EQ(entry["activate.d"], true);
    EXPECT_EQ(entry["post_link"], true);
    EXPECT_EQ(entry["binary_prefix"], true);
    EXPECT_EQ(entry["text_prefix"], false);
    EXPECT_EQ(entry["run_exports"]["1.0"], json::parse(R"({"weak":["example >=1.0,<2"]})"));
}

// PyYAML, and so conda-index, cannot read a recipe that is not UTF-8 (an old Latin-1
// meta.yaml) or holds a control character, and takes nothing from it. Such a recipe once
// ended `chanmirror index` (found by fuzz/package_metadata_fuzzer).
TEST(BuiltPackages, RecipesPyYamlCannotReadGiveNoSourceAndIndexingGoesOn) {
    test::TempDir dir;
    const std::map<std::string, std::string> recipes = {
        {"latin1",
         "package:\n  name: latin1\nabout:\n  summary: caf\xe9\nsource:\n  url: https://x/a.tgz\n"},
        {"control", "package:\n  name: control\nsource:\n  url: https://x/\x07.tgz\n"},
        {"utf8",
         "package:\n  name: utf8\nabout:\n  summary: caf\xc3\xa9\nsource:\n  url: "
         "https://x/c.tgz\n"}};
    for (const auto& [name, recipe] : recipes) {
        test::PackageSpec spec;
        spec.name = name;
        spec.info_files["info/recipe/meta.yaml"] = recipe;
        test::build_conda(dir / "noarch", spec);
    }
    auto report = test::index_or_fail(test::options_for(dir.path()));
    EXPECT_EQ(report.indexed, 3u);
    auto packages = test::read_json(dir / "channeldata.json")["packages"];
    EXPECT_FALSE(packages["latin1"].contains("source_url"));
    EXPECT_FALSE(packages["control"].contains("source_url"));
    EXPECT_EQ(packages["utf8"]["source_url"], "https://x/c.tgz");
}

TEST(BuiltPackages, BaseUrlWritesRepodataVersionTwo) {
    test::TempDir dir;
    test::build_conda(dir / "linux-64", test::PackageSpec{});
    auto options = test::options_for(dir.path());
    options.base_url = "https://mirror.example/pkgs/";
    test::index_or_fail(options);
    auto repodata = test::read_json(dir / "linux-64/repodata.json");
    EXPECT_EQ(repodata["repodata_version"], 2);
    EXPECT_EQ(repodata["info"]["base_url"], "https://mirror.example/pkgs/linux-64/");
    auto index = test::read_msgpack_zst(dir / "linux-64/repodata_shards.msgpack.zst");
    EXPECT_EQ(index["info"]["base_url"], "https://mirror.example/pkgs/linux-64/");
    EXPECT_EQ(test::read_json(dir / "noarch/repodata.json")["repodata_version"], 2);
}

TEST(BuiltPackages, OptionalOutputsCanBeSwitchedOff) {
    test::TempDir dir;
    test::build_conda(dir / "noarch", test::PackageSpec{});
    auto options = test::options_for(dir.path());
    options.shards = options.zst = options.run_exports = options.channeldata = false;
    test::index_or_fail(options);
    EXPECT_TRUE(fs::exists(dir / "noarch/repodata.json"));
    EXPECT_FALSE(fs::exists(dir / "noarch/repodata.json.zst"));
    EXPECT_FALSE(fs::exists(dir / "noarch/repodata_shards.msgpack.zst"));
    EXPECT_FALSE(fs::exists(dir / "noarch/run_exports.json"));
    EXPECT_FALSE(fs::exists(dir / "channeldata.json"));
}

// The "peak RSS N MB" the binary reports in its summary (its own VmHWM: a fork of this big
// test process would pollute getrusage's child figures).
long reported_peak_rss_mb(const std::string& output) {
    auto at = output.find("peak RSS ");
    return at == std::string::npos ? -1 : std::stol(output.substr(at + 9));
}

TEST(BuiltPackages, LargePackagesStreamWithoutGrowingMemory) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's shadow memory makes RSS meaningless; the release run checks this";
#endif
    test::TempDir dir;
    test::PackageSpec conda_spec;
    conda_spec.name = "bigconda";
    conda_spec.payload_bytes = 160u << 20;
    auto conda = test::build_conda(dir / "noarch", conda_spec);
    test::PackageSpec bz2_spec;
    bz2_spec.name = "bigbz2";
    bz2_spec.payload_bytes = 8u << 20;
    auto bz2 = test::build_tar_bz2(dir / "noarch", bz2_spec);
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto run =
        test::run_command(bin + " index --threads 1 " + test::shell_quote(dir.path().string()));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto repodata = test::read_json(dir / "noarch/repodata.json");
    EXPECT_EQ(repodata["packages.conda"]["bigconda-1.0-0.conda"]["size"], fs::file_size(conda));
    EXPECT_EQ(repodata["packages"]["bigbz2-1.0-0.tar.bz2"]["size"], fs::file_size(bz2));
    long peak = reported_peak_rss_mb(run.output);
    EXPECT_GT(peak, 0) << run.output;
    EXPECT_LT(peak, 64) << "indexing a " << (fs::file_size(conda) >> 20) << " MB package peaked at "
                        << peak << " MB RSS";
}

}  // namespace
