// Packages with any metadata in them: real .conda and .tar.bz2 archives are built around
// fuzzed info/index.json, about.json, run_exports.json, paths.json and recipe, then indexed.
// The index either skips the package with a message or yields a record that repodata.json,
// the shards and channeldata.json can all carry. With bit 0x40 of the first byte the payload
// is large enough for a .tar.bz2's head read to stop before it: reading the recipe in that
// same pass must then give what deferring it and reading it later gives. Reading with the
// digests io::hash_files gives, as the indexer does, must find what io::hash_file's find.
#include <filesystem>
#include <vector>

#include "core/channeldata.hpp"
#include "core/json.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"
#include "indexer/extract.hpp"
#include "io/file_digests.hpp"
#include "io/package_reader.hpp"
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
    if (data[0] & 0x40) {
        spec.payload_bytes = chanmirror::io::small_archive_bytes + 4096;
        spec.compressible_payload = true;
        spec.pkg_files["bin/tool"] = "#!/bin/sh\n";
        spec.group_order_seed = data[0];
    }
    fs::remove_all(work_dir());
    fs::create_directories(work_dir());
    fs::path file = (data[0] & 0x80) ? chanmirror::test::build_conda(work_dir(), spec)
                                     : chanmirror::test::build_tar_bz2(work_dir(), spec);
    auto extracted = chanmirror::indexer::extract_package(file);
    auto digests = chanmirror::io::hash_files(std::vector<fs::path>{file}, 1);
    check(digests[0].has_value(), "a package file hashes");
    auto prehashed = chanmirror::indexer::extract_package(file, nullptr, *digests[0]);
    check(extracted.has_value() == prehashed.has_value() &&
              (!extracted ||
               (extracted->record == prehashed->record && extracted->extras == prehashed->extras &&
                extracted->recipe_deferred == prehashed->recipe_deferred)),
          "reading with the digests given (nothing hashed, pkg- skipped) finds the same");
    if (!extracted) {
        check(extracted.error().message.find(file.filename().string()) != std::string::npos,
              "a skipped package is named");
        return 0;
    }
    check_record_is_publishable(file, *extracted);

    auto in_one_pass =
        chanmirror::indexer::extract_package(file, [](std::string_view) { return true; });
    check(in_one_pass.has_value(), "reading on to the recipe does not fail the package");
    check(!in_one_pass->recipe_deferred, "a recipe read now is not deferred");
    check(in_one_pass->record == extracted->record &&
              in_one_pass->run_exports == extracted->run_exports,
          "the record does not depend on when the recipe is read");
    auto extras = core::Json::parse(extracted->extras);
    if (extracted->recipe_deferred) {
        auto recipe = chanmirror::indexer::read_recipe_source(file);
        check(recipe.has_value(), "a deferred recipe can be read");
        extras.update(*recipe);
    }
    check(extras == core::Json::parse(in_one_pass->extras),
          "the recipe read now gives what the deferred read gives");
    return 0;
}
