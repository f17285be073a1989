#include "io/process_lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

TEST(ProcessLock, SecondTakerLearnsWhoHoldsItUntilItIsReleased) {
    test::TempDir dir;
    auto path = dir / "state/lock";
    auto first = io::try_lock(path);
    ASSERT_TRUE(first && first->lock) << (first ? "busy" : first.error().message);
    EXPECT_TRUE(first->taken_over.empty());

    auto second = io::try_lock(path);
    ASSERT_TRUE(second);
    EXPECT_FALSE(second->lock);
    EXPECT_NE(second->holder.find("pid " + std::to_string(::getpid())), std::string::npos)
        << second->holder;

    first->lock.reset();
    auto third = io::try_lock(path);
    ASSERT_TRUE(third && third->lock);
    EXPECT_TRUE(third->taken_over.empty()) << "a clean release leaves no holder behind";
}

TEST(ProcessLock, LockOfADeadProcessIsTakenOver) {
    test::TempDir dir;
    auto path = dir / "lock";
    std::ofstream(path) << "pid 999999 on elsewhere since 2026-01-01T00:00:00Z\n";
    auto attempt = io::try_lock(path);
    ASSERT_TRUE(attempt && attempt->lock);
    EXPECT_EQ(attempt->taken_over, "pid 999999 on elsewhere since 2026-01-01T00:00:00Z");
}

TEST(ProcessLock, UnusablePathIsNamed) {
    test::TempDir dir;
    std::ofstream(dir / "file") << "x";
    auto attempt = io::try_lock(dir / "file/lock");
    ASSERT_FALSE(attempt);
    EXPECT_NE(attempt.error().message.find("file"), std::string::npos);
}

}  // namespace
