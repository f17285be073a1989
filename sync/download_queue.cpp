#include "sync/download_queue.hpp"

#include <atomic>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <thread>

#include "config/channel.hpp"
#include "io/file_handle.hpp"
#include "sync/partial_file.hpp"
#include "sync/writeback_queue.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

fs::path partial_path(const fs::path& target) {
    return fs::path(target.string() + std::string(partial_suffix));
}

// No byte for this long: what a transfer has buffered is written out.
constexpr auto idle_flush = std::chrono::milliseconds(200);

// What to do after an attempt.
enum class Next { done, retry_resume, retry_fresh, fail };

// Why the bytes are not the record's ("" when they are).
std::string mismatch(const io::Digests& got, const ArtifactInfo& want) {
    if (got.size != want.size)
        return "size " + std::to_string(got.size) + ", expected " + std::to_string(want.size);
    auto hex = want.digest_of(got);
    if (hex != want.expected_digest())
        return std::string(want.digest_name()) + " mismatch: expected " + want.expected_digest() +
               ", got " + hex;
    return "";
}

// One file's download across attempts.
class Job {
  public:
    explicit Job(const DownloadItem& item, Progress* progress) : item_(item), progress_(progress) {}

    // Opens (or resumes) the .partial file; returns the request to send.
    core::Result<HttpRequest> begin() {
        ++attempts_;
        first_chunk_ = true;
        sink_error_.reset();
        // A leftover as long as the file has nothing left to ask for: it starts over.
        const auto& want = item_.expected;
        auto kept = partial_.open(partial_path(item_.target), want.size > 0 ? want.size - 1 : 0,
                                  want.digest_set());
        if (!kept)
            return tl::unexpected(kept.error());
        range_from_ = *kept;
        return HttpRequest{item_.url, range_from_, {}};
    }

    bool on_chunk(long status, std::string_view chunk) {
        if (status != 200 && status != 206)
            return true;  // an error page: ignored
        if (first_chunk_) {
            first_chunk_ = false;
            if (status == 200 && range_from_ > 0 && !restart_from_zero())
                return false;
        }
        if (partial_.size() + chunk.size() > item_.expected.size) {
            sink_error_ =
                core::Error{core::ErrorKind::mismatch,
                            "more bytes than the expected " + std::to_string(item_.expected.size)};
            return false;
        }
        if (auto r = partial_.append(chunk); !r) {
            sink_error_ = r.error();
            return false;
        }
        last_chunk_ = Clock::now();
        if (progress_ != nullptr)
            progress_->add_bytes(chunk.size());
        return true;
    }

    Next complete(const HttpResponse& r) {
        if (sink_error_) {  // too many bytes: start over; a failed write: write_failed
            return sink_error_->kind == core::ErrorKind::mismatch ? discard(sink_error_->message)
                                                                  : write_failed(*sink_error_);
        }
        if (r.completed() && r.status == 416)
            return discard("HTTP 416 on resume");
        // What arrived is kept: a retry resumes after it.
        if (auto flushed = partial_.flush(); !flushed)
            return write_failed(flushed.error());
        if (!r.completed() || (r.status != 200 && r.status != 206)) {
            error_ = describe_failure(r);
            return is_transient(r) ? Next::retry_resume : failed(error_);
        }
        if (partial_.size() < item_.expected.size) {
            error_ = "short body: " + std::to_string(partial_.size()) + " of " +
                     std::to_string(item_.expected.size) + " bytes";
            return Next::retry_resume;
        }
        return promote();
    }

    // A stalled transfer's bytes go to disk: a kill -9 during the stall then resumes after
    // them instead of fetching them again.
    void flush_if_idle(Clock::time_point now) {
        if (partial_.buffered() == 0 || now - last_chunk_ < idle_flush || sink_error_)
            return;
        if (auto r = partial_.flush(); !r)
            sink_error_ = r.error();  // the transfer fails when it completes
    }

    // Once complete() said done: the file, under its real name, and the digest it was
    // checked by.
    [[nodiscard]] const io::Digests& digests() const { return digests_; }
    io::FileHandle take_file() { return std::move(done_file_); }

    [[nodiscard]] int attempts() const { return attempts_; }
    [[nodiscard]] const std::string& error() const { return error_; }
    void close() { partial_.abandon(); }

