#include "sync/sync_job.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/parallel.hpp"
#include "core/printable.hpp"
#include "io/atomic_file.hpp"
#include "io/file_handle.hpp"
#include "io/utc_time.hpp"
#include "sync/fetch_repodata.hpp"
#include "sync/lock.hpp"
#include "sync/progress.hpp"
#include "sync/publish_worker.hpp"
#include "sync/select.hpp"
#include "sync/shard_loader.hpp"
#include "sync/subdir_sync.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;

class Stopwatch {
  public:
    // Seconds since construction or the previous lap.
    double lap() {
        auto now = std::chrono::steady_clock::now();
        double s = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        return s;
    }

  private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

struct Job {
    const SyncOptions& options;
    std::ostream& out;
    std::ostream& err;
    RunSummary summary;
    std::vector<SubdirWork> works;

    fs::path meta(const std::string& kind, const SubdirWork& w, const std::string& ext) const {
        return options.dest / ".chanmirror" / kind / w.channel.local_path / (w.subdir + ext);
    }

    HttpOptions http_options() const {
        const auto& n = options.network;
        return {n.jobs,  n.connect_timeout_s, n.low_speed_time_s,
                n.proxy, n.ca_bundle,         "chanmirror/0.1.0"};
    }

    RetryPolicy retry_policy() const {
        return {options.network.retries, options.network.backoff_initial_s,
                options.network.backoff_max_s};
    }

    // Fetches every subdir's repodata; false on a fatal error (nothing has changed yet).
    bool fetch_all(HttpClient& client) {
        for (const auto& job : options.channels) {
            for (const auto& subdir : job.subdirs) {
                SubdirWork w;
                w.channel = job.channel;
                w.subdir = subdir;
                w.dir = options.dest / job.channel.local_path / subdir;
                w.summary.channel = job.channel.local_path;
                w.summary.subdir = subdir;
                if (!fetch_one(client, w))
                    return false;
                works.push_back(std::move(w));
            }
        }
        return true;
    }

    // Upstream errors quote what the server sent (URLs from its repodata, say).
    bool fatal(const std::string& message) {
        summary.errors.push_back(message);
        err << "chanmirror sync: fatal: " << core::printable(message) << "\n";
        return false;
    }

    // Include specs or an explicit file: only some names' records are needed.
    bool reads_shards() const {
        return options.use_shards && (options.pinned || !options.selection.include.empty());
    }

    // True when upstream has a shard index; the records come later (load_shards).
    core::Result<bool> fetch_shard_index_of(HttpClient& client, SubdirWork& w,
                                            const std::string& url) {
        auto index = fetch_shard_index(client, url, retry_policy());
        if (!index)
            return tl::unexpected(index.error());
        if (!*index)
            return false;
        w.shards = std::move(**index);
        auto& fetched = w.upstream;
        fetched.status = FetchStatus::fetched;
        fetched.repodata_url = w.shards->index_url;
        fetched.state = {"repodata_shards.msgpack.zst", "", ""};
        fetched.run_exports.emplace();
        const auto& info = w.shards->index.info;
        auto subdir = info.find("subdir");
        fetched.repodata.info = {{"subdir", subdir != info.end() && subdir->is_string()
                                                ? *subdir
                                                : core::Json(w.subdir)}};
        // Only to find the packages: the mirror's index drops it (mirrored_repodata).
        if (auto base = info.find("base_url");
            base != info.end() && base->is_string() && !base->get_ref<const std::string&>().empty())
            fetched.repodata.info["base_url"] = *base;
        return true;
    }

    // Specs, excludes, latest-N or an explicit file: the closure needs every upstream record.
    bool selective() const { return is_selective(options.selection) || options.pinned; }

    // Where a selective job keeps upstream's repodata as fetched, to answer a 304.
    fs::path upstream_copy(const SubdirWork& w, const std::string& variant) const {
        return meta("upstream", w, "." + variant);
    }

    // The state of the last complete run, when what a 304 would reuse is still there: the
    // published index (whole subdirs) or the copy of upstream's repodata (selective jobs).
    std::optional<FetchState> usable_fetch_state(const SubdirWork& w) const {
        auto loaded = load_fetch_state(meta("state", w, ".json"));
        if (!loaded || !*loaded)
            return std::nullopt;
        std::error_code ec;
        bool usable = selective() ? fs::exists(upstream_copy(w, (*loaded)->variant), ec)
                                  : fs::exists(w.dir / "repodata.json", ec);
        return usable ? *loaded : std::nullopt;
    }

