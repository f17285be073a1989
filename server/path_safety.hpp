#pragma once
// Request target -> a path relative to ROOT that is safe to open, and opening it without
// ever leaving ROOT (symlinks may point anywhere inside ROOT, never outside).

#include <filesystem>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "io/file_handle.hpp"

namespace chanmirror::server {

struct TargetPath {
    std::string relative;  // decoded once, '/'-joined, no leading or trailing '/'; "" is ROOT
    bool trailing_slash = false;
    bool has_token = false;  // the target began with /t/<token>/
    std::string token;       // decoded; never log it
    std::string query;       // raw, without '?'
};

enum class TargetError {
    bad_request,  // malformed: not origin-form, bad %-escape, %2f, backslash, NUL, "." or ".."
    not_found,    // well-formed but names something that is never served (dotfile, temp file)
};

tl::expected<TargetPath, TargetError> parse_target(std::string_view target);

// Dot-files and directories (.cache, .git, .lock), in-progress downloads (*.partial), io temp
// files, lock files.
bool is_hidden_name(std::string_view name);

// Only for logging: the target with a /t/<token>/ prefix replaced by /t/<redacted>/.
std::string redact_target(std::string_view target);

enum class OpenError { not_found, forbidden, io };

// Opens ROOT/relative for reading. root_fd is an O_PATH/O_DIRECTORY descriptor of ROOT and
// root_real its canonical path. Fails with not_found when the path, or a symlink on the way,
// leads outside ROOT.
tl::expected<io::FileHandle, OpenError> open_beneath(int root_fd,
                                                     const std::filesystem::path& root_real,
                                                     std::string_view relative);

}  // namespace chanmirror::server
