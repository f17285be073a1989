// Times selection (issue 5) over a generated repodata: parse, index, closure of a spec set.
//
// usage: selection_bench DIR [--latest N] [--rounds R] [SPEC...]
// DIR holds linux-64/repodata.json and noarch/repodata.json (make_repodata.py). Without
// specs, 20 names spread over the generated universes. Prints the best of R rounds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/record_view.hpp"
#include "core/repodata.hpp"
#include "core/selection.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of this (single-threaded) process: what the wall time would be on an idle
// machine; the 2-core shared build machine often runs other jobs.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> default_specs() {
    const char* names[] = {"python", "pip",    "setuptools", "wheel", "openssl",
                           "curl",   "sqlite", "zlib",       "tk",    "certifi"};
    std::vector<std::string> out;
    for (int i = 0; i < 20; ++i) {
        const int universe = i % 10;
        std::string name = names[(i * 3 + i / 10) % 10];  // 20 distinct names
        out.push_back(universe == 0 ? name : name + "-u" + std::to_string(universe));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [--latest N] [--rounds R] [SPEC...]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    chanmirror::core::SelectionOptions options;
    int rounds = 3;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--latest" && i + 1 < argc) {
            options.latest = std::stoi(argv[++i]);
        } else if (arg == "--rounds" && i + 1 < argc) {
            rounds = std::stoi(argv[++i]);
        } else {
            options.include.push_back(arg);
        }
    }
    if (options.include.empty()) {
        options.include = default_specs();
    }
    std::vector<chanmirror::core::RepoData> repodata;
    auto start = Clock::now();
    for (const char* subdir : {"linux-64", "noarch"}) {
        const auto path = dir / subdir / "repodata.json";
        auto parsed = chanmirror::core::parse_repodata(read_file(path), path.string());
        if (!parsed) {
            std::fprintf(stderr, "%s\n", parsed.error().message.c_str());
            return 1;
        }
        repodata.push_back(std::move(*parsed));
    }
    std::printf("parse_repodata: %.3f s (%zu + %zu records)\n", seconds_since(start),
                repodata[0].size(), repodata[1].size());
    double best_index = 1e9;
    double best_select = 1e9;
    double best_select_cpu = 1e9;
    std::size_t files = 0;
    std::string summary;
    for (int round = 0; round < rounds; ++round) {
        start = Clock::now();
        const auto index = chanmirror::core::RecordIndex::build(repodata[0], "bench", "linux-64");
        best_index = std::min(best_index, seconds_since(start));
        start = Clock::now();
        const double cpu_start = cpu_seconds();
        auto result = chanmirror::core::select_files(
            {{"bench", "linux-64", &repodata[0]}, {"bench", "noarch", &repodata[1]}}, options);
        best_select = std::min(best_select, seconds_since(start));
        best_select_cpu = std::min(best_select_cpu, cpu_seconds() - cpu_start);
        if (!result) {
            std::fprintf(stderr, "%s\n", result.error().message.c_str());
            return 1;
        }
        files = result->listing().size();
        summary = result->summary();
    }
    std::printf("index linux-64 alone: %.3f s\n", best_index);
    std::printf(
        "select_files (index both subdirs + seeds + closure + pruning), %zu specs%s: "
        "%.3f s wall, %.3f s CPU (best of %d)\n",
        options.include.size(),
        options.latest ? (", latest " + std::to_string(*options.latest)).c_str() : "", best_select,
        best_select_cpu, rounds);
    std::printf("%zu files; %s\n", files, summary.c_str());
    return 0;
}
