// The access log on a full disk (/dev/full): serving goes on, lines are dropped, and the
// operator hears it once rather than once per request.
#include "server/access_log.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/temp_dir.hpp"

namespace chanmirror::server {
namespace {

AccessLogEntry entry(std::string_view target) {
    AccessLogEntry e;
    e.remote = "127.0.0.1";
    e.method = "GET";
    e.target = target;
    e.status = 200;
    e.bytes = 12;
    return e;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

TEST(AccessLogTest, FullDiskDropsLinesWithOneWarning) {
    std::ostringstream warnings;
    auto log = AccessLog::open("/dev/full", warnings);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < 3; ++i)
        (*log)->write(entry("/ch/noarch/repodata.json"));
    EXPECT_EQ(count(warnings.str(), "cannot write access log /dev/full: No space left on device"),
              1u)
        << warnings.str();
}

TEST(AccessLogTest, WrittenLinesAreWholeAndInOrder) {
    test::TempDir dir;
    std::ostringstream warnings;
    auto path = dir.path() / "access.log";
    auto log = AccessLog::open(path.string(), warnings);
    ASSERT_TRUE(log) << log.error().message;
    (*log)->write(entry("/a"));
    (*log)->write(entry("/b"));
    auto text = test::read_bytes(path);
    EXPECT_EQ(count(text, "\n"), 2u) << text;
    EXPECT_LT(text.find("\"GET /a HTTP/1.1\" 200 12"), text.find("\"GET /b HTTP/1.1\" 200 12"));
    EXPECT_EQ(warnings.str(), "");
}

}  // namespace
}  // namespace chanmirror::server
