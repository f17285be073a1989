// A member near the end of a .tar.bz2, read from the last bzip2 blocks only: found where
// conda-package-handling puts a recipe, never taken from a tar inside the payload, and left
// to the full read wherever the last blocks do not settle it.
#include "io/tar_bz2_tail.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "io/tar_tail_scan.hpp"
#include "tests/support/package_builder.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

const std::vector<std::string> recipe_names = {"info/recipe/meta.yaml",
                                               "info/recipe/meta.yaml.rendered", "info/meta.yaml"};
constexpr std::size_t max_member = std::size_t{64} << 20;

// One ustar member (header, data, padding), as a tar writer lays it out.
std::string ustar_member(const std::string& name, const std::string& data) {
    std::string header(512, '\0');
    std::memcpy(header.data(), name.data(), name.size());
    std::snprintf(header.data() + 100, 8, "%07o", 0644);
    std::snprintf(header.data() + 108, 8, "%07o", 0);
    std::snprintf(header.data() + 116, 8, "%07o", 0);
    std::snprintf(header.data() + 124, 12, "%011zo", data.size());
    std::snprintf(header.data() + 136, 12, "%011o", 0);
    header[156] = '0';
    std::memcpy(header.data() + 257,
                "ustar\0"
                "00",
                8);
    std::memset(header.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header)
        sum += c;
    std::snprintf(header.data() + 148, 8, "%06o", sum);
    std::string padding((512 - data.size() % 512) % 512, '\0');
    return header + data + padding;
}

std::string end_of_archive() {
    return std::string(1024, '\0');
}

std::string noise(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(size, '\0');
    for (auto& c : out)
        c = static_cast<char>(rng());
    return out;
}

// Feeds `tail` in pieces of `piece` bytes.
std::optional<io::TarTailScan::Member> scan(const std::string& tail, std::size_t piece) {
    io::TarTailScan scanner(recipe_names, max_member);
    for (std::size_t at = 0; at < tail.size(); at += piece) {
        auto n = std::min(piece, tail.size() - at);
        scanner.feed({reinterpret_cast<const std::uint8_t*>(tail.data()) + at, n});
    }
    return scanner.finish();
}

const std::string recipe = "package:\n  name: example\nsource:\n  url: https://example.org/a\n";

TEST(TarTailScan, FindsAMemberInATailThatStartsMidMemberHoweverFed) {
    // The tail starts inside some payload file's data, at no particular alignment.
    std::string tail = noise(777, 1) + ustar_member("lib/a.yaml", "x: 1\n") +
                       ustar_member("info/recipe/meta.yaml", recipe) +
                       ustar_member("bin/tool", noise(3000, 2)) + end_of_archive();
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{512}, tail.size()}) {
        auto found = scan(tail, piece);
        ASSERT_TRUE(found) << "piece " << piece;
        EXPECT_EQ(found->name, "info/recipe/meta.yaml");
        EXPECT_EQ(found->bytes, recipe);
    }
    // "./" names, and a tail with no end-of-archive blocks, as some writers leave.
    auto dotted = scan(noise(100, 3) + ustar_member("./info/recipe/meta.yaml", recipe), 64);
    ASSERT_TRUE(dotted);
    EXPECT_EQ(dotted->name, "info/recipe/meta.yaml");
    // The first of the names in archive order.
    auto first = scan(ustar_member("info/recipe/meta.yaml.rendered", "a: 1\n") +
                          ustar_member("info/recipe/meta.yaml", recipe) + end_of_archive(),
                      100);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->name, "info/recipe/meta.yaml.rendered");
}

