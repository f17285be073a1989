#pragma once
// Access log in the combined log format (Apache/nginx "combined"):
//   host - - [10/Oct/2000:13:55:36 +0000] "GET /path HTTP/1.1" 200 2326 "referer" "agent"
// Targets are logged with any /t/<token>/ prefix redacted.

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace chanmirror::server {

struct AccessLogEntry {
    std::string_view remote;
    std::string_view method;
    std::string_view target;  // already redacted
    unsigned version = 11;    // 10 or 11
    unsigned status = 0;
    std::uint64_t bytes = 0;
    std::string_view referer;
    std::string_view user_agent;
};

// A line that cannot be written (a full disk) is dropped: serving goes on. `warnings` hears
// once when lines start being dropped, and once when the log is written again.
class AccessLog {
  public:
    // "-": standard output; anything else: a file opened for appending.
    static core::Result<std::unique_ptr<AccessLog>> open(const std::string& destination,
                                                         std::ostream& warnings = std::cerr);
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    void write(const AccessLogEntry& entry);

    static std::string format(const AccessLogEntry& entry, std::int64_t unix_time);

  private:
    AccessLog(std::FILE* file, bool owned, std::string destination, std::ostream& warnings)
        : file_(file), owned_(owned), destination_(std::move(destination)), warnings_(warnings) {}
    std::FILE* file_;
    bool owned_;
    std::string destination_;
    std::ostream& warnings_;
    std::uint64_t dropped_ = 0;  // lines lost since writing last failed; guarded by mutex_
    std::mutex mutex_;
};

}  // namespace chanmirror::server
