#include "core/shards.hpp"

#include "core/strings.hpp"

#include <optional>

namespace chanmirror::core {
namespace {

std::optional<std::vector<std::uint8_t>> hex_to_bytes(std::string_view hex) {
    if (hex.size() % 2 != 0)
        return std::nullopt;
    std::vector<std::uint8_t> out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return out;
}

// CEP-16: digests travel as raw bytes. A value that is not hex is left as it is.
void digests_to_bytes(Json& record) {
    for (const char* key : {"md5", "sha256"}) {
        auto it = record.find(key);
        if (it == record.end() || !it->is_string())
            continue;
        if (auto bytes = hex_to_bytes(it->get_ref<const std::string&>())) {
            *it = Json::binary(std::move(*bytes));
        }
    }
}

Result<void> add_section(const RecordMap& records, const char* section,
                         const RunExportsMap& run_exports, std::map<std::string, Json>& shards) {
    for (const auto& [filename, text] : records) {
        Json record = Json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (!record.is_object() || !record.contains("name") || !record["name"].is_string()) {
            return fail(ErrorKind::invalid_input, "record " + filename + " has no valid name");
        }
        digests_to_bytes(record);
        auto exports = run_exports.find(filename);
        record["run_exports"] = exports != run_exports.end() ? exports->second : Json::object();
        Json& shard = shards[record["name"].get<std::string>()];
        if (shard.is_null())
            shard = Json{{"packages", Json::object()}, {"packages.conda", Json::object()}};
        shard[section][filename] = std::move(record);
    }
    return {};
}

std::string to_bytes(const std::vector<std::uint8_t>& v) {
    return std::string(v.begin(), v.end());
}

}  // namespace

std::string package_name_from_filename(std::string_view filename) {
    auto parts = split_package_filename(filename);
    return std::string(parts ? parts->name : package_stem(filename));
}

Result<std::map<std::string, std::string>> build_shards(const RepoData& repodata,
                                                        const RunExportsMap& run_exports) {
    std::map<std::string, Json> shards;
    if (auto r = add_section(repodata.packages, "packages", run_exports, shards); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = add_section(repodata.conda_packages, "packages.conda", run_exports, shards); !r) {
        return tl::unexpected(r.error());
    }
    for (const auto& filename : repodata.removed) {
        auto it = shards.find(package_name_from_filename(filename));
        if (it != shards.end())
            it->second["removed"].push_back(filename);
    }
    std::map<std::string, std::string> out;
    for (auto& [name, shard] : shards)
        out.emplace(name, to_bytes(Json::to_msgpack(shard)));
    return out;
}

std::string build_shard_index(const ShardIndexInfo& info,
                              const std::map<std::string, Sha256>& shards) {
    Json index = {{"version", 1},
                  {"info",
                   {{"base_url", info.base_url},
                    {"shards_base_url", info.shards_base_url},
                    {"subdir", info.subdir},
                    {"created_at", info.created_at}}},
                  {"shards", Json::object()}};
    auto& names = index["shards"];
    for (const auto& [name, hash] : shards) {
        names[name] = Json::binary(std::vector<std::uint8_t>(hash.begin(), hash.end()));
    }
    return to_bytes(Json::to_msgpack(index));
}

}  // namespace chanmirror::core
