#include "sync/verify_pool.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "io/hashing.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

using namespace std::chrono_literals;

// The download loop ends when nothing is pending: an outcome a worker has produced but the
// loop has not taken yet must still count, or its file is reported failed with no reason.
TEST(VerifyPool, AnOutcomeStaysPendingUntilItIsTaken) {
    test::TempDir dir;
    const std::string bytes = "package bytes";
    test::write_bytes(dir / "a.conda.partial", bytes);
    ArtifactInfo expected{
        bytes.size(),
        io::to_hex(
            io::sha256_of({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()})),
        ""};
    VerifyPool pool(1);
    pool.submit({7, dir / "a.conda.partial", dir / "a.conda", expected, std::nullopt});
    for (int i = 0; i < 500 && !std::filesystem::exists(dir / "a.conda"); ++i)
        std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(std::filesystem::exists(dir / "a.conda")) << "the worker verified and renamed it";
    std::this_thread::sleep_for(20ms);  // let the worker hand its outcome over
    EXPECT_EQ(pool.pending(), 1u);
    auto outcomes = pool.take(0ms);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].ok) << outcomes[0].error;
    EXPECT_EQ(outcomes[0].index, 7u);
    EXPECT_EQ(pool.pending(), 0u);
}

}  // namespace
}  // namespace chanmirror::sync