    // 304 for a whole subdir: nothing to do, unless the mirror's files changed on disk.
    bool reuse_published(SubdirWork& w) {
        w.hashes = HashCache::load(meta("hashes", w, ".tsv"));
        if (!published_mirror_intact(w)) {
            err << w.channel.local_path << "/" << w.subdir
                << ": mirror files changed on disk, refetching\n";
            return false;
        }
        if (auto r = w.hashes.save(); !r)
            err << "warning: " << r.error().message << "\n";
        return true;
    }

    // 304 for a selective job: upstream's records from the local copy, selected again.
    bool reuse_upstream_copy(HttpClient& client, SubdirWork& w, const std::string& url) {
        auto path = upstream_copy(w, w.upstream.state.variant);
        auto body = io::read_file(path);
        core::Result<std::optional<core::RepoData>> decoded = std::nullopt;
        if (body)
            decoded = decode_repodata(std::move(*body), w.upstream.state.variant, path.string());
        if (!body || !decoded || !*decoded) {
            err << w.channel.local_path << "/" << w.subdir
                << ": local copy of upstream repodata unreadable, refetching\n";
            return false;
        }
        w.upstream.repodata = std::move(**decoded);
        w.upstream.status = FetchStatus::fetched;
        w.upstream.run_exports = fetch_run_exports(client, url, retry_policy());
        err << w.channel.local_path << "/" << w.subdir
            << ": not modified upstream (304), selecting from the local copy\n";
        return true;
    }

    bool fetch_one(HttpClient& client, SubdirWork& w) {
        auto url = config::join_url(w.channel.url, w.subdir);
        if (reads_shards()) {
            auto sharded = fetch_shard_index_of(client, w, url);
            if (!sharded)
                return fatal(sharded.error().message);
            if (*sharded) {
                if (options.verbose)
                    err << w.channel.local_path << "/" << w.subdir << ": fetched "
                        << config::redact(w.shards->index_url) << " ("
                        << w.shards->index.shards.size() << " names)\n";
                return true;
            }
        }
        return fetch_repodata_of(client, w, url);
    }

    // The whole repodata.json(.zst), conditionally when the last run left a usable state.
    bool fetch_repodata_of(HttpClient& client, SubdirWork& w, const std::string& url) {
        std::optional<FetchState> previous;
        if (!options.dry_run)
            previous = usable_fetch_state(w);
        auto fetched = fetch_repodata(client, url, previous ? &*previous : nullptr, retry_policy(),
                                      selective());
        if (!fetched)
            return fatal(fetched.error().message);
        w.upstream = std::move(*fetched);
        if (w.upstream.status == FetchStatus::not_modified) {
            bool reused = selective() ? reuse_upstream_copy(client, w, url) : reuse_published(w);
            if (!reused) {
                fetched = fetch_repodata(client, url, nullptr, retry_policy(), selective());
                if (!fetched)
                    return fatal(fetched.error().message);
                w.upstream = std::move(*fetched);
            }
        }
        if (w.upstream.status == FetchStatus::not_modified)
            w.summary.status = "not_modified";
        if (w.upstream.status == FetchStatus::absent) {
            w.summary.status = "absent";
            err << w.channel.local_path << "/" << w.subdir << ": no repodata upstream, skipped\n";
        }
        if (options.verbose || w.upstream.status == FetchStatus::not_modified) {
            err << w.channel.local_path << "/" << w.subdir << ": "
                << (w.upstream.status == FetchStatus::not_modified
                        ? "not modified upstream (304)"
                        : "fetched " + config::redact(w.upstream.repodata_url))
                << "\n";
        }
        return true;
    }

    bool refetch_without_shards(HttpClient& client) {
        for (auto& w : works) {
            if (!w.shards)
                continue;
            w.shards.reset();
            w.upstream = {};
            if (!fetch_repodata_of(client, w, config::join_url(w.channel.url, w.subdir)))
                return false;
        }
        return true;
    }

    bool load_shards(HttpClient& client) {
        ShardCache cache(options.dest / ".chanmirror" / "upstream-shards", options.dry_run);
        const auto* pinned = options.pinned ? &*options.pinned : nullptr;
        auto stats =
            load_needed_shards(client, works, options.selection, pinned, retry_policy(), cache);
        if (!stats) {
            // A shard the index lists but upstream cannot serve (a CDN mid-update, say): the
            // whole repodata still answers the selection, as clients fall back to it.
            err << "warning: " << core::printable(stats.error().message)
                << "; reading repodata.json instead of shards\n";
            return refetch_without_shards(client);
        }
        if (stats->subdirs > 0) {
            err << "shards: " << stats->fetched + stats->cached << " of " << stats->listed
                << " listed in " << stats->subdirs << " shard indexes (" << stats->fetched
                << " fetched, " << stats->cached << " cached, " << human_bytes(stats->bytes)
                << ") in " << stats->rounds << " rounds\n";
        }
        return true;
    }

