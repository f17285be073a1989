#include "server/compressed_cache.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/strings.hpp"
#include "io/zstd.hpp"

namespace chanmirror::server {
namespace {

using core::trim;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// q=0 means "not acceptable"; anything else (or no q) accepts.
bool accepted(std::string_view params) {
    auto q = params.find("q=");
    if (q == std::string_view::npos)
        return true;
    std::string_view value = trim(params.substr(q + 2));
    return !(value == "0" || value.starts_with("0.000") || value == "0." || value == "0.0" ||
             value == "0.00");
}

std::optional<std::string> gzip_compress(std::string_view bytes) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return std::nullopt;
    }
    std::string out(deflateBound(&zs, bytes.size()), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return std::nullopt;
    return out;
}

std::optional<std::string> read_all(io::FileHandle& file, std::uint64_t size) {
    std::string bytes(size, '\0');
    std::uint64_t done = 0;
    while (done < size) {
        auto n = file.pread(bytes.data() + done, size - done, done);
        if (!n || *n == 0)
            return std::nullopt;
        done += *n;
    }
    return bytes;
}

}  // namespace

Encoding choose_encoding(std::string_view accept_encoding) {
    bool zstd = false, gzip = false;
    while (!accept_encoding.empty()) {
        auto comma = accept_encoding.find(',');
        std::string_view item = accept_encoding.substr(0, comma);
        accept_encoding = comma == std::string_view::npos ? std::string_view()
                                                          : accept_encoding.substr(comma + 1);
        auto semi = item.find(';');
        std::string_view coding = trim(item.substr(0, semi));
        std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi + 1);
        if (!accepted(params))
            continue;
        if (iequals(coding, "zstd"))
            zstd = true;
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
            gzip = true;
    }
    if (zstd)
        return Encoding::zstd;
    if (gzip)
        return Encoding::gzip;
    return Encoding::identity;
}

std::string_view encoding_name(Encoding encoding) {
    switch (encoding) {
        case Encoding::zstd:
            return "zstd";
        case Encoding::gzip:
            return "gzip";
        case Encoding::identity:
            break;
    }
    return "identity";
}

std::shared_ptr<const std::string> CompressedCache::get(const std::string& relative,
                                                        const FileInfo& info, Encoding encoding,
                                                        io::FileHandle& file) {
    Key key{relative, encoding};
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key);
        if (it != entries_.end() && it->second.inode == info.inode &&
            it->second.size == info.size && it->second.mtime_ns == info.mtime_ns) {
            return it->second.bytes;
        }
    }
    // Compress outside the lock; two concurrent misses both compress, the last one is kept.
    auto raw = read_all(file, info.size);
    if (!raw)
        return nullptr;
    std::optional<std::string> packed;
    if (encoding == Encoding::gzip) {
        packed = gzip_compress(*raw);
    } else {
        auto z = io::zstd_compress(*raw, io::ZstdOptions{.level = 3, .threads = 0});
        if (z)
            packed = std::move(*z);
    }
    if (!packed)
        return nullptr;
    auto bytes = std::make_shared<const std::string>(std::move(*packed));
    std::lock_guard lock(mutex_);
    ++compressions_;
    insert_locked(key, Entry{info.inode, info.size, info.mtime_ns, bytes});
    return bytes;
}

void CompressedCache::insert_locked(const Key& key, Entry entry) {
    if (auto it = entries_.find(key); it != entries_.end()) {
        total_bytes_ -= it->second.bytes->size();
        entries_.erase(it);
        order_.remove(key);
    }
    if (entry.bytes->size() > max_bytes_)
        return;
    total_bytes_ += entry.bytes->size();
    entries_.emplace(key, std::move(entry));
    order_.push_back(key);
    while (total_bytes_ > max_bytes_ && !order_.empty()) {
        auto oldest = entries_.find(order_.front());
        total_bytes_ -= oldest->second.bytes->size();
        entries_.erase(oldest);
        order_.pop_front();
    }
}

}  // namespace chanmirror::server
