#include "core/version_spec.hpp"

#include <gtest/gtest.h>

#include <string>

using chanmirror::core::BuildNumberSpec;
using chanmirror::core::Version;
using chanmirror::core::VersionSpec;

namespace {

struct MatchCase {
    const char* version;
    const char* spec;
    bool expected;
};

void PrintTo(const MatchCase& c, std::ostream* os) {
    *os << "'" << c.version << "' ~ '" << c.spec << "'";
}

bool spec_matches(std::string_view spec, std::string_view version) {
    auto s = VersionSpec::parse(spec);
    auto v = Version::parse(version);
    EXPECT_TRUE(s) << spec << ": " << s.error().message;
    EXPECT_TRUE(v) << version;
    return s && v && s->matches(*v);
}

}  // namespace

class VersionSpecMatch : public testing::TestWithParam<MatchCase> {};

TEST_P(VersionSpecMatch, AgreesWithConda) {
    const MatchCase& c = GetParam();
    EXPECT_EQ(spec_matches(c.spec, c.version), c.expected);
}

// conda tests/models/test_version.py::test_ver_eval
INSTANTIATE_TEST_SUITE_P(
    CondaVerEval, VersionSpecMatch,
    testing::Values(MatchCase{"1.7.0", "==1.7", true}, MatchCase{"1.7.0", "<=1.7", true},
                    MatchCase{"1.7.0", "<1.7", false}, MatchCase{"1.7.0", ">=1.7", true},
                    MatchCase{"1.7.0", ">1.7", false}, MatchCase{"1.6.7", ">=1.7", false},
                    MatchCase{"2013a", ">2013b", false}, MatchCase{"2013k", ">2013b", true},
                    MatchCase{"3.0.0", ">2013b", false}, MatchCase{"1.0.0", ">1.0.0a", true},
                    MatchCase{"1.0.0", ">1.0.0*", true}, MatchCase{"1.0", "1.0*", true},
                    MatchCase{"1.0.0", "1.0*", true}, MatchCase{"1.0", "1.0.0*", true},
                    MatchCase{"1.0.1", "1.0.0*", false}, MatchCase{"2013a", "2013a*", true},
                    MatchCase{"2013a", "2013b*", false}, MatchCase{"2013ab", "2013a*", true},
                    MatchCase{"1.3.4", "1.2.4*", false}, MatchCase{"1.2.3+4.5.6", "1.2.3*", true},
                    MatchCase{"1.2.3+4.5.6", "1.2.3+4*", true},
                    MatchCase{"1.2.3+4.5.6", "1.2.3+5*", false},
                    MatchCase{"1.2.3+4.5.6", "1.2.4+5*", false}));

// conda test_match: every spec against version 1.7.1.
INSTANTIATE_TEST_SUITE_P(
    CondaMatchAgainst171, VersionSpecMatch,
    testing::Values(
        MatchCase{"1.7.1", "1.7.*", true}, MatchCase{"1.7.1", "1.7.1", true},
        MatchCase{"1.7.1", "1.7.0", false}, MatchCase{"1.7.1", "1.7", false},
        MatchCase{"1.7.1", "1.5.*", false}, MatchCase{"1.7.1", ">=1.5", true},
        MatchCase{"1.7.1", "!=1.5", true}, MatchCase{"1.7.1", "!=1.7.1", false},
        MatchCase{"1.7.1", "==1.7.1", true}, MatchCase{"1.7.1", "==1.7", false},
        MatchCase{"1.7.1", "==1.7.2", false}, MatchCase{"1.7.1", "==1.7.1.0", true},
        MatchCase{"1.7.1", "1.7.*|1.8.*", true}, MatchCase{"1.7.1", ">1.7,<1.8", true},
        MatchCase{"1.7.1", ">1.7.1,<1.8", false}, MatchCase{"1.7.1", "^1.7.1$", true},
        MatchCase{"1.7.1", R"(^1\.7\.1$)", true}, MatchCase{"1.7.1", R"(^1\.7\.[0-9]+$)", true},
        MatchCase{"1.7.1", R"(^1\.8.*$)", false}, MatchCase{"1.7.1", R"(^1\.[5-8]\.1$)", true},
        MatchCase{"1.7.1", R"(^[^1].*$)", false},
        MatchCase{"1.7.1", R"(^[0-9+]+\.[0-9+]+\.[0-9]+$)", true}, MatchCase{"1.7.1", "^$", false},
        MatchCase{"1.7.1", "^.*$", true}, MatchCase{"1.7.1", "1.7.*|^0.*$", true},
        MatchCase{"1.7.1", "1.6.*|^0.*$", false}, MatchCase{"1.7.1", "1.6.*|^0.*$|1.7.1", true},
        MatchCase{"1.7.1", "^0.*$|1.7.1", true},
        MatchCase{"1.7.1", R"(1.6.*|^.*\.7\.1$|0.7.1)", true}, MatchCase{"1.7.1", "*", true},
        MatchCase{"1.7.1", "1.*.1", true}, MatchCase{"1.7.1", "1.5.*|>1.7,<1.8", true},
        MatchCase{"1.7.1", "1.5.*|>1.7,<1.7.1", false}));