    bool plan_all() {
        std::vector<UpstreamSubdir> upstream;
        for (auto& w : works) {
            if (w.upstream.status == FetchStatus::fetched)
                upstream.push_back({{w.channel.local_path, w.subdir}, &w.upstream.repodata});
        }
        std::vector<std::string> report;
        const auto* pinned = options.pinned ? &*options.pinned : nullptr;
        auto selected = select_files(upstream, options.selection, pinned, report, options.verbose);
        if (!selected)
            return fatal(selected.error().message);
        for (const auto& line : report)
            err << line << "\n";
        auto& selection = *selected;
        for (auto& w : works) {
            const auto& chosen = selection[{w.channel.local_path, w.subdir}];
            for (const auto& [filename, why] : chosen.failures)
                w.summary.failures.emplace_back(w.label(filename), why);
            if (w.upstream.status != FetchStatus::fetched)
                continue;
            w.hashes = HashCache::load(meta("hashes", w, ".tsv"));
            plan_work(w, chosen, options.plan);
            if (w.plan.refusal) {
                w.summary.status = "refused";
                w.summary.message = *w.plan.refusal;
                err << "chanmirror sync: " << w.channel.local_path << "/" << w.subdir << ": "
                    << *w.plan.refusal << "\n";
            }
        }
        return true;
    }

    // One line per file, sorted: subdirs by "<channel>/<subdir>/", files by name (wanted is
    // sorted).
    void print_dry_run() {
        std::vector<const SubdirWork*> listed;
        for (const auto& w : works) {
            if (w.upstream.status == FetchStatus::fetched)
                listed.push_back(&w);
        }
        std::sort(listed.begin(), listed.end(), [](const SubdirWork* a, const SubdirWork* b) {
            return a->label("") < b->label("");
        });
        std::size_t files = 0, download = 0, remove = 0;
        std::uint64_t download_bytes = 0, remove_bytes = 0;
        for (const auto* w : listed) {
            auto prefix = w->label("");
            for (const auto& file : w->wanted)
                out << prefix << file.filename << '\n';
            files += w->wanted.size();
            download += w->plan.download.size();
            download_bytes += w->plan.download_bytes;
            remove += w->plan.remove.size();
            remove_bytes += w->plan.remove_bytes;
        }
        for (const auto& w : works) {
            for (const auto& [file, why] : w.summary.failures)
                err << "cannot mirror: " << core::printable(file) << ": " << core::printable(why)
                    << "\n";
        }
        out << "dry-run: " << files << " files in the mirror; " << download << " to download ("
            << human_bytes(download_bytes) << "), " << remove << " to delete ("
            << human_bytes(remove_bytes) << ")\n";
    }

    std::vector<DownloadItem> download_list() {
        std::vector<DownloadItem> items;
        for (auto& w : works) {
            if (w.upstream.status != FetchStatus::fetched || w.plan.refusal)
                continue;
            for (const auto* file : w.plan.download) {
                w.downloads.push_back(items.size());
                items.push_back({package_url(w.upstream, file->filename), w.dir / file->filename,
                                 file->info, w.label(file->filename)});
            }
        }
        return items;
    }

    void mkdirs() {
        for (const auto& w : works) {
            std::error_code ec;
            if (w.upstream.status == FetchStatus::fetched && !w.plan.refusal)
                fs::create_directories(w.dir, ec);
        }
    }

    // A run that cannot fit says so before it starts: the files that do not fit will fail
    // (named), and the rest is still published.
    void warn_if_short_of_space(const std::vector<DownloadItem>& items) {
        std::uint64_t needed = 0;
        for (const auto& item : items)
            needed += item.expected.size;
        std::error_code ec;
        auto space = fs::space(options.dest, ec);
        if (ec || needed <= space.available)
            return;
        err << "chanmirror sync: warning: this run downloads " << human_bytes(needed) << ", but "
            << options.dest.string() << " has " << human_bytes(space.available) << " free\n";
    }

    // What the next run's conditional request needs: the ETag and, for a selective job, the
    // body it describes (written first: a state never points at a missing copy).
    core::Result<void> save_state(const SubdirWork& w) {
        if (!w.upstream.body.empty()) {
            auto path = upstream_copy(w, w.upstream.state.variant);
            std::error_code ec;
            fs::create_directories(path.parent_path(), ec);
            if (auto r = io::write_file_atomic(path, w.upstream.body); !r)
                return r;
        }
        return save_fetch_state(meta("state", w, ".json").string(), w.upstream.state);
    }

    // The subdirs to publish, in the order their files download (download_list).
    std::vector<SubdirWork*> to_publish() {
        std::vector<SubdirWork*> out;
        for (auto& w : works) {
            if (w.upstream.status == FetchStatus::fetched && !w.plan.refusal)
                out.push_back(&w);
        }
        return out;
    }

