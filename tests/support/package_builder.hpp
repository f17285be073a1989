#pragma once
// Builds real conda packages (.conda and .tar.bz2) with libarchive, so tests can cover odd
// metadata, non-ASCII fields and large payloads beside the real fixture packages.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace chanmirror::test {

// The member order of a .tar.bz2, as the tools that write them choose it.
enum class TarOrder {
    conda_package_handling,  // top-level info/ files first, the rest (info/recipe/ too) by ext
    alphabetical,            // conda-build before conda-package-handling
    info_first,              // boa and rattler-build: all of info/, then the payload
};

struct PackageSpec {
    std::string name = "example";
    std::string version = "1.0";
    std::string build = "0";
    int build_number = 0;
    std::string subdir = "noarch";
    nlohmann::json index_extra = nlohmann::json::object();  // merged into info/index.json
    std::map<std::string, std::string> info_files;          // e.g. "info/about.json" -> text
    std::map<std::string, std::string> pkg_files;           // payload members, e.g. patches
    std::uint64_t payload_bytes = 64;                       // pseudo-random bytes in the payload
    bool compressible_payload = false;  // text-like pages, as real payloads, instead of noise
    bool write_index_json = true;
    TarOrder tar_order = TarOrder::conda_package_handling;
    // conda_package_handling's order of member groups (see build_tar_bz2); 0: by name.
    std::uint64_t group_order_seed = 0;

    [[nodiscard]] std::string stem() const { return name + "-" + version + "-" + build; }
    [[nodiscard]] nlohmann::json index_json() const;
};

// Writes <dir>/<stem>.conda or .tar.bz2 and returns its path. A .tar.bz2 holds its members
// in spec.tar_order; conda-package-handling's groups members by extension (or, without one,
// by directory) and orders the groups by Python's per-process string hash, which
// spec.group_order_seed stands for.
std::filesystem::path build_conda(const std::filesystem::path& dir, const PackageSpec& spec);
std::filesystem::path build_tar_bz2(const std::filesystem::path& dir, const PackageSpec& spec);

// `size` bytes that do not compress, the same for the same seed.
std::string random_bytes(std::size_t size, unsigned seed);

// Bytes that compress about as real package payloads do (~2.5x with bzip2).
std::string compressible_text(std::uint64_t bytes, std::uint64_t seed);

// `data` as one bzip2 stream (libbz2 through libarchive), with blocks of level * 100 kB.
std::string bzip2_compress(const std::string& data, int level = 9);

}  // namespace chanmirror::test
