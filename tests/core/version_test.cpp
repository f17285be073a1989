#include "core/version.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using chanmirror::core::Version;

namespace {

Version v(std::string_view text) {
    auto parsed = Version::parse(text);
    EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
    return parsed ? *parsed : Version();
}

// A chain of groups: every version of a group equals the others, and is less than every
// version of a later group.
using Chain = std::vector<std::vector<std::string>>;

void expect_strict_chain(const Chain& chain) {
    std::vector<Version> flat;
    std::vector<std::size_t> group_of;
    for (std::size_t g = 0; g < chain.size(); ++g) {
        for (const auto& text : chain[g]) {
            flat.push_back(v(text));
            group_of.push_back(g);
        }
    }
    for (std::size_t i = 0; i < flat.size(); ++i) {
        for (std::size_t j = 0; j < flat.size(); ++j) {
            const auto want = group_of[i] <=> group_of[j];
            EXPECT_EQ(flat[i] <=> flat[j], want)
                << flat[i].to_string() << " vs " << flat[j].to_string();
        }
    }
    EXPECT_TRUE(std::is_sorted(flat.begin(), flat.end()));
    // Sorting a shuffled copy reproduces the order of the groups.
    std::vector<std::size_t> idx(flat.size());
    for (std::size_t i = 0; i < idx.size(); ++i) {
        idx[i] = i;
    }
    std::shuffle(idx.begin(), idx.end(), std::mt19937(42));
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return flat[a] < flat[b]; });
    for (std::size_t i = 1; i < idx.size(); ++i) {
        EXPECT_LE(group_of[idx[i - 1]], group_of[idx[i]]);
    }
}

void expect_sorted(const std::vector<std::string>& texts) {
    Chain chain;
    for (const auto& t : texts) {
        chain.push_back({t});
    }
    expect_strict_chain(chain);
}

}  // namespace

// CEP 33 "Examples", which extends conda's VersionOrder docstring with local versions.
TEST(Version, Cep33OrderingChain) {
    expect_strict_chain({
        {"0.4", "0.4.0"},
        {"0.4.1.rc", "0.4.1.RC"},
        {"0.4.1+local"},
        {"0.4.1+0.local"},
        {"0.4.1", "0.4.1+0"},
        {"0.4.1+1.local"},
        {"0.5a1"},
        {"0.5b3"},
        {"0.5C1"},
        {"0.5"},
        {"0.9.6"},
        {"0.960923"},
        {"1.0"},
        {"1.1dev1"},
        {"1.1_"},
        {"1.1a1"},
        {"1.1.0dev1", "1.1.dev1"},
        {"1.1.a1"},
        {"1.1.0rc1"},
        {"1.1.0.0", "1.1.0", "1.1"},
        {"1.1.post1", "1.1.0post1"},
        {"1.1post1"},
        {"1996.07.12"},
        {"1!0.4.1"},
        {"1!3.1.1.6"},
        {"2!0.4.1"},
    });
}

// conda tests/models/test_version.py::test_version_order, in its sorted order.
TEST(Version, CondaTestVersionOrderList) {
    expect_strict_chain({
        {"0.4", "0.4.0"},
        {"0.4.1a.vc11"},
        {"0.4.1.rc"},
        {"0.4.1.vc11"},
        {"0.4.1"},
        {"0.5*"},
        {"0.5a1"},
        {"0.5b3"},
        {"0.5C1"},
        {"0.5z"},
        {"0.5za"},
        {"0.5"},
        {"0.5_5", "0.5-5"},
        {"0.9.6"},
        {"0.960923"},
        {"1.0"},
        {"1.0.4a3"},
        {"1.0.4b1"},
        {"1.0.4"},
        {"1.1dev1"},
        {"1.1_"},
        {"1.1a1"},
        {"1.1.dev1"},
        {"1.1.a1"},
        {"1.1"},
        {"1.1.post1"},
        {"1.1.1dev1"},
        {"1.1.1rc1"},
        {"1.1.1"},
        {"1.1.1post1"},
        {"1.1post1"},
        {"2g6"},
        {"2.0b1pr0"},
        {"2.2be.ta29"},
        {"2.2be5ta29"},
        {"2.2beta29"},
        {"2.2.0.1"},
        {"3.1.1.6"},
        {"3.2.p.r0"},
        {"3.2.pr0"},
        {"3.2.pr.1"},
        {"5.5.kw"},
        {"11g"},
        {"14.3.1"},
        {"14.3.1.post26.g9d75ca2"},
        {"1996.07.12"},
        {"1!0.4.1"},
        {"1!3.1.1.6"},
        {"2!0.4.1"},
    });
}

