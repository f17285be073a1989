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
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    ASSERT_GT(names.size(), 20u);
    std::string first, rest;  // fixture names hold no spaces
    for (std::size_t i = 0; i < names.size(); ++i)
        (i + 5 < names.size() ? first : rest) += names[i] + " ";

    // Index most packages, add five, then re-index with 0, 8, 16 ... KiB free until it works.
    const char* script = R"sh(set -u
mkdir -p "$FS/ch/noarch"
for f in $FIRST; do cp "$FIXTURES/$f" "$FS/ch/noarch/"; done
"$BIN" index "$FS/ch" > "$OUT/first.log" 2>&1 || exit 90
cp "$FS/ch/noarch/repodata.json" "$OUT/before.json"
for f in $REST; do cp "$FIXTURES/$f" "$FS/ch/noarch/"; done
after_try() { cp "$FS/ch/noarch/repodata.json" "$OUT/$1.json"; }
until_it_fits 8 "$BIN" index "$FS/ch"
)sh";
    auto run = test::run_on_small_filesystem(work.path() / "mnt", 2048, script,
                                             {{"BIN", test::chanmirror_binary().string()},
                                              {"OUT", out.string()},
                                              {"FIXTURES", fixtures.string()},
                                              {"FIRST", first},
                                              {"REST", rest}});
    if (!run)
        GTEST_SKIP() << "this machine cannot mount a tmpfs in a user namespace";
    ASSERT_EQ(run->exit_code, 0) << run->output;

    auto before = test::read_bytes(out / "before.json");
    auto before_count = record_count(before);
    ASSERT_EQ(before_count, names.size() - 5);
    auto tries = test::read_tries(out);
    int steps = static_cast<int>(tries.size()) - 1;
    ASSERT_GE(steps, 3) << "the space should run out at several points before the index fits";
    std::set<std::string> reasons;
    for (int step = 0; step <= steps; ++step) {
        const auto& [log, rc, temps] = tries[step];
        auto published = test::read_bytes(out / (std::to_string(step) + ".json"));
        EXPECT_EQ(temps, "") << "step " << step;
        if (step == steps) {
            EXPECT_EQ(rc, 0) << log;
            EXPECT_EQ(record_count(published), names.size()) << log;
            continue;
        }
        EXPECT_EQ(rc, 2) << log;
        EXPECT_TRUE(test::says_disk_full(log)) << log;
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
