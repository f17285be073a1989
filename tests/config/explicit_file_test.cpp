#include "config/explicit_file.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.hpp"

namespace {

using chanmirror::config::load_explicit_file;
using chanmirror::config::parse_explicit_file;

// As `conda list --explicit --md5` writes it, plus a sha256 line and a token URL.
constexpr const char* exported = R"(# This file may be used to create an environment using:
# $ conda create --name <env> --file <this file>
# platform: linux-64
# created-by: conda 24.5.0
@EXPLICIT
https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2#d7c89558ba9fa0495403155b64376d81
https://conda.anaconda.org/conda-forge/noarch/pip-24.0-pyhd8ed1ab_0.conda#sha256:B720F6d2dc98d2e4a4d3f8b5c4cbbc1234567890abcdef0123456789abcdef01

https://conda.anaconda.org/t/tk-123/private/linux-64/python-3.9.18-h0755675_1_cpython.conda
https://repo.anaconda.com/pkgs/r/linux-64/r-base-3.5.0-h1c2f66e_1.tar.bz2#md5:0123456789ABCDEF0123456789abcdef
)";

TEST(ExplicitFile, ReadsUrlsChannelsSubdirsAndDigests) {
    auto file = parse_explicit_file(exported, "env.txt");
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_EQ(file->platform, "linux-64");
    ASSERT_EQ(file->packages.size(), 4u);

    const auto& mutex = file->packages[0];
    EXPECT_EQ(mutex.url,
              "https://conda.anaconda.org/conda-forge/linux-64/"
              "_libgcc_mutex-0.1-conda_forge.tar.bz2");
    EXPECT_EQ(mutex.channel_url, "https://conda.anaconda.org/conda-forge");
    EXPECT_EQ(mutex.channel, "conda-forge");
    EXPECT_EQ(mutex.subdir, "linux-64");
    EXPECT_EQ(mutex.filename, "_libgcc_mutex-0.1-conda_forge.tar.bz2");
    EXPECT_EQ(mutex.md5, "d7c89558ba9fa0495403155b64376d81");
    EXPECT_EQ(mutex.sha256, "");
    EXPECT_EQ(mutex.line, 6);

    const auto& pip = file->packages[1];
    EXPECT_EQ(pip.subdir, "noarch");
    EXPECT_EQ(pip.md5, "");
    EXPECT_EQ(pip.sha256, "b720f6d2dc98d2e4a4d3f8b5c4cbbc1234567890abcdef0123456789abcdef01");

    const auto& python = file->packages[2];
    EXPECT_EQ(python.channel, "private");  // token stripped from the name, kept in the URL
    EXPECT_EQ(python.channel_url, "https://conda.anaconda.org/t/tk-123/private");
    EXPECT_EQ(python.md5, "");
    EXPECT_EQ(python.line, 9);

    const auto& r = file->packages[3];
    EXPECT_EQ(r.channel, "pkgs/r");
    EXPECT_EQ(r.md5, "0123456789abcdef0123456789abcdef");
}

TEST(ExplicitFile, ErrorsNameTheLine) {
    auto no_marker = parse_explicit_file(
        "# platform: linux-64\nhttps://x.org/c/linux-64/a-1-0.conda\n", "e.txt");
    ASSERT_FALSE(no_marker);
    EXPECT_NE(no_marker.error().message.find("e.txt:2: expected @EXPLICIT"), std::string::npos)
        << no_marker.error().message;

    auto spec = parse_explicit_file("@EXPLICIT\nnumpy=1.26\n", "e.txt");
    ASSERT_FALSE(spec);
    EXPECT_NE(spec.error().message.find("e.txt:2: expected a package URL"), std::string::npos);

    auto not_package = parse_explicit_file("@EXPLICIT\nhttps://x.org/c/linux-64/a.whl\n", "e.txt");
    ASSERT_FALSE(not_package);
    EXPECT_NE(not_package.error().message.find("'a.whl' is not a .conda or .tar.bz2 file"),
              std::string::npos);

    auto no_subdir = parse_explicit_file("@EXPLICIT\nhttps://x.org/a-1-0.conda\n", "e.txt");
    ASSERT_FALSE(no_subdir);
    EXPECT_NE(no_subdir.error().message.find("no subdir"), std::string::npos);

    auto bad_digest =
        parse_explicit_file("@EXPLICIT\n\nhttps://x.org/c/linux-64/a-1-0.conda#abc\n", "e.txt");
    ASSERT_FALSE(bad_digest);
    EXPECT_NE(bad_digest.error().message.find("e.txt:3: '#abc' is neither"), std::string::npos)
        << bad_digest.error().message;

    auto short_sha = parse_explicit_file(
        "@EXPLICIT\nhttps://x.org/c/linux-64/a-1-0.conda#sha256:abcd\n", "e.txt");
    ASSERT_FALSE(short_sha);

    auto empty = parse_explicit_file("# nothing\n", "e.txt");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().message.find("no @EXPLICIT"), std::string::npos);
}

TEST(ExplicitFile, LoadsFromDiskWithCrlfLines) {
    chanmirror::test::TempDir dir;
    chanmirror::test::write_bytes(dir / "spec.txt",
                                  "@EXPLICIT\r\nhttps://x.org/c/osx-arm64/a-1-0.conda\r\n");
    auto file = load_explicit_file(dir / "spec.txt");
    ASSERT_TRUE(file) << file.error().message;
    ASSERT_EQ(file->packages.size(), 1u);
    EXPECT_EQ(file->packages[0].subdir, "osx-arm64");
    EXPECT_EQ(file->packages[0].filename, "a-1-0.conda");
    EXPECT_FALSE(load_explicit_file(dir / "missing.txt"));
}

}  // namespace
