#pragma once
// An environment.yml (`conda env export`, `conda env create -f`) as selection input:
// its dependencies become include specs, its channels the job's channels unless given.
//
//   name: team-env
//   channels: [conda-forge, nodefaults]
//   dependencies:
//     - python=3.12.3=hab00c5b_0_cpython     # conda's name=version=build pin
//     - numpy >=1.26
//     - pip:                                 # not conda packages: reported, not mirrored
//       - requests==2.31
//   prefix: /opt/envs/team-env               # ignored, as are `variables`
//
// Every dependency is checked with MatchSpec::parse; errors name the file, line and key.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::config {

struct EnvironmentFile {
    std::string name;
    std::vector<std::string> channels;      // in file order, without `nodefaults`
    bool nodefaults = false;                // `nodefaults` was listed
    std::vector<std::string> dependencies;  // conda specs, as written
    std::vector<std::string> pip;           // the `pip:` sub-list
};

core::Result<EnvironmentFile> parse_environment_file(std::string_view text, std::string_view what);
core::Result<EnvironmentFile> load_environment_file(const std::filesystem::path& path);

}  // namespace chanmirror::config