// conda test_openssl_convention: a trailing underscore sorts before letters.
TEST(Version, OpensslConvention) {
    expect_sorted({"1.0.1dev", "1.0.1_", "1.0.1a", "1.0.1b", "1.0.1c", "1.0.1d", "1.0.1r",
                   "1.0.1rc", "1.0.1rc1", "1.0.1rc2", "1.0.1s", "1.0.1", "1.0.1post.a",
                   "1.0.1post.b", "1.0.1post.z", "1.0.1post.za", "1.0.2"});
}

// conda test_pep440 (adapted from the packaging test suite).
TEST(Version, Pep440Chain) {
    std::vector<std::string> base = {
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0c1.dev456",
        "1.0c1",
        "1.0c3",
        "1.0rc2",
        "1.0.dev456",
        "1.0",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.1.dev1",
        "1.2.r32+123456",
        "1.2.rev33+123456",
        "1.2+abc",
        "1.2+abc123def",
        "1.2+abc123",
        "1.2+123abc",
        "1.2+123abc456",
        "1.2+1234.abc",
        "1.2+123456",
    };
    std::vector<std::string> all = base;
    for (const auto& b : base) {
        all.push_back("1!" + b);
    }
    expect_sorted(all);
    expect_sorted({"0.3.0.dev", "0.3.3"});  // test_hexrd
}

// mamba libmamba/tests/src/specs/test_version.cpp: the order of a run after a number, and
// comparisons across epochs, lengths and dev/post.
TEST(Version, MambaAtomOrderAndMixedComparisons) {
    expect_sorted(
        {"1*", "1dev", "1_", "1a", "1alpha", "1b", "1beta", "1c", "1r", "1rc", "1", "1post"});
    EXPECT_LT(v("2post"), v("1!1dev"));
    EXPECT_LT(v("1.0dev"), v("1"));
    EXPECT_LT(v("1.0.0dev"), v("1"));
    EXPECT_LT(v("1post"), v("2dev"));
    EXPECT_LT(v("2.0"), v("11.0.0post"));
    EXPECT_EQ(v("1a"), v("1a.0"));
    EXPECT_EQ(v("0.0"), Version());
    // '*' is a legal (string) run, as conda's globs rely on.
    for (const char* glob_like : {"*", "*.*", "*.*.2023.12", "1.*", "g56ffd88f"}) {
        EXPECT_TRUE(Version::parse(glob_like)) << glob_like;
    }
}

TEST(Version, EqualityIgnoresCaseWhitespaceZeroPaddingAndLeadingZeros) {
    EXPECT_EQ(v("0.4.1.rc"), v("  0.4.1.RC  "));
    EXPECT_EQ(v("  0.4.rc  "), v("0.4.RC"));
    EXPECT_EQ(v("0.4"), v("0.4.0"));
    EXPECT_NE(v("0.4"), v("0.4.1"));
    EXPECT_EQ(v("0.4.a1"), v("0.4.0a1"));
    EXPECT_NE(v("0.4.a1"), v("0.4.1a1"));
    EXPECT_EQ(v("1.01"), v("1.1"));
    EXPECT_EQ(v("2020.07"), v("2020.7.0"));
    EXPECT_EQ(v("0!1.0"), v("1.0"));
    EXPECT_EQ(v("1.0+0"), v("1.0"));
}

