// Selection over the real repodata fixtures (conda-forge linux-64 + noarch subsets, defaults
// r/linux-64). Expected values were computed independently with a small Python model of the
// issue-5 rules over the same JSON files, not with this code.
#include "core/selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/repodata.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using chanmirror::core::RepoData;
using chanmirror::core::select_files;
using chanmirror::core::SelectionInput;
using chanmirror::core::SelectionOptions;
using chanmirror::core::SelectionResult;

const RepoData& fixture(const std::string& rel) {
    static std::map<std::string, RepoData> cache;
    auto it = cache.find(rel);
    if (it == cache.end()) {
        const auto path = chanmirror::test::fixtures_dir() / "repodata" / rel;
        auto parsed =
            chanmirror::core::parse_repodata(chanmirror::test::read_bytes(path), path.string());
        EXPECT_TRUE(parsed) << parsed.error().message;
        it = cache.emplace(rel, parsed ? std::move(*parsed) : RepoData{}).first;
    }
    return it->second;
}

std::vector<SelectionInput> conda_forge() {
    return {{"conda-forge", "linux-64", &fixture("conda-subchannel-demo/linux-64/repodata.json")},
            {"conda-forge", "noarch", &fixture("conda-subchannel-demo/noarch/repodata.json")}};
}

SelectionResult run(const std::vector<SelectionInput>& inputs, const SelectionOptions& options) {
    auto result = select_files(inputs, options);
    EXPECT_TRUE(result) << result.error().message;
    return result ? std::move(*result) : SelectionResult{};
}

std::size_t count(const SelectionResult& r, const std::string& channel, const std::string& subdir) {
    const auto it = r.files.find({channel, subdir});
    return it == r.files.end() ? 0 : it->second.size();
}

std::size_t count_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
    return static_cast<std::size_t>(std::count_if(
        lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); }));
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// The 23 packages of a python 3.9.18 environment, as `conda env export` pins them.
const std::vector<std::string> environment_pins = {
    "_libgcc_mutex=0.1=conda_forge",
    "_openmp_mutex=4.5=2_gnu",
    "bzip2=1.0.8=hd590300_5",
    "ca-certificates=2024.2.2=hbcca054_0",
    "ld_impl_linux-64=2.40=h41732ed_0",
    "libffi=3.4.2=h7f98852_5",
    "libgcc-ng=13.2.0=h77fa898_7",
    "libgomp=13.2.0=h77fa898_7",
    "libnsl=2.0.1=hd590300_0",
    "libsqlite=3.45.3=h2797004_0",
    "libuuid=2.38.1=h0b41bf4_0",
    "libxcrypt=4.4.36=hd590300_1",
    "libzlib=1.2.13=hd590300_5",
    "ncurses=6.5=h59595ed_0",
    "openssl=3.3.0=hd590300_0",
    "pip=24.0=pyhd8ed1ab_0",
    "python=3.9.18=h0755675_1_cpython",
    "readline=8.2=h8228510_1",
    "setuptools=69.5.1=pyhd8ed1ab_0",
    "tk=8.6.13=noxft_h4845f30_101",
    "tzdata=2024a=h0c530f3_0",
    "wheel=0.43.0=pyhd8ed1ab_1",
    "xz=5.2.6=h166bdaf_0",
};

TEST(SelectionOnFixtures, ExactPinsOfAWholeEnvironmentSelectExactlyThoseBuilds) {
    const auto r = run(conda_forge(), {environment_pins, {}, {}});
    const auto lines = r.listing();
    ASSERT_EQ(lines.size(), 23u);
    EXPECT_EQ(count(r, "conda-forge", "linux-64"), 19u);
    EXPECT_EQ(count(r, "conda-forge", "noarch"), 4u);
    EXPECT_TRUE(has(lines, "conda-forge/linux-64/python-3.9.18-h0755675_1_cpython.conda"));
    EXPECT_TRUE(has(lines, "conda-forge/linux-64/libffi-3.4.2-h7f98852_5.tar.bz2"));
    EXPECT_TRUE(has(lines, "conda-forge/linux-64/xz-5.2.6-h166bdaf_0.tar.bz2"));
    EXPECT_TRUE(has(lines, "conda-forge/noarch/wheel-0.43.0-pyhd8ed1ab_1.conda"));
    EXPECT_TRUE(has(lines, "conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda"));
    EXPECT_TRUE(r.dropped.empty());
    EXPECT_TRUE(r.missing.empty());
    EXPECT_TRUE(r.unmatched_includes.empty());
    EXPECT_EQ(r.seeds, 23u);
    EXPECT_EQ(r.closure_added, 0u);
}

TEST(SelectionOnFixtures, OnePinnedBuildPullsItsClosureThenPrunes) {
    // pip needs `setuptools` (any build), whose py27..py38 builds need pythons the pin
    // excludes: they come in through the closure and are pruned, with certifi etc. after them.
    const auto r = run(conda_forge(), {{"python=3.9.18=h0755675_1_cpython"}, {}, {}});
    EXPECT_EQ(r.listing().size(), 1294u);
    EXPECT_EQ(count(r, "conda-forge", "linux-64"), 1114u);
    EXPECT_EQ(count(r, "conda-forge", "noarch"), 180u);
    EXPECT_EQ(r.missing.size(), 17u);
    EXPECT_EQ(r.dropped.size(), 1055u);
    const auto lines = r.listing();
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/python-"), 1u);
    EXPECT_TRUE(has(lines, "conda-forge/linux-64/python-3.9.18-h0755675_1_cpython.conda"));
    const bool dropped_py27_certifi =
        std::any_of(r.dropped.begin(), r.dropped.end(),
                    [](const auto& d) { return d.filename == "certifi-2016.2.28-py27_0.tar.bz2"; });
    EXPECT_TRUE(dropped_py27_certifi);
}

