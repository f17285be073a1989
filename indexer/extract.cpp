#include "indexer/extract.hpp"

#include <fnmatch.h>
#include <algorithm>
#include <array>
#include <cctype>

#include "core/channeldata.hpp"
#include "core/run_exports.hpp"
#include "core/version.hpp"
#include "indexer/recipe.hpp"
#include "io/package_reader.hpp"

namespace chanmirror::indexer {
namespace {

using core::Json;
namespace fs = std::filesystem;

constexpr std::string_view index_json = "info/index.json";
constexpr std::string_view about_json = "info/about.json";
constexpr std::string_view paths_json = "info/paths.json";
constexpr std::string_view run_exports_json = "info/run_exports.json";
constexpr std::array<std::string_view, 3> recipe_files = {
    "info/recipe/meta.yaml", "info/recipe/meta.yaml.rendered", "info/meta.yaml"};

// index.json keys conda-index drops from records.
constexpr std::array<std::string_view, 10> dropped_keys = {
    "arch",    "has_prefix",     "mtime",   "platform",       "ucs", "requires_features",
    "binstar", "target-triplet", "machine", "operatingsystem"};

// about.json keys channeldata.json can carry.
constexpr std::array<std::string_view, 15> about_keys = {
    "description", "dev_url",  "doc_url",       "doc_source_url", "home",
    "license",     "summary",  "icon_url",      "icon_hash",      "tags",
    "identifiers", "keywords", "recipe_origin", "source_url",     "source_git_url"};

bool is_recipe_file(std::string_view path) {
    return std::find(recipe_files.begin(), recipe_files.end(), path) != recipe_files.end();
}

bool has_recipe(const std::map<std::string, std::string>& members) {
    return std::any_of(recipe_files.begin(), recipe_files.end(),
                       [&](auto r) { return members.contains(std::string(r)); });
}

bool wanted_member(std::string_view path) {
    return path == index_json || path == about_json || path == paths_json ||
           path == run_exports_json || is_recipe_file(path);
}

bool have_everything(const std::map<std::string, std::string>& members) {
    for (auto m : {index_json, about_json, paths_json, run_exports_json}) {
        if (!members.contains(std::string(m)))
            return false;
    }
    return has_recipe(members);
}

// conda-package-handling (and conda-build through it) wrote the top-level info/ files first
// and, until its 2022 fix (PR #102), sorted info/recipe/ in among the payload. So the first
// payload member after index.json ends what the record, run_exports, about and paths need;
// only the recipe, which nothing but channeldata.json uses, may lie beyond (see
// read_recipe_source).
bool payload_begins(const std::map<std::string, std::string>& members, std::string_view next) {
    return members.contains(std::string(index_json)) && !next.starts_with("info/");
}

// Watches the order of a .tar.bz2's first members while its head is read. Only
// conda-package-handling's order (every top-level info/ file before anything else) puts
// info/recipe/ in among the payload. The other writers seen in real channels keep info/ in
// one run: conda-build before it (alphabetical), conda-package-handling since 2022, boa and
// rattler-build (all of info/ first). In their archives a recipe the head did not reach does
// not exist, and is not looked for.
class HeadOrder {
  public:
    explicit HeadOrder(const RecipeWanted& recipe_now) : recipe_now_(recipe_now) {}

    bool stop_before(const std::map<std::string, std::string>& members, std::string_view next) {
        bool top_level_info = next.starts_with("info/") && next.find('/', 5) == next.npos;
        if (!top_level_info)
            past_top_level_info_ = true;
        else if (past_top_level_info_)
            conda_package_handling_order_ = false;
        if (!payload_begins(members, next))
            return false;
        if (conda_package_handling_order_ && !has_recipe(members) && recipe_wanted(members))
            return false;  // on through the payload to the recipe
        return true;
    }
    [[nodiscard]] bool recipe_may_follow() const { return conda_package_handling_order_; }

