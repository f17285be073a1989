// patch_instructions.json from a hotfix package or an upstream: any document is refused with
// a message or applied, and the patched repodata is still repodata.
#include "core/json.hpp"
#include "core/patch_instructions.hpp"
#include "core/repodata.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"

namespace core = chanmirror::core;
using chanmirror::fuzz::check;

namespace {

constexpr std::string_view default_repodata = R"({"info":{"subdir":"linux-64"},
"packages":{"a-1.0-0.tar.bz2":{"name":"a","version":"1.0","build":"0","build_number":0,
"depends":["b >=1"],"md5":"00112233445566778899aabbccddeeff"}},
"packages.conda":{"a-1.0-0.conda":{"name":"a","version":"1.0","build":"0","build_number":0,
"depends":[],"constrains":["c <2"]}},"removed":[],"repodata_version":1})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // patch_instructions.json, then (optionally) the repodata it patches.
    auto texts = chanmirror::fuzz::split_input(data, size, 2, '\0');
    auto instructions =
        core::PatchInstructions::parse_text(texts[0], "fuzz/patch_instructions.json");
    if (!instructions) {
        check(!instructions.error().message.empty(), "a refusal says why");
        return 0;
    }
    auto repodata = core::parse_repodata(std::string(texts[1]), "fuzz/repodata.json");
    if (!repodata)
        repodata = core::parse_repodata(std::string(default_repodata), "default");
    check(repodata.has_value(), "the default repodata parses");
    core::apply_patches(*repodata, *instructions);
    std::string written = core::to_json(*repodata);
    check(core::parse_repodata(std::move(written), "patched").has_value(),
          "patched repodata parses");
    core::RunExportsMap run_exports{{"a-1.0-0.conda", core::Json::object()}};
    core::apply_run_exports_patches(run_exports, *instructions);
    return 0;
}
