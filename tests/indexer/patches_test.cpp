// Hotfixes: conda-index semantics through `chanmirror index --patch-instructions`.
#include "indexer/index_channel.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "core/patch_instructions.hpp"
#include "tests/indexer/indexer_fixture.hpp"
#include "tests/support/package_builder.hpp"

using namespace chanmirror;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A channel with a.tar.bz2 + a.conda, b.tar.bz2, c.conda in linux-64.
void build_channel(const fs::path& channel) {
    test::PackageSpec a;
    a.name = "a";
    a.subdir = "linux-64";
    a.index_extra = {{"depends", {"zlib"}}, {"license", "MIT"}, {"features", "old"}};
    test::build_tar_bz2(channel / "linux-64", a);
    test::build_conda(channel / "linux-64", a);
    test::PackageSpec b = a;
    b.name = "b";
    test::build_tar_bz2(channel / "linux-64", b);
    test::PackageSpec c = a;
    c.name = "c";
    test::build_conda(channel / "linux-64", c);
}

json index_with_patch(const test::TempDir& dir, const std::string& instructions) {
    test::write_bytes(dir / "patches/linux-64/patch_instructions.json", instructions);
    auto options = test::options_for(dir / "channel");
    options.patch_instructions = dir / "patches";
    test::index_or_fail(options);
    return test::read_json(dir / "channel/linux-64/repodata.json");
}

TEST(Patches, RecordPatchReplacesListsDeletesNullsAndReachesTheCondaTwin) {
    test::TempDir dir;
    build_channel(dir / "channel");
    auto repodata = index_with_patch(dir, R"({"patch_instructions_version": 1,
        "packages": {"a-1.0-0.tar.bz2": {"depends": ["zlib >=1.2.13"], "features": null, "new_key": "x"},
                     "missing-1.0-0.tar.bz2": {"depends": []}}})");
    for (auto record :
         {repodata["packages"]["a-1.0-0.tar.bz2"], repodata["packages.conda"]["a-1.0-0.conda"]}) {
        EXPECT_EQ(record["depends"], json({"zlib >=1.2.13"}));
        EXPECT_FALSE(record.contains("features"));
        EXPECT_EQ(record["new_key"], "x");
        EXPECT_EQ(record["license"], "MIT");
    }
    EXPECT_FALSE(repodata["packages"].contains("missing-1.0-0.tar.bz2"));
    EXPECT_EQ(repodata["packages"]["b-1.0-0.tar.bz2"]["depends"], json({"zlib"}));
}

TEST(Patches, RemoveAndRevoke) {
    test::TempDir dir;
    build_channel(dir / "channel");
    auto repodata = index_with_patch(dir, R"({"patch_instructions_version": 1,
        "remove": ["a-1.0-0.tar.bz2"], "revoke": ["b-1.0-0.tar.bz2", "c-1.0-0.conda"]})");
    EXPECT_FALSE(repodata["packages"].contains("a-1.0-0.tar.bz2"));
    EXPECT_FALSE(repodata["packages.conda"].contains("a-1.0-0.conda"));
    EXPECT_EQ(repodata["removed"], json({"a-1.0-0.conda", "a-1.0-0.tar.bz2"}));
    for (auto record :
         {repodata["packages"]["b-1.0-0.tar.bz2"], repodata["packages.conda"]["c-1.0-0.conda"]}) {
        EXPECT_EQ(record["revoked"], true);
        EXPECT_EQ(record["depends"], json({"zlib", "package_has_been_revoked"}));
    }
}

TEST(Patches, UnpatchedOutputsStayUnpatchedAndShardsArePatched) {
    test::TempDir dir;
    build_channel(dir / "channel");
    index_with_patch(dir, R"({"packages": {"b-1.0-0.tar.bz2": {"depends": ["patched"]}},
                              "remove": ["a-1.0-0.tar.bz2"]})");
    auto sub = dir / "channel/linux-64";
    auto from_packages = test::read_json(sub / "repodata_from_packages.json");
    EXPECT_EQ(from_packages["packages"]["b-1.0-0.tar.bz2"]["depends"], json({"zlib"}));
    EXPECT_TRUE(from_packages["packages"].contains("a-1.0-0.tar.bz2"));
    EXPECT_TRUE(test::read_json(sub / "run_exports.json")["packages"].contains("a-1.0-0.tar.bz2"));
    auto shards = test::records_from_shards(sub);
    EXPECT_EQ(shards["packages"]["b-1.0-0.tar.bz2"]["depends"], json({"patched"}));
    EXPECT_FALSE(shards["packages"].contains("a-1.0-0.tar.bz2"));
}

