#include "sync/artifact_info.hpp"

#include <gtest/gtest.h>

namespace chanmirror::sync {
namespace {

TEST(ArtifactInfoReader, ReadsSizeAndDigestsAmongOtherKeys) {
    ArtifactInfoReader reader;
    auto info = reader.read(
        R"({"build":"0","depends":["a >=1"],"md5":"45C80239803A838A73AF4C301F527490","name":"x","run_exports":{"size":1},"sha256":"7a92155c3c226ebf585f5d862552015407c9fbb27f13d688cff11f0789f30e5d","size":11842})",
        "x-1-0.tar.bz2");
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->size, 11842u);
    EXPECT_EQ(info->md5, "45c80239803a838a73af4c301f527490");
    EXPECT_EQ(info->sha256, "7a92155c3c226ebf585f5d862552015407c9fbb27f13d688cff11f0789f30e5d");
}

TEST(ArtifactInfoReader, Md5OnlyRecordsAreAccepted) {
    ArtifactInfoReader reader;
    auto info = reader.read(R"({"md5":"45c80239803a838a73af4c301f527490","sha256":null,"size":3})",
                            "old.tar.bz2");
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->sha256.empty());
}

TEST(ArtifactInfoReader, UnverifiableRecordsAreErrorsNamingTheFile) {
    ArtifactInfoReader reader;
    auto no_size = reader.read(R"({"md5":"45c80239803a838a73af4c301f527490"})", "nosize-1-0.conda");
    ASSERT_FALSE(no_size);
    EXPECT_NE(no_size.error().message.find("nosize-1-0.conda"), std::string::npos);
    EXPECT_FALSE(reader.read(R"({"size":3})", "nodigest.conda"));
    EXPECT_FALSE(reader.read(R"({"size":3,"sha256":"zz"})", "badhex.conda"));
    EXPECT_FALSE(
        reader.read(R"({"size":-3,"md5":"45c80239803a838a73af4c301f527490"})", "neg.conda"));
}

}  // namespace
}  // namespace chanmirror::sync
