#pragma once
// Repodata hotfixes (patch_instructions.json), applied with conda-index's semantics:
//   - record patches touch only files already present; inside a record new keys are added,
//     lists are replaced, nested objects merged, null deletes a key;
//   - a .tar.bz2 patch also applies to the .conda of the same stem;
//   - "revoke" sets revoked=true and adds the package_has_been_revoked dependency;
//   - "remove" drops the record and lists the file under "removed" (sorted).

#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"

namespace chanmirror::core {

class PatchInstructions {
  public:
    // Refuses versions it does not know (> 2); version 2 (CEP 21) may patch run_exports.
    static Result<PatchInstructions> parse(Json document, std::string_view what);
    static Result<PatchInstructions> parse_text(std::string_view text, std::string_view what);

    [[nodiscard]] bool empty() const;
    [[nodiscard]] const Json& document() const { return document_; }

  private:
    explicit PatchInstructions(Json document) : document_(std::move(document)) {}
    Json document_;
};

// Applies the instructions in place. Records are JSON text, so only patched ones are
// re-serialised; everything else keeps its bytes.
void apply_patches(RepoData& repodata, const PatchInstructions& instructions);

// CEP 21: version-2 instructions may carry "run_exports" in a record patch.
void apply_run_exports_patches(RunExportsMap& run_exports, const PatchInstructions& instructions);

}  // namespace chanmirror::core
