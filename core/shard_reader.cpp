#include "core/shard_reader.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace chanmirror::core {
namespace {

Error shard_error(std::string_view what, const std::string& problem) {
    return {ErrorKind::invalid_input, std::string(what) + ": " + problem};
}

Result<Json> parse_msgpack(std::string_view bytes, std::string_view what) {
    Json doc = Json::from_msgpack(bytes.begin(), bytes.end(), /*strict=*/true,
                                  /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object())
        return tl::unexpected(shard_error(what, "not a msgpack map"));
    // msgpack strings are bytes to the decoder; repodata.json must be UTF-8.
    if (!strings_are_utf8(doc))
        return tl::unexpected(shard_error(what, "holds text that is not UTF-8"));
    return doc;
}

// CEP-16 sends digests as raw bytes; repodata.json has them as hex. Hex strings (the CEP's
// "for readability" example) are accepted as they are.
void digests_to_hex(Json& record) {
    for (const char* key : {"md5", "sha256"}) {
        auto it = record.find(key);
        if (it != record.end() && it->is_binary()) {
            const auto& bytes = it->get_binary();
            *it = to_hex({bytes.data(), bytes.size()});
        }
    }
}

Result<void> read_section(Json& shard, const char* section, std::string_view what, RecordMap& into,
                          RunExportsMap& run_exports) {
    auto it = shard.find(section);
    if (it == shard.end() || it->is_null())
        return {};
    if (!it->is_object())
        return fail(ErrorKind::invalid_input,
                    std::string(what) + ": \"" + section + "\" is not a map");
    for (auto& [filename, record] : it->items()) {
        // Any file name is read, as from repodata.json; sync refuses names it cannot write.
        if (!record.is_object())
            return fail(ErrorKind::invalid_input,
                        std::string(what) + ": bad record for \"" + filename + "\"");
        digests_to_hex(record);
        if (auto exports = record.find("run_exports"); exports != record.end()) {
            run_exports[filename] = std::move(*exports);
            record.erase(exports);
        }
        into[filename] = dump_compact(record);
    }
    return {};
}

}  // namespace

Result<ShardIndex> parse_shard_index(std::string_view msgpack, std::string_view what) {
    auto doc = parse_msgpack(msgpack, what);
    if (!doc)
        return tl::unexpected(doc.error());
    ShardIndex out;
    if (auto info = doc->find("info"); info != doc->end() && info->is_object())
        out.info = std::move(*info);
    auto shards = doc->find("shards");
    if (shards == doc->end() || !shards->is_object())
        return tl::unexpected(shard_error(what, "no \"shards\" map"));
    for (const auto& [name, hash] : shards->items()) {
        if (!hash.is_binary() || hash.get_binary().size() != 32)
            return tl::unexpected(
                shard_error(what, "shard hash of \"" + name + "\" is not 32 raw bytes"));
        Sha256 digest{};
        std::copy(hash.get_binary().begin(), hash.get_binary().end(), digest.begin());
        out.shards.emplace(name, digest);
    }
    return out;
}

Result<void> read_shard(std::string_view msgpack, std::string_view what, RepoData& into,
                        RunExportsMap& run_exports) {
    auto doc = parse_msgpack(msgpack, what);
    if (!doc)
        return tl::unexpected(doc.error());
    if (auto r = read_section(*doc, "packages", what, into.packages, run_exports); !r)
        return r;
    if (auto r = read_section(*doc, "packages.conda", what, into.conda_packages, run_exports); !r)
        return r;
    if (auto removed = doc->find("removed"); removed != doc->end() && removed->is_array()) {
        for (const auto& name : *removed) {
            if (name.is_string())
                into.removed.push_back(name.get<std::string>());
        }
    }
    return {};
}

}  // namespace chanmirror::core
