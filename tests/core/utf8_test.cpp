#include "core/utf8.hpp"

#include <gtest/gtest.h>

using namespace chanmirror;

namespace {

TEST(Utf8, ValidTextIsRecognised) {
    EXPECT_TRUE(core::is_valid_utf8(""));
    EXPECT_TRUE(core::is_valid_utf8("plain ascii"));
    EXPECT_TRUE(core::is_valid_utf8("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x90\x8d"));
    for (const char* bad :
         {"caf\xe9", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe4\xb8", "\x80"}) {
        EXPECT_FALSE(core::is_valid_utf8(bad)) << bad;
    }
}

TEST(Utf8, CodePointsAreDecoded) {
    std::string_view snake = "\xf0\x9f\x90\x8d";
    ASSERT_EQ(core::utf8_sequence_length(snake), 4u);
    EXPECT_EQ(core::utf8_code_point(snake, 4), U'\U0001F40D');
    EXPECT_EQ(core::utf8_code_point("\xc2\x85", 2), U'\u0085');
    EXPECT_EQ(core::utf8_code_point("A", 1), U'A');
}

}  // namespace
