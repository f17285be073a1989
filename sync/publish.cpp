#include "sync/publish.hpp"

#include "io/file_handle.hpp"

namespace chanmirror::sync {

core::RepoData mirrored_repodata(const core::RepoData& upstream,
                                 const std::set<std::string>& present) {
    core::RepoData out;
    out.info = upstream.info;
    if (out.info.is_object() && out.info.contains("base_url")) {
        out.info.erase("base_url");
        if (upstream.repodata_version == 2)
            out.repodata_version = 1;
    } else {
        out.repodata_version = upstream.repodata_version;
    }
    out.removed = upstream.removed;
    // Each record stays in the map upstream filed it under, even the other one (conda reads
    // both maps the same way).
    for (const auto& name : present) {
        if (auto it = upstream.packages.find(name); it != upstream.packages.end())
            out.packages.emplace(*it);
        if (auto it = upstream.conda_packages.find(name); it != upstream.conda_packages.end())
            out.conda_packages.emplace(*it);
    }
    return out;
}

core::Result<io::PreparedSubdir> prepare_mirror(const std::string& subdir,
                                                const core::RepoData& repodata,
                                                const core::RunExportsMap* run_exports) {
    io::PublishOptions options;
    options.run_exports = run_exports != nullptr;
    return io::prepare_subdir({subdir, &repodata, nullptr, run_exports}, options, true);
}

core::Result<io::PublishStats> publish_prepared_mirror(const std::filesystem::path& subdir_dir,
                                                       const io::PreparedSubdir& prepared,
                                                       const std::string& created_at) {
    io::PublishOptions options;
    options.created_at = created_at;
    return io::publish_prepared(subdir_dir, prepared, options);
}

std::vector<std::string> remove_files(const std::filesystem::path& subdir_dir,
                                      const std::vector<std::string>& filenames) {
    std::vector<std::string> failures;
    for (const auto& name : filenames) {
        std::error_code ec;
        std::filesystem::remove(subdir_dir / name, ec);
        if (ec)
            failures.push_back(name + ": " + ec.message());
    }
    return failures;
}

core::Result<void> flush_filesystem(const std::filesystem::path& dir) {
    // One syncfs for every downloaded file of the subdir. Each file's writeback started as it
    // was verified (WritebackQueue), so little is left to wait for; an fdatasync per file was
    // measured slower (docs/benchmarks.md, ## sync).
    if (auto r = io::sync_filesystem(dir); !r)
        return r;
    return io::sync_directory(dir);
}

}  // namespace chanmirror::sync
