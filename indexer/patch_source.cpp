#include "indexer/patch_source.hpp"

#include "core/repodata.hpp"
#include "io/file_handle.hpp"
#include "io/package_reader.hpp"

namespace chanmirror::indexer {

namespace fs = std::filesystem;
constexpr std::string_view file_name = "patch_instructions.json";

namespace {

core::Result<std::optional<core::PatchInstructions>> parse_file(const fs::path& path) {
    auto text = io::read_file(path);
    if (!text) {
        if (text.error().kind == core::ErrorKind::not_found)
            return std::nullopt;
        return tl::unexpected(text.error());
    }
    auto parsed = core::PatchInstructions::parse_text(*text, path.string());
    if (!parsed)
        return tl::unexpected(parsed.error());
    return std::optional<core::PatchInstructions>(std::move(*parsed));
}

}  // namespace

core::Result<PatchSource> PatchSource::open(const std::optional<fs::path>& path) {
    PatchSource source;
    if (!path)
        return source;
    source.path_ = *path;
    std::error_code ec;
    if (fs::is_directory(*path, ec)) {
        source.kind_ = Kind::directory;
    } else if (core::is_package_filename(path->filename().string())) {
        source.kind_ = Kind::package;
        io::ReadRequest request{io::PackageComponent::pkg, [](std::string_view member) {
                                    return member.ends_with("/patch_instructions.json");
                                }};
        auto contents = io::read_package(*path, request);
        if (!contents)
            return tl::unexpected(contents.error().with_context("patch package"));
        source.package_members_ = std::move(contents->members);
    } else if (fs::is_regular_file(*path, ec)) {
        source.kind_ = Kind::single_file;
    } else {
        return core::fail(core::ErrorKind::not_found,
                          "--patch-instructions " + path->string() + ": no such file or directory");
    }
    return source;
}

core::Result<std::optional<core::PatchInstructions>> PatchSource::for_subdir(
    const fs::path& channel, const std::string& subdir) const {
    switch (kind_) {
        case Kind::channel_files:
            return parse_file(channel / subdir / file_name);
        case Kind::single_file:
            return parse_file(path_);
        case Kind::directory:
            return parse_file(path_ / subdir / file_name);
        case Kind::package: {
            auto it = package_members_.find(subdir + "/" + std::string(file_name));
            if (it == package_members_.end())
                return std::nullopt;
            auto what = path_.filename().string() + ":" + it->first;
            auto parsed = core::PatchInstructions::parse_text(it->second, what);
            if (!parsed)
                return tl::unexpected(parsed.error());
            return std::optional<core::PatchInstructions>(std::move(*parsed));
        }
    }
    return std::nullopt;
}

}  // namespace chanmirror::indexer
