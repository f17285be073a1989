#include "indexer/newest_builds.hpp"

#include <gtest/gtest.h>

using chanmirror::indexer::NewestBuilds;

TEST(NewestBuilds, ASoleBuildIsTheNewest) {
    NewestBuilds builds;
    builds.add("a-1.0-h1_0.tar.bz2", std::nullopt);
    builds.add("a-1.1-h1_0.tar.bz2", 900.0);  // another version
    EXPECT_TRUE(builds.settle_as_newest("a-1.0-h1_0.tar.bz2", 100));
}

TEST(NewestBuilds, NotWhileAnotherBuildOfTheVersionIsStillToBeRead) {
    NewestBuilds builds;
    builds.add("a-1.0-h1_0.tar.bz2", std::nullopt);
    builds.add("a-1.0-h2_0.tar.bz2", std::nullopt);
    EXPECT_FALSE(builds.settle_as_newest("a-1.0-h2_0.tar.bz2", 200));
    builds.settle("a-1.0-h1_0.tar.bz2", 100);
    EXPECT_TRUE(builds.settle_as_newest("a-1.0-h2_0.tar.bz2", 200));
    EXPECT_FALSE(builds.settle_as_newest("a-1.0-h1_0.tar.bz2", 100)) << "older";
}

TEST(NewestBuilds, CachedBuildsCountAndATieIsNotSurelyThisOne) {
    NewestBuilds builds;
    builds.add("a-1.0-h1_0.conda", 300.0);
    builds.add("a-1.0-h2_0.tar.bz2", std::nullopt);
    EXPECT_FALSE(builds.settle_as_newest("a-1.0-h2_0.tar.bz2", 300));
    EXPECT_FALSE(builds.settle_as_newest("a-1.0-h2_0.tar.bz2", 299));
    EXPECT_TRUE(builds.settle_as_newest("a-1.0-h2_0.tar.bz2", 301));
}

TEST(NewestBuilds, ACondaTwinIsTakenInsteadUnlessItIsNoPackage) {
    NewestBuilds builds;
    builds.add("a-1.0-h1_0.tar.bz2", std::nullopt);
    builds.add("a-1.0-h1_0.conda", std::nullopt);
    builds.settle("a-1.0-h1_0.conda", 50);
    EXPECT_FALSE(builds.settle_as_newest("a-1.0-h1_0.tar.bz2", 100))
        << "channeldata.json reads the .conda of a build that has both";
    builds.settle("a-1.0-h1_0.conda", std::nullopt);  // it failed to read after all
    EXPECT_TRUE(builds.settle_as_newest("a-1.0-h1_0.tar.bz2", 100));
}

TEST(NewestBuilds, UntrackedFilesAreNeverTheNewest) {
    NewestBuilds builds;
    builds.add("a-1.0-h1_0.tar.bz2", std::nullopt);
    EXPECT_FALSE(builds.settle_as_newest("b-1.0-h1_0.tar.bz2", 100));
    EXPECT_FALSE(builds.settle_as_newest("no-dashes.tar.bz2", 100));
    EXPECT_EQ(NewestBuilds::group_of("a-b-1.0-h1_0.tar.bz2"), "a-b-1.0-");
    EXPECT_EQ(NewestBuilds::group_of("odd.tar.bz2"), "");
}
