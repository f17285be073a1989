// Writes a synthetic channel for the index benchmark: real .conda/.tar.bz2 packages shaped
// like conda-build's (a recipe, payloads in several groups that compress ~2.5x, .tar.bz2
// members in conda-package-handling's order with its random group order), three builds per
// version, sizes spread like a real channel (many small, a few large).
//   bench_make_packages DIR COUNT TOTAL_MB [CONDA_PERCENT]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "tests/support/package_builder.hpp"

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s DIR COUNT TOTAL_MB [CONDA_PERCENT]\n", argv[0]);
        return 2;
    }
    std::filesystem::path dir = argv[1];
    const int count = std::atoi(argv[2]);
    const double total_bytes = std::atof(argv[3]) * 1e6;
    const int conda_percent = argc > 4 ? std::atoi(argv[4]) : 80;
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> size_shape(0.0, 1.5);
    std::vector<double> weights(count);
    double sum = 0;
    for (auto& w : weights)
        sum += (w = size_shape(rng));
    const char* subdirs[] = {"linux-64", "noarch"};
    for (int i = 0; i < count; ++i) {
        chanmirror::test::PackageSpec spec;
        spec.name = "pkg" + std::to_string(i / 9);
        spec.version = "1." + std::to_string(i / 3 % 3);
        spec.build = "py3" + std::to_string(10 + i % 3) + "h" + std::to_string(1000 + i) + "_0";
        spec.subdir = subdirs[i % 5 == 0 ? 1 : 0];
        // The payload in groups as conda-package-handling sees them (extension, or directory
        // without one), so that the recipe's group lands anywhere among them, as in real
        // archives: their groups follow Python's per-process string hash.
        const auto bytes = static_cast<std::uint64_t>(total_bytes * weights[i] / sum) + 256;
        spec.payload_bytes = bytes / 2;
        spec.compressible_payload = true;
        const std::string site = "lib/python3.12/site-packages/" + spec.name + "/";
        spec.pkg_files[site + "__init__.py"] =
            chanmirror::test::compressible_text(bytes / 4, rng());
        spec.pkg_files["bin/" + spec.name] = chanmirror::test::compressible_text(bytes / 6, rng());
        spec.pkg_files["share/doc/" + spec.name + "/README.txt"] =
            chanmirror::test::compressible_text(bytes / 12, rng());
        spec.group_order_seed = rng() | 1;
        spec.index_extra = {{"depends", {"python >=3.10", "libzlib >=1.3"}},
                            {"license", "MIT"},
                            {"timestamp", 1700000000000 + i}};
        spec.info_files["info/about.json"] =
            R"({"summary": "benchmark package", "home": "https://example.org"})";
        spec.info_files["info/recipe/meta.yaml"] =
            "package:\n  name: " + spec.name + "\n  version: " + spec.version +
            "\nsource:\n  url: https://example.org/" + spec.name + "-" + spec.version + ".tar.gz\n";
        spec.info_files["info/recipe/build.sh"] = "python -m pip install . -vv\n";
        bool conda = static_cast<int>(rng() % 100) < conda_percent;
        conda ? chanmirror::test::build_conda(dir / spec.subdir, spec)
              : chanmirror::test::build_tar_bz2(dir / spec.subdir, spec);
    }
    return 0;
}
