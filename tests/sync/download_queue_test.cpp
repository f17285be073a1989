#include "sync/download_queue.hpp"

#include <gtest/gtest.h>

#include "io/hashing.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using test::Fault;

// Serves a few real packages; items point the queue at them.
class DownloadQueueTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fs::create_directories(upstream_dir.path() / "pkgs");
        for (const char* name : files) {
            fs::copy_file(test::fixtures_dir() / "packages" / "linux-64" / name,
                          upstream_dir.path() / "pkgs" / name);
        }
        server = std::make_unique<test::FakeUpstream>(upstream_dir.path());
    }

    DownloadItem item(const std::string& name, bool md5_only = false) {
        auto digests = io::hash_file(upstream_dir.path() / "pkgs" / name);
        EXPECT_TRUE(digests);
        ArtifactInfo info{digests->size, md5_only ? "" : digests->sha256_hex(), digests->md5_hex()};
        return {server->url("/pkgs/" + name), dest.path() / name, info, "chan/linux-64/" + name};
    }

    DownloadReport run(const std::vector<DownloadItem>& items, int retries = 3) {
        // Two lanes: the faults below also hit a loop that shares the list with another.
        return download_all({4, 5, 1, "", "", "test"}, items, {4, {retries, 0.001, 0.01}, {}, 2},
                            nullptr);
    }

    bool same_as_upstream(const std::string& name) {
        return test::read_bytes(dest.path() / name) ==
               test::read_bytes(upstream_dir.path() / "pkgs" / name);
    }

    static constexpr const char* big = "ft4222-1.10.0-py310h7d7722b_0.tar.bz2";  // 285 KB
    static constexpr const char* files[] = {"cligj-0.4.0-py27_0.tar.bz2", "d-1-0.tar.bz2", big};
    test::TempDir upstream_dir;
    test::TempDir dest;
    std::unique_ptr<test::FakeUpstream> server;
};

TEST_F(DownloadQueueTest, DownloadsAndVerifiesEveryFileInParallel) {
    std::vector<DownloadItem> items;
    for (const char* name : files)
        items.push_back(item(name));
    auto report = run(items);
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_TRUE(report.results[i].ok) << report.results[i].error;
        EXPECT_TRUE(same_as_upstream(files[i]));
        EXPECT_FALSE(fs::exists(dest.path() / (std::string(files[i]) + ".partial")));
    }
    EXPECT_EQ(report.retries, 0);
}

TEST_F(DownloadQueueTest, RetriesOn503And429) {
    server->add_fault("/pkgs/d-1-0.tar.bz2", {Fault::Kind::status, 503, -1, 0, 2});
    server->add_fault("/pkgs/cligj-0.4.0-py27_0.tar.bz2", {Fault::Kind::status, 429, 0, 0, 1});
    auto report = run({item("d-1-0.tar.bz2"), item("cligj-0.4.0-py27_0.tar.bz2")});
    EXPECT_TRUE(report.results[0].ok) << report.results[0].error;
    EXPECT_TRUE(report.results[1].ok) << report.results[1].error;
    EXPECT_EQ(report.results[0].attempts, 3);
    EXPECT_EQ(report.results[1].attempts, 2);
    EXPECT_EQ(server->requests("/pkgs/d-1-0.tar.bz2"), 3);
    EXPECT_TRUE(same_as_upstream("d-1-0.tar.bz2"));
}

TEST_F(DownloadQueueTest, GivesUpAfterRetriesAndNamesTheFile) {
    server->add_fault("/pkgs/d-1-0.tar.bz2", {Fault::Kind::status, 503, -1, 0, -1});
    auto report = run({item("d-1-0.tar.bz2")}, 2);
    EXPECT_FALSE(report.results[0].ok);
    EXPECT_EQ(report.results[0].error, "HTTP 503");
    EXPECT_EQ(server->requests("/pkgs/d-1-0.tar.bz2"), 3);
    EXPECT_FALSE(fs::exists(dest.path() / "d-1-0.tar.bz2"));
}

// Publishing a subdir starts from these calls: each item once, when its outcome is final,
// a verified file already under its real name.
TEST_F(DownloadQueueTest, EachOutcomeIsReportedOnceWhenFinal) {
    server->add_fault("/pkgs/d-1-0.tar.bz2", {Fault::Kind::status, 503, -1, 0, -1});
    server->add_fault("/pkgs/cligj-0.4.0-py27_0.tar.bz2", {Fault::Kind::status, 503, -1, 0, 1});
    std::vector<DownloadItem> items{item("d-1-0.tar.bz2"), item("cligj-0.4.0-py27_0.tar.bz2"),
                                    item(big)};
    std::vector<int> calls(items.size());
    std::vector<bool> ok(items.size());
    auto on_finished = [&](std::size_t index, const DownloadResult& result) {
        ++calls.at(index);
        ok.at(index) = result.ok;
        EXPECT_EQ(fs::exists(items[index].target), result.ok) << items[index].label;
    };
    auto report = download_all({4, 5, 1, "", "", "test"}, items,
                               {4, {1, 0.001, 0.01}, on_finished, 2}, nullptr);
    EXPECT_EQ(calls, (std::vector<int>{1, 1, 1}));
    EXPECT_EQ(ok, (std::vector<bool>{false, true, true}));
    EXPECT_EQ(server->requests("/pkgs/d-1-0.tar.bz2"), 2) << "reported only after its retry";
}

