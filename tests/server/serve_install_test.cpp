// End to end: `chanmirror index` over the fixture packages, `serve`, then what a client's
// install does: fetch repodata.json.zst and the CEP-16 shard index, follow shards through a
// package's dependencies, download the packages (one resumed with Range) and verify sha256.
#include "server/server.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <deque>
#include <set>

#include "core/json.hpp"
#include "io/hashing.hpp"
#include "io/zstd.hpp"
#include "tests/server/test_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

std::string sha256_hex(const std::string& bytes) {
    io::Hasher hasher;
    hasher.update(bytes.data(), bytes.size());
    return hasher.finish().sha256_hex();
}

core::Json fetch_msgpack_zst(const std::string& url, test::HttpResponse* raw = nullptr) {
    auto res = test::http_request(url);
    EXPECT_EQ(res.status, 200) << url;
    EXPECT_FALSE(res.has_header("content-encoding")) << url;
    auto bytes = io::zstd_decompress(res.body, url);
    EXPECT_TRUE(bytes) << url;
    if (raw != nullptr)
        *raw = res;
    return bytes ? core::Json::from_msgpack(*bytes) : core::Json();
}

std::string dependency_name(const std::string& spec) {
    return spec.substr(0, spec.find_first_of(" =<>!~["));
}

TEST(ServeInstall, IndexServeFollowShardsAndVerifyDownloads) {
    test::TempDir dir;
    auto channel = dir.path() / "fixtures";
    std::filesystem::create_directories(channel);
    std::filesystem::copy(test::fixtures_dir() / "packages/noarch", channel / "noarch",
                          std::filesystem::copy_options::recursive);
    std::string command = "'" + test::chanmirror_binary().string() + "' index '" +
                          channel.string() + "' >/dev/null 2>&1";
    int rc = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) <= 1) << "chanmirror index failed: " << rc;

    server::ServeOptions options;
    options.root = dir.path();
    test::TestServer server(options);
    const std::string base = server.url("/fixtures/noarch/");

    // conda: repodata.json.zst first (no HEAD), no Content-Encoding on top of zstd.
    auto zst = test::http_request(base + "repodata.json.zst");
    ASSERT_EQ(zst.status, 200);
    EXPECT_EQ(zst.header("cache-control"), "public, max-age=60");
    auto repodata =
        core::parse_json(*io::zstd_decompress(zst.body, "repodata.json.zst"), "repodata");
    ASSERT_TRUE(repodata);
    EXPECT_TRUE((*repodata)["packages.conda"].contains("dependent-1.0-0.conda"));
    test::HttpRequestOptions revalidate;
    revalidate.headers = {"If-None-Match: " + zst.header("etag")};
    EXPECT_EQ(test::http_request(base + "repodata.json.zst", revalidate).status, 304);

    // The shard index; mamba HEAD-checks it first.
    test::HttpRequestOptions head;
    head.method = "HEAD";
    EXPECT_EQ(test::http_request(base + "repodata_shards.msgpack.zst", head).status, 200);
    auto index = fetch_msgpack_zst(base + "repodata_shards.msgpack.zst");
    ASSERT_TRUE(index.contains("shards"));
    std::string shards_base = index["info"].value("shards_base_url", "./shards/");
    if (shards_base.starts_with("./"))
        shards_base = shards_base.substr(2);

    std::deque<std::string> todo{"dependent"};
    std::set<std::string> seen;
    int verified = 0;
    bool resumed = false;
    while (!todo.empty()) {
        std::string name = todo.front();
        todo.pop_front();
        if (!seen.insert(name).second)
            continue;
        auto entry = index["shards"].find(name);
        if (entry == index["shards"].end())
            continue;  // e.g. python: not in this channel
        std::string hash = to_hex(entry->get_binary());
        test::HttpResponse raw_shard;
        auto shard = fetch_msgpack_zst(base + shards_base + hash + ".msgpack.zst", &raw_shard);
        EXPECT_EQ(sha256_hex(raw_shard.body), hash) << "shards are content-addressed";
        EXPECT_EQ(raw_shard.header("cache-control"), "public, max-age=31536000, immutable");
        for (const char* group : {"packages", "packages.conda"}) {
            if (!shard.contains(group))
                continue;
            for (const auto& [fn, record] : shard[group].items()) {
                auto pkg = test::http_request(base + fn);
                ASSERT_EQ(pkg.status, 200) << fn;
                if (!resumed && pkg.body.size() > 100) {
                    // conda resumes <fn>.partial downloads with an open-ended Range.
                    std::size_t half = pkg.body.size() / 2;
                    test::HttpRequestOptions resume;
                    resume.headers = {"Range: bytes=" + std::to_string(half) + "-"};
                    auto tail = test::http_request(base + fn, resume);
                    ASSERT_EQ(tail.status, 206);
                    pkg.body = pkg.body.substr(0, half) + tail.body;
                    resumed = true;
                }
                EXPECT_EQ(sha256_hex(pkg.body), to_hex(record["sha256"].get_binary())) << fn;
                EXPECT_EQ(pkg.body.size(), record["size"].get<std::size_t>()) << fn;
                ++verified;
                for (const auto& dep : record.value("depends", core::Json::array())) {
                    todo.push_back(dependency_name(dep.get<std::string>()));
                }
            }
        }
    }
    EXPECT_TRUE(seen.count("dependency")) << "followed dependent -> dependency";
    EXPECT_GE(verified, 2);
    EXPECT_TRUE(resumed);
    // A variant the indexer does not write is a real 404 (clients then fall back).
    EXPECT_EQ(test::http_request(base + "repodata.json.bz2").status, 404);
}

}  // namespace
