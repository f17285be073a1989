#include "server/access_log.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/printable.hpp"

namespace chanmirror::server {
namespace {

// Quotes and control bytes would let a client forge log fields.
void append_escaped(std::string& out, std::string_view s) {
    if (s.empty()) {
        out.push_back('-');
        return;
    }
    core::append_printable(out, s, "\"\\");
}

}  // namespace

core::Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& destination,
                                                         std::ostream& warnings) {
    if (destination == "-")
        return std::unique_ptr<AccessLog>(new AccessLog(stdout, false, "(stdout)", warnings));
    std::FILE* f = std::fopen(destination.c_str(), "ae");
    if (f == nullptr) {
        return core::fail(core::ErrorKind::io,
                          "cannot open access log " + destination + ": " + std::strerror(errno));
    }
    // Unbuffered: each line is one write, so a line that fails is not retried, torn, later.
    std::setvbuf(f, nullptr, _IONBF, 0);
    return std::unique_ptr<AccessLog>(new AccessLog(f, true, destination, warnings));
}

AccessLog::~AccessLog() {
    if (owned_)
        std::fclose(file_);
}

std::string AccessLog::format(const AccessLogEntry& e, std::int64_t unix_time) {
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char when[96];
    std::snprintf(when, sizeof when, "[%02d/%s/%04d:%02d:%02d:%02d +0000]", tm.tm_mday,
                  months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string line;
    line.reserve(160 + e.target.size() + e.user_agent.size());
    line.append(e.remote.empty() ? "-" : e.remote).append(" - - ").append(when).append(" \"");
    append_escaped(line, e.method);
    line.push_back(' ');
    append_escaped(line, e.target);
    line.append(e.version == 10 ? " HTTP/1.0\" " : " HTTP/1.1\" ");
    line.append(std::to_string(e.status)).push_back(' ');
    line.append(std::to_string(e.bytes)).append(" \"");
    append_escaped(line, e.referer);
    line.append("\" \"");
    append_escaped(line, e.user_agent);
    line.append("\"\n");
    return line;
}

void AccessLog::write(const AccessLogEntry& entry) {
    std::string line = format(entry, static_cast<std::int64_t>(std::time(nullptr)));
    std::lock_guard lock(mutex_);
    bool written =
        std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fflush(file_) == 0;
    if (!written) {
        int err = errno;
        std::clearerr(file_);
        if (dropped_++ == 0) {
            warnings_ << "chanmirror serve: warning: cannot write access log " << destination_
                      << ": " << std::strerror(err) << "; lines are dropped until it can be\n";
        }
    } else if (dropped_ > 0) {
        warnings_ << "chanmirror serve: access log " << destination_ << " is written again ("
                  << dropped_ << " lines dropped)\n";
        dropped_ = 0;
    }
}

}  // namespace chanmirror::server
