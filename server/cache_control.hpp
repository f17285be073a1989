#pragma once
// Cache-Control by what a file is: index files change in place and get a short max-age,
// shards and packages are content-addressed or versioned and never change.

#include <string>
#include <string_view>

namespace chanmirror::server {

enum class CacheClass { index, immutable, other };

// relative: the root-relative path, '/'-separated.
CacheClass cache_class(std::string_view relative);

std::string cache_control_value(CacheClass cls, unsigned max_age_index);

}  // namespace chanmirror::server
