#include "sync/writeback_queue.hpp"

namespace chanmirror::sync {

WritebackQueue::WritebackQueue() : thread_([this] { work(); }) {}

WritebackQueue::~WritebackQueue() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ready_.notify_one();
    thread_.join();
}

void WritebackQueue::submit(io::FileHandle file) {
    {
        std::lock_guard lock(mutex_);
        files_.push_back(std::move(file));
    }
    ready_.notify_one();
}

void WritebackQueue::work() {
    for (;;) {
        io::FileHandle file;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [&] { return stopping_ || !files_.empty(); });
            if (files_.empty())
                return;
            file = std::move(files_.front());
            files_.pop_front();
        }
        io::start_writeback(file);
    }
}

}  // namespace chanmirror::sync
