#include "io/package_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <optional>
#include <span>

#include "io/bzip2_reader.hpp"
#include "io/file_handle.hpp"

namespace chanmirror::io {
namespace {

namespace fs = std::filesystem;
// Heads are a few KiB to a bzip2 block; nothing is hashed here, so larger reads only copy
// bytes nobody looks at.
constexpr std::size_t read_chunk = std::size_t{64} << 10;

struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// The file as libarchive sees it, read a chunk at a time.
struct FileSource {
    FileHandle file;
    std::vector<unsigned char> buffer = std::vector<unsigned char>(read_chunk);
    core::Error error;
    bool failed = false;

    // The next chunk of the file; empty at its end.
    core::Result<std::span<const std::uint8_t>> next_chunk() {
        auto n = file.read(buffer.data(), buffer.size());
        if (!n) {
            failed = true;
            error = n.error();
            return tl::unexpected(n.error());
        }
        return std::span<const std::uint8_t>(buffer.data(), *n);
    }

    static la_ssize_t read(archive*, void* self, const void** out) {
        auto chunk = static_cast<FileSource*>(self)->next_chunk();
        if (!chunk)
            return -1;
        *out = chunk->data();
        return static_cast<la_ssize_t>(chunk->size());
    }

    // Moves past bytes libarchive does not need without reading them (a .conda's other
    // member). 0 makes libarchive read instead.
    static la_int64_t skip(archive*, void* self, la_int64_t request) {
        auto* s = static_cast<FileSource*>(self);
        return ::lseek(s->file.fd(), request, SEEK_CUR) < 0 ? 0 : request;
    }
};

// The tar inside a .tar.bz2 as libarchive sees it: decoded by Bzip2Reader from the file's
// chunks, a little at a time, so reading stops where the tar walk stops.
struct Bzip2TarSource {
    explicit Bzip2TarSource(FileSource& source)
        : reader([&source] { return source.next_chunk(); }) {}

    Bzip2Reader reader;
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(std::size_t{64} << 10);
    std::optional<core::Error> error;

    static la_ssize_t read(archive*, void* self, const void** out) {
        auto* s = static_cast<Bzip2TarSource*>(self);
        auto n = s->reader.read(s->buffer);
        if (!n) {
            s->error = n.error();
            return -1;
        }
        *out = s->buffer.data();
        return static_cast<la_ssize_t>(*n);
    }
};

// An inner archive (info-*.tar.zst) read straight out of the outer ZIP entry.
struct EntrySource {
    archive* outer;
    std::vector<char> buffer = std::vector<char>(std::size_t{256} << 10);

