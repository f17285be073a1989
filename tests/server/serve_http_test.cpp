// The HTTP surface conda, mamba and pixi rely on, over real loopback connections.
#include "server/server.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

#include "io/atomic_file.hpp"
#include "io/zstd.hpp"
#include "tests/server/test_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/package_builder.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;
using test::http_request;
using test::HttpRequestOptions;

namespace {

using test::random_bytes;

std::string repodata_json(const std::string& extra_name = "") {
    std::string json =
        R"({"info":{"subdir":"noarch"},"packages":{"pkg-1.0-0.tar.bz2":{"build":"0","name":"pkg",)"
        R"("sha256":"1111111111111111111111111111111111111111111111111111111111111111","size":4096,)"
        R"("timestamp":1700000000000,"version":"1.0"}},"packages.conda":{"pkg-1.0-0.conda":)"
        R"({"build":"0","name":"pkg","sha256":"2222222222222222222222222222222222222222222222222222222222222222",)"
        R"("size":4096,"version":"1.0"},"evil-1-0.conda":{"build":"0","name":"<script>x</script>",)"
        R"("sha256":"33","size":1,"version":"1"})";
    if (!extra_name.empty()) {
        json += R"(,")" + extra_name + R"(-2-0.conda":{"build":"0","name":")" + extra_name +
                R"(","sha256":"44","size":2,"version":"2"})";
    }
    json += R"(},"repodata_version":1,"padding":")" + std::string(2000, 'x') + "\"}";
    return json;
}

