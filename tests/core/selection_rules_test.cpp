// The selection rules of issue 5 on small hand-made channels, one rule per test.
#include "core/selection.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace {

using chanmirror::core::Json;
using chanmirror::core::RepoData;
using chanmirror::core::select_files;
using chanmirror::core::SelectionInput;
using chanmirror::core::SelectionOptions;
using chanmirror::core::SelectionResult;
using Files = std::set<std::string>;

struct Rec {
    std::string name, version, build;
    std::vector<std::string> depends = {};
    Json extra = Json::object();
};

// A repodata.json whose records are `recs`, as .tar.bz2 files (or .conda when `conda`).
RepoData channel(const std::string& subdir, const std::vector<Rec>& recs, bool conda = false) {
    RepoData out;
    out.info = Json{{"subdir", subdir}};
    for (const Rec& r : recs) {
        Json j = r.extra;
        j["name"] = r.name;
        j["version"] = r.version;
        j["build"] = r.build;
        j["build_number"] = 0;
        j["depends"] = r.depends;
        j["subdir"] = subdir;
        const std::string fn = r.name + "-" + r.version + "-" + r.build;
        if (conda) {
            out.conda_packages[fn + ".conda"] = chanmirror::core::dump_compact(j);
        } else {
            out.packages[fn + ".tar.bz2"] = chanmirror::core::dump_compact(j);
        }
    }
    return out;
}

SelectionResult run(const std::vector<SelectionInput>& inputs, const SelectionOptions& options) {
    auto result = select_files(inputs, options);
    EXPECT_TRUE(result) << result.error().message;
    return result ? std::move(*result) : SelectionResult{};
}

Files files_of(const SelectionResult& r, const std::string& channel, const std::string& subdir) {
    const auto it = r.files.find({channel, subdir});
    return it == r.files.end() ? Files{} : it->second;
}

