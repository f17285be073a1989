#include "core/regex_guard.hpp"

#include <gtest/gtest.h>

#include "core/match_spec.hpp"

using namespace chanmirror;

namespace {

TEST(RegexGuard, VersionAndNamePatternsAreAccepted) {
    for (const char* pattern :
         {"^1\\.2(\\.[0-9]+)?$", "^20[0-9]{2}\\.[0-9]{1,2}$", "^py3[0-9]+_.*$", "^(numpy|scipy)$",
          "^[a-z]+-[0-9]*?$", "^1\\.[2-5]\\..*$", "^[]a]+$", "^\\(x\\)*$"}) {
        EXPECT_EQ(core::regex_refusal(pattern), "") << pattern;
    }
}

TEST(RegexGuard, PatternsStdRegexCannotTakeSafelyAreRefused) {
    struct Case {
        const char* pattern;
        const char* reason;
    };
    for (const Case& c : {
             Case{"^a**$", "multiple repeat"},
             Case{"^a+*$", "multiple repeat"},
             Case{"^a*?+$", "multiple repeat"},
             Case{"^(a*)*$", "repeats or alternates inside"},
             Case{"^(a|aa)+$", "repeats or alternates inside"},
             Case{"^((a+)b)*$", "repeats or alternates inside"},
             Case{"^(a+){2,5}$", "repeats or alternates inside"},
             Case{"^1\\999$", "back-reference"},
             Case{"^1{1000}$", "repetition count too large"},
             Case{"^1{600}2{600}$", "repetition counts too large"},
         }) {
        EXPECT_NE(core::regex_refusal(c.pattern).find(c.reason), std::string::npos)
            << c.pattern << " -> " << core::regex_refusal(c.pattern);
    }
    EXPECT_NE(core::regex_refusal(std::string(300, 'a')).find("longer than 256"),
              std::string::npos);
}

// A name regex of 75 stars made one match spec take over a minute to match (found by
// fuzz/match_spec_fuzzer); it is now refused when parsed.
TEST(RegexGuard, MatchSpecsWithSuchPatternsAreRefusedWithTheReason) {
    auto spec = core::MatchSpec::parse("^x" + std::string(75, '*') + "y$");
    ASSERT_FALSE(spec);
    EXPECT_NE(spec.error().message.find("multiple repeat"), std::string::npos)
        << spec.error().message;
}

}  // namespace