  private:
    // Every byte is in: the file takes its real name only if they are the record's. Done on
    // this thread, which also creates the files: a rename elsewhere waited on the directory
    // lock while a create held it (and spun on it, in perf).
    Next promote() {
        auto finished = partial_.finish();
        if (!finished)
            return write_failed(finished.error());
        auto& [file, digests] = *finished;
        if (auto why = mismatch(digests, item_.expected); !why.empty())
            return discard(std::move(why));
        auto partial = partial_path(item_.target);
        std::error_code ec;
        fs::rename(partial, item_.target, ec);
        if (ec)
            return failed("cannot rename " + partial.string() + ": " + ec.message());
        digests_ = digests;
        done_file_ = std::move(file);
        return Next::done;
    }

    // The server ignored Range and sent the whole file.
    bool restart_from_zero() {
        if (auto r = partial_.restart(); !r) {
            sink_error_ = r.error();
            return false;
        }
        range_from_ = 0;
        return true;
    }

    Next discard(std::string why) {
        error_ = std::move(why);
        close();
        std::error_code ec;
        fs::remove(partial_path(item_.target), ec);
        return Next::retry_fresh;
    }

    Next failed(std::string why) {
        error_ = std::move(why);
        return Next::fail;
    }

    // Fails without keeping the .partial file.
    Next give_up(std::string why) {
        discard(std::move(why));
        return Next::fail;
    }

    // On a full disk the bytes of a file that cannot be finished are given back, so the index
    // of the files that did arrive can still be published; other write errors keep them.
    Next write_failed(const core::Error& error) {
        return error.kind == core::ErrorKind::no_space ? give_up(error.message)
                                                       : failed(error.message);
    }

    const DownloadItem& item_;
    Progress* progress_;
    PartialFile partial_;
    io::Digests digests_;
    io::FileHandle done_file_;
    std::uint64_t range_from_ = 0;
    bool first_chunk_ = true;
    Clock::time_point last_chunk_;
    std::optional<core::Error> sink_error_;  // why the body callback stopped the transfer
    std::string error_;
    int attempts_ = 0;
};

// What the lanes share: the items no lane has started yet, and every item's outcome. Each
// item is started, retried and finished by one lane, so its Job and result need no lock.
class SharedWork {
  public:
    SharedWork(const std::vector<DownloadItem>& items, const DownloadOptions& options,
               Progress* progress)
        : options_(options), progress_(progress) {
        results_.resize(items.size());
        jobs_.reserve(items.size());
        for (const auto& item : items)
            jobs_.emplace_back(item, progress);
    }

    // The next item no lane has started, in list order (subdirs publish in that order).
    std::optional<std::size_t> next() {
        auto index = next_.fetch_add(1, std::memory_order_relaxed);
        if (index >= jobs_.size())
            return std::nullopt;
        return index;
    }

    Job& job(std::size_t index) { return jobs_[index]; }

    void finish(std::size_t index, bool ok, const std::string& error, const io::Digests& digests) {
        auto& result = results_[index];
        result.ok = ok;
        result.attempts = jobs_[index].attempts();
        if (ok)
            result.digests = digests;
        else
            result.error = error;
        if (progress_ != nullptr)
            progress_->file_done();
        if (options_.on_finished) {
            std::lock_guard lock(finished_mutex_);
            options_.on_finished(index, result);
        }
    }

    std::vector<DownloadResult> take_results() { return std::move(results_); }
    WritebackQueue& writeback() { return writeback_; }
    [[nodiscard]] const RetryPolicy& retry() const { return options_.retry; }
    void tick_progress() {
        if (progress_ != nullptr)
            progress_->tick();
    }

  private:
    const DownloadOptions& options_;
    Progress* progress_;
    std::vector<Job> jobs_;
    std::vector<DownloadResult> results_;
    std::atomic<std::size_t> next_{0};
    std::mutex finished_mutex_;  // on_finished is called from one lane at a time
    WritebackQueue writeback_;
};

// One download loop: a libcurl multi handle with its own connections, on its own thread,
// keeping up to `slots` transfers going. Receiving, hashing and writing a file's bytes is
// CPU work on the loop's thread; two loops put it on both cores without handing each chunk
// to another thread (which cost more than it saved: docs/benchmarks.md).
class Lane {
  public:
    // `http.max_connections` is the lane's share of the transfers.
    Lane(SharedWork& work, const HttpOptions& http)
        : work_(work), client_(http), slots_(static_cast<std::size_t>(http.max_connections)) {}

