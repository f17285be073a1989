#pragma once
// The repodata.json document. Records are kept as compact JSON text so a mirror can publish
// upstream records exactly as upstream wrote them (unknown keys and hotfixes included) and
// the indexer can publish records it built itself through the same writer.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"

namespace chanmirror::core {

// File name -> compact record JSON, sorted by file name (conda-index's sort_keys order).
using RecordMap = std::map<std::string, std::string>;

struct RepoData {
    Json info = Json::object();  // {"subdir": ...} and optionally "base_url" (CEP-15)
    RecordMap packages;          // *.tar.bz2
    RecordMap conda_packages;    // *.conda ("packages.conda")
    std::vector<std::string> removed;
    int repodata_version = 1;  // 2 only with info.base_url (CEP-15)

    [[nodiscard]] std::size_t size() const { return packages.size() + conda_packages.size(); }
    // The map a file name belongs in, by its extension.
    RecordMap& section_for(std::string_view filename);
    // The record of `filename` in either map (upstream may file a name under the other one,
    // and conda reads both), or nullptr.
    [[nodiscard]] const std::string* find_record(const std::string& filename) const;
};

// Byte-exact conda-index output: sorted keys, compact separators, ASCII escapes,
// no trailing newline.
std::string to_json(const RepoData& repodata);

// Parses repodata.json with simdjson. Each record keeps its own bytes (minified if upstream
// pretty-printed). `text` is consumed to avoid copying hundreds of megabytes.
Result<RepoData> parse_repodata(std::string&& text, std::string_view what);

bool is_package_filename(std::string_view filename);
// A package file name that is safe to join to a directory: no separators, no control bytes,
// not hidden. Upstream repodata keys become local paths, so a mirror checks every one.
bool is_plain_package_filename(std::string_view filename);
bool is_conda_filename(std::string_view filename);
bool is_tar_bz2_filename(std::string_view filename);

// A file name without its package extension (.conda or .tar.bz2), if it has one.
std::string_view package_stem(std::string_view filename);

// "<name>-<version>-<build>.ext" (CEP 26) split at its last two dashes, since only a name may
// hold dashes; the extension, if any, is dropped. nullopt when there are fewer than two
// dashes or the last is the first character. Parts may be empty ("-1.0-0": no name).
struct PackageFilenameParts {
    std::string_view name;
    std::string_view version;
    std::string_view build;
};
std::optional<PackageFilenameParts> split_package_filename(std::string_view filename);

}  // namespace chanmirror::core
