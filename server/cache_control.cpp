#include "server/cache_control.hpp"

namespace chanmirror::server {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

CacheClass cache_class(std::string_view relative) {
    auto slash = relative.rfind('/');
    std::string_view name = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
    std::string_view dir =
        slash == std::string_view::npos ? std::string_view() : relative.substr(0, slash);
    if (name == "repodata_shards.msgpack.zst" || name == "channeldata.json") {
        return CacheClass::index;
    }
    bool repodata_like = (name.starts_with("repodata") || name.starts_with("current_repodata")) &&
                         name.find(".json") != std::string_view::npos;
    if (repodata_like)
        return CacheClass::index;
    bool in_shards = dir == "shards" || ends_with(dir, "/shards");
    if (in_shards && ends_with(name, ".msgpack.zst"))
        return CacheClass::immutable;
    if (ends_with(name, ".conda") || ends_with(name, ".tar.bz2"))
        return CacheClass::immutable;
    return CacheClass::other;
}

std::string cache_control_value(CacheClass cls, unsigned max_age_index) {
    switch (cls) {
        case CacheClass::immutable:
            return "public, max-age=31536000, immutable";
        case CacheClass::index:
        case CacheClass::other:
            break;
    }
    return "public, max-age=" + std::to_string(max_age_index);
}

}  // namespace chanmirror::server
