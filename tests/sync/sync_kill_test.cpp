// kill -9 of the real binary at random points: the published mirror must always be the old or
// the new consistent state, and a rerun must finish the job.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <random>
#include <thread>

#include "core/repodata.hpp"
#include "sync/verify.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using test::Fault;

pid_t spawn_quiet(const std::vector<std::string>& args) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : -1;
}

void kill_hard(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

class SyncKillTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::build_fixture_channel(upstream_dir.path() / "chan", {"linux-64", "noarch"});
        for (const char* s : {"linux-64", "noarch"}) {
            full[s] = test::read_bytes(upstream_dir.path() / "chan" / s / "repodata.json");
        }
        server = std::make_unique<test::FakeUpstream>(upstream_dir.path());
        dest = work.path() / "mirror";
        config = work.path() / "mirror.yaml";
        test::write_bytes(config, test::fast_retry_config(dest));
    }

    std::vector<std::string> args() const {
        return {test::chanmirror_binary().string(),
                "sync",
                server->url("/chan"),
                "--config",
                config.string(),
                "--subdir",
                "linux-64",
                "--subdir",
                "noarch",
                "--force",
                "--jobs",
                "4"};
    }

    // Upstream either complete or without every `stride`-th record: each run both adds and deletes.
    void set_upstream(bool complete, int stride) {
        for (const char* s : {"linux-64", "noarch"}) {
            auto dir = upstream_dir.path() / "chan" / s;
            test::write_bytes(dir / "repodata.json", full[s]);
            test::write_bytes(dir / "repodata.json.zst", test::zstd_bytes(full[s]));
            if (complete)
                continue;
            test::edit_repodata(dir, [&](core::RepoData& rd) {
                int i = 0;
                for (auto* section : {&rd.packages, &rd.conda_packages}) {
                    for (auto it = section->begin(); it != section->end();) {
                        it = (i++ % stride == 0) ? section->erase(it) : std::next(it);
                    }
                }
            });
        }
    }

    // Every published index names only complete files with the listed bytes.
    void expect_consistent(const std::string& when) {
        bool any_index = false;
        for (auto it = fs::recursive_directory_iterator(dest);
             it != fs::recursive_directory_iterator(); ++it) {
            any_index = any_index || it->path().filename() == "repodata.json";
        }
        if (!any_index)
            return;  // killed before the first publish: nothing to check
        auto report = verify_mirror(dest, "chan");
        ASSERT_TRUE(report) << when << ": " << report.error().message;
        for (const auto& p : report->problems) {
            EXPECT_EQ(p.kind, ProblemKind::unlisted)
                << when << ": " << to_string(p.kind) << " " << p.path;
        }
    }

    test::TempDir upstream_dir;
    test::TempDir work;
    fs::path dest;
    fs::path config;
    std::map<std::string, std::string> full;
    std::unique_ptr<test::FakeUpstream> server;
};

TEST_F(SyncKillTest, KillNineAtRandomPointsNeverPublishesAMissingOrPartialFile) {
    std::random_device rd;
    auto seed = rd();
    std::mt19937 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    for (int round = 0; round < 10; ++round) {
        set_upstream(round % 2 == 0, 3 + round % 4);
        server->reset_counts();
        auto pid = spawn_quiet(args());
        ASSERT_GT(pid, 0);
        int target = std::uniform_int_distribution<int>(1, round == 0 ? 110 : 40)(rng);
        bool exited = false;
        while (!exited && server->wait_for_requests(target, 50) < target) {
            int status = 0;
            exited = ::waitpid(pid, &status, WNOHANG) == pid;  // finished before the target
        }
        if (!exited) {
            // Where the kill lands after that request is part of what is being tested.
            std::this_thread::sleep_for(
                std::chrono::microseconds(std::uniform_int_distribution<int>(0, 40000)(rng)));
            kill_hard(pid);
        }
        expect_consistent("round " + std::to_string(round) + " killed after request " +
                          std::to_string(target));
    }
    set_upstream(true, 1);
    auto r = test::run_command(test::shell_quote(args()[0]) + " sync " + server->url("/chan") +
                               " --config " + test::shell_quote(config.string()) +
                               " --subdir linux-64 --subdir noarch --force");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto report = verify_mirror(dest, "");
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->problems.empty());
    EXPECT_EQ(report->checked, 109u);
    for (const char* s : {"linux-64", "noarch"}) {
        EXPECT_EQ(test::records_of(dest / "chan" / s / "repodata.json"),
                  test::records_of(upstream_dir.path() / "chan" / s / "repodata.json"));
    }
    for (auto it = fs::recursive_directory_iterator(dest); it != fs::recursive_directory_iterator();
         ++it) {
        EXPECT_FALSE(it->path().filename().string().ends_with(".partial")) << it->path();
    }
}

TEST_F(SyncKillTest, KilledDownloadResumesWithRange) {
    const std::string big = "/chan/linux-64/ft4222-1.10.0-py310h7d7722b_0.tar.bz2";
    server->add_fault(big, {Fault::Kind::stall, 0, -1, 100000, 1});
    auto pid = spawn_quiet(args());
    ASSERT_GT(pid, 0);
    // The stalled transfer is the last to finish; once every other file was asked for, kill.
    while (server->requests(big) == 0)
        server->wait_for_requests(static_cast<int>(server->log().size()) + 1, 20000);
    auto partial = dest / "chan" / "linux-64" / "ft4222-1.10.0-py310h7d7722b_0.tar.bz2.partial";
    for (int i = 0; i < 2000 && (!fs::exists(partial) || fs::file_size(partial) < 100000); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the client is still writing
    }
    kill_hard(pid);
    ASSERT_TRUE(fs::exists(partial));
    EXPECT_EQ(fs::file_size(partial), 100000u);
    expect_consistent("after the kill");

    server->reset_counts();
    auto r = test::run_command(test::shell_quote(args()[0]) + " sync " + server->url("/chan") +
                               " --config " + test::shell_quote(config.string()) +
                               " --subdir linux-64 --subdir noarch");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto log = server->log();
    auto it = std::find_if(log.begin(), log.end(), [&](const auto& e) { return e.path == big; });
    ASSERT_NE(it, log.end());
    EXPECT_EQ(it->range, "bytes=100000-");
    EXPECT_EQ(it->status, 206);
    EXPECT_FALSE(fs::exists(partial));
    auto report = verify_mirror(dest, "");
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->problems.empty());
}

}  // namespace
}  // namespace chanmirror::sync
