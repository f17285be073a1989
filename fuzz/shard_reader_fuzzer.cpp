// CEP-16 shard indexes and shards from any upstream (conda-index, rattler-index, anyone):
// decoded msgpack of any shape is refused or read, never trusted blindly.
#include "core/repodata.hpp"
#include "core/shard_reader.hpp"
#include "core/shards.hpp"
#include "fuzz/fuzz_check.hpp"

namespace core = chanmirror::core;
using chanmirror::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto index = core::parse_shard_index(bytes, "fuzz/repodata_shards.msgpack")) {
        // The index a mirror republishes names the same shards.
        auto rebuilt = core::build_shard_index({}, index->shards);
        auto reread = core::parse_shard_index(rebuilt, "rebuilt");
        check(reread && reread->shards == index->shards,
              "a rebuilt shard index names the same shards");
    }
    core::RepoData into;
    core::RunExportsMap run_exports;
    if (core::read_shard(bytes, "fuzz/shard.msgpack", into, run_exports)) {
        // What a shard yields goes into repodata.json: it must be writable and readable.
        std::string written = core::to_json(into);
        check(core::parse_repodata(std::move(written), "written").has_value(),
              "records read from a shard make repodata that parses");
    }
    return 0;
}