TEST(Version, DashesFoldIntoUnderscoresOnlyWithoutUnderscores) {
    EXPECT_EQ(v("1.0-1"), v("1.0_1"));
    EXPECT_EQ(v("1.0-1"), v("1.0.1"));
    EXPECT_EQ(v("1.0-1").normalized(), "1.0_1");
    EXPECT_FALSE(Version::parse("1.0-1_2"));
}

TEST(Version, KeepsOriginalTextAndCondaNormalizedForm) {
    EXPECT_EQ(v(" 1.2.RC1 ").to_string(), "1.2.RC1");
    EXPECT_EQ(v("1.2.RC1").normalized(), "1.2.rc1");
}

TEST(Version, NumbersOfAnySizeCompareNumerically) {
    EXPECT_LT(v("1.9"), v("1.10"));
    EXPECT_LT(v("1.99999999999999999999998"), v("1.99999999999999999999999"));
    EXPECT_LT(v("1.4294967295"), v("1.4294967296"));
    EXPECT_LT(v("1.999"), v("1.0001000"));
    EXPECT_EQ(v("1.000000000000000000000000001"), v("1.1"));
    // Short numbers compare by value, long ones by digits; the boundary must not matter.
    EXPECT_LT(v("1.999999999"), v("1.1000000000"));
    EXPECT_EQ(v("1.0123456789"), v("1.123456789"));
    EXPECT_EQ(v("1.01234567890"), v("1.1234567890"));
    EXPECT_LT(v("1.1234567890"), v("1.1234567891"));
}

TEST(Version, SpecialStrings) {
    EXPECT_LT(v("1.0dev"), v("1.0a"));        // dev before every other string
    EXPECT_LT(v("1.0*"), v("1.0dev"));        // '*' < 'DEV' by byte order, as in conda
    EXPECT_LT(v("1.0dev"), v("1.0_"));        // 'DEV' < '_'
    EXPECT_GT(v("1.0devel"), v("1.0a"));      // only the exact run "dev" is special
    EXPECT_GT(v("1.0post"), v("1.0.99999"));  // post is greater than any number
    EXPECT_LT(v("1.0postfix"), v("1.0"));     // only the exact run "post" is special
    EXPECT_EQ(v("1.0.post"), v("1.0.0post"));
}

namespace {

struct BadVersion {
    const char* text;
    const char* reason;
};

}  // namespace

class VersionRejects : public testing::TestWithParam<BadVersion> {};