    static la_ssize_t read(archive*, void* self, const void** out) {
        auto* s = static_cast<EntrySource*>(self);
        la_ssize_t n = archive_read_data(s->outer, s->buffer.data(), s->buffer.size());
        *out = s->buffer.data();
        return n;
    }
};

std::string normalise(std::string_view path) {
    while (path.starts_with("./"))
        path.remove_prefix(2);
    return std::string(path);
}

std::string archive_message(archive* a) {
    const char* s = archive_error_string(a);
    return s ? s : "unknown archive error";
}

core::Error corrupt(const fs::path& path, std::string_view detail) {
    return core::Error{core::ErrorKind::invalid_input,
                       path.filename().string() + ": " + std::string(detail)};
}

core::Result<std::string> read_entry_data(archive* a, const fs::path& path, std::string_view name,
                                          std::size_t limit) {
    std::string data;
    char buffer[64 << 10];
    for (;;) {
        la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
        if (n < 0)
            return tl::unexpected(corrupt(path, std::string(name) + ": " + archive_message(a)));
        if (n == 0)
            return data;
        data.append(buffer, static_cast<std::size_t>(n));
        if (data.size() > limit) {
            return tl::unexpected(corrupt(
                path, std::string(name) + " is larger than " + std::to_string(limit) + " bytes"));
        }
    }
}

// Walks a tar stream, capturing wanted members until the request is complete or, when
// `may_stop_early`, its stop_before says the rest is not needed.
core::Result<void> walk_tar(archive* a, const fs::path& path, const ReadRequest& request,
                            bool may_stop_early, PackageContents& out) {
    archive_entry* entry = nullptr;
    while (!request.complete(out.members)) {
        int rc = archive_read_next_header(a, &entry);
        if (rc == ARCHIVE_EOF)
            return {};
        if (rc < ARCHIVE_WARN)
            return tl::unexpected(corrupt(path, archive_message(a)));
        const char* raw_name = archive_entry_pathname(entry);
        std::string name = normalise(raw_name ? raw_name : "");
        auto type = archive_entry_filetype(entry);
        if (may_stop_early && type != AE_IFDIR && request.stop_before(out.members, name)) {
            out.stopped_early = true;
            return {};
        }
        if (type != AE_IFREG || !request.wanted(name))
            continue;
        if (out.members.contains(name))
            continue;
        auto data = read_entry_data(a, path, name, request.max_member_size);
        if (!data)
            return tl::unexpected(data.error());
        if (raw_name && std::string_view(raw_name).starts_with("./") && !out.dot_slash_warned) {
            out.warnings.push_back("members are prefixed with './' (" + std::string(raw_name) +
                                   ")");
            out.dot_slash_warned = true;
        }
        out.member_order.push_back(name);
        out.members.emplace(std::move(name), std::move(*data));
    }
    out.stopped_early = true;
    return {};
}

ArchivePtr open_zstd_tar(archive_read_callback* read, void* source) {
    ArchivePtr a(archive_read_new());
    archive_read_support_filter_zstd(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open(a.get(), source, nullptr, read, nullptr) != ARCHIVE_OK)
        return ArchivePtr();
    return a;
}

// True when the file's last bytes end a bzip2 stream.
bool ends_with_bzip2_stream_end(FileHandle& file, std::uint64_t size) {
    std::array<std::uint8_t, bzip2_stream_end_bytes> tail{};
    if (size < tail.size())
        return false;
    auto n = file.pread(tail.data(), tail.size(), size - tail.size());
    return n && *n == tail.size() && ends_bzip2_stream(tail);
}

bool may_stop_tar_bz2_early(const ReadRequest& request, FileHandle& file) {
    struct stat st {};
    if (!request.stop_before || ::fstat(file.fd(), &st) != 0)
        return false;
    auto size = static_cast<std::uint64_t>(st.st_size);
    return size > small_archive_bytes && ends_with_bzip2_stream_end(file, size);
}

core::Result<void> read_tar_bz2(FileSource& source, const fs::path& path,
                                const ReadRequest& request, PackageContents& out) {
    bool may_stop_early = may_stop_tar_bz2_early(request, source.file);
    Bzip2TarSource tar(source);
    ArchivePtr a(archive_read_new());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    auto failure = [&]() -> std::optional<core::Error> {
        if (source.failed)
            return source.error;
        if (tar.error)
            return corrupt(path, tar.error->message);
        return std::nullopt;
    };
    if (archive_read_open(a.get(), &tar, nullptr, &Bzip2TarSource::read, nullptr) != ARCHIVE_OK) {
        if (auto error = failure())
            return tl::unexpected(*error);
        return tl::unexpected(corrupt(path, archive_message(a.get())));
    }
    auto walked = walk_tar(a.get(), path, request, may_stop_early, out);
    if (auto error = failure())
        return tl::unexpected(*error);
    return walked;
}

bool is_component_entry(std::string_view name, PackageComponent component) {
    std::string_view prefix = component == PackageComponent::info ? "info-" : "pkg-";
    return name.starts_with(prefix) && name.ends_with(".tar.zst");
}

enum class ZipWalk { done, needs_seekable };

// Finds the component member in an opened ZIP and walks its tar. A streamed entry whose
// sizes only follow its data (ZIP data descriptor) cannot be skipped without buffering it,
// so such archives are handed to the seekable reader instead.
core::Result<ZipWalk> walk_conda_zip(archive* zip, const fs::path& path, const ReadRequest& request,
                                     bool streaming, const FileSource* source,
                                     PackageContents& out) {
    archive_entry* entry = nullptr;
    std::vector<std::string> names;
    auto source_failed = [&] { return source && source->failed; };
    for (;;) {
        int rc = archive_read_next_header(zip, &entry);
        if (source_failed())
            return tl::unexpected(source->error);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN)
            return tl::unexpected(corrupt(path, archive_message(zip)));
        std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
        names.push_back(name);
        if (!is_component_entry(name, request.component)) {
            if (streaming && !archive_entry_size_is_set(entry))
                return ZipWalk::needs_seekable;
            continue;
        }
        EntrySource inner{zip};
        ArchivePtr tar = open_zstd_tar(&EntrySource::read, &inner);
        if (!tar)
            return tl::unexpected(corrupt(path, name + ": not a zstd tar"));
        auto walked = walk_tar(tar.get(), path, request, /*may_stop_early=*/false, out);
        if (source_failed())
            return tl::unexpected(source->error);
        if (!walked)
            return tl::unexpected(walked.error());
        return ZipWalk::done;  // the rest of the file is not read
    }
    std::string listing;
    for (const auto& n : names)
        listing += (listing.empty() ? "" : ", ") + n;
    return tl::unexpected(corrupt(
        path,
        std::string("no ") + (request.component == PackageComponent::info ? "info-" : "pkg-") +
            "*.tar.zst at the archive root (members: " + (listing.empty() ? "none" : listing) +
            ")"));
}

core::Result<ZipWalk> read_conda_streaming(FileSource& source, const fs::path& path,
                                           const ReadRequest& request, PackageContents& out) {
    ArchivePtr zip(archive_read_new());
    archive_read_support_format_zip_streamable(zip.get());
    archive_read_set_callback_data(zip.get(), &source);
    archive_read_set_read_callback(zip.get(), &FileSource::read);
    archive_read_set_skip_callback(zip.get(), &FileSource::skip);
    if (archive_read_open1(zip.get()) != ARCHIVE_OK) {
        if (source.failed)
            return tl::unexpected(source.error);
        return tl::unexpected(corrupt(path, "not a ZIP archive: " + archive_message(zip.get())));
    }
    return walk_conda_zip(zip.get(), path, request, /*streaming=*/true, &source, out);
}

// The path for odd archives: the central directory locates members.
core::Result<void> read_conda_seekable(const fs::path& path, const ReadRequest& request,
                                       PackageContents& out) {
    ArchivePtr zip(archive_read_new());
    archive_read_support_format_zip_seekable(zip.get());
    if (archive_read_open_filename(zip.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
        return tl::unexpected(corrupt(path, "not a ZIP archive: " + archive_message(zip.get())));
    }
    auto walked = walk_conda_zip(zip.get(), path, request, /*streaming=*/false, nullptr, out);
    if (!walked)
        return tl::unexpected(walked.error());
    return {};
}

}  // namespace

core::Result<PackageContents> read_package(const fs::path& path, const ReadRequest& request) {
    auto name = path.filename().string();
    PackageContents out;
    if (name.ends_with(".conda")) {
        out.format = PackageFormat::conda;
    } else if (name.ends_with(".tar.bz2")) {
        out.format = PackageFormat::tar_bz2;
    } else {
        return core::fail(core::ErrorKind::invalid_input, name + ": not a .conda or .tar.bz2 file");
    }
    auto file = FileHandle::open_read(path);
    if (!file)
        return tl::unexpected(file.error());
    FileSource source{std::move(*file), std::vector<unsigned char>(read_chunk), {}, false};
    if (out.format == PackageFormat::conda) {
        auto walked = read_conda_streaming(source, path, request, out);
        if (!walked)
            return tl::unexpected(walked.error());
        if (*walked == ZipWalk::needs_seekable) {
            out.members.clear();
            if (auto r = read_conda_seekable(path, request, out); !r)
                return tl::unexpected(r.error());
            return out;
        }
    } else if (auto read = read_tar_bz2(source, path, request, out); !read) {
        return tl::unexpected(read.error());
    }
    return out;
}

}  // namespace chanmirror::io
