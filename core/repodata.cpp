#include "core/repodata.hpp"

#include <algorithm>

namespace chanmirror::core {
namespace {

void append_records(std::string& out, const RecordMap& records) {
    out.push_back('{');
    bool first = true;
    for (const auto& [filename, record] : records) {
        if (!first)
            out.push_back(',');
        first = false;
        out += dump_compact(Json(filename));
        out.push_back(':');
        out += record;
    }
    out.push_back('}');
}

}  // namespace

bool is_conda_filename(std::string_view f) {
    return f.ends_with(".conda");
}
bool is_tar_bz2_filename(std::string_view f) {
    return f.ends_with(".tar.bz2");
}
bool is_package_filename(std::string_view f) {
    return is_conda_filename(f) || is_tar_bz2_filename(f);
}

std::string_view package_stem(std::string_view filename) {
    for (std::string_view ext : {".conda", ".tar.bz2"}) {
        if (filename.ends_with(ext))
            return filename.substr(0, filename.size() - ext.size());
    }
    return filename;
}

std::optional<PackageFilenameParts> split_package_filename(std::string_view filename) {
    const std::string_view stem = package_stem(filename);
    const std::size_t build = stem.rfind('-');
    if (build == std::string_view::npos || build == 0)
        return std::nullopt;
    const std::size_t version = stem.rfind('-', build - 1);
    if (version == std::string_view::npos)
        return std::nullopt;
    return PackageFilenameParts{stem.substr(0, version),
                                stem.substr(version + 1, build - version - 1),
                                stem.substr(build + 1)};
}

bool is_plain_package_filename(std::string_view f) {
    auto unsafe = [](char c) {
        auto u = static_cast<unsigned char>(c);
        return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
    };
    return is_package_filename(f) && !f.starts_with('.') &&
           std::none_of(f.begin(), f.end(), unsafe);
}

RecordMap& RepoData::section_for(std::string_view filename) {
    return is_conda_filename(filename) ? conda_packages : packages;
}

const std::string* RepoData::find_record(const std::string& filename) const {
    for (const RecordMap* section : {&packages, &conda_packages}) {
        if (auto it = section->find(filename); it != section->end())
            return &it->second;
    }
    return nullptr;
}

std::string to_json(const RepoData& repodata) {
    std::string out;
    std::size_t estimate = 128;
    for (const auto* m : {&repodata.packages, &repodata.conda_packages}) {
        for (const auto& [k, v] : *m)
            estimate += k.size() + v.size() + 4;
    }
    out.reserve(estimate);
    // Keys in sorted order: info < packages < packages.conda < removed < repodata_version.
    out += "{\"info\":";
    out += dump_compact(repodata.info);
    out += ",\"packages\":";
    append_records(out, repodata.packages);
    out += ",\"packages.conda\":";
    append_records(out, repodata.conda_packages);
    out += ",\"removed\":";
    out += dump_compact(Json(repodata.removed));
    out += ",\"repodata_version\":";
    out += std::to_string(repodata.repodata_version);
    out.push_back('}');
    return out;
}

}  // namespace chanmirror::core
