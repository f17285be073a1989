#include "sync/publish_worker.hpp"

#include <exception>
#include <sstream>

#include "io/utc_time.hpp"

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
    for (auto& slot : slots_) {
        std::ostringstream log;
        bool published = false;
        try {
            published = publish(slot, log);
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

bool PublishWorker::publish(Slot& slot, std::ostream& log) {
    auto& work = *slot.work;
    auto assumed = planned_files(work);
    auto prepared = prepare_index(work, assumed);  // while the subdir's files download
    if (!wait_for_downloads(slot))
        return false;
    auto present = record_downloads(work, items_, slot.results);
    if (present != assumed)
        prepared = prepare_index(work, present);
    if (created_at_.empty())
        created_at_ = io::utc_timestamp_now();
    return publish_work(work, prepared, created_at_, log);
}

}  // namespace chanmirror::sync