TEST(TarTailScan, TakesOnlyAMemberWhoseChainReachesTheEnd) {
    const std::string embedded =
        ustar_member("info/recipe/meta.yaml", "source: {url: evil}\n") + end_of_archive();
    // A tar inside a payload file, followed by more of the archive: not the archive's own.
    std::string tail = noise(300, 4) + ustar_member("lib/fixture.tar", embedded) +
                       ustar_member("lib/more.txt", "more\n") + end_of_archive();
    EXPECT_FALSE(scan(tail, 4096));
    EXPECT_FALSE(scan(tail, 1));

    std::string good = noise(300, 5) + ustar_member("info/recipe/meta.yaml", recipe) +
                       ustar_member("bin/tool", noise(2000, 6)) + end_of_archive();
    EXPECT_TRUE(scan(good, 999));
    std::string damaged = good;
    damaged[300 + 1024 + 20] ^= 1;  // the next member's header
    EXPECT_FALSE(scan(damaged, 999));
    EXPECT_FALSE(scan(good.substr(0, good.size() - 1024 - 700), 999)) << "ends mid-member";
    EXPECT_FALSE(scan(good.substr(0, 300 + 600), 999)) << "ends inside the member itself";
    std::string trailing = good + "x";
    EXPECT_FALSE(scan(trailing, 999)) << "data after the end-of-archive blocks";
    EXPECT_FALSE(scan(noise(5000, 7), 999));
}

test::PackageSpec conda_build_package(std::uint64_t payload_bytes) {
    test::PackageSpec spec;
    spec.payload_bytes = payload_bytes;
    spec.compressible_payload = true;
    spec.info_files["info/about.json"] = R"({"home": "https://example.org"})";
    spec.info_files["info/recipe/meta.yaml"] = recipe;
    return spec;
}

TEST(FindMemberNearEnd, ReadsARecipeSortedAmongThePayloadFromTheLastBlocks) {
    test::TempDir dir;
    auto spec = conda_build_package(3u << 20);  // several bzip2 blocks before the recipe
    spec.pkg_files["lib/python3.12/site-packages/example/data.txt"] = "data\n";
    spec.pkg_files["bin/example"] = "#!/bin/sh\n";  // no extension: after the recipe
    auto path = test::build_tar_bz2(dir / "noarch", spec);
    auto found = io::find_member_near_end(path, recipe_names, max_member);
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_TRUE(*found);
    EXPECT_EQ((*found)->name, "info/recipe/meta.yaml");
    EXPECT_EQ((*found)->bytes, recipe);
}

TEST(FindMemberNearEnd, LeavesToTheFullReadWhatTheLastBlocksDoNotSettle) {
    test::TempDir dir;
    // Alphabetical order puts info/ in the first of three blocks: out of reach.
    auto early = conda_build_package(2u << 20);
    early.tar_order = test::TarOrder::alphabetical;
    early.build = "early";
    auto path = test::build_tar_bz2(dir / "noarch", early);
    auto found = io::find_member_near_end(path, recipe_names, max_member);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_FALSE(*found);

    // A tar in the payload holding its own recipe, sorted (".tar") before the real one.
    auto embedding = conda_build_package(3u << 20);
    embedding.build = "embedding";
    embedding.pkg_files["lib/fixture.tar"] =
        ustar_member("info/recipe/meta.yaml", "source: {url: evil}\n") + end_of_archive();
    path = test::build_tar_bz2(dir / "noarch", embedding);
    found = io::find_member_near_end(path, recipe_names, max_member);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_FALSE(*found) << "the embedded tar's chain breaks at the real recipe's header";

    // Not bzip2 at all, or damaged in its last block: nothing, and no error of its own.
    std::filesystem::path plain = dir / "noarch/plain.tar.bz2";
    test::write_bytes(plain, "not bzip2");
    found = io::find_member_near_end(plain, recipe_names, max_member);
    ASSERT_TRUE(found);
    EXPECT_FALSE(*found);

    path = test::build_tar_bz2(dir / "noarch", conda_build_package(3u << 20));
    auto bytes = test::read_bytes(path);
    bytes[bytes.size() - 200] ^= 0x55;
    test::write_bytes(path, bytes);
    found = io::find_member_near_end(path, recipe_names, max_member);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_FALSE(*found);

    auto missing =
        io::find_member_near_end(dir / "noarch/missing.tar.bz2", recipe_names, max_member);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("missing.tar.bz2"), std::string::npos);
}

}  // namespace