    // On the publish worker's thread, right after the subdir's publish attempt.
    void after_publish(SubdirWork& w, bool published, std::ostream& log) {
        if (published && w.summary.failures.empty()) {
            if (auto r = save_state(w); !r)
                log << "warning: " << r.error().message << "\n";
        } else {
            std::error_code ec;  // the next run fetches in full and retries the failures
            fs::remove(meta("state", w, ".json"), ec);
        }
    }

    void report_published() {
        for (auto* w : to_publish()) {
            err << w->publish_log;
            err << w->channel.local_path << "/" << w->subdir << ": " << w->summary.records
                << " records, " << w->summary.downloaded << " downloaded ("
                << human_bytes(w->summary.bytes) << "), " << w->summary.kept << " kept, "
                << w->summary.removed << " removed, " << w->summary.failures.size() << " failed\n";
            for (const auto& [file, why] : w->summary.failures)
                err << "failed: " << core::printable(file) << ": " << core::printable(why) << "\n";
        }
    }

    SyncExit exit_code() const {
        for (const auto& w : works) {
            if (!w.summary.failures.empty() || w.summary.status == "refused" ||
                w.summary.status == "failed") {
                return SyncExit::partial;
            }
        }
        return SyncExit::ok;
    }
};

SyncOutcome finish(Job& job, SyncExit exit) {
    job.summary.exit_code = static_cast<int>(exit);
    job.summary.finished = io::utc_timestamp_now();
    for (auto& w : job.works)
        job.summary.subdirs.push_back(std::move(w.summary));
    if (!job.options.dry_run) {
        if (auto r = write_summary(job.options.dest, job.summary); !r) {
            job.err << "chanmirror sync: warning: " << r.error().message << "\n";
        }
    }
    return {exit, std::move(job.summary)};
}

}  // namespace

SyncOutcome run_sync(const SyncOptions& options, std::ostream& out, std::ostream& err) {
    Job job{options, out, err, {}, {}};
    job.summary.started = io::utc_timestamp_now();
    job.summary.dry_run = options.dry_run;
    std::optional<io::ProcessLock> lock;
    if (!options.dry_run) {
        auto attempt = try_lock_dest(options.dest);
        if (!attempt) {
            err << "chanmirror sync: fatal: " << attempt.error().message << "\n";
            return {SyncExit::fatal, job.summary};
        }
        if (!attempt->lock) {
            err << "chanmirror sync: " << options.dest.string() << " is locked by "
                << attempt->holder
                << "; another sync is running (lock: " << lock_path(options.dest).string() << ")\n";
            return {SyncExit::locked, job.summary};
        }
        if (!attempt->taken_over.empty())
            err << "chanmirror sync: taking over a stale lock (" << attempt->taken_over << ")\n";
        lock = std::move(attempt->lock);
    }
    HttpClient client(job.http_options());
    Stopwatch clock;
    if (!job.fetch_all(client))
        return finish(job, SyncExit::fatal);
    if (options.verbose)
        err << "upstream repodata fetched and parsed in " << clock.lap() << " s\n";
    if (!job.load_shards(client))
        return finish(job, SyncExit::fatal);
    if (!job.plan_all())
        return finish(job, SyncExit::fatal);
    if (options.verbose)
        err << "selected and planned in " << clock.lap() << " s\n";
    if (options.dry_run) {
        job.print_dry_run();
        if (options.verbose)
            err << "listed in " << clock.lap() << " s\n";
        auto exit = job.exit_code();
        job.summary.exit_code = static_cast<int>(exit);
        return {exit, std::move(job.summary)};
    }
    job.mkdirs();
    auto items = job.download_list();
    job.warn_if_short_of_space(items);
    Progress progress(err, options.progress_tty);
    PublishWorker publisher(job.to_publish(), items,
                            [&job](SubdirWork& w, bool published, std::ostream& log) {
                                job.after_publish(w, published, log);
                            });
    DownloadOptions download_options{
        options.network.jobs, job.retry_policy(),
        [&publisher](std::size_t index, const DownloadResult& r) { publisher.finished(index, r); },
        static_cast<int>(core::thread_count(0))};
    auto report = download_all(job.http_options(), items, download_options, &progress);
    progress.finish();
    if (options.verbose)
        err << items.size() << " files downloaded and verified in " << clock.lap() << " s ("
            << report.http2_transfers << " transfers over HTTP/2)\n";
    job.summary.network_bytes = report.bytes;
    job.summary.retries = report.retries;
    job.summary.http2_transfers = report.http2_transfers;
    publisher.wait();
    job.report_published();
    if (options.verbose)
        err << "published and pruned in " << clock.lap() << " s\n";
    return finish(job, job.exit_code());
}

}  // namespace chanmirror::sync
