#include "config/explicit_file.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/match_spec.hpp"
#include "core/repodata.hpp"
#include "core/strings.hpp"

namespace chanmirror::config {
namespace {

using core::ErrorKind;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_hex(std::string_view s, std::size_t size) {
    return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

// CEP 26: noarch, or [a-z0-9]+-[a-z0-9]+.
bool is_subdir(std::string_view s) {
    const std::size_t dash = s.find('-');
    auto word = [](std::string_view w) {
        return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        });
    };
    return s == "noarch" ||
           (dash != std::string_view::npos && word(s.substr(0, dash)) && word(s.substr(dash + 1)));
}

// Empty when the fragment was read into `pkg`; otherwise why not.
std::string read_fragment(std::string_view fragment, ExplicitPackage& pkg) {
    if (fragment.starts_with("sha256:")) {
        fragment.remove_prefix(7);
        if (!is_hex(fragment, 64)) {
            return "sha256 must be 64 hex digits";
        }
        pkg.sha256 = core::to_lower_ascii(fragment);
        return {};
    }
    if (fragment.starts_with("md5:")) {
        fragment.remove_prefix(4);
    }
    if (is_hex(fragment, 32)) {
        pkg.md5 = core::to_lower_ascii(fragment);
    } else if (is_hex(fragment, 64)) {
        pkg.sha256 = core::to_lower_ascii(fragment);
    } else {
        return "'#" + std::string(fragment) + "' is neither an md5 nor a sha256";
    }
    return {};
}

std::string read_url(std::string_view line, ExplicitPackage& pkg) {
    const std::size_t hash = line.find('#');
    const std::string_view url = line.substr(0, hash);
    if (url.find("://") == std::string_view::npos) {
        return "expected a package URL";
    }
    pkg.url = std::string(url);
    const std::size_t name_at = url.rfind('/');
    const std::size_t subdir_at = url.rfind('/', name_at - 1);
    pkg.filename = std::string(url.substr(name_at + 1));
    if (!core::is_package_filename(pkg.filename)) {
        return "'" + pkg.filename + "' is not a .conda or .tar.bz2 file";
    }
    const std::string_view subdir = url.substr(subdir_at + 1, name_at - subdir_at - 1);
    if (subdir_at == std::string_view::npos || subdir_at < url.find("://") + 3 ||
        !is_subdir(subdir)) {
        return "no subdir before '" + pkg.filename + "'";
    }
    pkg.subdir = std::string(subdir);
    pkg.channel_url = std::string(url.substr(0, subdir_at));
    pkg.channel = std::string(core::channel_name(pkg.channel_url));
    return hash == std::string_view::npos ? std::string()
                                          : read_fragment(line.substr(hash + 1), pkg);
}

}  // namespace

core::Result<ExplicitFile> parse_explicit_file(std::string_view text, std::string_view what) {
    ExplicitFile out;
    bool explicit_seen = false;
    int number = 0;
    auto error = [&](const std::string& message) {
        return core::fail(ErrorKind::invalid_input,
                          std::string(what) + ":" + std::to_string(number) + ": " + message);
    };
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = trim(text.substr(start, end - start));
        start = end + 1;
        ++number;
        if (line.empty()) {
            continue;
        }
        if (line.front() == '#') {
            const std::string_view comment = trim(line.substr(1));
            if (comment.starts_with("platform:")) {
                out.platform = std::string(trim(comment.substr(9)));
            }
            continue;
        }
        if (line == "@EXPLICIT") {
            explicit_seen = true;
            continue;
        }
        if (!explicit_seen) {
            return error("expected @EXPLICIT before '" + std::string(line) + "'");
        }
        ExplicitPackage pkg;
        pkg.line = number;
        if (const std::string why = read_url(line, pkg); !why.empty()) {
            return error(why);
        }
        out.packages.push_back(std::move(pkg));
    }
    if (!explicit_seen) {
        return core::fail(ErrorKind::invalid_input,
                          std::string(what) + ": not an explicit file (no @EXPLICIT line)");
    }
    return out;
}

core::Result<ExplicitFile> load_explicit_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::fail(ErrorKind::io, "cannot read " + path.string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_explicit_file(text.str(), path.string());
}

}  // namespace chanmirror::config