std::string gunzip(const std::string& in) {
    z_stream zs{};
    inflateInit2(&zs, 15 + 16);
    std::string out(in.size() * 20 + 1024, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : std::string("<gunzip failed>");
}

class ServeHttp : public ::testing::Test {
  protected:
    ServeHttp() {
        auto noarch = dir_.path() / "conda-forge/noarch";
        test::write_bytes(noarch / "repodata.json", repodata_json());
        test::write_bytes(noarch / "repodata.json.zst", random_bytes(3000, 1));
        test::write_bytes(noarch / "pkg-1.0-0.conda", conda_bytes_);
        test::write_bytes(noarch / "pkg-1.0-0.tar.bz2", random_bytes(4096, 3));
        test::write_bytes(noarch / "repodata_shards.msgpack.zst", random_bytes(500, 4));
        test::write_bytes(noarch / "shards/abcd.msgpack.zst", random_bytes(300, 5));
        test::write_bytes(noarch / "a<b>.txt", "angle");
        test::write_bytes(noarch / "lib+plus.txt", "plus");
        test::write_bytes(dir_.path() / "conda-forge/linux-64/repodata.json", "{}");
        test::write_bytes(dir_.path() / "conda-forge/channeldata.json", "{}");
        test::write_bytes(dir_.path() / "pkgs/main/noarch/repodata.json", "{}");
        server::ServeOptions options;
        options.root = dir_.path();
        options.max_age_index = 45;
        server_ = std::make_unique<test::TestServer>(options);
    }

    std::string url(const std::string& path) const { return server_->url(path); }
    test::HttpResponse get(const std::string& path, std::vector<std::string> headers = {}) {
        HttpRequestOptions options;
        options.headers = std::move(headers);
        return http_request(url(path), options);
    }

    test::TempDir dir_;
    std::string conda_bytes_ = random_bytes(4096, 2);
    std::unique_ptr<test::TestServer> server_;
};

const char* const pkg = "/conda-forge/noarch/pkg-1.0-0.conda";

TEST_F(ServeHttp, GetSendsTheFileWithLengthTypeAndValidators) {
    auto res = get(pkg);
    ASSERT_EQ(res.status, 200) << res.error;
    EXPECT_EQ(res.body, conda_bytes_);
    EXPECT_EQ(res.header("content-length"), "4096");
    EXPECT_EQ(res.header("content-type"), "application/octet-stream");
    EXPECT_EQ(res.header("accept-ranges"), "bytes");
    EXPECT_TRUE(res.header("etag").starts_with("\"")) << "strong ETag";
    EXPECT_FALSE(res.header("last-modified").empty());
    auto json = get("/conda-forge/noarch/repodata.json");
    EXPECT_EQ(json.header("content-type"), "application/json");
    EXPECT_EQ(json.body, repodata_json());
}

TEST_F(ServeHttp, HeadSendsHeadersOnly) {
    HttpRequestOptions options;
    options.method = "HEAD";
    auto res = http_request(url(pkg), options);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.header("content-length"), "4096");
    EXPECT_TRUE(res.body.empty());
    // The raw bytes: nothing after the head, and the connection stays usable.
    test::RawConnection conn(server_->port());
    conn.send(std::string("HEAD ") + pkg +
              " HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto head = conn.read_response(/*head_request=*/true);
    EXPECT_EQ(test::status_of(head), 200);
    EXPECT_TRUE(head.ends_with("\r\n\r\n"));
    auto next = conn.read_response();
    EXPECT_EQ(test::status_of(next), 200);
    EXPECT_TRUE(next.ends_with("ok\n"));
}

TEST_F(ServeHttp, IfNoneMatchAnswers304ForListsAndStar) {
    auto first = get(pkg);
    std::string etag = first.header("etag");
    for (const std::string& inm : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
        auto res = get(pkg, {"If-None-Match: " + inm});
        EXPECT_EQ(res.status, 304) << inm;
        EXPECT_TRUE(res.body.empty());
        EXPECT_EQ(res.header("etag"), etag);
        EXPECT_FALSE(res.has_header("content-length")) << inm;
    }
    EXPECT_EQ(get(pkg, {"If-None-Match: \"stale\""}).status, 200);
    // If-None-Match wins over If-Modified-Since.
    EXPECT_EQ(get(pkg, {"If-None-Match: \"stale\"",
                        "If-Modified-Since: " + first.header("last-modified")})
                  .status,
              200);
    EXPECT_EQ(get("/conda-forge/noarch/missing.json", {"If-None-Match: *"}).status, 404);
}

TEST_F(ServeHttp, IfModifiedSinceAnswers304WhenNotNewer) {
    auto first = get(pkg);
    EXPECT_EQ(get(pkg, {"If-Modified-Since: " + first.header("last-modified")}).status, 304);
    EXPECT_EQ(get(pkg, {"If-Modified-Since: Sun, 06 Nov 2100 08:49:37 GMT"}).status, 304);
    EXPECT_EQ(get(pkg, {"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"}).status, 200);
    EXPECT_EQ(get(pkg, {"If-Modified-Since: garbage"}).status, 200);
}

TEST_F(ServeHttp, RangesNormalSuffixOpenEnded) {
    auto res = get(pkg, {"Range: bytes=100-199"});
    ASSERT_EQ(res.status, 206);
    EXPECT_EQ(res.body, conda_bytes_.substr(100, 100));
    EXPECT_EQ(res.header("content-range"), "bytes 100-199/4096");
    EXPECT_EQ(res.header("content-length"), "100");

    res = get(pkg, {"Range: bytes=-22"});  // pixi reads .conda zip directories like this
    ASSERT_EQ(res.status, 206);
    EXPECT_EQ(res.body, conda_bytes_.substr(4096 - 22));
    EXPECT_EQ(res.header("content-range"), "bytes 4074-4095/4096");

    res = get(pkg, {"Range: bytes=4000-"});  // conda resuming a .partial download
    ASSERT_EQ(res.status, 206);
    EXPECT_EQ(res.body, conda_bytes_.substr(4000));
    EXPECT_EQ(res.header("content-range"), "bytes 4000-4095/4096");
}

TEST_F(ServeHttp, UnsatisfiableRangeIs416AndSeveralRangesGetTheWholeBody) {
    auto res = get(pkg, {"Range: bytes=5000-"});
    EXPECT_EQ(res.status, 416);
    EXPECT_EQ(res.header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(res.header("content-range"), "bytes */4096");
    res = get(pkg, {"Range: bytes=0-1,10-11"});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, conda_bytes_);
    // If-Range with a stale validator: the whole (new) file.
    res = get(pkg, {"Range: bytes=0-9", "If-Range: \"stale\""});
    EXPECT_EQ(res.status, 200);
    std::string etag = get(pkg).header("etag");
    EXPECT_EQ(get(pkg, {"Range: bytes=0-9", "If-Range: " + etag}).status, 206);
}

TEST_F(ServeHttp, CompressedFormatsAreNeverContentEncoded) {
    for (const char* path :
         {"/conda-forge/noarch/repodata.json.zst", pkg, "/conda-forge/noarch/pkg-1.0-0.tar.bz2",
          "/conda-forge/noarch/repodata_shards.msgpack.zst"}) {
        auto res = get(path, {"Accept-Encoding: gzip, deflate, br, zstd"});
        EXPECT_EQ(res.status, 200) << path;
        EXPECT_FALSE(res.has_header("content-encoding")) << path;
        EXPECT_EQ(res.body, test::read_bytes(dir_.path() / std::string(path).substr(1)));
    }
    EXPECT_EQ(get("/conda-forge/noarch/repodata.json.zst").header("content-type"),
              "application/zstd");
}

TEST_F(ServeHttp, CacheControlByFileClass) {
    const std::string short_age = "public, max-age=45";
    const std::string forever = "public, max-age=31536000, immutable";
    EXPECT_EQ(get("/conda-forge/noarch/repodata.json").header("cache-control"), short_age);
    EXPECT_EQ(get("/conda-forge/noarch/repodata.json.zst").header("cache-control"), short_age);
    EXPECT_EQ(get("/conda-forge/noarch/repodata_shards.msgpack.zst").header("cache-control"),
              short_age);
    EXPECT_EQ(get("/conda-forge/channeldata.json").header("cache-control"), short_age);
    EXPECT_EQ(get("/conda-forge/noarch/shards/abcd.msgpack.zst").header("cache-control"), forever);
    EXPECT_EQ(get(pkg).header("cache-control"), forever);
    EXPECT_EQ(get("/conda-forge/noarch/pkg-1.0-0.tar.bz2").header("cache-control"), forever);
}

TEST_F(ServeHttp, JsonIsGzipOrZstdEncodedOnRequestAndRecompressedAfterAChange) {
    const std::string path = "/conda-forge/noarch/repodata.json";
    auto gz = get(path, {"Accept-Encoding: gzip"});
    ASSERT_EQ(gz.status, 200);
    EXPECT_EQ(gz.header("content-encoding"), "gzip");
    EXPECT_EQ(gz.header("vary"), "Accept-Encoding");
    EXPECT_EQ(gunzip(gz.body), repodata_json());
    EXPECT_EQ(std::to_string(gz.body.size()), gz.header("content-length"));

    auto zs = get(path, {"Accept-Encoding: gzip, zstd"});
    ASSERT_EQ(zs.header("content-encoding"), "zstd");
    auto plain = io::zstd_decompress(zs.body, "response");
    ASSERT_TRUE(plain);
    EXPECT_EQ(*plain, repodata_json());

    auto identity = get(path);
    EXPECT_FALSE(identity.has_header("content-encoding"));
    // Each representation has its own validator.
    EXPECT_NE(gz.header("etag"), identity.header("etag"));
    EXPECT_NE(gz.header("etag"), zs.header("etag"));
    EXPECT_EQ(get(path, {"Accept-Encoding: gzip", "If-None-Match: " + gz.header("etag")}).status,
              304);

    // An atomic replace (what `index` does) invalidates the cached compressed copy.
    ASSERT_TRUE(io::write_file_atomic(dir_.path() / path.substr(1), repodata_json("newpkg")));
    auto gz2 = get(path, {"Accept-Encoding: gzip"});
    EXPECT_EQ(gunzip(gz2.body), repodata_json("newpkg"));
    EXPECT_NE(gz2.header("etag"), gz.header("etag"));
    EXPECT_EQ(get(path, {"Accept-Encoding: gzip", "If-None-Match: " + gz.header("etag")}).status,
              200);
    auto zs2 = get(path, {"Accept-Encoding: zstd"});
    EXPECT_EQ(*io::zstd_decompress(zs2.body, "response"), repodata_json("newpkg"));
}

TEST_F(ServeHttp, ReplacedFilesArePickedUpWithoutRestart) {
    auto before = get(pkg);
    std::string replacement = random_bytes(5000, 9);
    ASSERT_TRUE(io::write_file_atomic(dir_.path() / std::string(pkg).substr(1), replacement));
    auto after = get(pkg, {"If-None-Match: " + before.header("etag")});
    EXPECT_EQ(after.status, 200);
    EXPECT_EQ(after.body, replacement);
    EXPECT_NE(after.header("etag"), before.header("etag"));
}

TEST_F(ServeHttp, MissingFilesAre404WithAShortBody) {
    for (const char* path :
         {"/conda-forge/noarch/current_repodata.json", "/conda-forge/linux-64/repodata.json.zst",
          "/conda-forge/linux-64/repodata_shards.msgpack.zst", "/nope/",
          "/conda-forge/noarch/x/"}) {
        auto res = get(path);
        EXPECT_EQ(res.status, 404) << path;
        EXPECT_EQ(res.body, "not found\n") << path;
        EXPECT_EQ(res.header("content-type"), "text/plain; charset=utf-8");
    }
    // A file asked for as a directory is missing too.
    EXPECT_EQ(get(std::string(pkg) + "/").status, 404);
}

TEST_F(ServeHttp, PlusAndPercentEncodedPlusNameTheSameFile) {
    EXPECT_EQ(get("/conda-forge/noarch/lib+plus.txt").body, "plus");
    EXPECT_EQ(get("/conda-forge/noarch/lib%2Bplus.txt").body, "plus");
    EXPECT_EQ(get("/conda-forge/noarch/lib%2bplus.txt").body, "plus");
}

TEST_F(ServeHttp, ListingsForRootChannelAndSubdir) {
    auto root = get("/");
    ASSERT_EQ(root.status, 200);
    EXPECT_EQ(root.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(root.body.find("href=\"conda-forge/\""), std::string::npos);
    EXPECT_NE(root.body.find("href=\"pkgs/\""), std::string::npos);

    auto channel = get("/conda-forge/");
    EXPECT_NE(channel.body.find("href=\"noarch/\""), std::string::npos);
    EXPECT_NE(channel.body.find("href=\"linux-64/\""), std::string::npos);
    EXPECT_NE(channel.body.find("channeldata.json"), std::string::npos);

    auto subdir = get("/conda-forge/noarch/");
    ASSERT_EQ(subdir.status, 200);
    const std::string& html = subdir.body;
    EXPECT_NE(html.find("href=\"pkg-1.0-0.conda\""), std::string::npos);
    EXPECT_NE(html.find("2222222222222222222222222222222222222222222222222222222222222222"),
              std::string::npos);
    EXPECT_NE(html.find("<td>1.0</td>"), std::string::npos);
    EXPECT_NE(html.find("2023-11-14"), std::string::npos);
    EXPECT_NE(html.find("4.0 KiB"), std::string::npos);
    EXPECT_NE(html.find("<input id=\"q\" name=\"q\""), std::string::npos);
    // Everything from repodata and file names is escaped.
    EXPECT_EQ(html.find("<script>x</script>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("a&lt;b&gt;.txt"), std::string::npos);
    EXPECT_NE(html.find("href=\"a%3Cb%3E.txt\""), std::string::npos);
    EXPECT_EQ(get("/conda-forge/noarch/a%3Cb%3E.txt").body, "angle");
}

TEST_F(ServeHttp, ListingFilterWorksWithoutJavaScriptAndFollowsRepodataChanges) {
    auto filtered = get("/conda-forge/noarch/?q=evil");
    EXPECT_NE(filtered.body.find("evil-1-0.conda"), std::string::npos);
    EXPECT_EQ(filtered.body.find("pkg-1.0-0.conda"), std::string::npos);
    ASSERT_TRUE(io::write_file_atomic(dir_.path() / "conda-forge/noarch/repodata.json",
                                      repodata_json("fresh")));
    EXPECT_NE(get("/conda-forge/noarch/").body.find("fresh-2-0.conda"), std::string::npos);
}

TEST_F(ServeHttp, DirectoryWithoutSlashRedirects) {
    auto res = get("/conda-forge/noarch?q=a");
    EXPECT_EQ(res.status, 301);
    EXPECT_EQ(res.header("location"), "/conda-forge/noarch/?q=a");
}

// "//conda-forge" once redirected to "//conda-forge/": to a host named conda-forge.
TEST_F(ServeHttp, RedirectStaysOnThisServer) {
    auto res = get("//conda-forge//noarch");
    EXPECT_EQ(res.status, 301);
    EXPECT_EQ(res.header("location"), "/conda-forge//noarch/");
}

TEST_F(ServeHttp, HealthzAndMetrics) {
    // One keep-alive connection only: a session counts a response before it reads the next
    // request, so the counters are exact when /metrics is answered.
    test::RawConnection conn(server_->port());
    auto send = [&](const std::string& target, const std::string& extra = "") {
        conn.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n");
        return conn.read_response();
    };
    std::string health = send("/healthz");
    EXPECT_EQ(test::status_of(health), 200);
    EXPECT_TRUE(health.ends_with("\r\n\r\nok\n"));
    std::string first = send(pkg);
    auto etag_at = first.find("ETag: ") + 6;
    std::string etag = first.substr(etag_at, first.find("\r\n", etag_at) - etag_at);
    EXPECT_EQ(test::status_of(send(pkg, "If-None-Match: " + etag + "\r\n")), 304);
    EXPECT_EQ(test::status_of(send("/missing")), 404);
    std::string m = send("/metrics");
    EXPECT_EQ(test::status_of(m), 200);
    EXPECT_NE(m.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    EXPECT_NE(m.find("# TYPE chanmirror_http_requests_total counter"), std::string::npos);
    EXPECT_NE(m.find("chanmirror_http_requests_total{code=\"2xx\"} 2"), std::string::npos) << m;
    EXPECT_NE(m.find("chanmirror_http_requests_total{code=\"3xx\"} 1"), std::string::npos) << m;
    EXPECT_NE(m.find("chanmirror_http_requests_total{code=\"4xx\"} 1"), std::string::npos) << m;
    EXPECT_NE(m.find("chanmirror_http_not_modified_total 1"), std::string::npos) << m;
    EXPECT_NE(m.find("chanmirror_http_response_bytes_total 4109"), std::string::npos) << m;
    EXPECT_NE(m.find("chanmirror_open_connections 1"), std::string::npos) << m;
}

TEST_F(ServeHttp, KeepAliveAndPipelining) {
    test::RawConnection conn(server_->port());
    std::string req = std::string("GET ") + pkg + " HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE(
        conn.send(req + req + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    for (int i = 0; i < 2; ++i) {
        auto res = conn.read_response();
        EXPECT_EQ(test::status_of(res), 200);
        EXPECT_TRUE(res.ends_with(conda_bytes_));
    }
    auto last = conn.read_until_close();
    EXPECT_EQ(test::status_of(last), 200);
    EXPECT_NE(last.find("Connection: close"), std::string::npos);
    EXPECT_FALSE(conn.timed_out());
}

TEST_F(ServeHttp, Http10ClosesUnlessKeepAliveAsked) {
    test::RawConnection conn(server_->port());
    conn.send("GET /healthz HTTP/1.0\r\n\r\n");
    auto res = conn.read_until_close();
    EXPECT_TRUE(res.starts_with("HTTP/1.0 200 OK\r\n"));
    EXPECT_FALSE(conn.timed_out());
}

}  // namespace
