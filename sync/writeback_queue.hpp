#pragma once
// Starts each verified download's writeback to disk (sync_file_range WRITE) on a thread of
// its own: on ext4 that call allocates the file's blocks and submits its I/O, work the
// download loop should not wait for. The disk then writes while transfers go on, and the
// syncfs before each index finds little left; durability still comes from that syncfs.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "io/file_handle.hpp"

namespace chanmirror::sync {

class WritebackQueue {
  public:
    WritebackQueue();
    // Files still queued are handled first.
    ~WritebackQueue();
    WritebackQueue(const WritebackQueue&) = delete;
    WritebackQueue& operator=(const WritebackQueue&) = delete;

    // Takes the open file; closes it once its writeback has started.
    void submit(io::FileHandle file);

  private:
    void work();

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<io::FileHandle> files_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace chanmirror::sync
