#include "sync/publish_worker.hpp"

#include <exception>
#include <future>
#include <sstream>

#include "io/utc_time.hpp"
#include "sync/publish.hpp"

namespace chanmirror::sync {

PublishWorker::PublishWorker(std::vector<SubdirWork*> subdirs,
                             const std::vector<DownloadItem>& items, AfterPublish after)
    : items_(items), after_(std::move(after)), places_(items.size()) {
    slots_.reserve(subdirs.size());
    for (auto* work : subdirs) {
        auto n = work->downloads.size();
        for (std::size_t i = 0; i < n; ++i)
            places_[work->downloads[i]] = {slots_.size(), i};
        slots_.push_back({work, std::vector<DownloadResult>(n), n});
    }
    thread_ = std::thread([this] { run(); });
}

PublishWorker::~PublishWorker() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    downloads_done_.notify_all();
    wait();
}

void PublishWorker::finished(std::size_t index, const DownloadResult& result) {
    {
        std::lock_guard lock(mutex_);
        auto [slot, position] = places_[index];
        slots_[slot].results[position] = result;
        if (--slots_[slot].remaining > 0)
            return;
    }
    downloads_done_.notify_all();
}

void PublishWorker::wait() {
    if (thread_.joinable())
        thread_.join();
}

bool PublishWorker::wait_for_downloads(const Slot& slot) {
    std::unique_lock lock(mutex_);
    downloads_done_.wait(lock, [&] { return slot.remaining == 0 || cancelled_; });
    return slot.remaining == 0;
}

void PublishWorker::run() {
    std::optional<Speculative> next;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        auto& slot = slots_[i];
        std::ostringstream log;
        bool published = false;
        try {
            published = publish(i, next, log);
        } catch (const std::exception& e) {
            // Not published: the next run fetches in full and tries again.
            slot.work->summary.status = "failed";
            slot.work->summary.message = e.what();
            log << "chanmirror sync: " << slot.work->label("") << ": cannot publish: " << e.what()
                << "\n";
        }
        if (after_)
            after_(*slot.work, published, log);
        slot.work->publish_log = log.str();
    }
}

PublishWorker::Speculative PublishWorker::speculate(const SubdirWork& work) {
    auto assumed = planned_files(work);
    auto prepared = prepare_index(work, assumed);
    return {std::move(assumed), std::move(prepared)};
}

bool PublishWorker::publish(std::size_t i, std::optional<Speculative>& next, std::ostream& log) {
    auto& slot = slots_[i];
    auto& work = *slot.work;
    // Built while the subdir's files download (or while the previous subdir's were flushed).
    auto index = next ? std::move(*next) : speculate(work);
    next.reset();
    if (!wait_for_downloads(slot))
        return false;
    auto present = record_downloads(work, items_, slot.results);
    if (present != index.assumed)
        index.prepared = prepare_index(work, present);
    if (created_at_.empty())
        created_at_ = io::utc_timestamp_now();
    // The disk writes this subdir's files out while the next subdir's index is built.
    auto durable = std::async(std::launch::async, [&work] { return flush_filesystem(work.dir); });
    if (i + 1 < slots_.size()) {
        try {
            next = speculate(*slots_[i + 1].work);
        } catch (const std::exception&) {
            next.reset();  // built again in its own turn, where a failure is reported as its own
        }
    }
    return publish_work(work, index.prepared, durable.get(), created_at_, log);
}

}  // namespace chanmirror::sync
