#include "io/hashing.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

TEST(Hashing, KnownVectorsForAbc) {
    io::Hasher h;
    h.update("abc", 3);
    auto d = h.finish();
    EXPECT_EQ(d.md5_hex(), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(d.sha256_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(d.size, 3u);
}

TEST(Hashing, FileHashMatchesManifestOfRealPackage) {
    auto d = io::hash_file(test::fixtures_dir() / "packages/linux-64/d-1-0.tar.bz2");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->sha256_hex(), "6a4cfff6979c46e389d5d1a85697369e640130c7996112b4be1dc98eb53f7e7e");
    EXPECT_EQ(d->md5_hex(), "42a642b4e54751ec7f916b4fbca56e8e");
    EXPECT_EQ(d->size, 1778u);
}

TEST(Hashing, MissingFileNamesThePath) {
    auto d = io::hash_file("/nonexistent/pkg.conda");
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("/nonexistent/pkg.conda"), std::string::npos);
}

TEST(Hashing, OneDigestOnlyLeavesTheOtherUnknown) {
    io::Hasher sha(io::DigestSet::sha256_only);
    sha.update("abc", 3);
    auto s = sha.finish();
    EXPECT_EQ(s.sha256_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(s.md5_hex(), "");
    EXPECT_EQ(s.size, 3u);
    auto m = io::hash_file(test::fixtures_dir() / "packages/linux-64/d-1-0.tar.bz2",
                           io::DigestSet::md5_only);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->md5_hex(), "42a642b4e54751ec7f916b4fbca56e8e");
    EXPECT_EQ(m->sha256_hex(), "");
    EXPECT_EQ(m->size, 1778u);
}
