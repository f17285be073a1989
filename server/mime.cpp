#include "server/mime.hpp"

#include <array>
#include <utility>

namespace chanmirror::server {

std::string_view mime_type(std::string_view file_name) {
    // Longest suffixes first where one ends another (".tar.bz2" before ".bz2").
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 19> table{{
        {".json", "application/json"},
        {".conda", "application/octet-stream"},
        {".tar.bz2", "application/x-tar"},
        {".bz2", "application/x-bzip2"},
        {".zst", "application/zstd"},
        {".msgpack", "application/msgpack"},
        {".jlap", "text/plain; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".md", "text/markdown; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".xml", "application/xml"},
        {".rss", "application/rss+xml"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/vnd.microsoft.icon"},
        {".gz", "application/gzip"},
    }};
    for (const auto& [suffix, type] : table) {
        if (file_name.size() >= suffix.size() &&
            file_name.substr(file_name.size() - suffix.size()) == suffix) {
            return type;
        }
    }
    return "application/octet-stream";
}

}  // namespace chanmirror::server
