#include <unistd.h>

#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "config/environment_file.hpp"
#include "config/explicit_file.hpp"
#include "config/mirror_config.hpp"
#include "sync/sync_job.hpp"

namespace chanmirror::app {
namespace {

struct SyncArgs {
    std::vector<std::string> channels;
    std::string config_file;
    std::string dest;
    std::vector<std::string> subdirs;
    std::string channel_alias;
    int jobs = 0;
    std::string max_delete;
    bool force = false;
    bool dry_run = false;
    bool verbose = false;
    std::vector<std::string> specs;
    std::vector<std::string> exclude;
    int latest = 0;
    std::string environment;
    std::string explicit_file;
    bool no_shards = false;
};

// CLI channels replace the config's list; a CLI channel that the config also names keeps the
// config entry's credentials and subdirs.
std::vector<config::ChannelConfig> chosen_channels(const SyncArgs& args,
                                                   const config::MirrorConfig& cfg) {
    if (args.channels.empty())
        return cfg.channels;
    std::vector<config::ChannelConfig> out;
    for (const auto& spec : args.channels) {
        auto it = std::find_if(cfg.channels.begin(), cfg.channels.end(),
                               [&](const auto& c) { return c.spec == spec; });
        out.push_back(it != cfg.channels.end() ? *it : config::ChannelConfig{spec, {}, "", "", ""});
    }
    return out;
}

// CLI selection flags replace the config's; an environment.yml adds its dependencies as
// include specs and, when no channel was named, its channels.
core::Result<core::SelectionOptions> selection_options(SyncArgs& args, config::MirrorConfig& cfg) {
    core::SelectionOptions selection;
    selection.include = args.specs.empty() ? cfg.specs : args.specs;
    selection.exclude = args.exclude.empty() ? cfg.exclude : args.exclude;
    if (args.latest > 0) {
        selection.latest = args.latest;
    } else {
        selection.latest = cfg.latest;
    }
    if (!args.environment.empty()) {
        auto env = config::load_environment_file(args.environment);
        if (!env)
            return tl::unexpected(env.error());
        selection.include.insert(selection.include.end(), env->dependencies.begin(),
                                 env->dependencies.end());
        if (args.channels.empty() && !env->channels.empty())
            args.channels = env->channels;
        for (const auto& p : env->pip)
            std::cerr << "chanmirror sync: " << args.environment << ": pip dependency '" << p
                      << "' is not mirrored (conda packages only)\n";
    }
    return selection;
}

// An explicit file names its channels and subdirs itself: the job mirrors exactly its files,
// each channel with the subdirs its URLs use.
struct ExplicitJob {
    std::vector<config::ChannelConfig> channels;
    sync::ExplicitSelection pinned;
};

core::Result<ExplicitJob> explicit_job(const std::string& path, const config::MirrorConfig& cfg) {
    auto file = config::load_explicit_file(path);
    if (!file)
        return tl::unexpected(file.error());
    if (file->packages.empty())
        return core::fail(core::ErrorKind::invalid_input, path + ": names no package");
    ExplicitJob job;
    for (const auto& pkg : file->packages) {
        auto known = std::find_if(job.channels.begin(), job.channels.end(),
                                  [&](const auto& c) { return c.spec == pkg.channel_url; });
        if (known == job.channels.end()) {
            // Credentials come from the config entry of the same channel, by URL or name.
            auto configured = std::find_if(cfg.channels.begin(), cfg.channels.end(), [&](auto& c) {
                return c.spec == pkg.channel_url || c.spec == pkg.channel;
            });
            config::ChannelConfig entry =
                configured != cfg.channels.end()
                    ? *configured
                    : config::ChannelConfig{pkg.channel_url, {}, "", "", ""};
            entry.spec = pkg.channel_url;
            entry.subdirs.clear();
            job.channels.push_back(std::move(entry));
            known = std::prev(job.channels.end());
        }
        if (std::find(known->subdirs.begin(), known->subdirs.end(), pkg.subdir) ==
            known->subdirs.end())
            known->subdirs.push_back(pkg.subdir);
    }
    // The pins are keyed by the mirror's channel folder, known once the channel is resolved.
    for (const auto& ch : job.channels) {
        auto resolved = config::resolve_configured(ch, cfg);
        if (!resolved)
            return tl::unexpected(resolved.error());
        const auto& local = resolved->channels.front().local_path;
        for (const auto& pkg : file->packages) {
            if (pkg.channel_url != ch.spec)
                continue;
            job.pinned[{local, pkg.subdir}][pkg.filename] = {pkg.md5, pkg.sha256,
                                                             path + ":" + std::to_string(pkg.line)};
        }
    }
    return job;
}

core::Result<sync::SyncOptions> build_options(SyncArgs args) {
    config::MirrorConfig cfg;
    if (!args.config_file.empty()) {
        auto loaded = config::load_mirror_config(args.config_file);
        if (!loaded)
            return tl::unexpected(loaded.error());
        cfg = std::move(*loaded);
    }
    if (!args.dest.empty())
        cfg.dest = args.dest;
    if (!args.channel_alias.empty())
        cfg.channel_alias = args.channel_alias;
    if (args.jobs > 0)
        cfg.network.jobs = args.jobs;
    if (!args.max_delete.empty()) {
        auto f = config::parse_fraction(args.max_delete);
        if (!f)
            return tl::unexpected(f.error().with_context("--max-delete"));
        cfg.max_delete = *f;
    }
    if (cfg.dest.empty())
        return core::fail(core::ErrorKind::invalid_input,
                          "no destination: give --dest or 'dest:' in the config");
    auto selection = selection_options(args, cfg);
    if (!selection)
        return tl::unexpected(selection.error());
    std::optional<ExplicitJob> pinned;
    if (!args.explicit_file.empty()) {
        auto job = explicit_job(args.explicit_file, cfg);
        if (!job)
            return tl::unexpected(job.error());
        pinned = std::move(*job);
        *selection = {};
    }
    auto channels = pinned ? pinned->channels : chosen_channels(args, cfg);
    if (channels.empty())
        return core::fail(core::ErrorKind::invalid_input,
                          "no channels: name them or list them under 'channels:' in the config");
    std::vector<std::string> default_subdirs = cfg.subdirs;
    if (default_subdirs.empty())
        default_subdirs = {"noarch", config::native_subdir()};
    sync::SyncOptions options;
    options.dest = cfg.dest;
    options.network = cfg.network;
    options.plan = {cfg.max_delete, args.force};
    options.selection = std::move(*selection);
    if (pinned)
        options.pinned = std::move(pinned->pinned);
    options.use_shards = cfg.shards && !args.no_shards;
    options.dry_run = args.dry_run;
    options.verbose = args.verbose;
    options.progress_tty = ::isatty(STDERR_FILENO) != 0;
    bool notice = false;
    for (const auto& ch : channels) {
        auto resolved = config::resolve_configured(ch, cfg);
        if (!resolved)
            return tl::unexpected(resolved.error());
        notice = notice || resolved->used_defaults;
        const auto& subdirs = pinned                  ? ch.subdirs
                              : !args.subdirs.empty() ? args.subdirs
                              : !ch.subdirs.empty()   ? ch.subdirs
                                                      : default_subdirs;
        for (auto& c : resolved->channels)
            options.channels.push_back({std::move(c), subdirs});
    }
    if (notice)
        std::cerr << config::defaults_terms_notice() << "\n";
    return options;
}

}  // namespace

void add_sync_command(CLI::App& root, Runner& run) {
    auto args = std::make_shared<SyncArgs>();
    auto* cmd = root.add_subcommand(
        "sync", "Mirror upstream channels into DEST with verified, resumable downloads");
    cmd->add_option("CHANNEL", args->channels,
                    "Channel names, 'defaults', or URLs (http, https, file)");
    cmd->add_option("--config", args->config_file, "Mirror config (YAML)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--dest", args->dest, "Mirror root (overrides the config's dest)");
    cmd->add_option("--subdir", args->subdirs,
                    "Subdir to mirror (repeatable; default noarch + native)");
    cmd->add_option("--channel-alias", args->channel_alias,
                    "Base URL for channel names (default https://conda.anaconda.org)");
    cmd->add_option("--jobs", args->jobs, "Parallel downloads (default 8)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-delete", args->max_delete,
                    "Most files one run may delete per subdir, e.g. 10% (default)");
    cmd->add_flag("--force", args->force,
                  "Delete files that left upstream even above --max-delete");
    cmd->add_flag("--dry-run", args->dry_run,
                  "List <channel>/<subdir>/<file> the mirror would hold, change nothing");
    cmd->add_flag("--verbose", args->verbose, "More detail on stderr");
    cmd->add_option("--spec", args->specs,
                    "Include packages matching this MatchSpec and their dependencies (repeatable; "
                    "e.g. 'python 3.12.*', 'numpy>=2', 'conda-forge::pip')");
    cmd->add_option("--exclude", args->exclude,
                    "Leave out records matching this MatchSpec (repeatable)");
    cmd->add_option("--latest", args->latest, "Keep only the N newest versions of each package")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--environment", args->environment,
                    "environment.yml: its dependencies become --spec, its channels the channels")
        ->check(CLI::ExistingFile);
    auto* expl =
        cmd->add_option("--explicit", args->explicit_file,
                        "A `conda list --explicit` file: mirror exactly its URLs, checking their "
                        "#md5/#sha256 against upstream (no closure; its URLs name the channels)")
            ->check(CLI::ExistingFile);
    for (const char* other :
         {"CHANNEL", "--spec", "--exclude", "--latest", "--environment", "--subdir"})
        expl->excludes(cmd->get_option(other));
    cmd->add_flag("--no-shards", args->no_shards,
                  "Read upstream's whole repodata.json even when a selective job could read "
                  "only the CEP-16 shards it needs");
    cmd->callback([args, &run] {
        run = [args] {
            auto options = build_options(*args);
            if (!options) {
                std::cerr << "chanmirror sync: error: " << options.error().message << "\n";
                return exit_fatal;
            }
            auto outcome = sync::run_sync(*options, std::cout, std::cerr);
            return static_cast<int>(outcome.exit);
        };
    });
}

}  // namespace chanmirror::app
