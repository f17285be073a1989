#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "app/commands.hpp"
#include "core/printable.hpp"
#include "indexer/index_channel.hpp"
#include "io/process_lock.hpp"

namespace chanmirror::app {
namespace {

// Peak resident memory of this process (VmHWM), in MB; 0 when /proc is unavailable.
long peak_rss_mb() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:"))
            return std::stol(line.substr(6)) / 1024;
    }
    return 0;
}

void print_report(const indexer::IndexReport& report) {
    // Warnings and reasons quote member names and metadata from the archives themselves.
    for (const auto& w : report.warnings)
        std::cerr << "warning: " << core::printable(w) << "\n";
    for (const auto& s : report.skipped) {
        std::cerr << "skipped " << core::printable(s.path) << ": " << core::printable(s.reason)
                  << "\n";
    }
    char line[320];
    std::snprintf(line, sizeof line,
                  "chanmirror index: %zu packages indexed (%zu read, %zu reused from cache, %zu "
                  "skipped, %zu recipes read in full), %.1f MB hashed in %.2f s, peak RSS %ld "
                  "MB%s\n",
                  report.indexed, report.extracted, report.reused, report.skipped.size(),
                  report.recipes_read, static_cast<double>(report.bytes_hashed) / 1e6,
                  report.seconds, peak_rss_mb(),
                  report.written ? "" : "; nothing written (--strict)");
    std::cerr << line;
}

// One index per channel at a time: a second run (a CI job that just uploaded a package, say)
// waits for the first and then sees its outputs, instead of racing it.
std::optional<io::ProcessLock> lock_channel(const std::filesystem::path& channel) {
    auto path = channel / ".chanmirror" / "index.lock";
    auto attempt = io::wait_for_lock(path, [&](const std::string& holder) {
        std::cerr << "chanmirror index: waiting for " << holder << " to finish indexing "
                  << channel.string() << " (lock: " << path.string() << ")\n";
    });
    if (!attempt) {
        std::cerr << "chanmirror index: error: " << attempt.error().message << "\n";
        return std::nullopt;
    }
    return std::move(attempt->lock);
}

}  // namespace

void add_index_command(CLI::App& root, Runner& run) {
    auto options = std::make_shared<indexer::IndexOptions>();
    auto* cmd = root.add_subcommand(
        "index",
        "Index a channel directory: repodata.json(.zst), repodata_from_packages.json, CEP-16 "
        "shards, run_exports.json and channeldata.json, conda-index compatible.");
    cmd->add_option("CHANNEL_DIR", options->channel, "Channel root holding <subdir>/ folders")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--subdir", options->subdirs, "Only index these subdirs (repeatable)");
    cmd->add_option("--threads", options->threads, "Extraction threads (default: one per core)");
    cmd->add_option("--patch-instructions", options->patch_instructions,
                    "patch_instructions.json, a <subdir>/patch_instructions.json tree, or a "
                    "patches package (.conda/.tar.bz2)");
    cmd->add_option(
        "--base-url", options->base_url,
        "Channel URL written to info.base_url as <URL>/<subdir>/ (repodata v2, CEP-15)");
    cmd->add_flag("--no-shards{false}", options->shards, "Do not write CEP-16 shards");
    cmd->add_flag("--no-zst{false}", options->zst, "Do not write .zst siblings");
    cmd->add_flag("--no-run-exports{false}", options->run_exports, "Do not write run_exports.json");
    cmd->add_flag("--no-channeldata{false}", options->channeldata, "Do not write channeldata.json");
    cmd->add_flag("--strict", options->strict, "Write nothing when any package had to be skipped");
    cmd->callback([options, &run] {
        run = [options] {
            auto lock = lock_channel(options->channel);
            if (!lock)
                return exit_fatal;
            auto report = indexer::index_channel(*options);
            if (!report) {
                std::cerr << "chanmirror index: error: " << report.error().message << "\n";
                return exit_fatal;
            }
            print_report(*report);
            return report->skipped.empty() ? exit_ok : exit_partial;
        };
    });
}

}  // namespace chanmirror::app