TEST(SelectionOnFixtures, PythonPrefixPinWithLatestOne) {
    // `python=3.9` is a prefix pin; latest 1 keeps 3.9.19 and the newest version of each
    // dependency spec's candidates (all builds of that version).
    const auto r = run(conda_forge(), {{"python=3.9"}, {}, 1});
    const auto lines = r.listing();
    EXPECT_EQ(lines.size(), 71u);
    EXPECT_EQ(count(r, "conda-forge", "linux-64"), 66u);
    EXPECT_EQ(count(r, "conda-forge", "noarch"), 5u);
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/python-"), 1u);
    EXPECT_TRUE(has(lines, "conda-forge/linux-64/python-3.9.19-h0755675_0_cpython.conda"));
    // Equal versions counted once: every 13.2.0 build of libgcc-ng is "the newest version".
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/libgcc-ng-13.2.0-"), 9u);
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/libstdcxx-ng-13.2.0-"), 9u);
    EXPECT_TRUE(has(lines, "conda-forge/noarch/wheel-0.43.0-pyhd8ed1ab_0.conda"));
    EXPECT_TRUE(has(lines, "conda-forge/noarch/wheel-0.43.0-pyhd8ed1ab_1.conda"));
    EXPECT_TRUE(r.dropped.empty());
    EXPECT_TRUE(r.missing.empty());
}

TEST(SelectionOnFixtures, LatestTwoOfANoarchSeed) {
    const auto r = run(conda_forge(), {{"pip"}, {}, 2});
    EXPECT_EQ(r.listing().size(), 180u);
    EXPECT_EQ(count(r, "conda-forge", "linux-64"), 171u);
    EXPECT_EQ(count(r, "conda-forge", "noarch"), 9u);
}

TEST(SelectionOnFixtures, ExcludeRemovesCandidatesAndPrunesTheirDependents) {
    const auto r = run(conda_forge(), {{"python=3.9.18=h0755675_1_cpython"}, {"openssl>=3.2"}, {}});
    const auto lines = r.listing();
    EXPECT_EQ(lines.size(), 999u);
    EXPECT_EQ(count(r, "conda-forge", "linux-64"), 976u);
    EXPECT_EQ(count(r, "conda-forge", "noarch"), 23u);
    EXPECT_EQ(r.missing.size(), 20u);
    EXPECT_EQ(r.dropped.size(), 1345u);
    // python 3.9.18 h0755675_1 needs openssl >=3.2.0: the seed itself is pruned.
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/python-"), 0u);
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/openssl-3.2"), 0u);
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/openssl-3.3"), 0u);
}

TEST(SelectionOnFixtures, ClosureAcrossTwoChannelsThenPruning) {
    // A defaults `r` package: r-base comes from the r channel, its bzip2/curl/openssl/...
    // from conda-forge; r-base's cairo, glib, ... exist in neither, so r-base and then
    // r-backports are pruned, and what they pulled from conda-forge stays.
    auto inputs = conda_forge();
    inputs.insert(inputs.begin(),
                  SelectionInput{"r", "linux-64", &fixture("conda-tests/r_linux-64.json")});
    const auto r = run(inputs, {{"r::r-backports=1.1.2=r350hb353451_0"}, {}, 1});
    const auto lines = r.listing();
    EXPECT_EQ(lines.size(), 90u);
    EXPECT_EQ(count(r, "r", "linux-64"), 1u);
    EXPECT_EQ(count(r, "conda-forge", "linux-64"), 89u);
    EXPECT_EQ(count(r, "conda-forge", "noarch"), 0u);
    EXPECT_TRUE(has(lines, "r/linux-64/_r-mutex-1.0.0-anacondar_1.tar.bz2"));
    EXPECT_TRUE(has(lines, "conda-forge/linux-64/curl-8.7.1-hca28451_0.conda"));
    EXPECT_TRUE(has(lines, "conda-forge/linux-64/openssl-1.1.1w-hd590300_0.conda"));
    EXPECT_EQ(count_prefix(lines, "conda-forge/linux-64/ncurses-5.9-"), 11u);
    EXPECT_EQ(r.missing.size(), 21u);
    ASSERT_EQ(r.dropped.size(), 2u);
    EXPECT_EQ(r.dropped[0].filename, "r-base-3.5.0-h1c2f66e_1.tar.bz2");
    EXPECT_EQ(r.dropped[1].filename, "r-backports-1.1.2-r350hb353451_0.tar.bz2");
    EXPECT_EQ(r.dropped[1].dependency, "r-base >=3.5.0,<3.5.1.0a0");
}

TEST(SelectionOnFixtures, UnmatchedPinSelectsNothing) {
    const auto r = run(conda_forge(), {{"python=999"}, {}, {}});
    EXPECT_TRUE(r.listing().empty());
    EXPECT_EQ(r.unmatched_includes, std::vector<std::string>{"python=999"});
}

TEST(SelectionOnFixtures, WholeSubdirWithoutSpecs) {
    const auto r = run(conda_forge(), {});
    EXPECT_EQ(count(r, "conda-forge", "linux-64"), 2709u);
    EXPECT_EQ(count(r, "conda-forge", "noarch"), 205u);
}

}  // namespace
