// `chanmirror sync` into a mirror on a real full disk, at every point where the space can run
// out: each failure names the file and why, leaves no temp file, and whatever index is
// published lists only files that are there with the bytes it lists.
#include <gtest/gtest.h>

#include "tests/support/fake_upstream.hpp"
#include "tests/support/small_filesystem.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;

TEST(SyncDiskFull, EveryFailurePointNamesTheFileAndPublishesOnlyWhatIsThere) {
    test::TempDir upstream_dir;
    test::build_fixture_channel(upstream_dir.path() / "chan", {"noarch"});
    test::FakeUpstream server(upstream_dir.path());
    test::TempDir work;
    auto out = work.path() / "out";
    fs::create_directories(out);
    fs::create_directories(work.path() / "mnt");
    auto dest = work.path() / "mnt" / "mirror";
    auto config = work.path() / "mirror.yaml";
    test::write_bytes(config, test::fast_retry_config(dest, 0));

    // Sync with 0, 64, 128 ... KiB free until it works; after each run, verify the mirror.
    const char* script = R"sh(set -u
after_try() { "$BIN" verify "$DEST" > "$OUT/$1.verify" 2>&1; }
until_it_fits 64 "$BIN" sync "$UPSTREAM" --subdir noarch --config "$CONFIG"
)sh";
    auto run = test::run_on_small_filesystem(work.path() / "mnt", 4096, script,
                                             {{"BIN", test::chanmirror_binary().string()},
                                              {"OUT", out.string()},
                                              {"UPSTREAM", server.url("/chan")},
                                              {"CONFIG", config.string()},
                                              {"DEST", dest.string()}});
    if (!run)
        GTEST_SKIP() << "this machine cannot mount a tmpfs in a user namespace";
    ASSERT_EQ(run->exit_code, 0) << run->output;

    auto tries = test::read_tries(out);
    int steps = static_cast<int>(tries.size()) - 1;
    ASSERT_GE(steps, 3) << "the space should run out at several points before the mirror fits";
    std::size_t partly_published = 0, warned = 0;
    for (int step = 0; step <= steps; ++step) {
        const auto& [log, rc, temps] = tries[step];
        auto verified = test::read_bytes(out / (std::to_string(step) + ".verify"));
        EXPECT_EQ(temps, "") << "step " << step;
        // verify finds no listed file missing or damaged (files not yet listed may be there).
        EXPECT_EQ(verified.find("missing: "), std::string::npos) << verified;
        EXPECT_EQ(verified.find("corrupt: "), std::string::npos) << verified;
        if (step == steps) {
            EXPECT_EQ(rc, 0) << log;
            EXPECT_NE(
                verified.find("62 files in 1 subdirs checked; 0 missing, 0 corrupt, 0 unlisted"),
                std::string::npos)
                << verified;
            continue;
        }
        EXPECT_TRUE(rc == 1 || rc == 2) << log;
        EXPECT_TRUE(test::says_disk_full(log)) << log;
        if (log.find("warning: this run downloads ") != std::string::npos)
            ++warned;
        EXPECT_NE(log.find(dest.string()), std::string::npos) << "names the file: " << log;
        if (verified.find("files in 1 subdirs checked") != std::string::npos)
            ++partly_published;
    }
    EXPECT_GE(partly_published, 1u) << "some run should publish part of the mirror";
    EXPECT_GE(warned, 1u) << "a run that cannot fit its downloads says so first";
}

}  // namespace
}  // namespace chanmirror::sync
