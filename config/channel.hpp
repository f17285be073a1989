#pragma once
// Channel names and URLs -> where to fetch from and where the mirror keeps them.
// Credentials (user:pass@, /t/<token>/) stay in `url` and never reach a log: use redact().

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::config {

inline constexpr std::string_view default_channel_alias = "https://conda.anaconda.org";
inline const std::vector<std::string> default_default_channels = {
    "https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r"};

struct Channel {
    std::string url;         // base URL without trailing slash, credentials included
    std::string local_path;  // mirror path under DEST, e.g. "conda-forge" or "pkgs/main"
};

struct ChannelResolution {
    std::vector<Channel> channels;
    bool used_defaults = false;  // caller prints the Anaconda terms notice once
};

// `spec` is a name ("conda-forge", "bioconda/label/dev"), "defaults", or a full URL
// (http, https, file). Names resolve through `channel_alias`.
core::Result<ChannelResolution> resolve_channel(std::string_view spec,
                                                std::string_view channel_alias,
                                                const std::vector<std::string>& default_channels);

// The one-line notice printed when `defaults` is mirrored.
std::string_view defaults_terms_notice();

// Hides user:pass@ and /t/<token>/ so a URL can be logged.
std::string redact(std::string_view url);

// Joins a base URL and a relative path with exactly one '/'.
std::string join_url(std::string_view base, std::string_view rel);

}  // namespace chanmirror::config
