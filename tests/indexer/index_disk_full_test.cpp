// `chanmirror index` on a real full disk, at every point where the space can run out: each
// failure names the file and why, leaves no temp file, and keeps a complete index published.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "core/repodata.hpp"
#include "tests/support/small_filesystem.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::indexer {
namespace {

namespace fs = std::filesystem;

std::size_t record_count(std::string text) {
    auto parsed = core::parse_repodata(std::move(text), "published repodata.json");
    return parsed ? parsed->size() : 0;
}

TEST(IndexDiskFull, EveryFailurePointNamesTheFileAndKeepsACompleteIndex) {
    test::TempDir work;
    auto out = work.path() / "out";
    fs::create_directories(out);
    fs::create_directories(work.path() / "mnt");
    auto fixtures = test::fixtures_dir() / "packages" / "noarch";
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(fixtures))
        names.push_back(test::shell_quote(entry.path().string()));
    std::sort(names.begin(), names.end());
    ASSERT_GT(names.size(), 20u);
    std::string first, rest;
    for (std::size_t i = 0; i < names.size(); ++i)
        (i + 5 < names.size() ? first : rest) += " " + names[i];

    // Index most packages, add five, then re-index with 0, 8, 16 ... KiB free until it works.
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto o = test::shell_quote(out.string());
    std::string script = "set -u\nmkdir -p \"$FS/ch/noarch\"\ncp" + first +
                         " \"$FS/ch/noarch/\"\n" + bin + " index \"$FS/ch\" > " + o +
                         "/first.log 2>&1 || exit 90\n"
                         "cp \"$FS/ch/noarch/repodata.json\" " +
                         o + "/before.json\ncp" + rest +
                         " \"$FS/ch/noarch/\"\nFREE=0\nstep=0\nwhile :; do\n" +
                         test::fill_filesystem_but_free + bin + " index \"$FS/ch\" > " + o +
                         "/$step.log 2>&1\necho $? > " + o +
                         "/$step.rc\n"
                         "cp \"$FS/ch/noarch/repodata.json\" " +
                         o +
                         "/$step.json\n"
                         "find \"$FS/ch\" -name '*.chanmirror-tmp-*' > " +
                         o +
                         "/$step.temps\n"
                         "rm -f \"$FS/filler\"\n"
                         "[ \"$(cat " +
                         o +
                         "/$step.rc)\" = 0 ] && break\n"
                         "step=$((step + 1))\nFREE=$((FREE + 8))\n[ $FREE -gt 4096 ] && break\n"
                         "done\necho $step > " +
                         o + "/steps\n";
    auto run = test::run_on_small_filesystem(work.path() / "mnt", 2048, script);
    if (!run)
        GTEST_SKIP() << "this machine cannot mount a tmpfs in a user namespace";
    ASSERT_EQ(run->exit_code, 0) << run->output;

    auto before = test::read_bytes(out / "before.json");
    auto before_count = record_count(before);
    ASSERT_EQ(before_count, names.size() - 5);
    int steps = std::stoi(test::read_bytes(out / "steps"));
    ASSERT_GE(steps, 3) << "the space should run out at several points before the index fits";
    std::set<std::string> reasons;
    for (int step = 0; step <= steps; ++step) {
        auto at = out / std::to_string(step);
        auto log = test::read_bytes(fs::path(at.string() + ".log"));
        auto rc = std::stoi(test::read_bytes(fs::path(at.string() + ".rc")));
        auto published = test::read_bytes(fs::path(at.string() + ".json"));
        EXPECT_EQ(test::read_bytes(fs::path(at.string() + ".temps")), "") << "step " << step;
        if (step == steps) {
            EXPECT_EQ(rc, 0) << log;
            EXPECT_EQ(record_count(published), names.size()) << log;
            continue;
        }
        EXPECT_EQ(rc, 2) << log;
        bool says_full = log.find("No space left on device") != std::string::npos ||
                         log.find("disk is full") != std::string::npos;
        EXPECT_TRUE(says_full) << log;
        EXPECT_NE(log.find(work.path().string() + "/mnt/ch/"), std::string::npos)
            << "names the file: " << log;
        // Either the old index, byte for byte, or the whole new one: never a part.
        if (published != before) {
            EXPECT_EQ(record_count(published), names.size()) << "step " << step;
        }
        auto where = log.substr(0, log.find(": ", log.find(work.path().string())));
        reasons.insert(where.substr(where.find(work.path().string())));
    }
    EXPECT_GE(reasons.size(), 3u) << "failures at several points";
}

}  // namespace
}  // namespace chanmirror::indexer
