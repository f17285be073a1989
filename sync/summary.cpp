#include "sync/summary.hpp"

#include <unistd.h>

#include <algorithm>

#include "io/atomic_file.hpp"

namespace chanmirror::sync {

core::Json to_json(const RunSummary& s) {
    core::Json subdirs = core::Json::array();
    for (const auto& d : s.subdirs) {
        core::Json failures = core::Json::array();
        for (const auto& [file, why] : d.failures)
            failures.push_back({{"file", file}, {"error", why}});
        subdirs.push_back({{"channel", d.channel},
                           {"subdir", d.subdir},
                           {"status", d.status},
                           {"records", d.records},
                           {"downloaded", d.downloaded},
                           {"kept", d.kept},
                           {"removed", d.removed},
                           {"bytes", d.bytes},
                           {"failures", failures},
                           {"message", d.message}});
    }
    return {{"started", s.started},
            {"finished", s.finished},
            {"exit_code", s.exit_code},
            {"dry_run", s.dry_run},
            {"network_bytes", s.network_bytes},
            {"retries", s.retries},
            {"http2_transfers", s.http2_transfers},
            {"subdirs", subdirs},
            {"errors", s.errors}};
}

core::Result<std::filesystem::path> write_summary(const std::filesystem::path& dest,
                                                  const RunSummary& summary, std::size_t keep) {
    namespace fs = std::filesystem;
    auto dir = dest / ".chanmirror" / "runs";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return core::fail(core::ErrorKind::io,
                          "cannot create " + dir.string() + ": " + ec.message());
    // Messages can quote what a server or the OS said; a stray non-UTF-8 byte must not cost
    // the record of the run.
    auto text = to_json(summary).dump(2, ' ', false, core::Json::error_handler_t::replace) + "\n";
    auto name = summary.started;
    std::replace(name.begin(), name.end(), ':', '-');
    // Two runs can start in the same second (a cron run and a manual one that exited 3).
    auto path = dir / (name + "-" + std::to_string(::getpid()) + ".json");
    if (auto r = io::write_file_atomic(path, text); !r)
        return tl::unexpected(r.error());
    if (auto r = io::write_file_atomic(dest / ".chanmirror" / "last-run.json", text); !r) {
        return tl::unexpected(r.error());
    }
    std::vector<fs::path> runs;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".json")
            runs.push_back(entry.path());
    }
    std::sort(runs.begin(), runs.end());
    for (std::size_t i = 0; i + keep < runs.size(); ++i)
        fs::remove(runs[i], ec);
    return path;
}

}  // namespace chanmirror::sync
