#include "server/static_file.hpp"

#include <gtest/gtest.h>

#include "server/cache_control.hpp"
#include "server/compressed_cache.hpp"
#include "server/mime.hpp"

using namespace chanmirror::server;

TEST(ByteRanges, ParsesClosedOpenAndSuffixRanges) {
    auto r = parse_range("bytes=0-9", 100);
    EXPECT_EQ(r.kind, ByteRange::satisfiable);
    EXPECT_EQ(r.first, 0u);
    EXPECT_EQ(r.length, 10u);
    r = parse_range("bytes=90-", 100);
    EXPECT_EQ(r.first, 90u);
    EXPECT_EQ(r.length, 10u);
    r = parse_range("bytes=-30", 100);
    EXPECT_EQ(r.first, 70u);
    EXPECT_EQ(r.length, 30u);
    r = parse_range("bytes=-300", 100);  // longer than the file: all of it
    EXPECT_EQ(r.first, 0u);
    EXPECT_EQ(r.length, 100u);
    r = parse_range("bytes=50-1000", 100);  // clamped
    EXPECT_EQ(r.length, 50u);
}

TEST(ByteRanges, UnsatisfiableAndIgnoredForms) {
    EXPECT_EQ(parse_range("bytes=100-", 100).kind, ByteRange::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-0", 100).kind, ByteRange::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-5", 0).kind, ByteRange::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=0-1,5-6", 100).kind, ByteRange::none);
    EXPECT_EQ(parse_range("bytes=9-3", 100).kind, ByteRange::none);
    EXPECT_EQ(parse_range("items=0-3", 100).kind, ByteRange::none);
    EXPECT_EQ(parse_range("bytes=x-3", 100).kind, ByteRange::none);
}

TEST(Validators, EtagListsAndStar) {
    EXPECT_TRUE(etag_list_matches("\"a\", \"b\"", "\"b\""));
    EXPECT_TRUE(etag_list_matches("W/\"b\"", "\"b\""));
    EXPECT_TRUE(etag_list_matches("*", "\"b\""));
    EXPECT_FALSE(etag_list_matches("\"a\",\"c\"", "\"b\""));
}

TEST(Validators, HttpDateRoundTrips) {
    EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_FALSE(parse_http_date("yesterday"));
    EXPECT_EQ(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT "), 784111777);
    // Out of range or overlong fields are no date (a 30-digit year once overflowed sscanf;
    // found by fuzz/serve_fuzzer), so the request is answered in full.
    for (const char* bad :
         {"Sun, 06 Nov 888888888888888888881994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
          "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nox 1994 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, -6 Nov 1994 08:49:37 GMT"}) {
        EXPECT_FALSE(parse_http_date(bad)) << bad;
    }
}

TEST(CacheControl, ClassesByName) {
    EXPECT_EQ(cache_class("cf/noarch/repodata.json"), CacheClass::index);
    EXPECT_EQ(cache_class("cf/noarch/repodata.json.zst"), CacheClass::index);
    EXPECT_EQ(cache_class("cf/noarch/current_repodata.json"), CacheClass::index);
    EXPECT_EQ(cache_class("cf/noarch/repodata_shards.msgpack.zst"), CacheClass::index);
    EXPECT_EQ(cache_class("cf/channeldata.json"), CacheClass::index);
    EXPECT_EQ(cache_class("cf/noarch/shards/ab12.msgpack.zst"), CacheClass::immutable);
    EXPECT_EQ(cache_class("cf/noarch/x-1-0.conda"), CacheClass::immutable);
    EXPECT_EQ(cache_class("cf/noarch/x-1-0.tar.bz2"), CacheClass::immutable);
    EXPECT_EQ(cache_control_value(CacheClass::index, 60), "public, max-age=60");
    EXPECT_EQ(cache_control_value(CacheClass::immutable, 60),
              "public, max-age=31536000, immutable");
}

TEST(Mime, TypesByExtension) {
    EXPECT_EQ(mime_type("repodata.json"), "application/json");
    EXPECT_EQ(mime_type("repodata.json.zst"), "application/zstd");
    EXPECT_EQ(mime_type("x-1-0.tar.bz2"), "application/x-tar");
    EXPECT_EQ(mime_type("x-1-0.conda"), "application/octet-stream");
}

TEST(Encoding, NegotiatesZstdThenGzip) {
    EXPECT_EQ(choose_encoding("gzip, deflate, br, zstd"), Encoding::zstd);
    EXPECT_EQ(choose_encoding("gzip;q=1.0, zstd;q=0"), Encoding::gzip);
    EXPECT_EQ(choose_encoding("identity"), Encoding::identity);
    EXPECT_EQ(choose_encoding(""), Encoding::identity);
}
