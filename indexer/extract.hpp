#pragma once
// One package file -> what the index needs from it: the repodata record (conda-index's
// field set), its run_exports, and the about/recipe/paths facts channeldata.json uses.

#include <filesystem>
#include <optional>
#include <string>
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
};

// `recipe_now`: a recipe that conda-package-handling sorted in among the payload is read in
// this same pass (for a package whose recipe channeldata.json surely uses) instead of being
// left for read_recipe_source. `digests`: the file's, when the caller hashed it already
// (io::hash_files); otherwise the file is hashed as it is read.
core::Result<ExtractedPackage> extract_package(const std::filesystem::path& path,
                                               bool recipe_now = false,
                                               const std::optional<io::Digests>& digests = {});

// The recipe's channeldata fields ({"source_url": ...}) from a full read of the package.
core::Result<core::Json> read_recipe_source(const std::filesystem::path& path);

}  // namespace chanmirror::indexer
