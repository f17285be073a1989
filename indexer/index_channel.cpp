#include "indexer/index_channel.hpp"

#include <chrono>
#include <set>
#include <thread>

#include "core/channeldata.hpp"
#include "core/patch_instructions.hpp"
#include "indexer/parallel.hpp"
#include "indexer/patch_source.hpp"
#include "indexer/subdir_index.hpp"
#include "io/atomic_file.hpp"
#include "io/subdir_publisher.hpp"

namespace chanmirror::indexer {
namespace {

namespace fs = std::filesystem;

core::Result<std::vector<std::string>> subdirs_to_index(const IndexOptions& options) {
    std::set<std::string> names(options.subdirs.begin(), options.subdirs.end());
    for (const auto& name : names) {
        if (!is_subdir_name(name)) {
            return core::fail(core::ErrorKind::invalid_input,
                              "--subdir " + name + ": not a subdir name (noarch or <os>-<arch>)");
        }
    }
    if (names.empty()) {
        auto found = find_subdirs(options.channel);
        if (!found)
            return tl::unexpected(found.error());
        names.insert(found->begin(), found->end());
    }
    names.insert("noarch");  // a channel is defined by noarch/repodata.json (CEP 26)
    return std::vector<std::string>(names.begin(), names.end());
}

core::Result<std::vector<SubdirIndex>> open_subdirs(const IndexOptions& options) {
    auto names = subdirs_to_index(options);
    if (!names)
        return tl::unexpected(names.error());
    std::vector<SubdirIndex> subdirs;
    for (const auto& name : *names) {
        auto subdir = SubdirIndex::open(options.channel, name);
        if (!subdir)
            return tl::unexpected(subdir.error());
        subdirs.push_back(std::move(*subdir));
    }
    return subdirs;
}

// Every changed file of every subdir goes through one pool, so both cores stay busy.
void extract_changed(std::vector<SubdirIndex>& subdirs, unsigned threads) {
    std::vector<std::pair<SubdirIndex*, std::size_t>> jobs;
    for (auto& s : subdirs) {
        for (std::size_t i = 0; i < s.changed().size(); ++i)
            jobs.emplace_back(&s, i);
    }
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    parallel_for(jobs.size(), threads, [&](std::size_t j) {
        auto [subdir, i] = jobs[j];
        subdir->set_result(i, extract_package(subdir->dir() / subdir->changed()[i]));
    });
}

core::Result<core::RepoData> patched_repodata(SubdirIndex& subdir, const PatchSource& patches,
                                              const IndexOptions& options) {
    core::RepoData repodata = subdir.from_packages;
    auto instructions = patches.for_subdir(options.channel, subdir.subdir());
    if (!instructions)
        return tl::unexpected(instructions.error());
    if (*instructions) {
        core::apply_patches(repodata, **instructions);
        core::apply_run_exports_patches(subdir.run_exports, **instructions);
        if (patches.explicit_source()) {
            auto saved =
                io::write_file_if_changed(subdir.dir() / "patch_instructions.json",
                                          core::dump_compact((*instructions)->document()) + "\n");
            if (!saved)
                return tl::unexpected(saved.error());
        }
    }
    return repodata;
}

void apply_base_url(core::RepoData& repodata, const IndexOptions& options,
                    const std::string& subdir) {
    if (options.base_url.empty())
        return;
    std::string base = options.base_url;
    while (base.ends_with('/'))
        base.pop_back();
    repodata.info["base_url"] = base + "/" + subdir + "/";
    repodata.repodata_version = 2;  // CEP 15: version 2 exactly when base_url is set
}

core::Result<void> publish(std::vector<SubdirIndex>& subdirs, const IndexOptions& options) {
    auto patches = PatchSource::open(options.patch_instructions);
    if (!patches)
        return tl::unexpected(patches.error());
    io::PublishOptions publish_options;
    publish_options.shards = options.shards;
    publish_options.zst = options.zst;
    publish_options.run_exports = options.run_exports;
    publish_options.created_at = io::utc_timestamp_now();
    std::vector<core::RepoData> published;
    published.reserve(subdirs.size());
    for (auto& subdir : subdirs) {
        auto repodata = patched_repodata(subdir, *patches, options);
        if (!repodata)
            return tl::unexpected(repodata.error());
        apply_base_url(*repodata, options, subdir.subdir());
        apply_base_url(subdir.from_packages, options, subdir.subdir());
        published.push_back(std::move(*repodata));
        io::SubdirPublication pub{subdir.subdir(), &published.back(), &subdir.from_packages,
                                  &subdir.run_exports};
        auto r = io::publish_subdir(subdir.dir(), pub, publish_options);
        if (!r)
            return tl::unexpected(r.error());
    }
    if (!options.channeldata)
        return {};
    std::vector<core::ChanneldataSubdir> inputs;
    for (std::size_t i = 0; i < subdirs.size(); ++i) {
        inputs.push_back(
            {subdirs[i].subdir(), &published[i], &subdirs[i].extras, &subdirs[i].run_exports});
    }
    auto written = io::write_file_if_changed(options.channel / "channeldata.json",
                                             core::build_channeldata(std::move(inputs)));
    if (!written)
        return tl::unexpected(written.error());
    return {};
}

}  // namespace

core::Result<IndexReport> index_channel(const IndexOptions& options) {
    auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    if (!fs::is_directory(options.channel, ec)) {
        return core::fail(core::ErrorKind::not_found,
                          options.channel.string() + ": not a directory");
    }
    auto subdirs = open_subdirs(options);
    if (!subdirs)
        return tl::unexpected(subdirs.error());
    extract_changed(*subdirs, options.threads);
    IndexReport report;
    for (auto& subdir : *subdirs) {
        if (auto r = subdir.finish(report); !r)
            return tl::unexpected(r.error());
    }
    if (!(options.strict && !report.skipped.empty())) {
        if (auto r = publish(*subdirs, options); !r)
            return tl::unexpected(r.error());
        report.written = true;
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace chanmirror::indexer
