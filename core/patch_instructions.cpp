#include "core/patch_instructions.hpp"

#include <algorithm>

namespace chanmirror::core {
namespace {

constexpr std::string_view tar_bz2 = ".tar.bz2";

std::string conda_twin(std::string_view filename) {
    if (!filename.ends_with(tar_bz2))
        return std::string(filename);
    return std::string(filename.substr(0, filename.size() - tar_bz2.size())) + ".conda";
}

// conda-build's merge_or_update_dict(merge=False) on one record.
void merge_record(Json& base, const Json& patch) {
    for (const auto& [key, value] : patch.items()) {
        if (value.is_null()) {
            base.erase(key);
        } else if (value.is_object()) {
            auto it = base.find(key);
            if (it == base.end() || !it->is_object()) {
                base[key] = value;
            } else {
                merge_record(*it, value);
            }
        } else {
            base[key] = value;  // scalars and lists are replaced
        }
    }
}

void patch_record(RecordMap& records, const std::string& filename, const Json& patch) {
    auto it = records.find(filename);
    if (it == records.end() || !patch.is_object())
        return;
    Json record = Json::parse(it->second, nullptr, false);
    if (!record.is_object())
        return;
    Json record_patch = patch;
    record_patch.erase("run_exports");  // CEP 21: run_exports live in shards, not in records
    merge_record(record, record_patch);
    it->second = dump_compact(record);
}

void patch_section(RecordMap& records, const Json& patches, bool to_conda_twin) {
    if (!patches.is_object())
        return;
    for (const auto& [filename, patch] : patches.items()) {
        patch_record(records, to_conda_twin ? conda_twin(filename) : filename, patch);
    }
}

void revoke(RecordMap& records, const std::string& filename) {
    auto it = records.find(filename);
    if (it == records.end())
        return;
    Json record = Json::parse(it->second, nullptr, false);
    if (!record.is_object())
        return;
    record["revoked"] = true;
    if (!record["depends"].is_array())
        record["depends"] = Json::array();
    record["depends"].push_back("package_has_been_revoked");
    it->second = dump_compact(record);
}

template <typename Action>
void for_each_listed(const Json& list, RepoData& repodata, Action action) {
    if (!list.is_array())
        return;
    for (const auto& item : list) {
        if (!item.is_string())
            continue;
        const auto& filename = item.get_ref<const std::string&>();
        action(repodata.packages, filename);
        action(repodata.conda_packages, conda_twin(filename));
    }
}

}  // namespace

Result<PatchInstructions> PatchInstructions::parse(Json document, std::string_view what) {
    if (!document.is_object()) {
        return fail(ErrorKind::invalid_input,
                    std::string(what) + ": patch instructions must be a JSON object");
    }
    auto version = document.value("patch_instructions_version", Json(1));
    if (!version.is_number_integer() || version.get<long long>() > 2) {
        return fail(ErrorKind::unsupported, std::string(what) +
                                                ": incompatible patch_instructions_version " +
                                                version.dump() + " (known: 1, 2)");
    }
    return PatchInstructions(std::move(document));
}

Result<PatchInstructions> PatchInstructions::parse_text(std::string_view text,
                                                        std::string_view what) {
    auto document = parse_json(text, what);
    if (!document)
        return tl::unexpected(document.error());
    return parse(std::move(*document), what);
}

bool PatchInstructions::empty() const {
    for (const char* key : {"packages", "packages.conda", "remove", "revoke"}) {
        auto it = document_.find(key);
        if (it != document_.end() && !it->empty())
            return false;
    }
    return true;
}

void apply_patches(RepoData& repodata, const PatchInstructions& instructions) {
    const Json& doc = instructions.document();
    static const Json none = Json::object();
    const Json& packages = doc.contains("packages") ? doc["packages"] : none;
    patch_section(repodata.packages, packages, false);
    patch_section(repodata.conda_packages, packages, true);
    if (doc.contains("packages.conda"))
        patch_section(repodata.conda_packages, doc["packages.conda"], false);
    if (doc.contains("revoke")) {
        for_each_listed(
            doc["revoke"], repodata,
            [](RecordMap& records, const std::string& filename) { revoke(records, filename); });
    }
    if (doc.contains("remove")) {
        for_each_listed(doc["remove"], repodata,
                        [&](RecordMap& records, const std::string& filename) {
                            if (records.erase(filename) > 0)
                                repodata.removed.push_back(filename);
                        });
    }
    std::sort(repodata.removed.begin(), repodata.removed.end());
}

void apply_run_exports_patches(RunExportsMap& run_exports, const PatchInstructions& instructions) {
    const Json& doc = instructions.document();
    if (doc.value("patch_instructions_version", 1) < 2)
        return;
    for (const char* section : {"packages", "packages.conda"}) {
        if (!doc.contains(section) || !doc[section].is_object())
            continue;
        for (const auto& [filename, patch] : doc[section].items()) {
            if (!patch.is_object() || !patch.contains("run_exports"))
                continue;
            run_exports[filename] = patch["run_exports"];
            if (std::string_view(section) == "packages")
                run_exports[conda_twin(filename)] = patch["run_exports"];
        }
    }
}

}  // namespace chanmirror::core
