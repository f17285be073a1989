#include "indexer/subdir_index.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "core/channeldata.hpp"
#include "io/hashing.hpp"

namespace chanmirror::indexer {

namespace fs = std::filesystem;

namespace {

// A record's (or an index.json's) timestamp, as channeldata.json compares builds.
double timestamp_of(std::string_view record) {
    return core::build_timestamp(core::Json::parse(record, nullptr, false));
}

}  // namespace

core::Result<SubdirIndex> SubdirIndex::open(const fs::path& channel, std::string subdir) {
    auto dir = channel / subdir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return core::fail(core::ErrorKind::io,
                          "cannot create " + dir.string() + ": " + ec.message());
    auto cache = StatCache::open(dir);
    if (!cache)
        return tl::unexpected(cache.error());
    SubdirIndex index(std::move(subdir), dir, std::move(*cache));
    auto files = scan_packages(dir);
    if (!files)
        return tl::unexpected(files.error());
    auto cached = index.cache_.load();
    if (!cached)
        return tl::unexpected(cached.error());
    index.files_ = std::move(*files);
    index.cached_ = std::move(*cached);
    for (const auto& [name, stat] : index.files_) {
        auto it = index.cached_.find(name);
        if (it == index.cached_.end() || it->second.size != stat.size ||
            it->second.mtime_ns != stat.mtime_ns) {
            index.changed_.push_back(name);
        }
    }
    index.results_.resize(index.changed_.size());
    index.track_versions_of_changed_tar_bz2();
    return index;
}

void SubdirIndex::set_result(std::size_t i, core::Result<ExtractedPackage> result) {
    const auto& stat = files_.at(changed_[i]);
    CachedPackage& out = results_[i];
    out.size = stat.size;
    out.mtime_ns = stat.mtime_ns;
    if (newest_builds_->tracks(changed_[i])) {
        newest_builds_->settle(changed_[i],
                               result ? std::optional(result->timestamp) : std::nullopt);
    }
    if (!result) {
        // The report names the file; drop the file name the reader put in front.
        std::string message = result.error().message;
        std::string prefix = changed_[i] + ": ";
        out.error = message.starts_with(prefix) ? message.substr(prefix.size()) : message;
        return;
    }
    out.record = std::move(result->record);
    out.run_exports = std::move(result->run_exports);
    out.extras = std::move(result->extras);
    out.recipe_deferred = result->recipe_deferred;
    for (const auto& w : result->warnings)
        out.warnings += (out.warnings.empty() ? "" : "\n") + w;
}

core::Result<void> SubdirIndex::finish(IndexReport& report) {
    std::map<std::string, CachedPackage> updated;
    for (std::size_t i = 0; i < changed_.size(); ++i) {
        report.bytes_hashed += results_[i].error.empty() ? results_[i].size : 0;
        std::istringstream lines(results_[i].warnings);
        for (std::string line; std::getline(lines, line);) {
            report.warnings.push_back(subdir_ + "/" + changed_[i] + ": " + line);
        }
        updated[changed_[i]] = std::move(results_[i]);
    }
    std::vector<std::string> removed;
    for (const auto& [name, entry] : cached_) {
        if (!files_.contains(name))
            removed.push_back(name);
    }
    if (auto r = cache_.store(updated, removed); !r)
        return r;
    report.extracted += changed_.size();
    for (auto& [name, entry] : updated)
        cached_[name] = std::move(entry);
    for (const auto& name : removed)
        cached_.erase(name);

    from_packages.info = {{"subdir", subdir_}};
    for (const auto& [name, entry] : cached_) {
        if (!entry.error.empty()) {
            report.skipped.push_back({subdir_ + "/" + name, entry.error});
            continue;
        }
        from_packages.section_for(name)[name] = entry.record;
        ++report.indexed;
    }
    report.reused += files_.size() - changed_.size();
    return {};
}

void SubdirIndex::load_details() {
    if (!run_exports.empty() || !extras.empty())
        return;
    for (const auto& [name, entry] : cached_) {
        if (!entry.error.empty())
            continue;
        run_exports[name] = core::Json::parse(entry.run_exports, nullptr, false);
        extras[name] = core::Json::parse(entry.extras, nullptr, false);
    }
}

bool SubdirIndex::newest_build_of_its_version(const std::string& file,
                                              std::string_view index_json) {
    return newest_builds_->settle_as_newest(file, timestamp_of(index_json));
}

void SubdirIndex::track_versions_of_changed_tar_bz2() {
    std::set<std::string> groups;
    for (const auto& file : changed_) {
        if (core::is_tar_bz2_filename(file))
            groups.insert(NewestBuilds::group_of(file));
    }
    groups.erase("");
    const std::set<std::string> changed(changed_.begin(), changed_.end());
    for (const auto& group : groups) {
        for (auto it = files_.lower_bound(group);
             it != files_.end() && it->first.starts_with(group); ++it) {
            const std::string& file = it->first;
            if (changed.contains(file)) {
                newest_builds_->add(file, std::nullopt);
                continue;
            }
            const auto& cached = cached_.at(file);
            if (cached.error.empty())  // a package that failed to read is no build
                newest_builds_->add(file, timestamp_of(cached.record));
        }
    }
}

bool SubdirIndex::has_deferred_recipes() const {
    return std::any_of(cached_.begin(), cached_.end(),
                       [](const auto& entry) { return entry.second.recipe_deferred; });
}

std::vector<std::string> SubdirIndex::deferred_recipes(
    const std::vector<std::string>& files) const {
    std::vector<std::string> deferred;
    for (const auto& file : files) {
        auto it = cached_.find(file);
        if (it != cached_.end() && it->second.recipe_deferred)
            deferred.push_back(file);
    }
    return deferred;
}

void SubdirIndex::complete_recipe(const std::string& file, const core::Json& source) {
    auto& entry = cached_.at(file);
    auto& file_extras = extras[file];
    if (!file_extras.is_object())
        file_extras = core::Json::object();
    file_extras.update(source);
    entry.extras = core::dump_compact(file_extras);
    entry.recipe_deferred = false;
    completed_recipes_[file] = entry;
}

core::Result<void> SubdirIndex::save_completed_recipes() {
    auto stored = cache_.store(completed_recipes_, {});
    completed_recipes_.clear();
    return stored;
}

std::string SubdirIndex::fingerprint(std::string_view salt) const {
    io::Hasher hasher;
    hasher.update(salt.data(), salt.size());
    for (const auto& [name, entry] : cached_) {
        std::string key = "\n" + name + "\t" + std::to_string(entry.size) + "\t" +
                          std::to_string(entry.mtime_ns) +
                          (entry.error.empty() ? "\tok" : "\tskip");
        hasher.update(key.data(), key.size());
    }
    return hasher.finish().sha256_hex();
}

}  // namespace chanmirror::indexer