TEST_F(DownloadQueueTest, TruncatedBodyResumesWithRange) {
    server->add_fault(std::string("/pkgs/") + big, {Fault::Kind::truncate, 0, -1, 100000, 1});
    auto report = run({item(big)});
    ASSERT_TRUE(report.results[0].ok) << report.results[0].error;
    EXPECT_TRUE(same_as_upstream(big));
    auto log = server->log();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1].range, "bytes=100000-");
    EXPECT_EQ(log[1].status, 206);
}

TEST_F(DownloadQueueTest, ConnectionResetResumes) {
    server->add_fault(std::string("/pkgs/") + big, {Fault::Kind::reset, 0, -1, 50000, 1});
    auto report = run({item(big)});
    ASSERT_TRUE(report.results[0].ok) << report.results[0].error;
    EXPECT_TRUE(same_as_upstream(big));
    EXPECT_EQ(server->requests(std::string("/pkgs/") + big), 2);
}

TEST_F(DownloadQueueTest, StalledBodyTimesOutAndResumes) {
    server->add_fault(std::string("/pkgs/") + big, {Fault::Kind::stall, 0, -1, 2000, 1});
    auto report = run({item(big)});
    ASSERT_TRUE(report.results[0].ok) << report.results[0].error;
    EXPECT_TRUE(same_as_upstream(big));
    EXPECT_EQ(server->range_requests(std::string("/pkgs/") + big), 1);
}

TEST_F(DownloadQueueTest, ExistingPartialIsResumedAndServerIgnoringRangeIsHandled) {
    auto whole = test::read_bytes(upstream_dir.path() / "pkgs" / big);
    test::write_bytes(dest.path() / (std::string(big) + ".partial"), whole.substr(0, 1000));
    auto report = run({item(big)});
    ASSERT_TRUE(report.results[0].ok);
    EXPECT_EQ(server->log().at(0).range, "bytes=1000-");
    EXPECT_TRUE(same_as_upstream(big));

    fs::remove(dest.path() / big);
    test::write_bytes(dest.path() / (std::string(big) + ".partial"), whole.substr(0, 1000));
    server->add_fault(std::string("/pkgs/") + big, {Fault::Kind::ignore_range, 0, -1, 0, 1});
    report = run({item(big)});
    ASSERT_TRUE(report.results[0].ok) << report.results[0].error;
    EXPECT_TRUE(same_as_upstream(big));
}

TEST_F(DownloadQueueTest, CorruptedBytesAreRejectedAndNamed) {
    server->add_fault("/pkgs/d-1-0.tar.bz2", {Fault::Kind::corrupt, 0, -1, 0, -1});
    auto report = run({item("d-1-0.tar.bz2"), item("cligj-0.4.0-py27_0.tar.bz2")}, 1);
    EXPECT_FALSE(report.results[0].ok);
    EXPECT_NE(report.results[0].error.find("sha256 mismatch"), std::string::npos)
        << report.results[0].error;
    EXPECT_FALSE(fs::exists(dest.path() / "d-1-0.tar.bz2"));
    EXPECT_FALSE(fs::exists(dest.path() / "d-1-0.tar.bz2.partial"));
    EXPECT_TRUE(report.results[1].ok);
}

TEST_F(DownloadQueueTest, TransientCorruptionIsRetriedFromScratch) {
    server->add_fault("/pkgs/d-1-0.tar.bz2", {Fault::Kind::corrupt, 0, -1, 0, 1});
    auto report = run({item("d-1-0.tar.bz2", /*md5_only=*/true)});
    EXPECT_TRUE(report.results[0].ok) << report.results[0].error;
    EXPECT_EQ(server->range_requests("/pkgs/d-1-0.tar.bz2"), 0);
    EXPECT_TRUE(same_as_upstream("d-1-0.tar.bz2"));
}

TEST_F(DownloadQueueTest, WrongSizeInRecordFails) {
    auto it = item("d-1-0.tar.bz2");
    it.expected.size -= 10;
    auto report = run({it}, 0);
    EXPECT_FALSE(report.results[0].ok);
    EXPECT_NE(report.results[0].error.find("more bytes"), std::string::npos)
        << report.results[0].error;
}

TEST_F(DownloadQueueTest, MissingFileFailsWithoutRetrying) {
    server->add_fault("/pkgs/d-1-0.tar.bz2", {Fault::Kind::missing, 0, -1, 0, -1});
    auto report = run({item("d-1-0.tar.bz2")}, 3);
    EXPECT_FALSE(report.results[0].ok);
    EXPECT_EQ(report.results[0].error, "HTTP 404");
    EXPECT_EQ(server->requests("/pkgs/d-1-0.tar.bz2"), 1);
}

TEST_F(DownloadQueueTest, ConnectionsAreReused) {
    std::vector<DownloadItem> items;
    for (int round = 0; round < 3; ++round) {
        for (const char* name : files) {
            auto it = item(name);
            it.target = dest.path() / (std::to_string(round) + "-" + name);
            items.push_back(it);
        }
    }
    auto report =
        download_all({1, 5, 1, "", "", "test"}, items, {1, {0, 0.001, 0.01}, {}}, nullptr);
    for (const auto& r : report.results)
        EXPECT_TRUE(r.ok);
    EXPECT_EQ(server->log().size(), 9u);
    EXPECT_EQ(server->connections_accepted(), 1);  // keep-alive through the multi handle's cache
}

}  // namespace
}  // namespace chanmirror::sync