// conda test_not_eq_star, test_compound_versions, test_compatible_release_versions.
INSTANTIATE_TEST_SUITE_P(
    CondaOperators, VersionSpecMatch,
    testing::Values(MatchCase{"3.3.1", "=3.3", true}, MatchCase{"3.3", "=3.3", true},
                    MatchCase{"3.4", "=3.3", false}, MatchCase{"3.3.1", "3.3.*", true},
                    MatchCase{"3.3", "3.3.*", true}, MatchCase{"3.4", "3.3.*", false},
                    MatchCase{"3.3.1", "=3.3.*", true}, MatchCase{"3.3", "=3.3.*", true},
                    MatchCase{"3.4", "=3.3.*", false}, MatchCase{"3.3.1", "!=3.3.*", false},
                    MatchCase{"3.4", "!=3.3.*", true}, MatchCase{"3.4.1", "!=3.3.*", true},
                    MatchCase{"3.3.1", "!=3.3", true}, MatchCase{"3.3.0.0", "!=3.3", false},
                    MatchCase{"3.3.0.0", "!=3.3.*", false},
                    MatchCase{"2.6.8", ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", false},
                    MatchCase{"2.7.2", ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", true},
                    MatchCase{"3.3", ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", false},
                    MatchCase{"3.3.4", ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", false},
                    MatchCase{"3.4", ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", true},
                    MatchCase{"3.4a", ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", true},
                    MatchCase{"1.11.0", "~=1.10", true}, MatchCase{"1.11.0", "~=1.10.0", false},
                    MatchCase{"3.4.0", "~=3.3.2", false}, MatchCase{"3.3.1", "~=3.3.2", false},
                    MatchCase{"3.3.2.0", "~=3.3.2", true}, MatchCase{"3.3.3", "~=3.3.2", true},
                    MatchCase{"2.2.0", "~=3.3.2|==2.2", true},
                    MatchCase{"3.3.3", "~=3.3.2|==2.2", true},
                    MatchCase{"2.2.1", "~=3.3.2|==2.2", false}));

// Operators one by one on both sides of the boundary, `.*` normalisation, precedence.
INSTANTIATE_TEST_SUITE_P(
    EveryOperator, VersionSpecMatch,
    testing::Values(MatchCase{"1.2", "<1.2", false}, MatchCase{"1.1.9", "<1.2", true},
                    MatchCase{"1.2rc1", "<1.2", true}, MatchCase{"1.2", "<=1.2.0", true},
                    MatchCase{"1.2.1", "<=1.2", false}, MatchCase{"1.2.1", ">1.2", true},
                    MatchCase{"1.2", ">1.2", false}, MatchCase{"1.2post1", ">1.2", true},
                    MatchCase{"1.2", ">=1.2.0", true}, MatchCase{"1.1", ">=1.2", false},
                    MatchCase{"1.2.5", ">=1.2.*", true}, MatchCase{"1.1", ">=1.2.*", false},
                    MatchCase{"1.2", "==1.2.*", true}, MatchCase{"1.2.5", "==1.2.*", false},
                    MatchCase{"1.3", "<1.3.*", false}, MatchCase{"1.2", "<1.3.*", true},
                    MatchCase{"1.2.0", "1.2", true}, MatchCase{"1.2.1", "1.2", false},
                    MatchCase{"1.20", "1.2.*", false}, MatchCase{"1.20", "1.2*", false},
                    MatchCase{"1.2", "1.2*", true}, MatchCase{"1.2.0", "1.2.0.*", true},
                    MatchCase{"1!1.2", "1.2.*", false}, MatchCase{"1!1.2", "1!1.2.*", true},
                    MatchCase{"3.1", "3.1|3.0,<3.0", true},     // `,` binds tighter: 3.1|(3.0,<3.0)
                    MatchCase{"3.1", "(3.1|3.0),<3.0", false},  // parentheses regroup
                    MatchCase{"2.9", "(3.1|2.9),<3.0", true}, MatchCase{"0.9", "((0.9))", true},
                    MatchCase{"1.7.1", "*.7.*,>=1", true}, MatchCase{"1.7.1", ">=2,*.7.*", false},
                    MatchCase{"1.7.1", "1.*.1,!=1.7.1", false}));

TEST(VersionSpec, CanonicalStrings) {
    struct Case {
        const char* input;
        const char* canonical;
    };
    for (const Case& c : {
             Case{"( (1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1", "1.5|(1.6|1.7),1.8,1.9|2.0|2.1"},
             Case{"1.7*", "1.7.*"},
             Case{"1.7.1*,1.8.1*", "1.7.1.*,1.8.1.*"},
             Case{"1.7.1.*,1.8.1.*", "1.7.1.*,1.8.1.*"},
             Case{">=1.8,<2|1.9", ">=1.8,<2|1.9"},
             Case{"(1.5|1.6),>1", "(1.5|1.6),>1"},
             Case{">=1.2.*", ">=1.2.*"},
             Case{" 1.2 ", "1.2"},
             Case{"*", "*"},
         }) {
        auto spec = VersionSpec::parse(c.input);
        ASSERT_TRUE(spec) << c.input << ": " << spec.error().message;
        EXPECT_EQ(spec->to_string(), c.canonical) << c.input;
        // The canonical form parses back to the same spec.
        auto again = VersionSpec::parse(spec->to_string());
        ASSERT_TRUE(again);
        EXPECT_EQ(again->to_string(), c.canonical);
    }
}

TEST(VersionSpec, ExactnessAndMatchAll) {
    EXPECT_TRUE(VersionSpec::parse("1.7.1")->is_exact());
    EXPECT_TRUE(VersionSpec::parse("==1.7.1")->is_exact());
    EXPECT_FALSE(VersionSpec::parse("1.7.1*")->is_exact());
    EXPECT_FALSE(VersionSpec::parse(">=1.7")->is_exact());
    EXPECT_FALSE(VersionSpec::parse("1.7|1.8")->is_exact());
    EXPECT_TRUE(VersionSpec::parse("*")->matches_all());
    EXPECT_TRUE(VersionSpec().matches_all());
    EXPECT_FALSE(VersionSpec::parse("*|1.0")->matches_all());
    EXPECT_TRUE(VersionSpec::parse("*|1.0")->matches(*Version::parse("7")));
}

namespace {

struct BadSpec {
    const char* spec;
    const char* reason;
};

}  // namespace

class VersionSpecRejects : public testing::TestWithParam<BadSpec> {};

TEST_P(VersionSpecRejects, WithMessageNamingTheSpec) {
    auto spec = VersionSpec::parse(GetParam().spec);
    ASSERT_FALSE(spec) << GetParam().spec << " -> " << spec->to_string();
    const std::string& msg = spec.error().message;
    EXPECT_NE(msg.find("'" + std::string(GetParam().spec) + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(GetParam().reason), std::string::npos) << msg;
}

// conda test_ver_eval_errors, test_version_spec_2, test_invalid_version_specs,
// test_compatible_release_versions, test_pep_440_arbitrary_equality_operator.
INSTANTIATE_TEST_SUITE_P(
    CondaInvalidSpecs, VersionSpecRejects,
    testing::Values(BadSpec{"><2.4.5", "invalid operator"}, BadSpec{"!!2.4.5", "invalid operator"},
                    BadSpec{"!", "invalid operator"}, BadSpec{"~", "invalid operator"},
                    BadSpec{"^", "regex"}, BadSpec{"(1.5", "unbalanced"},
                    BadSpec{"1.5)", "unbalanced"}, BadSpec{"1.5||1.6", "misplaced '|'"},
                    BadSpec{"^1.5", "regex"}, BadSpec{"1.5$", "regex"},
                    BadSpec{"~=3.3.2.*", "'.*'"}, BadSpec{"===3.3.2", "invalid operator"},
                    BadSpec{"", "expected a version"}, BadSpec{">=", "invalid operator"},
                    BadSpec{"<= 1.2", "invalid operator"}, BadSpec{"1.5,", "expected a version"},
                    BadSpec{",1.5", "misplaced ','"}, BadSpec{"()", "misplaced ')'"},
                    BadSpec{">=1.0&", "invalid character"}, BadSpec{"~=2", "two components"},
                    BadSpec{"=<1.0", "invalid operator"}, BadSpec{"1.0 2.0", "invalid character"},
                    BadSpec{"^[$", "bad regular expression"},
                    BadSpec{"1.0.1@abc", "invalid character"}, BadSpec{"1.*'", "invalid character"},
                    // conda drops only the ".*", leaving an empty component (fuzz/version_fuzzer).
                    BadSpec{"1..*", "empty version component"},
                    // libstdc++ overflows reading long back-references (fuzz/version_fuzzer).
                    BadSpec{"^1\\99999999999999999999$", "back-reference"},
                    BadSpec{"^1{99999999999999999999}$", "repetition count too large"},
                    BadSpec{"^1{600}2{600}$", "repetition counts too large"}));

TEST(VersionSpec, RegexesAreKeptShort) {
    auto spec = VersionSpec::parse("^" + std::string(300, 'a') + "$");
    ASSERT_FALSE(spec);
    EXPECT_NE(spec.error().message.find("longer than 256"), std::string::npos);
    EXPECT_TRUE(VersionSpec::parse("^1\\.2(\\.[0-9]+)?$"));
    EXPECT_TRUE(VersionSpec::parse("^20[0-9]{2}\\.[0-9]{1,2}$"));
}

TEST(VersionSpec, RejectsDeepNestingWithoutCrashing) {
    const std::string deep = std::string(1000, '(') + "1.0" + std::string(1000, ')');
    auto spec = VersionSpec::parse(deep);
    ASSERT_FALSE(spec);
    EXPECT_NE(spec.error().message.find("too deeply nested"), std::string::npos);
}

TEST(BuildNumberSpec, OperatorsAndExactValues) {
    struct Case {
        const char* spec;
        std::int64_t build_number;
        bool expected;
    };
    // conda test_bracket_matches uses build_number 7.
    for (const Case& c :
         {Case{"7", 7, true}, Case{"7", 8, false}, Case{"*", 123, true}, Case{"<8", 7, true},
          Case{">7", 7, false}, Case{">=7", 7, true}, Case{"<=6", 7, false}, Case{"==7", 7, true},
          Case{"=7", 70, false}, Case{"=7", 7, true}, Case{"!=7", 7, false}, Case{"!=7", 6, true},
          Case{" 12 ", 12, true}}) {
        auto spec = BuildNumberSpec::parse(c.spec);
        ASSERT_TRUE(spec) << c.spec << ": " << spec.error().message;
        EXPECT_EQ(spec->matches(c.build_number), c.expected) << c.spec << " vs " << c.build_number;
    }
    EXPECT_TRUE(BuildNumberSpec().matches_all());
    EXPECT_EQ(BuildNumberSpec::parse(">=2")->to_string(), ">=2");
}

TEST(BuildNumberSpec, RejectsNonIntegersAndBadOperators) {
    for (const char* bad : {"", "abc", ">=", "~=2", ">=1.5", "<>1", "1 2", ">= 2"}) {
        auto spec = BuildNumberSpec::parse(bad);
        ASSERT_FALSE(spec) << bad;
        EXPECT_NE(spec.error().message.find("'" + std::string(bad) + "'"), std::string::npos);
    }
}
