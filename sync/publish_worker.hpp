#pragma once
// Publishes subdirs on a thread of its own while later subdirs still download. It takes the
// subdirs in download order: builds a subdir's index as if every file of it will arrive (the
// CPU work of publishing overlaps the transfers), waits for the subdir's last download
// outcome, builds again only if a file failed, then makes the files durable, writes the index
// and moves on. While a subdir's files are made durable, the next subdir's index is built, so
// at most two prepared indexes are held at a time.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sync/download_queue.hpp"
#include "sync/subdir_sync.hpp"

namespace chanmirror::sync {

class PublishWorker {
  public:
    // Runs on the worker thread after each subdir's publish attempt; writes to `log`.
    using AfterPublish = std::function<void(SubdirWork&, bool published, std::ostream& log)>;

    // `subdirs` in the order their files download; each subdir's `downloads` index `items`.
    PublishWorker(std::vector<SubdirWork*> subdirs, const std::vector<DownloadItem>& items,
                  AfterPublish after);
    ~PublishWorker();
    PublishWorker(const PublishWorker&) = delete;
    PublishWorker& operator=(const PublishWorker&) = delete;

    // From the download loop: item `index`'s final outcome.
    void finished(std::size_t index, const DownloadResult& result);
    // Returns once every subdir was published (or failed to be).
    void wait();
    // Destroyed before wait() (the download loop threw), subdirs not yet published are not.

  private:
    struct Slot {
        SubdirWork* work = nullptr;
        std::vector<DownloadResult> results;  // parallel to work->downloads
        std::size_t remaining = 0;
    };
    struct Place {
        std::size_t slot = 0;
        std::size_t position = 0;
    };

    // An index built on the assumption that every planned file arrives.
    struct Speculative {
        std::set<std::string> assumed;
        core::Result<io::PreparedSubdir> prepared;
    };

    void run();
    static Speculative speculate(const SubdirWork& work);
    // Publishes slot `i`; leaves the next slot's speculative index in `next`.
    bool publish(std::size_t i, std::optional<Speculative>& next, std::ostream& log);
    // False when cancelled.
    bool wait_for_downloads(const Slot& slot);

    const std::vector<DownloadItem>& items_;
    AfterPublish after_;
    std::vector<Slot> slots_;
    std::vector<Place> places_;  // by item index
    std::string created_at_;     // one value per run, taken at the first publish
    std::mutex mutex_;
    bool cancelled_ = false;
    std::condition_variable downloads_done_;
    std::thread thread_;
};

}  // namespace chanmirror::sync
