#include "sync/fetch_repodata.hpp"
#include "sync/retry.hpp"

#include <gtest/gtest.h>

#include "tests/support/fake_upstream.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using test::Fault;

const RetryPolicy fast_retry{3, 0.001, 0.01};

class FetchRepodataTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // Real conda-forge subsets with .json/.bz2/.zst variants.
        auto src = test::fixtures_dir() / "repodata" / "conda-subchannel-demo" / "noarch";
        fs::create_directories(root.path() / "cf" / "noarch");
        for (const char* name : {"repodata.json", "repodata.json.bz2", "repodata.json.zst"}) {
            fs::copy_file(src / name, root.path() / "cf" / "noarch" / name);
        }
        server = std::make_unique<test::FakeUpstream>(root.path());
        client = std::make_unique<HttpClient>(HttpOptions{2, 5, 5, "", "", "test"});
    }

    core::Result<FetchedRepodata> fetch(const FetchState* previous = nullptr) {
        return fetch_repodata(*client, server->url("/cf/noarch"), previous, fast_retry);
    }

    test::TempDir root;
    std::unique_ptr<test::FakeUpstream> server;
    std::unique_ptr<HttpClient> client;
};

TEST_F(FetchRepodataTest, PrefersZstAndKeepsUpstreamRecordBytes) {
    auto r = fetch();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, FetchStatus::fetched);
    EXPECT_EQ(r->state.variant, "repodata.json.zst");
    EXPECT_FALSE(r->state.etag.empty());
    EXPECT_EQ(server->requests("/cf/noarch/repodata.json"), 0);
    EXPECT_EQ(r->repodata.size(), 205u);
    auto expected = test::records_of(root.path() / "cf" / "noarch" / "repodata.json");
    auto got = r->repodata.packages;
    got.insert(r->repodata.conda_packages.begin(), r->repodata.conda_packages.end());
    EXPECT_EQ(got, expected);
    EXPECT_FALSE(r->run_exports);  // upstream has none
}

TEST_F(FetchRepodataTest, FallsBackToJsonWhenZstIsMissingOrUndecodable) {
    server->add_fault("/cf/noarch/repodata.json.zst", {Fault::Kind::missing, 0, -1, 0, 1});
    auto r = fetch();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->state.variant, "repodata.json");
    EXPECT_EQ(r->repodata.size(), 205u);

    test::write_bytes(root.path() / "cf" / "noarch" / "repodata.json.zst", "not zstd at all");
    r = fetch();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->state.variant, "repodata.json");
    EXPECT_EQ(r->repodata.size(), 205u);
}

TEST_F(FetchRepodataTest, ConditionalRequestGives304AndChangedEtagRefetches) {
    auto first = fetch();
    ASSERT_TRUE(first);
    auto again = fetch(&first->state);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, FetchStatus::not_modified);
    EXPECT_EQ(server->log().back().if_none_match, first->state.etag);
    EXPECT_EQ(server->log().back().status, 304);

    server->bump_etags();
    auto changed = fetch(&first->state);
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, FetchStatus::fetched);
    EXPECT_NE(changed->state.etag, first->state.etag);
}

TEST_F(FetchRepodataTest, RetriesServerErrorsThenSucceeds) {
    server->add_fault("/cf/noarch/repodata.json.zst", {Fault::Kind::status, 503, 0, 0, 2});
    auto r = fetch();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(server->requests("/cf/noarch/repodata.json.zst"), 3);
}

TEST_F(FetchRepodataTest, PersistentServerErrorIsAnErrorNamingTheUrl) {
    server->add_fault("/cf/noarch/repodata.json.zst", {Fault::Kind::status, 500, -1, 0, -1});
    auto r = fetch();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("/cf/noarch/repodata.json.zst: HTTP 500"), std::string::npos)
        << r.error().message;
}

// A broken upstream cannot make the mirror allocate what it announces, nor keep more than
// the limit of what it sends.
TEST_F(FetchRepodataTest, LyingContentLengthIsAnErrorNamingTheUrl) {
    for (const char* name : {"/cf/noarch/repodata.json.zst", "/cf/noarch/repodata.json"})
        server->add_fault(name, {Fault::Kind::claim_length, 0, -1, std::size_t{1} << 50, -1});
    auto r = fetch();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("/cf/noarch/repodata.json"), std::string::npos)
        << r.error().message;
}

TEST_F(FetchRepodataTest, BodyAboveTheLimitIsRefusedAndNotRetried) {
    std::string body;
    HttpRequest request{server->url("/cf/noarch/repodata.json"), 0, {}, 1000};
    auto response = client->fetch(request, body);
    EXPECT_FALSE(response.completed());
    EXPECT_NE(response.transport_error.find("larger than 1000 bytes"), std::string::npos)
        << response.transport_error;
    EXPECT_TRUE(body.empty());
    EXPECT_FALSE(is_transient(response));

    request.max_body_bytes = fs::file_size(root.path() / "cf" / "noarch" / "repodata.json");
    response = client->fetch(request, body);
    EXPECT_TRUE(response.completed()) << response.transport_error;
    EXPECT_EQ(body.size(), request.max_body_bytes);
}

TEST_F(FetchRepodataTest, AbsentSubdirIsNotAnError) {
    auto r = fetch_repodata(*client, server->url("/cf/win-arm64"), nullptr, fast_retry);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, FetchStatus::absent);
}

TEST_F(FetchRepodataTest, RunExportsJsonIsFetchedWhenUpstreamHasIt) {
    test::build_fixture_channel(root.path() / "ch", {"noarch"});
    auto r = fetch_repodata(*client, server->url("/ch/noarch"), nullptr, fast_retry);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->run_exports);
    EXPECT_EQ(r->run_exports->size(), 62u);
}

TEST(PackageUrl, HonoursAbsoluteAndRelativeBaseUrl) {
    FetchedRepodata f;
    f.repodata_url = "http://h:1/chan/linux-64/repodata.json.zst";
    EXPECT_EQ(package_url(f, "a-1-0.conda"), "http://h:1/chan/linux-64/a-1-0.conda");
    f.repodata.info["base_url"] = "https://cdn.example/pkgs/main/linux-64/";
    EXPECT_EQ(package_url(f, "a-1-0.conda"), "https://cdn.example/pkgs/main/linux-64/a-1-0.conda");
    f.repodata.info["base_url"] = "../../files/linux-64";
    EXPECT_EQ(package_url(f, "a-1-0.conda"), "http://h:1/files/linux-64/a-1-0.conda");
    f.repodata.info["base_url"] = "/abs/";
    EXPECT_EQ(package_url(f, "a-1-0.conda"), "http://h:1/abs/a-1-0.conda");
}

TEST(FetchState, RoundTrips) {
    test::TempDir dir;
    auto path = (dir.path() / "s" / "linux-64.json").string();
    ASSERT_TRUE(
        save_fetch_state(path, {"repodata.json.zst", "\"abc\"", "Mon, 01 Jan 2024 00:00:00 GMT"}));
    auto loaded = load_fetch_state(path);
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_EQ((*loaded)->etag, "\"abc\"");
    EXPECT_EQ((*loaded)->variant, "repodata.json.zst");
    auto none = load_fetch_state((dir.path() / "nothing.json").string());
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

}  // namespace
}  // namespace chanmirror::sync
