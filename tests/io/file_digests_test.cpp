#include "io/file_digests.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <random>
#include <string>

#include "tests/support/package_builder.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;
namespace fs = std::filesystem;

namespace {

using test::random_bytes;

fs::path write(const fs::path& path, const std::string& bytes) {
    test::write_bytes(path, bytes);
    return path;
}

// Every SIMD kernel this CPU has, and nullopt (OpenSSL per file).
std::vector<std::optional<io::Md5Kernel>> all_paths() {
    std::vector<std::optional<io::Md5Kernel>> paths{std::nullopt};
    for (auto kernel : io::Md5Lanes::supported_kernels())
        paths.emplace_back(kernel);
    return paths;
}

std::string name_of(std::optional<io::Md5Kernel> kernel) {
    if (!kernel)
        return "openssl";
    return *kernel == io::Md5Kernel::avx512 ? "avx512" : "avx2";
}

}  // namespace

TEST(Md5Lanes, EveryLaneMatchesOpenSslAcrossPaddingBoundaries) {
    auto kernels = io::Md5Lanes::supported_kernels();
    if (kernels.empty())
        GTEST_SKIP() << "this CPU has neither AVX-512 nor AVX2";
    for (auto kernel : kernels) {
        io::Md5Lanes md5(kernel);
        for (std::size_t length = 0; length <= 200; ++length) {
            std::vector<std::vector<unsigned char>> messages;
            std::vector<const unsigned char*> data;
            for (unsigned lane = 0; lane < md5.width(); ++lane) {
                auto bytes = random_bytes(length, static_cast<unsigned>(length * 100 + lane));
                std::vector<unsigned char> buffer(bytes.begin(), bytes.end());
                buffer.resize(length + 72);
                buffer.resize(length + io::Md5Lanes::pad(buffer.data() + length, length));
                ASSERT_EQ(buffer.size() % 64, 0u);
                messages.push_back(std::move(buffer));
                md5.reset(lane);
            }
            for (auto& m : messages)
                data.push_back(m.data());
            md5.compress(data, messages[0].size() / 64);
            for (unsigned lane = 0; lane < md5.width(); ++lane) {
                io::Hasher expected(io::DigestSet::md5_only);
                expected.update(messages[lane].data(), length);
                ASSERT_EQ(io::to_hex(md5.digest(lane)), expected.finish().md5_hex())
                    << name_of(kernel) << " lane " << lane << ", " << length << " bytes";
            }
        }
    }
}

TEST(FileDigests, EveryPathMatchesHashFileForAwkwardSizes) {
    test::TempDir dir;
    std::vector<fs::path> files;
    std::vector<std::size_t> sizes = {0,     1,     55,     56,     63,     64,    65,
                                      119,   120,   127,    128,    65535,  65536, 65537,
                                      65600, 65473, 200000, 131072, 1048579};
    std::mt19937 rng(7);
    for (int i = 0; i < 30; ++i)  // more files than lanes, in random sizes
        sizes.push_back(rng() % 300000);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        files.push_back(write(dir.path() / ("f" + std::to_string(i)),
                              random_bytes(sizes[i], static_cast<unsigned>(i))));
    }
    for (auto kernel : all_paths()) {
        for (unsigned threads : {1u, 2u}) {
            auto results = io::hash_files(files, threads, kernel);
            ASSERT_EQ(results.size(), files.size());
            for (std::size_t i = 0; i < files.size(); ++i) {
                auto expected = io::hash_file(files[i]);
                ASSERT_TRUE(expected);
                ASSERT_TRUE(results[i]) << results[i].error().message;
                EXPECT_EQ(results[i]->md5_hex(), expected->md5_hex())
                    << name_of(kernel) << ", " << sizes[i] << " bytes";
                EXPECT_EQ(results[i]->sha256_hex(), expected->sha256_hex())
                    << name_of(kernel) << ", " << sizes[i] << " bytes";
                EXPECT_EQ(results[i]->size, sizes[i]);
            }
        }
    }
}

TEST(FileDigests, KnownDigestsOfARealPackage) {
    std::vector<fs::path> files = {test::fixtures_dir() / "packages/linux-64/d-1-0.tar.bz2"};
    for (auto kernel : all_paths()) {
        auto results = io::hash_files(files, 2, kernel);
        ASSERT_TRUE(results[0]) << results[0].error().message;
        EXPECT_EQ(results[0]->md5_hex(), "42a642b4e54751ec7f916b4fbca56e8e") << name_of(kernel);
        EXPECT_EQ(results[0]->sha256_hex(),
                  "6a4cfff6979c46e389d5d1a85697369e640130c7996112b4be1dc98eb53f7e7e");
        EXPECT_EQ(results[0]->size, 1778u);
    }
}

TEST(FileDigests, AnUnreadableFileIsNamedAndTheOthersStillHashed) {
    test::TempDir dir;
    std::vector<fs::path> files;
    for (int i = 0; i < 20; ++i)
        files.push_back(write(dir.path() / ("ok" + std::to_string(i)), random_bytes(5000 + i, i)));
    files.insert(files.begin() + 3, dir.path() / "missing.conda");
    fs::create_directory(dir.path() / "a-directory.tar.bz2");
    files.insert(files.begin() + 10, dir.path() / "a-directory.tar.bz2");
    for (auto kernel : all_paths()) {
        auto results = io::hash_files(files, 2, kernel);
        for (std::size_t i = 0; i < files.size(); ++i) {
            auto name = files[i].filename().string();
            if (name == "missing.conda" || name == "a-directory.tar.bz2") {
                ASSERT_FALSE(results[i]) << name_of(kernel) << " " << name;
                EXPECT_NE(results[i].error().message.find(name), std::string::npos)
                    << results[i].error().message;
                continue;
            }
            ASSERT_TRUE(results[i]) << results[i].error().message;
            EXPECT_EQ(results[i]->md5_hex(), io::hash_file(files[i])->md5_hex());
        }
    }
}

// Each lane holds a file open: many threads of 16 lanes must not run a process with the usual
// descriptor limit out of descriptors (every file would then fail to open and be skipped).
TEST(FileDigests, LanesStayWithinTheDescriptorLimit) {
    test::TempDir dir;
    std::vector<fs::path> files;
    // Several chunks each, so every lane holds its file open across many rounds.
    for (int i = 0; i < 96; ++i)
        files.push_back(write(dir.path() / ("f" + std::to_string(i)), random_bytes(256 << 10, i)));
    struct LowDescriptorLimit {  // restored however the test ends
        rlimit saved{};
        LowDescriptorLimit() {
            ::getrlimit(RLIMIT_NOFILE, &saved);
            rlimit low = saved;
            low.rlim_cur = 48;  // 8 threads of 16 (or 8) lanes would need 128 (or 64)
            ::setrlimit(RLIMIT_NOFILE, &low);
        }
        ~LowDescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved); }
    } low_limit;
    for (auto kernel : io::Md5Lanes::supported_kernels()) {
        auto results = io::hash_files(files, 8, kernel);
        for (std::size_t i = 0; i < files.size(); ++i)
            ASSERT_TRUE(results[i]) << name_of(kernel) << ": " << results[i].error().message;
    }
}
