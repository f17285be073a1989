#include "io/atomic_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <set>
#include <string>

namespace chanmirror::io {
namespace {

std::filesystem::path temp_name_for(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    thread_local std::mt19937_64 rng{std::random_device{}()};
    auto name = "." + target.filename().string() + std::string(temp_marker) +
                std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                std::to_string(rng() % 1000000);
    return target.parent_path() / name;
}

bool same_bytes(const std::filesystem::path& path, std::string_view bytes) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec || size != bytes.size())
        return false;
    auto existing = read_file(path);
    return existing && *existing == bytes;
}

// `publish()`es the bytes unless `path` already holds them (its mtime is then kept).
template <typename Publish>
core::Result<WriteOutcome> unless_same(const std::filesystem::path& path, std::string_view bytes,
                                       Publish publish) {
    if (same_bytes(path, bytes))
        return WriteOutcome::unchanged;
    if (auto r = publish(); !r)
        return tl::unexpected(r.error());
    return WriteOutcome::written;
}

}  // namespace

bool is_temp_name(std::string_view file_name) {
    return file_name.find(temp_marker) != std::string_view::npos;
}

core::Result<AtomicFile> AtomicFile::create(const std::filesystem::path& target) {
    auto temp = temp_name_for(target);
    auto handle = FileHandle::create_new(temp, target);
    if (!handle)
        return tl::unexpected(handle.error());
    return AtomicFile(target, std::move(temp), std::move(*handle));
}

AtomicFile::~AtomicFile() {
    if (!committed_ && !temp_.empty()) {
        handle_.close();
        std::error_code ec;
        std::filesystem::remove(temp_, ec);
    }
}

core::Result<void> AtomicFile::commit() {
    if (auto r = handle_.sync(); !r)
        return r;
    if (auto r = handle_.close(); !r)
        return r;
    if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
        return tl::unexpected(errno_error("cannot rename into place", target_));
    }
    committed_ = true;
    auto dir = target_.parent_path();
    return sync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

core::Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
    auto file = AtomicFile::create(path);
    if (!file)
        return tl::unexpected(file.error());
    if (auto r = file->write(bytes); !r)
        return r;
    return file->commit();
}

AtomicBatch::~AtomicBatch() {
    discard_from(0);
}

void AtomicBatch::discard_from(std::size_t from) {
    std::error_code ec;
    for (std::size_t i = from; i < pending_.size(); ++i)
        std::filesystem::remove(pending_[i].temp, ec);
    pending_.resize(std::min(from, pending_.size()));
}

core::Result<void> AtomicBatch::add(const std::filesystem::path& target, std::string_view bytes) {
    auto temp = temp_name_for(target);
    auto handle = FileHandle::create_new(temp, target);
    if (!handle)
        return tl::unexpected(handle.error());
    pending_.push_back({temp, target});
    if (auto r = handle->write_all(bytes); !r)
        return r;
    return handle->close();
}

core::Result<WriteOutcome> AtomicBatch::add_if_changed(const std::filesystem::path& target,
                                                       std::string_view bytes) {
    return unless_same(target, bytes, [&] { return add(target, bytes); });
}

core::Result<void> AtomicBatch::commit() {
    if (pending_.empty())
        return {};
    std::set<std::filesystem::path> dirs;
    for (const auto& file : pending_)
        dirs.insert(file.target.parent_path().empty() ? "." : file.target.parent_path());
    if (auto r = sync_filesystem(*dirs.begin()); !r)
        return r;
    // In the order they were added: a reader (and, on a journaling filesystem, a crash) sees
    // a later name replaced only after the earlier ones.
    for (std::size_t renamed = 0; renamed < pending_.size(); ++renamed) {
        const auto& file = pending_[renamed];
        if (std::rename(file.temp.c_str(), file.target.c_str()) != 0) {
            auto error = errno_error("cannot rename into place", file.target);
            // The names before it stay published; this one and the later ones are dropped.
            discard_from(renamed);
            pending_.clear();
            return tl::unexpected(error);
        }
    }
    pending_.clear();
    for (const auto& dir : dirs) {
        if (auto r = sync_directory(dir); !r)
            return r;
    }
    return {};
}

core::Result<WriteOutcome> write_file_if_changed(const std::filesystem::path& path,
                                                 std::string_view bytes) {
    return unless_same(path, bytes, [&] { return write_file_atomic(path, bytes); });
}

}  // namespace chanmirror::io
