// Times the CPU side of `chanmirror sync` over one big upstream repodata.json, phase by phase:
// parse (simdjson, records kept as text), read each record's size and digests (alone, then
// into the list of wanted files as a sync keeps them), plan.
//
// usage: parse_plan_bench REPODATA_JSON [--rounds R]
// Prints the best of R rounds (wall and process CPU, which includes helper threads). The
// whole-command figure (fetch over file://, list, peak RSS) is measured by run.sh.
#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/repodata.hpp"
#include "sync/artifact_info.hpp"
#include "sync/plan.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
    double wall = 1e9;
    double cpu = 1e9;
};

// Runs `step` once and keeps the best wall and CPU seen for it.
template <typename Step>
void timed(Timing& best, Step&& step) {
    auto start = Clock::now();
    double cpu = cpu_seconds();
    step();
    best.cpu = std::min(best.cpu, cpu_seconds() - cpu);
    best.wall = std::min(best.wall, std::chrono::duration<double>(Clock::now() - start).count());
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s REPODATA_JSON [--rounds R]\n", argv[0]);
        return 2;
    }
    int rounds = 3;
    if (argc >= 4 && std::string(argv[2]) == "--rounds")
        rounds = std::stoi(argv[3]);
    const auto original = read_file(argv[1]);
    Timing parse, read, info, plan;
    std::size_t records = 0, planned = 0;
    for (int round = 0; round < rounds; ++round) {
        auto text = original;
        chanmirror::core::RepoData repodata;
        timed(parse, [&] {
            auto parsed = chanmirror::core::parse_repodata(std::move(text), argv[1]);
            if (!parsed) {
                std::fprintf(stderr, "%s\n", parsed.error().message.c_str());
                std::exit(1);
            }
            repodata = std::move(*parsed);
        });
        records = repodata.size();
        std::uint64_t bytes = 0;
        timed(read, [&] {
            chanmirror::sync::ArtifactInfoReader reader;
            for (const auto* section : {&repodata.packages, &repodata.conda_packages}) {
                for (const auto& [filename, record] : *section) {
                    if (auto got = reader.read(record, filename))
                        bytes += got->size;
                }
            }
        });
        std::vector<chanmirror::sync::WantedFile> wanted;
        timed(info, [&] {
            chanmirror::sync::ArtifactInfoReader reader;
            wanted.reserve(records);
            for (const auto* section : {&repodata.packages, &repodata.conda_packages}) {
                for (const auto& [filename, record] : *section) {
                    if (auto got = reader.read(record, filename))
                        wanted.push_back({filename, std::move(*got)});
                }
            }
        });
        timed(plan, [&] {
            auto p = chanmirror::sync::plan_subdir(wanted, {}, {});
            planned = p.download.size();
        });
        wanted = {};
        repodata = {};
        malloc_trim(0);  // each round pays for fresh pages, as one sync run does
    }
    std::printf("records %zu, planned downloads %zu, best of %d\n", records, planned, rounds);
    std::printf("parse_repodata     %.3f s wall, %.3f s CPU\n", parse.wall, parse.cpu);
    std::printf("read size+digests  %.3f s wall, %.3f s CPU\n", read.wall, read.cpu);
    std::printf("+ the wanted list  %.3f s wall, %.3f s CPU\n", info.wall, info.cpu);
    std::printf("plan_subdir        %.3f s wall, %.3f s CPU\n", plan.wall, plan.cpu);
    return 0;
}
