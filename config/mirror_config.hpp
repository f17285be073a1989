#pragma once
// The mirror config file (YAML). Every field has a default, so an empty file is valid;
// CLI flags override what the file says (app/cmd_sync.cpp).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/channel.hpp"
#include "core/error.hpp"

namespace chanmirror::config {

struct ChannelConfig {
    std::string spec;                  // name, "defaults" or URL, as written
    std::vector<std::string> subdirs;  // empty: the job's subdirs
    std::string username;              // credentials, inserted into the URL (never logged)
    std::string password;
    std::string token;  // conda /t/<token>/ path prefix
};

struct NetworkConfig {
    int jobs = 8;
    int retries = 5;                 // attempts after the first
    double backoff_initial_s = 1.0;  // doubles each retry, with jitter
    double backoff_max_s = 60.0;     // also caps Retry-After
    long connect_timeout_s = 30;
    long low_speed_time_s = 60;  // abort a transfer slower than 1 KB/s for this long
    std::string proxy;
    std::string ca_bundle;
};

struct MirrorConfig {
    std::filesystem::path dest;
    std::string channel_alias{default_channel_alias};
    std::vector<std::string> default_channels = default_default_channels;
    std::vector<std::string> subdirs;  // empty: noarch + the native subdir
    std::vector<ChannelConfig> channels;
    NetworkConfig network;
    double max_delete = 0.10;  // fraction of a subdir's files one run may delete
    // Package selection (issue 5): include specs, exclude specs, newest N versions.
    std::vector<std::string> specs;
    std::vector<std::string> exclude;
    std::optional<int> latest;
    // Selective jobs read upstream CEP-16 shards when upstream has them (`shards: false`: always
    // the whole repodata.json).
    bool shards = true;
};

// Parses YAML text; errors name `what`, the key and its line.
core::Result<MirrorConfig> parse_mirror_config(std::string_view text, std::string_view what);
core::Result<MirrorConfig> load_mirror_config(const std::filesystem::path& path);

// "50%" or "0.5" -> 0.5.
core::Result<double> parse_fraction(std::string_view text);

// The subdir conda would use on this machine, e.g. "linux-64".
std::string native_subdir();

// Resolves a configured channel to URLs with its credentials applied.
core::Result<ChannelResolution> resolve_configured(const ChannelConfig& channel,
                                                   const MirrorConfig& config);

}  // namespace chanmirror::config