TEST(SelectionRules, PruningCascadesAlongAChainWithAMissingDependency) {
    // app -> lib -> core -> gone (not in the channel): all three drop, in that order of rounds.
    const RepoData linux = channel("linux-64", {{"app", "1.0", "0", {"lib"}},
                                                {"lib", "1.0", "0", {"core >=1"}},
                                                {"core", "1.0", "0", {"gone"}},
                                                {"other", "1.0", "0", {"__glibc >=2.17"}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"app", "other"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "linux-64"), Files{"other-1.0-0.tar.bz2"});
    ASSERT_EQ(r.dropped.size(), 3u);
    EXPECT_EQ(r.dropped[0].filename, "core-1.0-0.tar.bz2");
    EXPECT_EQ(r.dropped[0].dependency, "gone");
    EXPECT_EQ(r.dropped[1].filename, "lib-1.0-0.tar.bz2");
    EXPECT_EQ(r.dropped[1].dependency, "core >=1");
    EXPECT_EQ(r.dropped[2].filename, "app-1.0-0.tar.bz2");
    ASSERT_EQ(r.missing.size(), 1u);
    EXPECT_EQ(r.missing[0].dependency, "gone");
    EXPECT_EQ(r.missing[0].platform, "linux-64");
    EXPECT_EQ(r.missing[0].needed_by, "core-1.0-0.tar.bz2");
    EXPECT_EQ(r.seeds, 2u);
    EXPECT_EQ(r.closure_added, 2u);
}

TEST(SelectionRules, PruningKeepsARecordWhenAnotherCandidateSurvives) {
    // lib 2.0 needs a missing dep and drops; lib 1.0 still satisfies app's `lib >=1`.
    const RepoData linux = channel(
        "linux-64",
        {{"app", "1.0", "0", {"lib >=1"}}, {"lib", "1.0", "0", {}}, {"lib", "2.0", "0", {"gone"}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"app"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "linux-64"), (Files{"app-1.0-0.tar.bz2", "lib-1.0-0.tar.bz2"}));
    ASSERT_EQ(r.dropped.size(), 1u);
    EXPECT_EQ(r.dropped[0].filename, "lib-2.0-0.tar.bz2");
}

TEST(SelectionRules, VirtualPackagesAreSkippedAndConstrainsNotFollowed) {
    Json constrains = Json{{"constrains", {"pinned 1.0"}}};
    const RepoData linux =
        channel("linux-64", {{"app", "1.0", "0", {"__cuda >=12", "__glibc"}, constrains},
                             {"pinned", "1.0", "0", {}},
                             {"__glibc", "2.28", "0", {}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"app"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "linux-64"), Files{"app-1.0-0.tar.bz2"});
    EXPECT_TRUE(r.missing.empty());
    EXPECT_TRUE(r.dropped.empty());
    EXPECT_FALSE(r.visited_names.contains("__glibc"));
    EXPECT_FALSE(r.visited_names.contains("pinned"));
}

TEST(SelectionRules, NoarchRecordPullsFromEveryMirroredSubdir) {
    // A noarch record's dependency is looked up for each platform; an arch record's only in
    // its own subdir and noarch.
    const RepoData linux = channel("linux-64", {{"dep", "1.0", "0", {}}, {"x", "1.0", "0", {}}});
    const RepoData osx = channel("osx-arm64", {{"dep", "1.0", "0", {}}, {"x", "1.0", "0", {}}});
    const RepoData noarch = channel("noarch", {{"tool", "1.0", "0", {"dep"}}});
    const RepoData linux_app = channel("linux-64", {{"app", "1.0", "0", {"x"}}});
    const auto r = run({{"c", "linux-64", &linux},
                        {"c", "osx-arm64", &osx},
                        {"c", "noarch", &noarch},
                        {"d", "linux-64", &linux_app}},
                       {{"tool", "d::app"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "noarch"), Files{"tool-1.0-0.tar.bz2"});
    EXPECT_EQ(files_of(r, "c", "linux-64"), (Files{"dep-1.0-0.tar.bz2", "x-1.0-0.tar.bz2"}));
    EXPECT_EQ(files_of(r, "c", "osx-arm64"), Files{"dep-1.0-0.tar.bz2"});  // x: linux-64 only
    EXPECT_EQ(files_of(r, "d", "linux-64"), Files{"app-1.0-0.tar.bz2"});
}

TEST(SelectionRules, NoarchRecordSurvivesWhenOnePlatformSatisfiesIt) {
    const RepoData linux = channel("linux-64", {{"dep", "1.0", "0", {}}});
    const RepoData osx = channel("osx-arm64", {});
    const RepoData noarch = channel("noarch", {{"tool", "1.0", "0", {"dep"}}});
    const auto r =
        run({{"c", "linux-64", &linux}, {"c", "osx-arm64", &osx}, {"c", "noarch", &noarch}},
            {{"tool"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "noarch"), Files{"tool-1.0-0.tar.bz2"});
    EXPECT_TRUE(r.dropped.empty());
    ASSERT_EQ(r.missing.size(), 1u);  // reported for osx-arm64
    EXPECT_EQ(r.missing[0].platform, "osx-arm64");
    EXPECT_EQ(files_of(r, "c", "osx-arm64"), Files{});
    EXPECT_TRUE(r.files.contains({"c", "osx-arm64"}));  // every input has an entry
}

TEST(SelectionRules, LatestCountsEqualVersionsOnceAndAppliesPerName) {
    // 1.0 and 1.0.0 are one version; latest 2 keeps 2.0 and 1.0/1.0.0 (both builds), not 0.9.
    const RepoData linux = channel("linux-64", {{"a", "0.9", "0", {}},
                                                {"a", "1.0", "0", {}},
                                                {"a", "1.0.0", "1", {}},
                                                {"a", "2.0", "0", {"b"}},
                                                {"b", "1.0", "0", {}},
                                                {"b", "3.0", "0", {}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"a"}, {}, 2});
    EXPECT_EQ(files_of(r, "c", "linux-64"),
              (Files{"a-1.0-0.tar.bz2", "a-1.0.0-1.tar.bz2", "a-2.0-0.tar.bz2", "b-1.0-0.tar.bz2",
                     "b-3.0-0.tar.bz2"}));
    const auto one = run({{"c", "linux-64", &linux}}, {{"a<2"}, {}, 1});
    EXPECT_EQ(files_of(one, "c", "linux-64"), (Files{"a-1.0-0.tar.bz2", "a-1.0.0-1.tar.bz2"}));
}

TEST(SelectionRules, LatestIsTakenPerDependencySpecSoOlderPinsStillResolve) {
    // b latest 1 is 3.0, but app needs b <2: the candidates of `b <2` are its own newest.
    const RepoData linux = channel("linux-64", {{"app", "1.0", "0", {"b <2"}},
                                                {"b", "1.0", "0", {}},
                                                {"b", "1.5", "0", {}},
                                                {"b", "3.0", "0", {}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"app"}, {}, 1});
    EXPECT_EQ(files_of(r, "c", "linux-64"), (Files{"app-1.0-0.tar.bz2", "b-1.5-0.tar.bz2"}));
}

TEST(SelectionRules, IncludeSpecsPinTheirNamesInTheClosure) {
    const RepoData linux =
        channel("linux-64",
                {{"app", "1.0", "0", {"py"}}, {"py", "3.11", "0", {}}, {"py", "3.12", "0", {}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"app", "py=3.11"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "linux-64"), (Files{"app-1.0-0.tar.bz2", "py-3.11-0.tar.bz2"}));
    // The unconstrained closure would take both.
    const auto all = run({{"c", "linux-64", &linux}}, {{"app"}, {}, {}});
    EXPECT_EQ(files_of(all, "c", "linux-64").size(), 3u);
}

TEST(SelectionRules, ExcludedRecordsAreNeverCandidatesAndTheirDependentsDrop) {
    const RepoData linux =
        channel("linux-64",
                {{"app", "1.0", "0", {"lib"}}, {"app", "2.0", "0", {}}, {"lib", "1.0", "0", {}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"app"}, {"lib"}, {}});
    EXPECT_EQ(files_of(r, "c", "linux-64"), Files{"app-2.0-0.tar.bz2"});
    ASSERT_EQ(r.dropped.size(), 1u);
    EXPECT_EQ(r.dropped[0].filename, "app-1.0-0.tar.bz2");
}

TEST(SelectionRules, ChannelPrefixRestrictsTheChannelEverywhere) {
    const RepoData a = channel("linux-64", {{"x", "1.0", "0", {}}});
    const RepoData b = channel("linux-64", {{"x", "1.0", "0", {}}, {"y", "1.0", "0", {"x"}}});
    const auto r =
        run({{"https://conda.anaconda.org/conda-forge", "linux-64", &a}, {"other", "linux-64", &b}},
            {{"conda-forge::x", "y"}, {}, {}});
    EXPECT_EQ(files_of(r, "https://conda.anaconda.org/conda-forge", "linux-64"),
              Files{"x-1.0-0.tar.bz2"});
    EXPECT_EQ(files_of(r, "other", "linux-64"), Files{"y-1.0-0.tar.bz2"});  // x pinned away
}

TEST(SelectionRules, BothArchiveFormatsOfABuildAreSelected) {
    const RepoData tar = channel("linux-64", {{"x", "1.0", "0", {}}, {"x", "0.9", "0", {}}});
    RepoData both = channel("linux-64", {{"x", "1.0", "0", {}}}, true);
    both.packages = tar.packages;
    const auto r = run({{"c", "linux-64", &both}}, {{"x=1.0=0"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "linux-64"), (Files{"x-1.0-0.conda", "x-1.0-0.tar.bz2"}));
}

TEST(SelectionRules, WithoutSpecsTheWholeSubdirIsMirrored) {
    const RepoData linux = channel("linux-64", {{"a", "1.0", "0", {"missing"}},
                                                {"a", "2.0", "0", {}},
                                                {"b", "1.0", "0", {"a <2"}},
                                                {"c", "1.0", "0", {}}});
    const auto all = run({{"ch", "linux-64", &linux}}, {});
    EXPECT_EQ(files_of(all, "ch", "linux-64").size(), 4u);  // even the broken record
    EXPECT_TRUE(all.dropped.empty());
    // Excludes and latest-N apply to the whole subdir, then closure and pruning.
    const auto latest = run({{"ch", "linux-64", &linux}}, {{}, {"c"}, 1});
    EXPECT_EQ(files_of(latest, "ch", "linux-64"), (Files{"a-2.0-0.tar.bz2"}));
    ASSERT_EQ(latest.dropped.size(), 2u);  // b pulled a 1.0, which has a missing dep
    EXPECT_EQ(latest.dropped[0].filename, "a-1.0-0.tar.bz2");
    EXPECT_EQ(latest.dropped[1].filename, "b-1.0-0.tar.bz2");
}

TEST(SelectionRules, InvalidSpecsAreErrorsNamingTheSpec) {
    const RepoData linux = channel("linux-64", {{"a", "1.0", "0", {}}});
    auto bad_include = select_files({{"c", "linux-64", &linux}}, {{"a", "numpy >=1,"}, {}, {}});
    ASSERT_FALSE(bad_include);
    EXPECT_NE(bad_include.error().message.find("numpy >=1,"), std::string::npos)
        << bad_include.error().message;
    EXPECT_NE(bad_include.error().message.find("include"), std::string::npos);
    auto bad_exclude = select_files({{"c", "linux-64", &linux}}, {{}, {"x[version="}, {}});
    ASSERT_FALSE(bad_exclude);
    EXPECT_NE(bad_exclude.error().message.find("x[version="), std::string::npos);
    auto bad_latest = select_files({{"c", "linux-64", &linux}}, {{"a"}, {}, 0});
    ASSERT_FALSE(bad_latest);
    EXPECT_NE(bad_latest.error().message.find("latest"), std::string::npos);
}

TEST(SelectionRules, InvalidDependencyIsReportedNotFollowedAndNotFatal) {
    const RepoData linux =
        channel("linux-64", {{"a", "1.0", "0", {"b >=1,", "c"}}, {"c", "1.0", "0", {}}});
    const auto r = run({{"ch", "linux-64", &linux}}, {{"a"}, {}, {}});
    EXPECT_EQ(files_of(r, "ch", "linux-64"), (Files{"a-1.0-0.tar.bz2", "c-1.0-0.tar.bz2"}));
    ASSERT_EQ(r.invalid_depends.size(), 1u);
    EXPECT_NE(r.invalid_depends[0].find("b >=1,"), std::string::npos);
    EXPECT_NE(r.invalid_depends[0].find("ch/linux-64/a-1.0-0.tar.bz2"), std::string::npos);
}

TEST(SelectionRules, UnmatchedIncludeIsReportedAndSelectsNothing) {
    // conda-mirror#50 let `python=999` through; here it selects nothing and says so.
    const RepoData linux = channel("linux-64", {{"python", "3.12.1", "0", {}}});
    const auto r = run({{"ch", "linux-64", &linux}}, {{"python=999"}, {}, {}});
    EXPECT_EQ(files_of(r, "ch", "linux-64"), Files{});
    EXPECT_EQ(r.unmatched_includes, std::vector<std::string>{"python=999"});
}

TEST(SelectionRules, GlobIncludeSeedsEveryMatchingNameAndPinsNothing) {
    // `lib*` seeds libfoo and libbar (latest 1 per name); app's `libfoo` dependency is not
    // restricted by it, and latest applies to that dependency's own candidates.
    const RepoData linux = channel("linux-64", {{"libfoo", "1.0", "0", {}},
                                                {"libfoo", "2.0", "0", {}},
                                                {"libbar", "1.0", "0", {}},
                                                {"app", "1.0", "0", {"libfoo <2"}}});
    const auto r = run({{"c", "linux-64", &linux}}, {{"lib*", "app"}, {}, 1});
    EXPECT_EQ(files_of(r, "c", "linux-64"),
              (Files{"app-1.0-0.tar.bz2", "libbar-1.0-0.tar.bz2", "libfoo-1.0-0.tar.bz2",
                     "libfoo-2.0-0.tar.bz2"}));
}

TEST(SelectionRules, RecordWhoseNameDiffersFromItsFileNameIsReportedNeverSelected) {
    RepoData linux = channel("linux-64", {{"a", "1.0", "0", {}}});
    linux.packages["b-1.0-0.tar.bz2"] =
        R"({"build":"0","build_number":0,"depends":[],"name":"a","version":"1.0"})";
    const auto r = run({{"c", "linux-64", &linux}}, {{"a", "b"}, {}, {}});
    EXPECT_EQ(files_of(r, "c", "linux-64"), Files{"a-1.0-0.tar.bz2"});
    EXPECT_EQ(r.unmatched_includes, std::vector<std::string>{"b"});
    ASSERT_EQ(r.unreadable.size(), 1u);
    EXPECT_EQ(r.unreadable[0], "c/linux-64/b-1.0-0.tar.bz2: name 'a' differs from the file name");
}

TEST(SelectionRules, ListingSummaryAndDetails) {
    const RepoData linux = channel(
        "linux-64",
        {{"app", "1.0", "0", {"lib"}}, {"lib", "1.0", "0", {"gone"}}, {"ok", "1.0", "0", {}}});
    const RepoData noarch = channel("noarch", {{"tool", "1.0", "0", {"ok"}}});
    const auto r = run({{"conda-forge", "linux-64", &linux}, {"conda-forge", "noarch", &noarch}},
                       {{"app", "tool"}, {}, {}});
    EXPECT_EQ(r.listing(), (std::vector<std::string>{"conda-forge/linux-64/ok-1.0-0.tar.bz2",
                                                     "conda-forge/noarch/tool-1.0-0.tar.bz2"}));
    EXPECT_EQ(r.summary(),
              "2 files selected (2 seeds, 2 added by dependencies); 2 records dropped; "
              "1 dependency without candidates");
    EXPECT_EQ(r.details(),
              (std::vector<std::string>{
                  "no candidates for 'gone' in linux-64 (needed by "
                  "conda-forge/linux-64/lib-1.0-0.tar.bz2)",
                  "dropped conda-forge/linux-64/lib-1.0-0.tar.bz2: nothing selected for 'gone'",
                  "dropped conda-forge/linux-64/app-1.0-0.tar.bz2: nothing selected for 'lib'"}));
}

}  // namespace
