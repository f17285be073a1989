#include "sync/writeback_queue.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

std::size_t open_descriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

// The download loop hands each verified file over and forgets it: the queue must start every
// writeback and close every descriptor, including those still queued when it is destroyed.
TEST(WritebackQueue, ClosesEveryFileItIsGiven) {
    test::TempDir dir;
    auto before = open_descriptors();
    {
        WritebackQueue queue;
        for (int i = 0; i < 200; ++i) {
            auto path = dir / ("f" + std::to_string(i));
            auto file = io::FileHandle::create_new(path);
            ASSERT_TRUE(file);
            ASSERT_TRUE(file->write_all("bytes"));
            queue.submit(std::move(*file));
        }
    }
    EXPECT_EQ(open_descriptors(), before);
    EXPECT_EQ(test::read_bytes(dir / "f199"), "bytes");
}

}  // namespace
}  // namespace chanmirror::sync
