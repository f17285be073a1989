// Packages with any metadata in them: real .conda and .tar.bz2 archives are built around
// fuzzed info/index.json, about.json, run_exports.json, paths.json and recipe, then indexed.
// The index either skips the package with a message or yields a record that repodata.json,
// the shards and channeldata.json can all carry.
#include <filesystem>

#include "core/channeldata.hpp"
#include "core/json.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"
#include "indexer/extract.hpp"
#include "tests/support/package_builder.hpp"

namespace fs = std::filesystem;
namespace core = chanmirror::core;
using chanmirror::fuzz::check;

namespace {

const fs::path& work_dir() {
    static const chanmirror::fuzz::ScratchDir scratch("chanmirror-package-fuzz");
    return scratch.path();
}

void check_record_is_publishable(const fs::path& file,
                                 const chanmirror::indexer::ExtractedPackage& pkg) {
    auto record = core::parse_json(pkg.record, "record");
    check(record.has_value() && record->is_object(), "the record is a JSON object");
    check(core::parse_json(pkg.run_exports, "run_exports").has_value(), "run_exports is JSON");
    auto extras = core::parse_json(pkg.extras, "extras");
    check(extras.has_value() && extras->is_object(), "extras are a JSON object");

    core::RepoData repodata;
    auto filename = file.filename().string();
    repodata.section_for(filename)[filename] = pkg.record;
    auto written = core::to_json(repodata);
    check(core::parse_repodata(std::move(written), "written").has_value(), "repodata.json parses");

    core::RunExportsMap run_exports{{filename, core::Json::parse(pkg.run_exports)}};
    auto shards = core::build_shards(repodata, run_exports);
    check(shards.has_value(), "an indexed record can be sharded");

    std::map<std::string, core::Json> extras_map{{filename, *extras}};
    auto channeldata = core::build_channeldata({{"noarch", &repodata, &extras_map, &run_exports}});
    check(core::parse_json(channeldata, "channeldata").has_value(), "channeldata.json parses");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    auto members = chanmirror::fuzz::split_input(data + 1, size - 1, 5, '\0');
    chanmirror::test::PackageSpec spec;
    spec.name = "fuzzpkg";
    spec.write_index_json = false;
    spec.payload_bytes = 16;
    const char* paths[] = {"info/index.json", "info/about.json", "info/run_exports.json",
                           "info/paths.json", "info/recipe/meta.yaml"};
    for (std::size_t i = 0; i < members.size(); ++i) {
        if (!members[i].empty() || i == 0)
            spec.info_files[paths[i]] = std::string(members[i]);
    }
    spec.tar_order = static_cast<chanmirror::test::TarOrder>(data[0] % 3);
    fs::remove_all(work_dir());
    fs::create_directories(work_dir());
    fs::path file = (data[0] & 0x80) ? chanmirror::test::build_conda(work_dir(), spec)
                                     : chanmirror::test::build_tar_bz2(work_dir(), spec);
    auto extracted = chanmirror::indexer::extract_package(file);
    if (!extracted) {
        check(extracted.error().message.find(file.filename().string()) != std::string::npos,
              "a skipped package is named");
        return 0;
    }
    check_record_is_publishable(file, *extracted);
    if (extracted->recipe_deferred)
        (void)chanmirror::indexer::read_recipe_source(file);
    return 0;
}
