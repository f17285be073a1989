#include "sync/verify_pool.hpp"

#include "io/file_handle.hpp"

namespace chanmirror::sync {

VerifyOutcome verify_and_promote(const VerifyTask& task) {
    VerifyOutcome out;
    out.index = task.index;
    const auto& want = task.expected;
    bool by_sha = !want.sha256.empty();
    auto digests = task.digests ? core::Result<io::Digests>(*task.digests)
                                : io::hash_file(task.partial, by_sha ? io::DigestSet::sha256_only
                                                                     : io::DigestSet::md5_only);
    if (!digests) {
        out.error = digests.error().message;
        return out;
    }
    auto got = by_sha ? digests->sha256_hex() : digests->md5_hex();
    if (digests->size != want.size || got != (by_sha ? want.sha256 : want.md5)) {
        out.mismatch = true;
        out.error = digests->size != want.size
                        ? "size " + std::to_string(digests->size) + ", expected " +
                              std::to_string(want.size)
                        : std::string(by_sha ? "sha256" : "md5") + " mismatch: expected " +
                              (by_sha ? want.sha256 : want.md5) + ", got " + got;
        std::error_code ec;
        std::filesystem::remove(task.partial, ec);
        return out;
    }
    // The disk writes the file while the transfers go on; publish's syncfs then only waits
    // for what is left.
    io::start_writeback(task.partial);
    std::error_code ec;
    std::filesystem::rename(task.partial, task.target, ec);
    if (ec) {
        out.error = "cannot rename " + task.partial.string() + ": " + ec.message();
        return out;
    }
    out.ok = true;
    out.digests = *digests;
    return out;
}

VerifyPool::VerifyPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i)
        threads_.emplace_back([this] { work(); });
}

VerifyPool::~VerifyPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    task_ready_.notify_all();
    for (auto& t : threads_)
        t.join();
}

void VerifyPool::submit(VerifyTask task) {
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
        ++pending_;
    }
    task_ready_.notify_one();
}

std::vector<VerifyOutcome> VerifyPool::take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (outcomes_.empty() && pending_ > 0) {
        outcome_ready_.wait_for(lock, timeout, [&] { return !outcomes_.empty(); });
    }
    std::vector<VerifyOutcome> out;
    out.swap(outcomes_);
    pending_ -= out.size();  // only now: an outcome not yet taken is still pending
    return out;
}

std::size_t VerifyPool::pending() const {
    std::lock_guard lock(mutex_);
    return pending_;
}

void VerifyPool::work() {
    for (;;) {
        VerifyTask task;
        {
            std::unique_lock lock(mutex_);
            task_ready_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
            if (tasks_.empty())
                return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        auto outcome = verify_and_promote(task);
        {
            std::lock_guard lock(mutex_);
            outcomes_.push_back(std::move(outcome));
        }
        outcome_ready_.notify_all();
    }
}

}  // namespace chanmirror::sync
