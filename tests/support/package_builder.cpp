#include "tests/support/package_builder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace chanmirror::test {
namespace {

namespace fs = std::filesystem;

struct WriteFree {
    void operator()(archive* a) const { archive_write_free(a); }
};
using Writer = std::unique_ptr<archive, WriteFree>;

void check(archive* a, int rc, const char* what) {
    if (rc < ARCHIVE_WARN) {
        throw std::runtime_error(std::string(what) + ": " + (archive_error_string(a) ?: "?"));
    }
}

la_ssize_t append_to_string(archive*, void* out, const void* buffer, size_t length) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
}

void add_entry(archive* a, const std::string& path, const std::string& data) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                    archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_mtime(e.get(), 1700000000, 0);
    check(a, archive_write_header(a, e.get()), "write header");
    if (!data.empty() && archive_write_data(a, data.data(), data.size()) < 0) {
        check(a, ARCHIVE_FATAL, "write data");
    }
}

std::string random_bytes(std::uint64_t bytes, std::mt19937_64& rng) {
    std::string out(bytes, '\0');
    for (auto& c : out)
        c = static_cast<char>(rng());
    return out;
}

// Text-like 4 KiB pages (words from a small vocabulary) among random ones: compresses about
// as well as real package payloads (~2.5x with bzip2).
std::string compressible_bytes(std::uint64_t bytes, std::mt19937_64& rng) {
    std::vector<std::string> words(512);
    for (auto& w : words) {
        w.resize(3 + rng() % 8);
        for (auto& c : w)
            c = static_cast<char>('a' + rng() % 26);
    }
    std::string out;
    out.reserve(bytes);
    while (out.size() < bytes) {
        std::size_t page = std::min<std::uint64_t>(4096, bytes - out.size());
        if (rng() % 4 == 0) {
            out += random_bytes(page, rng);
            continue;
        }
        std::string text;
        while (text.size() < page)
            text += words[rng() % words.size()] + (rng() % 8 == 0 ? "\n" : " ");
        out += text.substr(0, page);
    }
    return out;
}

std::string payload(const PackageSpec& spec) {
    std::mt19937_64 rng(std::hash<std::string>{}(spec.stem()));
    return spec.compressible_payload ? compressible_bytes(spec.payload_bytes, rng)
                                     : random_bytes(spec.payload_bytes, rng);
}

std::map<std::string, std::string> info_members(const PackageSpec& spec) {
    std::map<std::string, std::string> files = spec.info_files;
    if (spec.write_index_json && !files.contains("info/index.json")) {
        files["info/index.json"] = spec.index_json().dump(2);
    }
    return files;
}

using Members = std::vector<std::pair<std::string, std::string>>;

// conda-package-handling's member order for .tar.bz2: the top-level info/ files first, then
// everything else (info/recipe/ included) in groups, by size within each. A group is an
// extension, or the directory of files without one; the groups follow Python's string hash,
// which is random per build process. Seed 0 orders them by name (one such order).
Members conda_build_order(const std::map<std::string, std::string>& files, std::uint64_t seed) {
    auto key = [seed](const std::pair<std::string, std::string>& m) {
        fs::path path = m.first;
        bool top_level_info = path.parent_path() == "info";
        std::string group = path.extension().string();
        if (group.empty())
            group = "1" + path.parent_path().string();
        std::uint64_t rank = 0;
        if (seed != 0 && !top_level_info) {
            std::mt19937_64 hash(seed ^ std::hash<std::string>{}(group));
            rank = hash();
        }
        return std::tuple(!top_level_info, rank, top_level_info ? "" : group, m.second.size());
    };
    Members members(files.begin(), files.end());
    std::stable_sort(members.begin(), members.end(),
                     [&](const auto& a, const auto& b) { return key(a) < key(b); });
    return members;
}

Members tar_order(const std::map<std::string, std::string>& files, TarOrder order,
                  std::uint64_t seed) {
    if (order == TarOrder::conda_package_handling)
        return conda_build_order(files, seed);
    Members members(files.begin(), files.end());  // alphabetical
    if (order == TarOrder::info_first) {
        std::stable_partition(members.begin(), members.end(),
                              [](const auto& m) { return m.first.starts_with("info/"); });
    }
    return members;
}

// A tar (bzip2 or zstd filtered) of `files`, in memory, in the given order.
std::string make_tar(const Members& files, bool zstd) {
    std::string out;
    Writer a(archive_write_new());
    zstd ? archive_write_add_filter_zstd(a.get()) : archive_write_add_filter_bzip2(a.get());
    archive_write_set_format_pax_restricted(a.get());
    archive_write_set_bytes_in_last_block(a.get(), 1);
    check(a.get(), archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr),
          "open tar");
    for (const auto& [path, data] : files)
        add_entry(a.get(), path, data);
    check(a.get(), archive_write_close(a.get()), "close tar");
    return out;
}

void write_file(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        throw std::runtime_error("cannot write " + path.string());
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
}

}  // namespace

std::string compressible_text(std::uint64_t bytes, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    return compressible_bytes(bytes, rng);
}

nlohmann::json PackageSpec::index_json() const {
    nlohmann::json index = {{"name", name},     {"version", version},
                            {"build", build},   {"build_number", build_number},
                            {"subdir", subdir}, {"depends", nlohmann::json::array()}};
    index.update(index_extra);
    return index;
}

std::string bzip2_compress(const std::string& data, int level) {
    std::string out;
    Writer a(archive_write_new());
    archive_write_add_filter_bzip2(a.get());
    check(a.get(),
          archive_write_set_filter_option(a.get(), "bzip2", "compression-level",
                                          std::to_string(level).c_str()),
          "bzip2 level");
    archive_write_set_format_raw(a.get());
    archive_write_set_bytes_in_last_block(a.get(), 1);
    check(a.get(), archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr),
          "open raw");
    add_entry(a.get(), "data", data);
    check(a.get(), archive_write_close(a.get()), "close raw");
    return out;
}

fs::path build_tar_bz2(const fs::path& dir, const PackageSpec& spec) {
    auto files = info_members(spec);
    files["lib/" + spec.name + ".bin"] = payload(spec);
    files.insert(spec.pkg_files.begin(), spec.pkg_files.end());
    auto path = dir / (spec.stem() + ".tar.bz2");
    write_file(path,
               make_tar(tar_order(files, spec.tar_order, spec.group_order_seed), /*zstd=*/false));
    return path;
}

fs::path build_conda(const fs::path& dir, const PackageSpec& spec) {
    std::map<std::string, std::string> pkg = spec.pkg_files;
    pkg["lib/" + spec.name + ".bin"] = payload(spec);
    std::string zip;
    Writer a(archive_write_new());
    archive_write_set_format_zip(a.get());
    archive_write_set_options(a.get(), "zip:compression=store");
    check(a.get(), archive_write_open(a.get(), &zip, nullptr, append_to_string, nullptr),
          "open zip");
    add_entry(a.get(), "metadata.json", R"({"conda_pkg_format_version": 2})");
    auto info = info_members(spec);
    add_entry(a.get(), "pkg-" + spec.stem() + ".tar.zst", make_tar({pkg.begin(), pkg.end()}, true));
    add_entry(a.get(), "info-" + spec.stem() + ".tar.zst",
              make_tar({info.begin(), info.end()}, true));
    check(a.get(), archive_write_close(a.get()), "close zip");
    auto path = dir / (spec.stem() + ".conda");
    write_file(path, zip);
    return path;
}

std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(size, '\0');
    for (auto& c : out)
        c = static_cast<char>(rng());
    return out;
}

}  // namespace chanmirror::test
