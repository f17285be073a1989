#include "core/channeldata.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "core/version.hpp"

namespace chanmirror::core {
namespace {

// Fields where the newest version's value wins.
constexpr std::array<const char*, 16> newest_wins = {
    "description", "dev_url",        "doc_url",       "doc_source_url", "home",      "license",
    "source_url",  "source_git_url", "summary",       "icon_url",       "icon_hash", "tags",
    "identifiers", "keywords",       "recipe_origin", "version"};

// Fields that are true when any build says so.
constexpr std::array<const char*, 7> any_true = {"binary_prefix", "text_prefix", "activate.d",
                                                 "deactivate.d",  "pre_link",    "post_link",
                                                 "pre_unlink"};

// Python truthiness, which conda-index's merge relies on.
bool truthy(const Json& v) {
    if (v.is_null())
        return false;
    if (v.is_boolean())
        return v.get<bool>();
    if (v.is_number())
        return v.get<double>() != 0;
    if (v.is_string() || v.is_array() || v.is_object())
        return !v.empty();
    return true;
}

std::int64_t to_seconds(const Json& timestamp) {
    std::int64_t t = to_int64(timestamp).value_or(0);
    return t > 253402300799 ? t / 1000 : t;  // milliseconds after year 9999 in seconds
}

void clear_newlines(Json& data, const char* key) {
    auto it = data.find(key);
    if (it == data.end())
        return;
    std::string text;
    if (it->is_string()) {
        text = it->get<std::string>();
    } else if (it->is_array()) {
        for (const auto& part : *it) {
            if (!part.is_string())
                return;
            text += part.get<std::string>();
        }
    } else {
        return;
    }
    auto first = text.find_first_not_of(" \t\n\r\f\v");
    auto last = text.find_last_not_of(" \t\n\r\f\v");
    text = first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
    std::replace(text.begin(), text.end(), '\n', ' ');
    *it = text;
}

bool version_newer(const std::string& a, const std::string& b) {
    auto va = Version::parse(a);
    auto vb = Version::parse(b);
    if (va && vb)
        return *va > *vb;
    return a > b;
}

struct Group {
    std::string filename;
    Json record;
};

// The newest build (by timestamp) of each (name, version), in first-seen order:
// .conda files first, then .tar.bz2 files without a .conda twin.
std::vector<Group> newest_by_name_and_version(const RepoData& repodata) {
    std::vector<Group> groups;
    std::map<std::pair<std::string, std::string>, std::size_t> position;
    auto visit = [&](const std::string& filename, const std::string& text) {
        Json record = Json::parse(text, nullptr, false);
        if (!record.is_object() || !record["name"].is_string())
            return;
        auto key =
            std::pair{record["name"].get<std::string>(), record.value("version", std::string())};
        auto [it, inserted] = position.try_emplace(key, groups.size());
        if (inserted) {
            groups.push_back({filename, std::move(record)});
        } else if (build_timestamp(groups[it->second].record) < build_timestamp(record)) {
            groups[it->second] = {filename, std::move(record)};
        }
    };
    for (const auto& [filename, text] : repodata.conda_packages)
        visit(filename, text);
    for (const auto& [filename, text] : repodata.packages) {
        auto stem = filename.substr(0, filename.size() - std::string_view(".tar.bz2").size());
        if (!repodata.conda_packages.contains(stem + ".conda"))
            visit(filename, text);
    }
    return groups;
}

void fold_group(Json& packages, const std::string& subdir, Json data) {
    const std::string name = data["name"].get<std::string>();
    Json existing = packages.contains(name) ? packages[name] : Json::object();
    auto data_v = data.value("version", std::string("0"));
    auto existing_v = existing.value("version", std::string("0"));
    bool data_newer =
        version_newer(data_v, existing_v) ||
        (data_v == existing_v && to_seconds(data.value("timestamp", Json(0))) >
                                     to_seconds(existing.value("timestamp", Json(0))));
    Json entry = existing;
    for (const char* key : newest_wins) {
        bool have = data.contains(key) && truthy(data[key]);
        bool existing_has = existing.contains(key) && truthy(existing[key]);
        entry[key] =
            have && (data_newer || !existing_has) ? data[key] : existing.value(key, Json());
    }
    for (const char* key : any_true) {
        entry[key] = truthy(data.value(key, Json())) || truthy(existing.value(key, Json()));
    }
    std::set<std::string> subdirs{subdir};
    for (const auto& s : existing.value("subdirs", Json::array()))
        subdirs.insert(s.get<std::string>());
    entry["subdirs"] = subdirs;
    Json run_exports = existing.value("run_exports", Json::object());
    if (truthy(data.value("run_exports", Json())))
        run_exports[data_v] = data["run_exports"];
    entry["run_exports"] = run_exports;
    // CEP 38: the newest timestamp of any build. (conda-index keeps the last group it happens
    // to visit, which follows Python's set order for .tar.bz2-only packages.)
    entry["timestamp"] = std::max(to_seconds(data.value("timestamp", Json(0))),
                                  existing.value("timestamp", std::int64_t{0}));
    packages[name] = std::move(entry);
}

}  // namespace

double build_timestamp(const Json& record) {
    auto it = record.is_object() ? record.find("timestamp") : record.end();
    return it != record.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::vector<std::string> channeldata_sources(const RepoData& repodata) {
    std::vector<std::string> files;
    for (auto& group : newest_by_name_and_version(repodata))
        files.push_back(std::move(group.filename));
    return files;
}

std::string build_channeldata(std::vector<ChanneldataSubdir> subdirs) {
    std::sort(subdirs.begin(), subdirs.end(),
              [](const auto& a, const auto& b) { return a.subdir < b.subdir; });
    Json packages = Json::object();
    std::set<std::string> subdir_names;
    for (const auto& sd : subdirs) {
        subdir_names.insert(sd.subdir);
        for (auto& group : newest_by_name_and_version(*sd.repodata)) {
            Json data = Json::object();
            if (sd.extras) {
                auto it = sd.extras->find(group.filename);
                if (it != sd.extras->end() && it->second.is_object())
                    data = it->second;
            }
            data.update(group.record);
            clear_newlines(data, "description");
            clear_newlines(data, "summary");
            Json exports = Json::object();
            if (sd.run_exports) {
                auto it = sd.run_exports->find(group.filename);
                if (it != sd.run_exports->end())
                    exports = it->second;
            }
            data["run_exports"] = exports;
            fold_group(packages, sd.subdir, std::move(data));
        }
    }
    // conda-index drops keys whose value is None.
    for (auto& [name, entry] : packages.items()) {
        for (auto it = entry.begin(); it != entry.end();) {
            it = it->is_null() ? entry.erase(it) : std::next(it);
        }
    }
    Json doc = {{"channeldata_version", 1}, {"packages", packages}, {"subdirs", subdir_names}};
    return dump_compact(doc) + "\n";
}

}  // namespace chanmirror::core
