#pragma once
// The one timestamp format chanmirror writes: CEP-16's created_at, run summaries, lock holders.

#include <string>

namespace chanmirror::io {

// Current UTC time as "%Y-%m-%dT%H:%M:%SZ".
std::string utc_timestamp_now();

}  // namespace chanmirror::io