TEST_P(VersionRejects, WithMessageNamingTheInput) {
    auto parsed = Version::parse(GetParam().text);
    ASSERT_FALSE(parsed) << GetParam().text;
    const std::string& msg = parsed.error().message;
    EXPECT_NE(msg.find("'" + std::string(GetParam().text) + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(GetParam().reason), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    CondaInvalidVersions, VersionRejects,
    testing::Values(
        BadVersion{"", "empty"}, BadVersion{"  ", "empty"},
        BadVersion{"3.5&1", "invalid character"}, BadVersion{"5.5++", "duplicated local"},
        BadVersion{"5.5..mw", "empty version component"},
        BadVersion{"!", "epoch must be an integer"},
        BadVersion{"a!1.0", "epoch must be an integer"}, BadVersion{"a!b!1.0", "duplicated epoch"},
        BadVersion{"1!", "missing version"}, BadVersion{"+1", "missing version"},
        BadVersion{"1.0+", "empty version component"},
        BadVersion{"1.0.", "empty version component"}, BadVersion{"_1", "empty version component"},
        BadVersion{"1.0-1_2", "invalid character"}, BadVersion{"1.0 1", "invalid character"},
        BadVersion{"1,0", "invalid character"}, BadVersion{"3.5|1", "invalid character"},
        BadVersion{"!1.1", "epoch must be an integer"},
        BadVersion{"-1!1.1", "epoch must be an integer"},
        BadVersion{"foo!1.1", "epoch must be an integer"},
        BadVersion{"0post1!1.1", "epoch must be an integer"}, BadVersion{"0!", "missing version"},
        BadVersion{"1..1", "empty version component"},
        BadVersion{"1.2post+", "empty version component"}, BadVersion{"1!+1.1", "missing version"},
        BadVersion{"5.5+1+0.0", "duplicated local"}, BadVersion{"1!2!3.0", "duplicated epoch"},
        BadVersion{"1-1_1", "invalid character"}));

namespace {

struct StartsWithCase {
    const char* version;
    const char* prefix;
    bool expected;
};

}  // namespace

class VersionStartsWith : public testing::TestWithParam<StartsWithCase> {};

TEST_P(VersionStartsWith, MatchesConda) {
    const auto& c = GetParam();
    EXPECT_EQ(v(c.version).starts_with(v(c.prefix)), c.expected)
        << c.version << " starts with " << c.prefix;
}

// conda test_version_order "check startswith", plus the `1.2.*` boundary cases.
INSTANTIATE_TEST_SUITE_P(
    CondaCases, VersionStartsWith,
    testing::Values(
        StartsWithCase{"0.4.1", "0", true}, StartsWithCase{"0.4.1", "0.4", true},
        StartsWithCase{"0.4.1p1", "0.4", true}, StartsWithCase{"0.4.1p1", "0.4.1p", true},
        StartsWithCase{"0.4.1p1", "0.4.1q1", false}, StartsWithCase{"0.4", "0.4.1", false},
        StartsWithCase{"0.4.1+1.3", "0.4.1", true}, StartsWithCase{"0.4.1+1.3", "0.4.1+1", true},
        StartsWithCase{"0.4.1", "0.4.1+1.3", false}, StartsWithCase{"0.4.1+1", "0.4.1+1.3", false},
        StartsWithCase{"1.2.3", "1.2", true}, StartsWithCase{"1.20", "1.2", false},
        StartsWithCase{"1.2", "1.2", true}, StartsWithCase{"1.2a", "1.2", true},
        StartsWithCase{"1.2", "1.2.0", true}, StartsWithCase{"1.2.1", "1.2.0", false},
        StartsWithCase{"2013ab", "2013a", true}, StartsWithCase{"2013a", "2013b", false},
        StartsWithCase{"1!1.2.3", "1.2", false}, StartsWithCase{"1!1.2.3", "1!1.2", true}));

TEST(Version, CompatibleRelease) {
    // conda test_compatible_release_versions
    EXPECT_TRUE(v("1.11.0").compatible_with(v("1.10")));
    EXPECT_FALSE(v("1.11.0").compatible_with(v("1.10.0")));
    EXPECT_FALSE(v("3.4.0").compatible_with(v("3.3.2")));
    EXPECT_FALSE(v("3.3.1").compatible_with(v("3.3.2")));
    EXPECT_TRUE(v("3.3.2.0").compatible_with(v("3.3.2")));
    EXPECT_TRUE(v("3.3.3").compatible_with(v("3.3.2")));
    EXPECT_FALSE(v("2.0").compatible_with(v("1.10")));
    EXPECT_FALSE(v("3").compatible_with(v("2")));  // no prefix to keep: conda cannot evaluate
    ASSERT_TRUE(v("1.4.5").compatible_prefix());
    EXPECT_EQ(v("1.4.5").compatible_prefix()->to_string(), "1.4");
}

TEST(Version, DefaultConstructedEqualsZero) {
    EXPECT_EQ(Version(), v("0"));
    EXPECT_EQ(Version(), v("0.0"));
    EXPECT_LT(Version(), v("0.1"));
    EXPECT_GT(Version(), v("0a"));
}
