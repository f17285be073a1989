#pragma once
// `chanmirror sync`, start to end: lock, fetch upstream repodata, select, plan, download,
// publish per subdir, remove, summarise.

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/channel.hpp"
#include "config/mirror_config.hpp"
#include "core/selection.hpp"
#include "sync/plan.hpp"
#include "sync/select.hpp"
#include "sync/summary.hpp"

namespace chanmirror::sync {

struct ChannelJob {
    config::Channel channel;
    std::vector<std::string> subdirs;
};

struct SyncOptions {
    std::filesystem::path dest;
    std::vector<ChannelJob> channels;
    config::NetworkConfig network;
    PlanOptions plan;
    core::SelectionOptions selection;         // empty: every file of every subdir
    std::optional<ExplicitSelection> pinned;  // --explicit: exactly these files
    // A selective job reads upstream CEP-16 shards of the names it needs when upstream has
    // them, instead of the whole repodata.json.
    bool use_shards = true;
    bool dry_run = false;
    bool verbose = false;
    bool progress_tty = false;  // draw a progress bar (stderr is a terminal)
};

enum class SyncExit {
    ok = 0,       // everything mirrored
    partial = 1,  // published, but some files failed (named) or a subdir was refused
    fatal = 2,    // nothing changed
    locked = 3,   // another sync holds DEST
};

struct SyncOutcome {
    SyncExit exit = SyncExit::ok;
    RunSummary summary;
};

// `out` gets the --dry-run listing; `err` gets log lines, progress and failures.
SyncOutcome run_sync(const SyncOptions& options, std::ostream& out, std::ostream& err);

}  // namespace chanmirror::sync
