#include "sync/hash_cache.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

TEST(HashCache, ADownloadCheckedBySha256AloneRoundTripsWithoutMd5) {
    test::TempDir dir;
    auto file = dir / "a-1-0.conda";
    test::write_bytes(file, "abc");
    io::Hasher hasher(io::DigestSet::sha256_only);
    hasher.update("abc", 3);
    {
        auto cache = HashCache::load(dir / "hashes.tsv");
        cache.remember(file, "a-1-0.conda", hasher.finish());
        ASSERT_TRUE(cache.save());
    }
    auto cache = HashCache::load(dir / "hashes.tsv");
    auto d = cache.digest(file, "a-1-0.conda");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(cache.hashed(), 0u);  // from the cache, not re-hashed
    EXPECT_EQ(d->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(d->md5, "");
    EXPECT_EQ(d->size, 3u);
}

TEST(HashCache, AChangedFileIsHashedAgainWithBothDigests) {
    test::TempDir dir;
    auto file = dir / "a-1-0.conda";
    test::write_bytes(file, "abc");
    auto cache = HashCache::load(dir / "hashes.tsv");
    auto d = cache.digest(file, "a-1-0.conda");
    ASSERT_TRUE(d);
    EXPECT_EQ(cache.hashed(), 1u);
    EXPECT_EQ(d->md5, "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace chanmirror::sync
