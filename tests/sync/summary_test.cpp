#include "sync/summary.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

// An error can quote bytes a server or the OS produced; the run's record must still be written.
TEST(RunSummary, MessagesThatAreNotUtf8StillLeaveARecordOfTheRun) {
    test::TempDir dest;
    RunSummary summary;
    summary.started = "2026-11-29T15:00:00Z";
    summary.exit_code = 2;
    summary.errors.push_back("upstream said \xff\xfe");
    auto written = write_summary(dest.path(), summary);
    ASSERT_TRUE(written) << written.error().message;
    auto text = test::read_bytes(dest.path() / ".chanmirror" / "last-run.json");
    EXPECT_NE(text.find("\"exit_code\": 2"), std::string::npos) << text;
    EXPECT_NE(text.find("upstream said \xef\xbf\xbd\xef\xbf\xbd"), std::string::npos) << text;
}

}  // namespace
}  // namespace chanmirror::sync
