#include "sync/subdir_sync.hpp"

#include <algorithm>

#include "core/repodata.hpp"
#include "io/atomic_file.hpp"
#include "io/file_handle.hpp"
#include "sync/publish.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;

// .partial files of names no longer wanted are leftovers of an older run.
void remove_stale_partials(const SubdirWork& work) {
    std::set<std::string> wanted;
    for (const auto* file : work.plan.download)
        wanted.insert(file->filename);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(work.dir, ec)) {
        auto name = entry.path().filename().string();
        if (!name.ends_with(partial_suffix))
            continue;
        auto base = name.substr(0, name.size() - partial_suffix.size());
        if (!wanted.contains(base))
            fs::remove(entry.path(), ec);
    }
}

}  // namespace

std::map<std::string, LocalFile> scan_local(SubdirWork& work) {
    // work.wanted is sorted by file name (plan_work): a binary search, not a 500,000-name map.
    auto find_wanted = [&](const std::string& name) -> const WantedFile* {
        auto it = std::lower_bound(
            work.wanted.begin(), work.wanted.end(), name,
            [](const WantedFile& file, const std::string& n) { return file.filename < n; });
        return it != work.wanted.end() && it->filename == name ? &*it : nullptr;
    };
    std::map<std::string, LocalFile> local;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(work.dir, ec)) {
        auto name = entry.path().filename().string();
        if (!core::is_package_filename(name) || io::is_temp_name(name))
            continue;
        auto st = stat_size_mtime(entry.path());
        if (!st)
            continue;
        LocalFile file{st->first, "", ""};
        const auto* want = find_wanted(name);
        if (want != nullptr && want->info.size == file.size) {
            if (auto digest = work.hashes.digest(entry.path(), name)) {
                file.sha256 = digest->sha256;
                file.md5 = digest->md5;
            }
        }
        local.emplace(std::move(name), std::move(file));
    }
    return local;
}

bool published_mirror_intact(SubdirWork& work) {
    auto text = io::read_file(work.dir / "repodata.json");
    if (!text)
        return false;
    auto published = core::parse_repodata(std::move(*text), (work.dir / "repodata.json").string());
    if (!published)
        return false;
    ArtifactInfoReader reader;
    for (const auto* section : {&published->packages, &published->conda_packages}) {
        for (const auto& [filename, record] : *section) {
            auto info = reader.read(record, filename);
            if (!info)
                return false;
            auto digest = work.hashes.digest(work.dir / filename, filename);
            if (!digest || !matches({digest->size, digest->sha256, digest->md5}, *info))
                return false;
        }
    }
    return true;
}

void plan_work(SubdirWork& work, const SubdirSelection& selected, const PlanOptions& options) {
    auto wanted = wanted_files(work.upstream.repodata, selected);
    for (auto& [filename, why] : wanted.refused)
        work.summary.failures.emplace_back(work.label(filename), std::move(why));
    work.wanted = std::move(wanted.files);
    work.plan = plan_subdir(work.wanted, scan_local(work), options);
}

std::set<std::string> planned_files(const SubdirWork& work) {
    std::set<std::string> files(work.plan.keep.begin(), work.plan.keep.end());
    for (const auto* file : work.plan.download)
        files.insert(file->filename);
    return files;
}

std::set<std::string> record_downloads(SubdirWork& work, const std::vector<DownloadItem>& items,
                                       const std::vector<DownloadResult>& results) {
    auto& s = work.summary;
    std::set<std::string> present(work.plan.keep.begin(), work.plan.keep.end());
    for (std::size_t i = 0; i < work.downloads.size(); ++i) {
        const auto& item = items[work.downloads[i]];
        const auto& result = results[i];
        auto filename = item.target.filename().string();
        if (result.ok) {
            present.insert(filename);
            work.hashes.remember(item.target, filename, result.digests);
            ++s.downloaded;
            s.bytes += item.expected.size;
        } else {
            s.failures.emplace_back(item.label, result.error);
        }
    }
    s.kept = work.plan.keep.size();
    s.records = present.size();
    return present;
}

core::Result<io::PreparedSubdir> prepare_index(const SubdirWork& work,
                                               const std::set<std::string>& present) {
    auto mirrored = mirrored_repodata(work.upstream.repodata, present);
    const auto* run_exports = work.upstream.run_exports ? &*work.upstream.run_exports : nullptr;
    return prepare_mirror(work.subdir, mirrored, run_exports);
}

bool publish_work(SubdirWork& work, const core::Result<io::PreparedSubdir>& prepared,
                  const core::Result<void>& durable, const std::string& created_at,
                  std::ostream& log) {
    auto& s = work.summary;
    auto published = prepared.and_then([&](const io::PreparedSubdir& index) {
        return durable.and_then(
            [&] { return publish_prepared_mirror(work.dir, index, created_at); });
    });
    if (!published) {
        s.status = "failed";
        s.message = published.error().message;
        log << "chanmirror sync: " << work.channel.local_path << "/" << work.subdir
            << ": cannot publish: " << published.error().message << "\n";
        return false;
    }
    s.status = "published";
    for (const auto& failure : remove_files(work.dir, work.plan.remove))
        s.failures.emplace_back(failure, "cannot remove");
    for (const auto& name : work.plan.remove)
        work.hashes.forget(name);
    s.removed = work.plan.remove.size();
    remove_stale_partials(work);
    if (auto r = work.hashes.save(); !r)
        log << "chanmirror sync: warning: " << r.error().message << "\n";
    return true;
}

}  // namespace chanmirror::sync
