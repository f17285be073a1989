#include "core/printable.hpp"

#include <gtest/gtest.h>

namespace chanmirror::core {
namespace {

TEST(Printable, PlainAndAccentedTextPassThrough) {
    EXPECT_EQ(printable("numpy-1.26.4-py312_0.conda"), "numpy-1.26.4-py312_0.conda");
    EXPECT_EQ(printable("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xa6"),
              "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xa6");
    EXPECT_EQ(printable(""), "");
}

TEST(Printable, TerminalControlsAreEscaped) {
    EXPECT_EQ(printable("a\x1b[2Jb"), "a\\x1b[2Jb");
    EXPECT_EQ(printable("line\nnext\r\t"), "line\\x0anext\\x0d\\x09");
    EXPECT_EQ(printable("del\x7f"), "del\\x7f");
    // U+009B, CSI as one character: some terminals obey it like ESC [.
    EXPECT_EQ(printable("x\xc2\x9b"
                        "31m"),
              "x\\xc2\\x9b31m");
    EXPECT_EQ(printable(std::string_view("nul\0end", 7)), "nul\\x00end");
}

TEST(Printable, BytesThatAreNotUtf8AreEscaped) {
    EXPECT_EQ(printable("metadata.jso\x86"), "metadata.jso\\x86");
    EXPECT_EQ(printable("\xc3"), "\\xc3");                             // truncated sequence
    EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
    EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a UTF-16 surrogate
    EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
    EXPECT_EQ(printable("\xe6\x97x"), "\\xe6\\x97x");
}

TEST(Printable, ExtraCharactersCanBeEscaped) {
    std::string out;
    append_printable(out, R"(GET "/a\b")", "\"\\");
    EXPECT_EQ(out, "GET \\x22/a\\x5cb\\x22");
}

}  // namespace
}  // namespace chanmirror::core
