// Two `chanmirror index` runs on one channel: the second waits for the first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include "io/process_lock.hpp"
#include "tests/indexer/indexer_fixture.hpp"
#include "tests/support/package_builder.hpp"
#include "tests/support/run_command.hpp"

using namespace chanmirror;
namespace fs = std::filesystem;

namespace {

TEST(IndexLock, SecondIndexWaitsForTheFirstAndSaysWhy) {
    test::TempDir dir;
    test::build_conda(dir / "noarch", test::PackageSpec{});
    auto held = io::try_lock(dir / ".chanmirror/index.lock");
    ASSERT_TRUE(held && held->lock);

    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto run = std::async(std::launch::async, [&] {
        return test::run_command(bin + " index " + test::shell_quote(dir.path().string()));
    });
    EXPECT_EQ(run.wait_for(std::chrono::milliseconds(1500)), std::future_status::timeout)
        << "index ran while another held the channel";
    EXPECT_FALSE(fs::exists(dir / "noarch/repodata.json"));

    held->lock.reset();
    auto result = run.get();
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("waiting for pid " + std::to_string(::getpid())),
              std::string::npos)
        << result.output;
    EXPECT_TRUE(fs::exists(dir / "noarch/repodata.json"));
}

}  // namespace
