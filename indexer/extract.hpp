#pragma once
// One package file -> what the index needs from it: the repodata record (conda-index's
// field set), its run_exports, and the about/recipe/paths facts channeldata.json uses.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "io/hashing.hpp"

namespace chanmirror::indexer {

struct ExtractedPackage {
    std::string record;       // compact JSON, conda-index's key set incl. md5/sha256/size
    std::string run_exports;  // compact JSON object, {} when none
    std::string extras;       // compact JSON object of channeldata inputs (about, recipe, flags)
    std::vector<std::string> warnings;
    std::uint64_t bytes_hashed = 0;
    // A .tar.bz2 read only up to its payload, with no recipe before it: extras lack the
    // recipe's fields until read_recipe_source fills them in.
    bool recipe_deferred = false;
    double timestamp = 0;  // the record's, as channeldata.json compares builds
};

// Asked at most once, when a .tar.bz2 read in conda-package-handling's order reaches its
// payload with the recipe still ahead: whether to read on to it now (for a package whose
// recipe channeldata.json surely uses) instead of leaving it for read_recipe_source. Given the
// package's info/index.json text.
using RecipeWanted = std::function<bool(std::string_view index_json)>;

// `digests`: the file's, as io::hash_files computed them; without them the file is hashed
// first with io::hash_file.
core::Result<ExtractedPackage> extract_package(const std::filesystem::path& path,
                                               const RecipeWanted& recipe_now = nullptr,
                                               const std::optional<io::Digests>& digests = {});

// The recipe's channeldata fields ({"source_url": ...}) from a full read of the package.
core::Result<core::Json> read_recipe_source(const std::filesystem::path& path);

}  // namespace chanmirror::indexer
