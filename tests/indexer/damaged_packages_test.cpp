// Real packages damaged in the ways storage and transfers damage files (cut short, bits
// flipped, a run of zeros, garbage in the headers or in the zip directory at the end), with a
// fixed seed: every one is indexed or skipped by name with a printable reason, the rest of the
// channel is still indexed, and nothing crashes (this also runs under ASan+UBSan).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/indexer/indexer_fixture.hpp"

using namespace chanmirror;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> small_fixture_packages() {
    std::vector<fs::path> out;
    for (const auto& subdir : {"linux-64", "noarch", "osx-64"}) {
        for (const auto& e : fs::directory_iterator(test::fixtures_dir() / "packages" / subdir)) {
            auto name = e.path().filename().string();
            bool package = name.ends_with(".conda") || name.ends_with(".tar.bz2");
            if (package && fs::file_size(e.path()) < 300'000)
                out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string damage(std::string bytes, std::mt19937& rng) {
    auto at = [&](std::size_t limit) {
        return std::uniform_int_distribution<std::size_t>(0, limit - 1)(rng);
    };
    auto random_byte = [&] { return static_cast<char>(at(256)); };
    const std::size_t n = bytes.size();
    switch (at(5)) {
        case 0:  // cut short
            bytes.resize(at(n));
            break;
        case 1:  // one bit flipped anywhere
            bytes[at(n)] ^= static_cast<char>(1 << at(8));
            break;
        case 2:  // a run of zeros
        {
            auto start = at(n);
            auto length = std::min<std::size_t>(n - start, 1 + at(4096));
            bytes.replace(start, length, std::string(length, '\0'));
            break;
        }
        case 3:  // garbage in the first 2 KiB (tar headers, zip local headers, bzip2 header)
            for (int i = 0; i < 3; ++i)
                bytes[at(std::min<std::size_t>(n, 2048))] = random_byte();
            break;
        default:  // garbage in the last 4 KiB (zip central directory, bzip2 trailer)
            for (int i = 0; i < 3; ++i)
                bytes[n - 1 - at(std::min<std::size_t>(n, 4096))] = random_byte();
            break;
    }
    return bytes;
}

TEST(DamagedPackages, EachIsIndexedOrSkippedByNameAndTheRestIsIndexed) {
    auto sources = small_fixture_packages();
    ASSERT_GT(sources.size(), 40u);
    std::mt19937 rng(20261129);
    std::size_t skipped_in_all = 0;
    for (int round = 0; round < 40; ++round) {
        test::TempDir dir;
        auto subdir = dir / "linux-64";
        fs::create_directories(subdir);
        std::vector<std::string> damaged;
        std::shuffle(sources.begin(), sources.end(), rng);
        for (std::size_t i = 0; i < 8; ++i) {
            auto name = sources[i].filename().string();
            if (std::find(damaged.begin(), damaged.end(), name) != damaged.end())
                continue;  // the same file name from two subdirs
            auto bytes = test::read_bytes(sources[i]);
            test::write_bytes(subdir / name, i < 5 ? damage(bytes, rng) : bytes);
            if (i < 5)
                damaged.push_back(name);
        }
        auto report = indexer::index_channel(test::options_for(dir.path()));
        ASSERT_TRUE(report) << "round " << round << ": " << report.error().message;
        auto repodata = test::read_json(subdir / "repodata.json");
        auto listed = repodata["packages"].size() + repodata["packages.conda"].size();
        EXPECT_EQ(listed, report->indexed) << "round " << round;
        EXPECT_EQ(report->indexed + report->skipped.size(), report->extracted) << "round " << round;
        skipped_in_all += report->skipped.size();
        for (const auto& skipped : report->skipped) {
            auto name = skipped.path.substr(skipped.path.find('/') + 1);
            EXPECT_NE(std::find(damaged.begin(), damaged.end(), name), damaged.end())
                << "an undamaged file was skipped: " << skipped.path << ": " << skipped.reason;
            EXPECT_FALSE(skipped.reason.empty()) << skipped.path;
        }
    }
    // Most of the 200 damaged files cannot be read; the rest were damaged only in bytes the
    // index does not read (the payload of a .conda) and are rightly indexed.
    EXPECT_GT(skipped_in_all, 100u);
}

}  // namespace
