#pragma once
// HTTP semantics of one opened file: validators (strong ETag, Last-Modified), conditional
// requests (If-None-Match, If-Modified-Since, If-Range) and single byte ranges.

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "server/message.hpp"

namespace chanmirror::server {

// Text of a known small bound kept inline: describing a file for every request should not
// allocate.
class ShortText {
  public:
    static constexpr std::size_t capacity = 72;
    void assign(const char* data, std::size_t size) {
        size_ = static_cast<std::uint8_t>(std::min(size, capacity));
        std::copy_n(data, size_, bytes_.data());
    }
    [[nodiscard]] std::string_view view() const { return {bytes_.data(), size_}; }
    operator std::string_view() const { return view(); }

  private:
    std::array<char, capacity> bytes_;
    std::uint8_t size_ = 0;
};

struct FileInfo {
    std::uint64_t size = 0;
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0;
    std::time_t mtime = 0;
    ShortText etag;  // strong, quoted: changes whenever a rename replaces the file
    ShortText last_modified;
};

FileInfo describe(const struct stat& st);

std::string http_date(std::time_t t);
// IMF-fixdate into `out` (29 characters); returns the length.
std::size_t format_http_date(std::time_t t, char (&out)[32]);
std::optional<std::time_t> parse_http_date(std::string_view text);

// If-None-Match: a comma-separated list of (possibly weak) tags, or "*". Weak comparison.
bool etag_list_matches(std::string_view header, std::string_view etag);

struct ByteRange {
    enum Kind { none, satisfiable, unsatisfiable } kind = none;
    std::uint64_t first = 0;
    std::uint64_t length = 0;
};

// "bytes=a-b", "bytes=a-", "bytes=-n". Several ranges or a malformed header: none (send all).
ByteRange parse_range(std::string_view header, std::uint64_t size);

// True when the client's copy is current (answer 304).
bool is_not_modified(const Request& req, std::string_view etag, std::time_t mtime);

// Whether a Range applies, given If-Range.
bool range_applies(const Request& req, const FileInfo& info);

// A 200/206/304/416 response for `file` (already opened and described). The caller adds
// Content-Type and Cache-Control.
Response file_response(const Request& req, io::FileHandle file, const FileInfo& info);

}  // namespace chanmirror::server
