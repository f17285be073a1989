#include "server/path_safety.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "core/strings.hpp"
#include "io/atomic_file.hpp"

namespace chanmirror::server {
namespace {

using core::hex_value;

// Decodes %XX once. '+' stays '+'. Refuses bytes that could change the path's structure.
tl::expected<std::string, TargetError> decode_path(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        bool encoded = false;
        if (c == '%') {
            if (i + 2 >= raw.size()) {
                return tl::unexpected(TargetError::bad_request);
            }
            int hi = hex_value(raw[i + 1]);
            int lo = hex_value(raw[i + 2]);
            if (hi < 0 || lo < 0)
                return tl::unexpected(TargetError::bad_request);
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
            encoded = true;
        }
        if (c == '\0' || c == '\\' || (encoded && c == '/')) {
            return tl::unexpected(TargetError::bad_request);
        }
        out.push_back(c);
    }
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_hidden_name(std::string_view name) {
    return name.empty() || name.front() == '.' || ends_with(name, ".partial") ||
           ends_with(name, ".lock") || ends_with(name, ".tmp") || io::is_temp_name(name);
}

std::string redact_target(std::string_view target) {
    if (target.substr(0, 3) != "/t/")
        return std::string(target);
    auto end = target.find_first_of("/?", 3);
    std::string out = "/t/<redacted>";
    if (end != std::string_view::npos)
        out.append(target.substr(end));
    return out;
}

tl::expected<TargetPath, TargetError> parse_target(std::string_view target) {
    TargetPath result;
    if (target.empty() || target.front() != '/')
        return tl::unexpected(TargetError::bad_request);
    auto hash = target.find('#');
    if (hash != std::string_view::npos)
        target = target.substr(0, hash);
    std::string_view path = target;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        result.query = std::string(target.substr(q + 1));
        path = target.substr(0, q);
    }
    if (path.substr(0, 3) == "/t/") {
        auto end = path.find('/', 3);
        std::string_view raw_token =
            path.substr(3, end == std::string_view::npos ? std::string_view::npos : end - 3);
        auto token = decode_path(raw_token);
        if (!token)
            return tl::unexpected(token.error());
        result.has_token = true;
        result.token = std::move(*token);
        path = end == std::string_view::npos ? std::string_view("/") : path.substr(end);
    }
    auto decoded = decode_path(path);
    if (!decoded)
        return tl::unexpected(decoded.error());
    result.trailing_slash = decoded->size() > 1 && decoded->back() == '/';

    // The relative path is written over the decoded one (it is never longer): no second buffer.
    bool hidden = false;
    std::string& text = *decoded;
    std::size_t read = 0;
    std::size_t written = 0;
    while (read < text.size()) {
        std::size_t slash = std::min(text.find('/', read), text.size());
        std::string_view part(text.data() + read, slash - read);
        read = slash + 1;
        if (part.empty())
            continue;  // "//" collapses
        if (part == "." || part == "..")
            return tl::unexpected(TargetError::bad_request);
        if (is_hidden_name(part))
            hidden = true;
        if (written > 0)
            text[written++] = '/';
        std::copy(part.begin(), part.end(), text.begin() + static_cast<std::ptrdiff_t>(written));
        written += part.size();
    }
    if (hidden)
        return tl::unexpected(TargetError::not_found);
    text.resize(written);
    result.relative = std::move(text);
    return result;
}

namespace {

std::atomic<bool> openat2_unavailable{false};

int openat2_beneath(int dir_fd, const char* path, std::uint64_t extra_resolve) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | extra_resolve;
    return static_cast<int>(::syscall(SYS_openat2, dir_fd, path, &how, sizeof how));
}

OpenError classify(int err) {
    switch (err) {
        case ENOENT:
        case ENOTDIR:
        case ELOOP:
        case EXDEV:
        case ENAMETOOLONG:
            return OpenError::not_found;
        case EACCES:
        case EPERM:
            return OpenError::forbidden;
        default:
            return OpenError::io;
    }
}

// Slow path: canonicalise, check the result is inside ROOT, open the canonical path.
tl::expected<io::FileHandle, OpenError> open_resolved(int root_fd,
                                                      const std::filesystem::path& root_real,
                                                      const std::filesystem::path& full) {
    char buffer[PATH_MAX];
    if (::realpath(full.c_str(), buffer) == nullptr)
        return tl::unexpected(classify(errno));
    std::string_view real(buffer);
    const std::string& root = root_real.native();
    if (real != root) {
        if (real.substr(0, root.size()) != root || real.size() <= root.size() ||
            real[root.size()] != '/') {
            return tl::unexpected(OpenError::not_found);
        }
    }
    std::string inside =
        real == root ? std::string(".") : std::string(real.substr(root.size() + 1));
    int fd = -1;
    if (!openat2_unavailable.load(std::memory_order_relaxed)) {
        fd = openat2_beneath(root_fd, inside.c_str(), RESOLVE_NO_SYMLINKS);
    } else {
        fd = ::open(buffer, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
    }
    if (fd < 0)
        return tl::unexpected(classify(errno));
    return io::FileHandle::adopt(fd, std::string(real));
}

}  // namespace

tl::expected<io::FileHandle, OpenError> open_beneath(int root_fd,
                                                     const std::filesystem::path& root_real,
                                                     std::string_view relative) {
    if (relative.empty())
        relative = ".";
    if (relative.size() >= PATH_MAX)
        return tl::unexpected(OpenError::not_found);
    char rel[PATH_MAX];  // NUL-terminated copy without an allocation per request
    *std::copy(relative.begin(), relative.end(), rel) = '\0';
    if (!openat2_unavailable.load(std::memory_order_relaxed)) {
        int fd = openat2_beneath(root_fd, rel, 0);
        if (fd >= 0)
            return io::FileHandle::adopt(fd, {});  // no path: building one costs per request
        int err = errno;
        if (err == ENOSYS || err == EPERM) {
            openat2_unavailable.store(true, std::memory_order_relaxed);
        } else if (err != EXDEV) {
            return tl::unexpected(classify(err));
        }
        // EXDEV: an absolute symlink or one leaving ROOT; the slow path decides which.
    }
    return open_resolved(root_fd, root_real, root_real / std::string_view(rel));
}

}  // namespace chanmirror::server
