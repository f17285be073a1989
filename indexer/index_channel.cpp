#include "indexer/index_channel.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <optional>
#include <set>
#include <span>

#include "core/parallel.hpp"
#include "core/patch_instructions.hpp"
#include "indexer/channeldata_writer.hpp"
#include "indexer/patch_source.hpp"
#include "indexer/subdir_index.hpp"
#include "io/atomic_file.hpp"
#include "io/file_digests.hpp"
#include "io/subdir_publisher.hpp"
#include "io/utc_time.hpp"

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
        // A folder counts once it holds packages or was indexed before (so emptying it
        // publishes an empty index instead of leaving a stale one).
        for (const auto& name : *found) {
            std::error_code ec;
            auto dir = options.channel / name;
            auto files = scan_packages(dir);
            if ((files && !files->empty()) || fs::exists(dir / "repodata.json", ec))
                names.insert(name);
        }
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

// A changed package file: its subdir, and its place in the subdir's changed().
struct ChangedFile {
    SubdirIndex* subdir;
    std::size_t index;
    fs::path path;
    std::uint64_t size;
};

// Hashes the batch's files (md5 runs across files in SIMD lanes), then reads their metadata on
// the same pool: .conda files first (their records are quick to read, and tell the .tar.bz2
// read after them which build of a version is newest), then the .tar.bz2, largest first. A
// .tar.bz2 that turns out to be the newest build of its version reads on to its recipe in the
// same pass: channeldata.json surely uses it, and a second read would decode the head again.
void extract_batch(std::span<const ChangedFile> batch, const IndexOptions& options) {
    const unsigned threads = core::thread_count(options.threads);
    std::vector<fs::path> paths;
    for (const auto& file : batch)
        paths.push_back(file.path);
    auto digests = io::hash_files(paths, threads);
    std::vector<std::size_t> order(batch.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_partition(order.begin(), order.end(), [&](std::size_t j) {
        return !core::is_tar_bz2_filename(batch[j].path.filename().string());
    });
    core::parallel_for(batch.size(), threads, [&](std::size_t k) {
        const std::size_t j = order[k];
        const ChangedFile& changed = batch[j];
        SubdirIndex* subdir = changed.subdir;
        if (!digests[j]) {
            subdir->set_result(changed.index, tl::unexpected(digests[j].error()));
            return;
        }
        const std::string& file = subdir->changed()[changed.index];
        RecipeWanted recipe_now;
        if (options.channeldata) {
            recipe_now = [subdir, &file](std::string_view index_json) {
                return subdir->newest_build_of_its_version(file, index_json);
            };
        }
        subdir->set_result(changed.index, extract_package(changed.path, recipe_now, *digests[j]));
    });
}

// Every changed file of every subdir goes through one pool, so both cores stay busy, largest
// first so that neither waits long for the other at the end. They go in batches of about
// options.batch_bytes: on a channel larger than the page cache, the heads read after hashing
// are then still in memory rather than read from the disk again.
void extract_changed(std::vector<SubdirIndex>& subdirs, const IndexOptions& options) {
    std::vector<ChangedFile> files;
    for (auto& s : subdirs) {
        for (std::size_t i = 0; i < s.changed().size(); ++i)
            files.push_back({&s, i, s.dir() / s.changed()[i], s.file_size(s.changed()[i])});
    }
    std::stable_sort(files.begin(), files.end(),
                     [](const auto& a, const auto& b) { return a.size > b.size; });
    for (std::size_t begin = 0, end = 0; begin < files.size(); begin = end) {
        std::uint64_t bytes = files[begin].size;
        for (end = begin + 1; end < files.size() && bytes + files[end].size <= options.batch_bytes;
             ++end)
            bytes += files[end].size;
        extract_batch(std::span(files).subspan(begin, end - begin), options);
    }
}

// One subdir's published view: its patched repodata and what its outputs depend on.
struct SubdirOutput {
    core::RepoData repodata;
    std::optional<core::PatchInstructions> instructions;
    std::string fingerprint;
    bool up_to_date = false;
};

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

std::string options_salt(const IndexOptions& options) {
    return std::string("chanmirror-index-1|") + (options.shards ? "s" : "-") +
           (options.zst ? "z" : "-") + (options.run_exports ? "r" : "-") + "|" + options.base_url;
}

bool outputs_exist(const fs::path& dir, const IndexOptions& options) {
    std::error_code ec;
    return fs::exists(dir / "repodata.json", ec) &&
           (!options.zst || fs::exists(dir / "repodata.json.zst", ec)) &&
           (!options.shards || fs::exists(dir / "repodata_shards.msgpack.zst", ec)) &&
           (!options.run_exports || fs::exists(dir / "run_exports.json", ec));
}

core::Result<SubdirOutput> prepare_output(SubdirIndex& subdir, const PatchSource& patches,
                                          const IndexOptions& options) {
    SubdirOutput out;
    auto instructions = patches.for_subdir(options.channel, subdir.subdir());
    if (!instructions)
        return tl::unexpected(instructions.error());
    out.instructions = std::move(*instructions);
    out.repodata = subdir.from_packages;
    if (out.instructions)
        core::apply_patches(out.repodata, *out.instructions);
    apply_base_url(out.repodata, options, subdir.subdir());
    apply_base_url(subdir.from_packages, options, subdir.subdir());
    std::string salt = options_salt(options);
    if (out.instructions)
        salt += "|" + core::dump_compact(out.instructions->document());
    out.fingerprint = subdir.fingerprint(salt);
    auto stored = subdir.published_fingerprint();
    out.up_to_date = stored && *stored == out.fingerprint && outputs_exist(subdir.dir(), options);
    return out;
}

core::Result<void> publish_one(SubdirIndex& subdir, SubdirOutput& output,
                               const PatchSource& patches,
                               const io::PublishOptions& publish_options) {
    subdir.load_details();
    if (output.instructions) {
        core::apply_run_exports_patches(subdir.run_exports, *output.instructions);
        if (patches.explicit_source()) {
            // Saved so that a later plain re-index keeps the hotfixes (as conda-index does).
            auto saved = io::write_file_if_changed(
                subdir.dir() / "patch_instructions.json",
                core::dump_compact(output.instructions->document()) + "\n");
            if (!saved)
                return tl::unexpected(saved.error());
        }
    }
    io::SubdirPublication pub{subdir.subdir(), &output.repodata, &subdir.from_packages,
                              &subdir.run_exports};
    auto r = io::publish_subdir(subdir.dir(), pub, publish_options);
    if (!r)
        return tl::unexpected(r.error());
    return subdir.set_published_fingerprint(output.fingerprint);
}

// Publishes every subdir whose inputs changed since its last publish; a no-change run only
// scans, reads the cache and compares fingerprints.
core::Result<void> publish(std::vector<SubdirIndex>& subdirs, const IndexOptions& options,
                           IndexReport& report) {
    auto patches = PatchSource::open(options.patch_instructions);
    if (!patches)
        return tl::unexpected(patches.error());
    io::PublishOptions publish_options;
    publish_options.shards = options.shards;
    publish_options.zst = options.zst;
    publish_options.run_exports = options.run_exports;
    publish_options.created_at = io::utc_timestamp_now();
    publish_options.threads = core::thread_count(options.threads);
    std::vector<SubdirOutput> outputs;
    std::string channel_fingerprint;
    for (auto& subdir : subdirs) {
        auto output = prepare_output(subdir, *patches, options);
        if (!output)
            return tl::unexpected(output.error());
        channel_fingerprint += subdir.subdir() + ":" + output->fingerprint + ";";
        outputs.push_back(std::move(*output));
    }
    // channeldata.json depends on every subdir; its fingerprint lives with noarch's cache.
    auto& noarch = *std::find_if(subdirs.begin(), subdirs.end(),
                                 [](const auto& s) { return s.subdir() == "noarch"; });
    std::error_code ec;
    auto stored = noarch.meta("channeldata");
    bool channeldata_current = stored && *stored == channel_fingerprint &&
                               fs::exists(options.channel / "channeldata.json", ec);
    std::optional<ChanneldataWriter> channeldata;  // set when channeldata.json is to be written
    if (options.channeldata && !channeldata_current) {
        std::vector<const core::RepoData*> patched;
        for (std::size_t i = 0; i < subdirs.size(); ++i) {
            subdirs[i].load_details();
            patched.push_back(&outputs[i].repodata);
        }
        channeldata.emplace(subdirs, std::move(patched), core::thread_count(options.threads));
    }
    for (std::size_t i = 0; i < subdirs.size(); ++i) {
        if (outputs[i].up_to_date)
            continue;
        if (auto r = publish_one(subdirs[i], outputs[i], *patches, publish_options); !r)
            return r;
    }
    if (!channeldata)
        return {};
    if (auto r = channeldata->write(options.channel, report); !r)
        return r;
    return noarch.set_meta("channeldata", channel_fingerprint);
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
    extract_changed(*subdirs, options);
    IndexReport report;
    for (auto& subdir : *subdirs) {
        if (auto r = subdir.finish(report); !r)
            return tl::unexpected(r.error());
    }
    if (!(options.strict && !report.skipped.empty())) {
        if (auto r = publish(*subdirs, options, report); !r)
            return tl::unexpected(r.error());
        report.written = true;
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace chanmirror::indexer
