// Selective mirroring (--spec, environment.yml) over repodata anyone publishes: records of
// any shape, dependencies of any text. Selection never fails unsafely, picks only files the
// repodata has, and picks the same files every time.
#include "core/repodata.hpp"
#include "core/selection.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"

namespace core = chanmirror::core;
using chanmirror::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // include specs (one per line), then linux-64 and noarch repodata.json.
    auto parts = chanmirror::fuzz::split_input(data, size, 3, '\0');
    auto linux64 = core::parse_repodata(std::string(parts[1]), "linux-64/repodata.json");
    auto noarch = core::parse_repodata(std::string(parts[2]), "noarch/repodata.json");
    if (!linux64 || !noarch)
        return 0;
    core::SelectionOptions options;
    auto specs = chanmirror::fuzz::split_input(parts[0], 4, '\n');
    for (auto spec : specs) {
        if (spec.starts_with("latest ")) {  // "latest <spec>": --latest 1..3 as well
            options.latest = 1 + static_cast<int>(spec.size() % 3);
            spec.remove_prefix(7);
        }
        if (spec.starts_with("!"))
            options.exclude.emplace_back(spec.substr(1));
        else if (!spec.empty())
            options.include.emplace_back(spec);
    }
    std::vector<core::SelectionInput> inputs = {{"fuzz", "linux-64", &*linux64},
                                                {"fuzz", "noarch", &*noarch}};
    auto first = core::select_files(inputs, options);
    if (!first) {
        check(!first.error().message.empty(), "a refusal says why");
        return 0;
    }
    for (const auto& [where, files] : first->files) {
        const core::RepoData& repodata = where.second == "noarch" ? *noarch : *linux64;
        for (const auto& file : files)  // any key, even one that is not a package file name
            check(repodata.packages.contains(file) || repodata.conda_packages.contains(file),
                  "only files the repodata has are selected");
    }
    auto second = core::select_files(inputs, options);
    check(second && second->listing() == first->listing(), "selection is deterministic");
    (void)first->summary();
    (void)first->details();
    return 0;
}
