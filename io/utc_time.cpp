#include "io/utc_time.hpp"

#include <ctime>

namespace chanmirror::io {

std::string utc_timestamp_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace chanmirror::io
