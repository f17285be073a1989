#pragma once
// The JSON summary of one run, kept under DEST/.chanmirror/runs/ (and last-run.json).

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"

namespace chanmirror::sync {

struct SubdirSummary {
    std::string channel;  // local path under DEST
    std::string subdir;
    // "published", "not_modified", "absent", "refused", "failed"
    std::string status;
    std::size_t records = 0;  // records in the published index
    std::size_t downloaded = 0;
    std::size_t kept = 0;
    std::size_t removed = 0;
    std::uint64_t bytes = 0;                                    // bytes of the files downloaded
    std::vector<std::pair<std::string, std::string>> failures;  // file -> why
    std::string message;
};

struct RunSummary {
    std::string started;
    std::string finished;
    int exit_code = 0;
    bool dry_run = false;
    std::uint64_t network_bytes = 0;
    int retries = 0;
    std::size_t http2_transfers = 0;
    std::vector<SubdirSummary> subdirs;
    std::vector<std::string> errors;  // not tied to one subdir
};

core::Json to_json(const RunSummary& summary);

// Writes DEST/.chanmirror/runs/<started>-<pid>.json and last-run.json; keeps the newest `keep`
// runs.
core::Result<std::filesystem::path> write_summary(const std::filesystem::path& dest,
                                                  const RunSummary& summary, std::size_t keep = 60);

}  // namespace chanmirror::sync