  private:
    bool recipe_wanted(const std::map<std::string, std::string>& members) {
        if (!asked_) {
            asked_ = true;
            wanted_ = recipe_now_ && recipe_now_(members.at(std::string(index_json)));
        }
        return wanted_;
    }

    const RecipeWanted& recipe_now_;
    bool asked_ = false;
    bool wanted_ = false;
    bool past_top_level_info_ = false;
    bool conda_package_handling_order_ = true;
};

// conda-index takes the first recipe file the archive holds.
Json recipe_source(const io::PackageContents& contents) {
    for (const auto& name : contents.member_order) {
        if (is_recipe_file(name))
            return recipe_source_fields(contents.members.at(name));
    }
    return Json::object();
}

core::Error metadata_error(const fs::path& path, const std::string& detail) {
    return core::Error{core::ErrorKind::invalid_input, path.filename().string() + ": " + detail};
}

core::Result<Json> parse_member(const io::PackageContents& contents, std::string_view member,
                                const fs::path& path) {
    auto it = contents.members.find(std::string(member));
    if (it == contents.members.end())
        return Json();
    auto parsed =
        core::parse_json(it->second, path.filename().string() + "/" + std::string(member));
    if (!parsed)
        return tl::unexpected(parsed.error());
    return std::move(*parsed);
}

// The post-install facts conda-index derives from info/paths.json.
Json install_flags(const Json& paths) {
    Json flags = {{"binary_prefix", false}, {"text_prefix", false}, {"activate.d", false},
                  {"deactivate.d", false},  {"pre_link", false},    {"post_link", false},
                  {"pre_unlink", false}};
    if (!paths.is_object() || !paths.contains("paths") || !paths["paths"].is_array())
        return flags;
    for (const auto& entry : paths["paths"]) {
        if (!entry.is_object())
            continue;
        if (entry.contains("prefix_placeholder") && !entry["prefix_placeholder"].empty()) {
            auto mode = entry.value("file_mode", std::string());
            if (mode == "binary")
                flags["binary_prefix"] = true;
            if (mode == "text")
                flags["text_prefix"] = true;
        }
        auto p = entry.value("_path", std::string());
        if (p.starts_with("etc/conda/activate.d"))
            flags["activate.d"] = true;
        if (p.starts_with("etc/conda/deactivate.d"))
            flags["deactivate.d"] = true;
        for (auto [pattern, key] :
             {std::pair{"*/.*-pre-link.*", "pre_link"}, std::pair{"*/.*-post-link.*", "post_link"},
              std::pair{"*/.*-pre-unlink.*", "pre_unlink"}}) {
            if (::fnmatch(pattern, p.c_str(), 0) == 0)
                flags[key] = true;
        }
    }
    return flags;
}

Json channel_extras(const io::PackageContents& contents, const Json& about, const Json& paths) {
    Json extras = install_flags(paths);
    if (about.is_object()) {
        for (auto key : about_keys) {
            auto it = about.find(std::string(key));
            if (it != about.end())
                extras[std::string(key)] = *it;
        }
    }
    extras.update(recipe_source(contents));
    return extras;
}

// Clients cannot use a record whose name, version or build they cannot parse, so such
// packages are skipped rather than published.
std::string invalid_identity(const Json& index) {
    const auto& name = index["name"].get_ref<const std::string&>();
    for (unsigned char c : name) {
        if (!(std::isalnum(c) && c < 0x80) && c != '_' && c != '-' && c != '.') {
            return "invalid package name \"" + name + "\"";
        }
    }
    const auto& version = index["version"].get_ref<const std::string&>();
    if (version.find_first_of("- \t") != std::string::npos || !core::Version::parse(version)) {
        return "invalid version \"" + version + "\"";
    }
    const auto& build = index["build"].get_ref<const std::string&>();
    if (build.find_first_of("- \t/") != std::string::npos)
        return "invalid build string \"" + build + "\"";
    if (index.contains("build_number") && !index["build_number"].is_number_unsigned()) {
        return "build_number is not a non-negative integer";
    }
    return {};
}

std::string expected_filename(const Json& index, const fs::path& path) {
    auto ext = path.filename().string().ends_with(".conda") ? ".conda" : ".tar.bz2";
    return index["name"].get<std::string>() + "-" + index["version"].get<std::string>() + "-" +
           index["build"].get<std::string>() + ext;
}

core::Result<Json> make_record(const Json& index, const io::Digests& digests,
                               const fs::path& path) {
    if (index.is_null())
        return tl::unexpected(metadata_error(path, "no info/index.json"));
    if (!index.is_object())
        return tl::unexpected(metadata_error(path, "info/index.json is not an object"));
    for (const char* key : {"name", "version", "build"}) {
        if (!index.contains(key) || !index[key].is_string() ||
            index[key].get<std::string>().empty()) {
            return tl::unexpected(
                metadata_error(path, std::string("info/index.json has no valid \"") + key + "\""));
        }
    }
    if (auto problem = invalid_identity(index); !problem.empty()) {
        return tl::unexpected(metadata_error(path, "info/index.json: " + problem));
    }
    Json record = index;
    for (auto key : dropped_keys)
        record.erase(std::string(key));
    record["md5"] = digests.md5_hex();
    record["sha256"] = digests.sha256_hex();
    record["size"] = digests.size;
    return record;
}

}  // namespace

core::Result<ExtractedPackage> extract_package(const fs::path& path, const RecipeWanted& recipe_now,
                                               const std::optional<io::Digests>& digests) {
    io::ReadRequest request{io::PackageComponent::info, wanted_member, have_everything};
    HeadOrder order(recipe_now);
    request.stop_before = [&order](const auto& members, std::string_view next) {
        return order.stop_before(members, next);
    };
    auto contents = io::read_package(path, request);
    if (!contents)
        return tl::unexpected(contents.error());
    auto hashed = digests ? core::Result<io::Digests>(*digests) : io::hash_file(path);
    if (!hashed)
        return tl::unexpected(hashed.error());
    auto index = parse_member(*contents, index_json, path);
    if (!index)
        return tl::unexpected(index.error());
    auto record = make_record(*index, *hashed, path);
    if (!record)
        return tl::unexpected(record.error());

    ExtractedPackage out;
    out.recipe_deferred =
        contents->stopped_early && !has_recipe(contents->members) && order.recipe_may_follow();
    out.warnings = contents->warnings;
    out.bytes_hashed = hashed->size;
    out.timestamp = core::build_timestamp(*index);
    auto expected = expected_filename(*index, path);
    if (expected != path.filename().string()) {
        out.warnings.push_back("file name disagrees with info/index.json (" + expected + ")");
    }
    // Broken optional metadata is reported, never fatal: the record is what clients need.
    auto about = parse_member(*contents, about_json, path);
    if (!about)
        out.warnings.push_back(about.error().message);
    auto paths = parse_member(*contents, paths_json, path);
    if (!paths)
        out.warnings.push_back(paths.error().message);
    auto exports = parse_member(*contents, run_exports_json, path);
    if (!exports)
        out.warnings.push_back(exports.error().message);

    out.record = core::dump_compact(*record);
    out.run_exports = core::dump_compact(core::normalize_run_exports(exports ? *exports : Json()));
    out.extras = core::dump_compact(
        channel_extras(*contents, about ? *about : Json(), paths ? *paths : Json()));
    return out;
}

core::Result<Json> read_recipe_source(const fs::path& path) {
    io::ReadRequest request{io::PackageComponent::info, is_recipe_file, has_recipe};
    auto contents = io::read_package(path, request);
    if (!contents)
        return tl::unexpected(contents.error());
    return recipe_source(*contents);
}

}  // namespace chanmirror::indexer
