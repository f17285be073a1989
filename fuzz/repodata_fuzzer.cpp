// repodata.json from anyone (upstreams a sync mirrors, indexes a user hands over): parsing never
// fails unsafely, writing what was read and reading it again changes nothing, and the CEP-16
// shards built from it hold exactly its records.
#include <algorithm>
#include <cctype>

#include "core/json.hpp"
#include "core/repodata.hpp"
#include "core/shard_reader.hpp"
#include "core/shards.hpp"
#include "fuzz/fuzz_check.hpp"

namespace core = chanmirror::core;
using chanmirror::fuzz::check;

namespace {

// What a record is expected to look like after a trip through a shard: digests that are hex
// come back lower-case, and run_exports travels beside the record, not in it.
core::Json as_after_shard(const std::string& text) {
    core::Json record = core::Json::parse(text);
    record.erase("run_exports");
    for (const char* key : {"md5", "sha256"}) {
        auto it = record.find(key);
        if (it == record.end() || !it->is_string())
            continue;
        std::string hex = it->get<std::string>();
        bool is_hex =
            hex.size() % 2 == 0 &&
            std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); });
        if (is_hex) {
            std::transform(hex.begin(), hex.end(), hex.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            *it = hex;
        }
    }
    return record;
}

void check_shards(const core::RepoData& repodata) {
    auto shards = core::build_shards(repodata, {});
    if (!shards)
        return;  // a record without a name: reported, never sharded
    core::RepoData back;
    core::RunExportsMap run_exports;
    for (const auto& [name, msgpack] : *shards) {
        auto read = core::read_shard(msgpack, name, back, run_exports);
        check(read.has_value(), "a shard we built can be read");
    }
    auto same_records = [](const core::RecordMap& original, const core::RecordMap& shard) {
        if (original.size() != shard.size())
            return false;
        for (const auto& [filename, text] : original) {
            auto it = shard.find(filename);
            if (it == shard.end() || as_after_shard(text) != as_after_shard(it->second))
                return false;
        }
        return true;
    };
    check(same_records(repodata.packages, back.packages), "shards hold the .tar.bz2 records");
    check(same_records(repodata.conda_packages, back.conda_packages),
          "shards hold the .conda records");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto parsed = core::parse_repodata(std::move(text), "fuzz/repodata.json");
    if (!parsed)
        return 0;
    std::string written = core::to_json(*parsed);
    auto reread = core::parse_repodata(std::string(written), "written");
    check(reread.has_value(), "what we write parses");
    check(core::to_json(*reread) == written, "writing what we read changes nothing");
    check(core::parse_json(written, "written").has_value(), "what we write is JSON");
    check_shards(*parsed);
    return 0;
}