    void run() {
        bool more = true;  // the shared list may still hold items
        while (true) {
            wake_due();
            while (active_.size() < slots_ && (!retries_.empty() || more)) {
                if (!retries_.empty()) {
                    start(retries_.front());
                    retries_.pop_front();
                } else if (auto index = work_.next()) {
                    start(*index);
                } else {
                    more = false;
                }
            }
            if (active_.empty() && waiting_.empty() && retries_.empty() && !more)
                return;
            auto wait = next_wake();
            if (active_.empty()) {
                // Nothing on the wire: wait for the next retry's backoff.
                if (retries_.empty() && !waiting_.empty())
                    std::this_thread::sleep_for(wait);
                continue;
            }
            for (auto& [id, response] :
                 client_.poll(static_cast<int>(std::min<long long>(wait.count(), 100)))) {
                auto index = active_.at(id);
                active_.erase(id);
                bytes_ += response.body_bytes;
                handle(index, response);
            }
            auto now = Clock::now();
            for (const auto& [id, index] : active_)
                work_.job(index).flush_if_idle(now);
            work_.tick_progress();
        }
    }

    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
    [[nodiscard]] int retries() const { return retry_count_; }
    [[nodiscard]] std::size_t http2_transfers() const { return http2_transfers_; }

  private:
    void start(std::size_t index) {
        auto& job = work_.job(index);
        auto request = job.begin();
        if (!request)
            return work_.finish(index, false, request.error().message, {});
        auto id = client_.start(std::move(*request), [&job](long status, std::string_view chunk) {
            return job.on_chunk(status, chunk);
        });
        active_.emplace(id, index);
    }

    void handle(std::size_t index, const HttpResponse& response) {
        auto& job = work_.job(index);
        auto next = job.complete(response);
        if (response.completed() && response.http_version == "2")
            ++http2_transfers_;
        if (next == Next::done) {
            work_.writeback().submit(job.take_file());
            return work_.finish(index, true, "", job.digests());
        }
        retry_or_fail(index, next, response.retry_after_s);
    }

    void retry_or_fail(std::size_t index, Next next, std::optional<long> retry_after) {
        auto& job = work_.job(index);
        job.close();
        if (next == Next::fail || job.attempts() > work_.retry().retries)
            return work_.finish(index, false, job.error(), {});
        ++retry_count_;
        auto delay = retry_delay(job.attempts(), retry_after, work_.retry(), rng_);
        waiting_.emplace(Clock::now() + delay, index);
    }

    void wake_due() {
        auto now = Clock::now();
        while (!waiting_.empty() && waiting_.top().first <= now) {
            retries_.push_back(waiting_.top().second);
            waiting_.pop();
        }
    }

    std::chrono::milliseconds next_wake() const {
        if (waiting_.empty())
            return std::chrono::milliseconds(100);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(waiting_.top().first -
                                                                          Clock::now());
        return std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(100));
    }

    using Wake = std::pair<Clock::time_point, std::size_t>;
    SharedWork& work_;
    HttpClient client_;
    std::size_t slots_;
    std::deque<std::size_t> retries_;  // backoff over, to start again on this lane
    std::priority_queue<Wake, std::vector<Wake>, std::greater<>> waiting_;
    std::map<HttpClient::Id, std::size_t> active_;
    std::uint64_t bytes_ = 0;
    int retry_count_ = 0;
    std::size_t http2_transfers_ = 0;
    std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace

DownloadReport download_all(const HttpOptions& http, const std::vector<DownloadItem>& items,
                            const DownloadOptions& options, Progress* progress) {
    if (progress != nullptr) {
        std::uint64_t bytes = 0;
        for (const auto& item : items)
            bytes += item.expected.size;
        progress->set_total(items.size(), bytes);
    }
    auto jobs = std::max(1, options.jobs);
    auto lane_count = std::clamp(options.lanes, 1, jobs);
    SharedWork work(items, options, progress);
    std::vector<std::unique_ptr<Lane>> lanes;
    for (int i = 0; i < lane_count; ++i) {
        // The transfers and connections are split between the lanes.
        auto lane_http = http;
        lane_http.max_connections = jobs / lane_count + (i < jobs % lane_count ? 1 : 0);
        lanes.push_back(std::make_unique<Lane>(work, lane_http));
    }
    // Lane 0 runs on this thread, the others on their own; a lane's exception is rethrown here
    // once every lane has stopped.
    std::vector<std::exception_ptr> failures(lanes.size());
    auto run_lane = [&lanes, &failures](std::size_t i) {
        try {
            lanes[i]->run();
        } catch (...) {
            failures[i] = std::current_exception();
        }
    };
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 1; i < lanes.size(); ++i)
            threads.emplace_back(run_lane, i);
        run_lane(0);
    }
    for (auto& failure : failures) {
        if (failure)
            std::rethrow_exception(failure);
    }
    DownloadReport report;
    report.results = work.take_results();
    for (const auto& lane : lanes) {
        report.bytes += lane->bytes();
        report.retries += lane->retries();
        report.http2_transfers += lane->http2_transfers();
    }
    return report;
}

}  // namespace chanmirror::sync
