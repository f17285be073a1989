#include "indexer/channeldata_writer.hpp"

#include "core/channeldata.hpp"
#include "core/parallel.hpp"
#include "io/atomic_file.hpp"

namespace chanmirror::indexer {

ChanneldataWriter::ChanneldataWriter(std::vector<SubdirIndex>& subdirs,
                                     std::vector<const core::RepoData*> patched, unsigned threads)
    : subdirs_(subdirs), patched_(std::move(patched)) {
    for (std::size_t i = 0; i < subdirs_.size(); ++i) {
        if (!subdirs_[i].has_deferred_recipes())
            continue;  // every .conda channel: no need to parse its records for this
        auto sources = core::channeldata_sources(*patched_[i]);
        for (auto& file : subdirs_[i].deferred_recipes(sources))
            jobs_.push_back({&subdirs_[i], subdirs_[i].dir() / file, std::move(file)});
    }
    auto order = core::largest_first(
        jobs_.size(), [&](std::size_t j) { return jobs_[j].subdir->file_size(jobs_[j].file); });
    reader_ = std::jthread([this, order = std::move(order), threads] {
        core::parallel_for(order.size(), threads, [&](std::size_t j) {
            auto& job = jobs_[order[j]];
            job.source = read_recipe_source(job.path);
        });
    });
}

core::Result<void> ChanneldataWriter::complete_recipes(IndexReport& report) {
    reader_.join();
    for (auto& job : jobs_) {
        if (!job.source) {
            report.warnings.push_back(job.subdir->subdir() + "/" + job.file +
                                      ": recipe not read: " + job.source.error().message);
        }
        job.subdir->complete_recipe(job.file, job.source ? *job.source : core::Json::object());
    }
    report.recipes_read += jobs_.size();
    for (auto& subdir : subdirs_) {
        if (auto r = subdir.save_completed_recipes(); !r)
            return r;
    }
    return {};
}

core::Result<void> ChanneldataWriter::write(const std::filesystem::path& channel,
                                            IndexReport& report) {
    if (auto r = complete_recipes(report); !r)
        return r;
    std::vector<core::ChanneldataSubdir> inputs;
    for (std::size_t i = 0; i < subdirs_.size(); ++i) {
        inputs.push_back(
            {subdirs_[i].subdir(), patched_[i], &subdirs_[i].extras, &subdirs_[i].run_exports});
    }
    auto written = io::write_file_if_changed(channel / "channeldata.json",
                                             core::build_channeldata(std::move(inputs)));
    if (!written)
        return tl::unexpected(written.error());
    return {};
}

}  // namespace chanmirror::indexer
