#pragma once
// A `conda list --explicit` file: exactly these package URLs, no closure.
//
//   # platform: linux-64
//   @EXPLICIT
//   https://conda.anaconda.org/conda-forge/linux-64/python-3.12.3-hab00c5b_0_cpython.conda#<md5>
//   https://conda.anaconda.org/conda-forge/noarch/pip-24.0-pyhd8ed1ab_0.conda#sha256:<sha256>
//
// A fragment is an md5 (32 hex digits, or `md5:` + them) or a sha256 (`sha256:` + 64 hex
// digits, or 64 bare hex digits). Comment lines start with `#`. URL lines before `@EXPLICIT`
// are an error, as conda refuses them. Errors name the file and line.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::config {

struct ExplicitPackage {
    std::string url;  // without the fragment
    std::string
        channel_url;      // the URL up to the subdir, e.g. https://conda.anaconda.org/conda-forge
    std::string channel;  // its channel name, e.g. "conda-forge" (core::channel_name)
    std::string subdir;
    std::string filename;
    std::string md5;     // lower-case hex, or empty
    std::string sha256;  // lower-case hex, or empty
    int line = 0;
};

struct ExplicitFile {
    std::string platform;  // from a `# platform: ...` comment, or empty
    std::vector<ExplicitPackage> packages;
};

core::Result<ExplicitFile> parse_explicit_file(std::string_view text, std::string_view what);
core::Result<ExplicitFile> load_explicit_file(const std::filesystem::path& path);

}  // namespace chanmirror::config
