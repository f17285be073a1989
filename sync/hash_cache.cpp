#include "sync/hash_cache.hpp"

#include <sys/stat.h>

#include <sstream>

#include "io/atomic_file.hpp"
#include "io/file_handle.hpp"

namespace chanmirror::sync {
namespace {

// A download is hashed with one digest only: the other is unknown, "-" in the file.
std::string to_field(const std::string& digest) {
    return digest.empty() ? "-" : digest;
}
std::string from_field(const std::string& field) {
    return field == "-" ? std::string() : field;
}

}  // namespace

std::optional<std::pair<std::uint64_t, std::int64_t>> stat_size_mtime(
    const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    std::int64_t ns =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return std::make_pair(static_cast<std::uint64_t>(st.st_size), ns);
}

HashCache HashCache::load(const std::filesystem::path& file) {
    HashCache cache;
    cache.file_ = file;
    auto text = io::read_file(file);
    if (!text)
        return cache;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string name;
        CachedDigest d;
        if (std::getline(fields, name, '\t') &&
            fields >> d.size >> d.mtime_ns >> d.sha256 >> d.md5) {
            d.sha256 = from_field(d.sha256);
            d.md5 = from_field(d.md5);
            cache.entries_[name] = d;
        }
    }
    return cache;
}

core::Result<void> HashCache::save() const {
    if (!dirty_)
        return {};
    std::string out;
    for (const auto& [name, d] : entries_) {
        out += name + '\t' + std::to_string(d.size) + '\t' + std::to_string(d.mtime_ns) + '\t' +
               to_field(d.sha256) + '\t' + to_field(d.md5) + '\n';
    }
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    auto r = io::write_file_if_changed(file_, out);
    if (!r)
        return tl::unexpected(r.error());
    return {};
}

core::Result<CachedDigest> HashCache::digest(const std::filesystem::path& path,
                                             const std::string& filename) {
    auto st = stat_size_mtime(path);
    if (!st)
        return core::fail(core::ErrorKind::not_found, path.string() + ": no such file");
    if (auto it = entries_.find(filename); it != entries_.end()) {
        if (it->second.size == st->first && it->second.mtime_ns == st->second)
            return it->second;
    }
    auto digests = io::hash_file(path);
    if (!digests)
        return tl::unexpected(digests.error());
    ++hashed_;
    remember(path, filename, *digests);
    return entries_[filename];
}

void HashCache::remember(const std::filesystem::path& path, const std::string& filename,
                         const io::Digests& digests) {
    auto st = stat_size_mtime(path);
    if (!st)
        return;
    entries_[filename] =
        CachedDigest{st->first, st->second, digests.sha256_hex(), digests.md5_hex()};
    dirty_ = true;
}

}  // namespace chanmirror::sync
