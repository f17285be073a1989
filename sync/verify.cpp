#include "sync/verify.hpp"

#include <optional>
#include <set>

#include "core/parallel.hpp"
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

// One listed file: what is wrong with it, if anything.
std::optional<VerifyProblem> check_record(const fs::path& dir, const std::string& rel,
                                          const std::string& filename, const ArtifactInfo& info) {
    auto path = dir / filename;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return VerifyProblem{ProblemKind::missing, rel, "listed in repodata.json, not on disk"};
    auto digests = io::hash_file(path, info.digest_set());
    if (!digests)
        return VerifyProblem{ProblemKind::corrupt, rel, digests.error().message};
    if (digests->size != info.size) {
        return VerifyProblem{ProblemKind::corrupt, rel,
                             "size " + std::to_string(digests->size) + ", repodata says " +
                                 std::to_string(info.size)};
    }
    if (info.digest_of(*digests) != info.expected_digest())
        return VerifyProblem{ProblemKind::corrupt, rel,
                             std::string(info.digest_name()) + " mismatch"};
    return std::nullopt;
}

struct ListedFile {
    std::string rel;  // relative to DEST
    std::string filename;
    core::Result<ArtifactInfo> info;  // size and digest from its record
};

// Hashing is all of verify's cost: the files are checked on every core, and their problems
// reported in repodata order.
void check_all(const fs::path& dir, const std::vector<ListedFile>& files, VerifyReport& report) {
    std::vector<std::optional<VerifyProblem>> problems(files.size());
    core::parallel_for(files.size(), core::thread_count(0), [&](std::size_t i) {
        const auto& file = files[i];
        problems[i] =
            file.info ? check_record(dir, file.rel, file.filename, *file.info)
                      : VerifyProblem{ProblemKind::corrupt, file.rel, file.info.error().message};
    });
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (files[i].info)
            ++report.checked;
        if (problems[i])
            report.problems.push_back(std::move(*problems[i]));
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
    std::vector<ListedFile> files;
    for (const auto* section : {&repodata->packages, &repodata->conda_packages}) {
        for (const auto& [filename, record] : *section) {
            listed.insert(filename);
            auto rel = rel_dir + "/" + filename;
            // A name with a separator would send the check outside the subdir.
            auto info = core::is_plain_package_filename(filename)
                            ? reader.read(record, rel)
                            : core::fail(core::ErrorKind::invalid_input,
                                         "not a plain file name; not looked up");
            files.push_back({std::move(rel), filename, std::move(info)});
        }
    }
    check_all(dir, files, report);
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
