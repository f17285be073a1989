#pragma once
// Where hotfixes come from: --patch-instructions PATH is a patch_instructions.json file (for
// every subdir), a directory tree <subdir>/patch_instructions.json, or a patches package
// (.conda/.tar.bz2) holding <subdir>/patch_instructions.json. Without it, an existing
// <channel>/<subdir>/patch_instructions.json is applied, as conda-index does.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/patch_instructions.hpp"

namespace chanmirror::indexer {

class PatchSource {
  public:
    static core::Result<PatchSource> open(const std::optional<std::filesystem::path>& path);

    // The instructions for one subdir, or nullopt when there are none.
    core::Result<std::optional<core::PatchInstructions>> for_subdir(
        const std::filesystem::path& channel, const std::string& subdir) const;

    // True when instructions come from --patch-instructions (they are then also saved as
    // <subdir>/patch_instructions.json so a later plain re-index keeps the hotfixes).
    [[nodiscard]] bool explicit_source() const { return kind_ != Kind::channel_files; }

  private:
    enum class Kind { channel_files, single_file, directory, package };
    Kind kind_ = Kind::channel_files;
    std::filesystem::path path_;
    std::map<std::string, std::string> package_members_;  // "<subdir>/patch_instructions.json"
};

}  // namespace chanmirror::indexer
