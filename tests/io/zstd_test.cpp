#include "io/zstd.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

#include <string>
#include <vector>

using namespace chanmirror;

namespace {

std::string json_like(int seed, std::size_t records) {
    std::string s = "{\"packages\":{";
    for (std::size_t i = 0; i < records; ++i) {
        s += "\"pkg" + std::to_string(seed) + "-" + std::to_string(i) +
             "-0.tar.bz2\":{\"build\":\"h" + std::to_string(i * 7919 % 100003) +
             "_0\",\"depends\":[\"libc\"]},";
    }
    s += "\"end\":{}}}";
    return s;
}

TEST(Zstd, CompressAllRoundTripsEachInputWithItsSizeInTheFrame) {
    std::vector<std::string> texts = {json_like(1, 2000), "", json_like(2, 10), json_like(1, 2000),
                                      json_like(3, 500)};
    std::vector<std::string_view> inputs(texts.begin(), texts.end());
    auto out = io::zstd_compress_all(inputs, {3, 2});  // two at a time
    ASSERT_EQ(out.size(), texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        ASSERT_TRUE(out[i]) << i << ": " << out[i].error().message;
        EXPECT_EQ(ZSTD_getFrameContentSize(out[i]->data(), out[i]->size()), texts[i].size()) << i;
        auto back = io::zstd_decompress(*out[i], "input " + std::to_string(i));
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, texts[i]) << "input " << i << " came back as another's bytes";
    }
    EXPECT_EQ(*out[0], *out[3]) << "equal inputs give equal frames";
    EXPECT_EQ(*out[0], *io::zstd_compress(texts[0], {3, 2})) << "same bytes as one at a time";
}

TEST(Zstd, CompressAllOfNothingIsNothing) {
    EXPECT_TRUE(io::zstd_compress_all({}, {}).empty());
}

}  // namespace
