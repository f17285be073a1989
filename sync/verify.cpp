#include "sync/verify.hpp"

#include <set>

#include "core/repodata.hpp"
#include "io/atomic_file.hpp"
#include "io/file_handle.hpp"
#include "io/hashing.hpp"
#include "sync/artifact_info.hpp"
#include "sync/download_queue.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> find_subdirs(const fs::path& root) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
        end;
    for (; it != end; it.increment(ec)) {
        if (ec)
            break;
        auto name = it->path().filename().string();
        if (it->is_directory(ec) && (name == ".chanmirror" || name == "shards")) {
            it.disable_recursion_pending();
            continue;
        }
        if (name == "repodata.json" && it->is_regular_file(ec))
            out.push_back(it->path().parent_path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void check_record(const fs::path& dir, const std::string& rel, const std::string& filename,
                  const ArtifactInfo& info, VerifyReport& report) {
    ++report.checked;
    auto path = dir / filename;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        report.problems.push_back(
            {ProblemKind::missing, rel, "listed in repodata.json, not on disk"});
        return;
    }
    auto digests = io::hash_file(path, info.digest_set());
    if (!digests) {
        report.problems.push_back({ProblemKind::corrupt, rel, digests.error().message});
    } else if (digests->size != info.size) {
        report.problems.push_back({ProblemKind::corrupt, rel,
                                   "size " + std::to_string(digests->size) + ", repodata says " +
                                       std::to_string(info.size)});
    } else if (info.digest_of(*digests) != info.expected_digest()) {
        report.problems.push_back(
            {ProblemKind::corrupt, rel, std::string(info.digest_name()) + " mismatch"});
    }
}

core::Result<void> verify_subdir(const fs::path& dest, const fs::path& dir, VerifyReport& report) {
    auto text = io::read_file(dir / "repodata.json");
    if (!text)
        return tl::unexpected(text.error());
    auto rel_dir = fs::relative(dir, dest).generic_string();
    auto repodata = core::parse_repodata(std::move(*text), rel_dir + "/repodata.json");
    if (!repodata)
        return tl::unexpected(repodata.error());
    ++report.subdirs;
    ArtifactInfoReader reader;
    std::set<std::string> listed;
    for (const auto* section : {&repodata->packages, &repodata->conda_packages}) {
        for (const auto& [filename, record] : *section) {
            listed.insert(filename);
            auto rel = rel_dir + "/" + filename;
            auto info = reader.read(record, rel);
            if (!info) {
                report.problems.push_back({ProblemKind::corrupt, rel, info.error().message});
                continue;
            }
            check_record(dir, rel, filename, *info, report);
        }
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        auto name = entry.path().filename().string();
        if (!core::is_package_filename(name) || io::is_temp_name(name) || listed.contains(name))
            continue;
        report.problems.push_back(
            {ProblemKind::unlisted, rel_dir + "/" + name, "on disk, not in repodata.json"});
    }
    return {};
}

}  // namespace

std::string_view to_string(ProblemKind kind) {
    switch (kind) {
        case ProblemKind::missing:
            return "missing";
        case ProblemKind::corrupt:
            return "corrupt";
        case ProblemKind::unlisted:
            return "unlisted";
    }
    return "?";
}

core::Result<VerifyReport> verify_mirror(const fs::path& dest, const std::string& channel) {
    auto root = channel.empty() ? dest : dest / channel;
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        return core::fail(core::ErrorKind::not_found, root.string() + ": no such directory");
    VerifyReport report;
    for (const auto& dir : find_subdirs(root)) {
        if (auto r = verify_subdir(dest, dir, report); !r)
            return tl::unexpected(r.error());
    }
    if (report.subdirs == 0)
        return core::fail(core::ErrorKind::not_found, root.string() + ": no repodata.json found");
    return report;
}

}  // namespace chanmirror::sync
