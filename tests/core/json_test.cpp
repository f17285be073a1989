#include "core/json.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace chanmirror;

namespace {

// index.json fields are whatever a package says; a timestamp of 3.3e48 once overflowed a
// conversion in channeldata.json (found by fuzz/package_metadata_fuzzer).
TEST(Json, NumbersConvertToInt64OnlyWhenTheyFit) {
    EXPECT_EQ(core::to_int64(core::Json(1700000000000)), 1700000000000);
    EXPECT_EQ(core::to_int64(core::Json(-5)), -5);
    EXPECT_EQ(core::to_int64(core::Json(12.9)), 12);
    EXPECT_EQ(core::to_int64(core::Json(std::numeric_limits<std::int64_t>::max())),
              std::numeric_limits<std::int64_t>::max());
    EXPECT_FALSE(core::to_int64(core::Json(std::numeric_limits<std::uint64_t>::max())));
    EXPECT_FALSE(core::to_int64(core::Json::parse("3333333333333333333333333333333333331699")));
    EXPECT_FALSE(core::to_int64(core::Json(9.3e18)));
    EXPECT_FALSE(core::to_int64(core::Json(std::numeric_limits<double>::quiet_NaN())));
    EXPECT_FALSE(core::to_int64(core::Json("1700000000000")));
    EXPECT_FALSE(core::to_int64(core::Json()));
}

TEST(Json, TextThatIsNotUtf8IsWrittenNotThrown) {
    core::Json value = {{"ok", "caf\xc3\xa9"}, {"bad", "caf\xe9"}};
    EXPECT_FALSE(core::strings_are_utf8(value));
    EXPECT_TRUE(core::strings_are_utf8(core::Json{{"ok", {"caf\xc3\xa9", 1}}}));
    EXPECT_EQ(core::dump_compact(value), R"({"bad":"caf\ufffd","ok":"caf\u00e9"})");
}

}  // namespace
