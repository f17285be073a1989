#include "core/patch_instructions.hpp"

#include <gtest/gtest.h>

using namespace chanmirror;
using nlohmann::json;

namespace {

core::RepoData sample() {
    core::RepoData r;
    r.packages["a-1-0.tar.bz2"] = R"({"depends":["x"],"name":"a","nested":{"k":1,"l":2}})";
    r.conda_packages["a-1-0.conda"] = R"({"depends":["x"],"name":"a"})";
    r.conda_packages["b-1-0.conda"] = R"({"name":"b"})";
    return r;
}

core::PatchInstructions parse(const std::string& text) {
    auto p = core::PatchInstructions::parse_text(text, "test");
    EXPECT_TRUE(p) << (p ? "" : p.error().message);
    return *p;
}

TEST(PatchInstructions, NestedObjectsMergeAndNullDeletesInside) {
    auto r = sample();
    core::apply_patches(r, parse(R"({"packages":{"a-1-0.tar.bz2":{"nested":{"k":null,"m":3}}}})"));
    EXPECT_EQ(json::parse(r.packages["a-1-0.tar.bz2"])["nested"], json::parse(R"({"l":2,"m":3})"));
}

TEST(PatchInstructions, UntouchedRecordsKeepTheirBytes) {
    auto r = sample();
    r.conda_packages["b-1-0.conda"] = R"({"name":"b", "spacing":"kept"})";
    core::apply_patches(r, parse(R"({"packages":{"a-1-0.tar.bz2":{"depends":[]}}})"));
    EXPECT_EQ(r.conda_packages["b-1-0.conda"], R"({"name":"b", "spacing":"kept"})");
}

TEST(PatchInstructions, RevokeAddsDependsWhenAbsent) {
    auto r = sample();
    core::apply_patches(r, parse(R"({"revoke":["b-1-0.conda"]})"));
    EXPECT_EQ(json::parse(r.conda_packages["b-1-0.conda"])["depends"],
              json({"package_has_been_revoked"}));
}

TEST(PatchInstructions, RemovedIsSortedAndOnlyListsWhatExisted) {
    auto r = sample();
    core::apply_patches(r,
                        parse(R"({"remove":["b-1-0.conda","a-1-0.tar.bz2","nope-1-0.tar.bz2"]})"));
    EXPECT_EQ(r.removed, (std::vector<std::string>{"a-1-0.conda", "a-1-0.tar.bz2", "b-1-0.conda"}));
    EXPECT_TRUE(r.packages.empty());
    EXPECT_TRUE(r.conda_packages.empty());
}

TEST(PatchInstructions, VersionsAboveTwoAreRefused) {
    auto p = core::PatchInstructions::parse_text(R"({"patch_instructions_version": 3})", "pi.json");
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message.find("pi.json"), std::string::npos);
    EXPECT_FALSE(core::PatchInstructions::parse_text("[]", "x"));
    EXPECT_TRUE(core::PatchInstructions::parse_text(R"({"patch_instructions_version": 2})", "x"));
}

TEST(PatchInstructions, VersionTwoRunExportsGoToShardsNotRecords) {
    auto r = sample();
    auto p = parse(R"({"patch_instructions_version":2,
                       "packages":{"a-1-0.tar.bz2":{"run_exports":{"weak":["a >=1"]}}}})");
    core::apply_patches(r, p);
    EXPECT_FALSE(json::parse(r.packages["a-1-0.tar.bz2"]).contains("run_exports"));
    core::RunExportsMap exports;
    core::apply_run_exports_patches(exports, p);
    EXPECT_EQ(exports["a-1-0.tar.bz2"]["weak"][0], "a >=1");
    EXPECT_EQ(exports["a-1-0.conda"]["weak"][0], "a >=1");
}

}  // namespace