TEST(Patches, InstructionsAreKeptSoAPlainReindexKeepsTheHotfix) {
    test::TempDir dir;
    build_channel(dir / "channel");
    index_with_patch(dir, R"({"packages": {"b-1.0-0.tar.bz2": {"depends": ["patched"]}}})");
    test::index_or_fail(test::options_for(dir / "channel"));
    auto repodata = test::read_json(dir / "channel/linux-64/repodata.json");
    EXPECT_EQ(repodata["packages"]["b-1.0-0.tar.bz2"]["depends"], json({"patched"}));
}

TEST(Patches, PatchesPackageIsRead) {
    test::TempDir dir;
    build_channel(dir / "channel");
    for (bool conda : {false, true}) {
        test::PackageSpec patches;
        patches.name = conda ? "patches-conda" : "patches-bz2";
        patches.pkg_files["linux-64/patch_instructions.json"] =
            R"({"packages": {"c-1.0-0.conda": {"license": "from-package"}}})";
        auto path = conda ? test::build_conda(dir.path(), patches)
                          : test::build_tar_bz2(dir.path(), patches);
        auto options = test::options_for(dir / "channel");
        options.patch_instructions = path;
        test::index_or_fail(options);
        auto repodata = test::read_json(dir / "channel/linux-64/repodata.json");
        EXPECT_EQ(repodata["packages.conda"]["c-1.0-0.conda"]["license"], "from-package") << path;
        fs::remove(dir / "channel/linux-64/patch_instructions.json");
    }
}

TEST(Patches, UnknownVersionIsRefusedAndNothingIsWritten) {
    test::TempDir dir;
    build_channel(dir / "channel");
    test::write_bytes(dir / "p.json", R"({"patch_instructions_version": 3, "packages": {}})");
    auto options = test::options_for(dir / "channel");
    options.patch_instructions = dir / "p.json";
    auto report = indexer::index_channel(options);
    ASSERT_FALSE(report);
    EXPECT_NE(report.error().message.find("patch_instructions_version"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "channel/linux-64/repodata.json"));
}

// rattler's patching fixtures: where rattler and conda-index agree (record patches), the
// patched records must equal rattler's expected snapshot.
json yaml_to_json(const YAML::Node& node) {
    if (node.IsMap()) {
        json out = json::object();
        for (const auto& kv : node)
            out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
        return out;
    }
    if (node.IsSequence()) {
        json out = json::array();
        for (const auto& item : node)
            out.push_back(yaml_to_json(item));
        return out;
    }
    if (node.IsNull())
        return nullptr;
    return node.as<std::string>();
}

json stringify_scalars(const json& value) {
    if (value.is_object()) {
        json out = json::object();
        for (auto& [k, v] : value.items())
            out[k] = stringify_scalars(v);
        return out;
    }
    if (value.is_array()) {
        json out = json::array();
        for (const auto& v : value)
            out.push_back(stringify_scalars(v));
        return out;
    }
    if (value.is_string() || value.is_null())
        return value;
    return value.dump();
}

TEST(Patches, AgreesWithRattlerOnRecordPatches) {
    auto root = test::fixtures_dir() / "golden/rattler__repodata_patching";
    auto input = test::read_bytes(root / "linux-64/repodata_from_packages.json");
    auto repodata = core::parse_repodata(std::move(input), "rattler input");
    ASSERT_TRUE(repodata);
    auto instructions = core::PatchInstructions::parse_text(
        test::read_bytes(root / "linux-64/patch_instructions.json"), "rattler patches");
    ASSERT_TRUE(instructions);
    core::apply_patches(*repodata, *instructions);
    json ours = json::parse(core::to_json(*repodata));
    // insta snapshots: a metadata document, then the value.
    auto documents = YAML::LoadAllFromFile((root / "expected/patching.snap.yaml").string());
    ASSERT_FALSE(documents.empty());
    json expected = yaml_to_json(documents.back());
    std::size_t compared = 0;
    for (const char* section : {"packages", "packages.conda"}) {
        for (auto& [fn, record] : expected[section].items()) {
            ASSERT_TRUE(ours[section].contains(fn)) << fn;
            for (const char* key :
                 {"depends", "constrains", "license", "track_features", "features"}) {
                if (!record.contains(key))
                    continue;
                json mine = stringify_scalars(ours[section][fn].value(key, json()));
                EXPECT_EQ(mine, record[key]) << fn << " " << key;
                ++compared;
            }
        }
    }
    EXPECT_GE(compared, 9u);
}

}  // namespace
