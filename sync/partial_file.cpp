#include "sync/partial_file.hpp"

#include <unistd.h>

#include <algorithm>

namespace chanmirror::sync {
namespace {

constexpr std::size_t block = 4096;
// Whole blocks, small enough to stay in L2 between the copy in and the write out.
constexpr std::size_t buffer_size = 64 * block;

}  // namespace

core::Result<std::uint64_t> PartialFile::open(const std::filesystem::path& path,
                                              std::uint64_t keep_at_most, io::DigestSet digests) {
    abandon();
    digest_set_ = digests;
    hasher_ = io::Hasher(digests);
    std::error_code ec;
    std::uint64_t existing =
        std::filesystem::exists(path, ec) ? std::filesystem::file_size(path, ec) : 0;
    auto resumable = [&] {
        auto hashed = io::hash_file_into(path, hasher_);
        return hashed && *hashed == existing;
    };
    if (ec || existing > keep_at_most || (existing > 0 && !resumable())) {
        std::filesystem::remove(path, ec);
        hasher_ = io::Hasher(digests);
        existing = 0;
    }
    auto handle = io::FileHandle::open_append(path);
    if (!handle)
        return tl::unexpected(handle.error());
    file_ = std::move(*handle);
    buffer_.reset(new char[buffer_size]);  // not zeroed: only written bytes are read
    size_ = existing;
    return existing;
}

core::Result<void> PartialFile::append(std::string_view bytes) {
    hasher_.update(bytes.data(), bytes.size());  // while the bytes are still in cache
    size_ += bytes.size();
    while (!bytes.empty()) {
        auto n = std::min(bytes.size(), buffer_size - buffered_);
        std::copy_n(bytes.data(), n, buffer_.get() + buffered_);
        buffered_ += n;
        bytes.remove_prefix(n);
        if (buffered_ == buffer_size) {
            if (auto r = write_buffered(); !r)
                return r;
        }
    }
    return {};
}

core::Result<void> PartialFile::restart() {
    buffered_ = 0;
    size_ = 0;
    hasher_ = io::Hasher(digest_set_);
    if (::ftruncate(file_.fd(), 0) != 0)
        return tl::unexpected(io::errno_error("cannot truncate", file_.path()));
    return {};
}

core::Result<void> PartialFile::flush() {
    return buffered_ > 0 ? write_buffered() : core::Result<void>{};
}

core::Result<std::pair<io::FileHandle, io::Digests>> PartialFile::finish() {
    if (auto r = flush(); !r)
        return tl::unexpected(r.error());
    buffer_.reset();
    return std::pair{std::move(file_), hasher_.finish()};
}

void PartialFile::abandon() {
    buffered_ = 0;
    buffer_.reset();
    (void)file_.close();
}

core::Result<void> PartialFile::write_buffered() {
    auto r = file_.write_all(buffer_.get(), buffered_);
    buffered_ = 0;
    return r;
}

}  // namespace chanmirror::sync
