#include "config/environment_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/repodata.hpp"
#include "core/selection.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using chanmirror::config::load_environment_file;
using chanmirror::config::parse_environment_file;

// `conda env export` of a python 3.9.18 environment built from the conda-forge fixture subset.
constexpr const char* exported = R"(name: py39
channels:
  - conda-forge
  - nodefaults
dependencies:
  - _libgcc_mutex=0.1=conda_forge
  - _openmp_mutex=4.5=2_gnu
  - bzip2=1.0.8=hd590300_5
  - ca-certificates=2024.2.2=hbcca054_0
  - ld_impl_linux-64=2.40=h41732ed_0
  - libffi=3.4.2=h7f98852_5
  - libgcc-ng=13.2.0=h77fa898_7
  - libgomp=13.2.0=h77fa898_7
  - libnsl=2.0.1=hd590300_0
  - libsqlite=3.45.3=h2797004_0
  - libuuid=2.38.1=h0b41bf4_0
  - libxcrypt=4.4.36=hd590300_1
  - libzlib=1.2.13=hd590300_5
  - ncurses=6.5=h59595ed_0
  - openssl=3.3.0=hd590300_0
  - pip=24.0=pyhd8ed1ab_0
  - python=3.9.18=h0755675_1_cpython
  - readline=8.2=h8228510_1
  - setuptools=69.5.1=pyhd8ed1ab_0
  - tk=8.6.13=noxft_h4845f30_101
  - tzdata=2024a=h0c530f3_0
  - wheel=0.43.0=pyhd8ed1ab_1
  - xz=5.2.6=h166bdaf_0
  - pip:
    - requests==2.31.0
    - rich==13.7.1
prefix: /opt/conda/envs/py39
)";

TEST(EnvironmentFile, ReadsAnExportedEnvironment) {
    auto env = parse_environment_file(exported, "environment.yml");
    ASSERT_TRUE(env) << env.error().message;
    EXPECT_EQ(env->name, "py39");
    EXPECT_EQ(env->channels, std::vector<std::string>{"conda-forge"});
    EXPECT_TRUE(env->nodefaults);
    ASSERT_EQ(env->dependencies.size(), 23u);
    EXPECT_EQ(env->dependencies.front(), "_libgcc_mutex=0.1=conda_forge");
    EXPECT_EQ(env->pip, (std::vector<std::string>{"requests==2.31.0", "rich==13.7.1"}));
}

TEST(EnvironmentFile, EndToEndSelectsExactlyTheEnvironmentsBuilds) {
    chanmirror::test::TempDir dir;
    chanmirror::test::write_bytes(dir / "environment.yml", exported);
    auto env = load_environment_file(dir / "environment.yml");
    ASSERT_TRUE(env) << env.error().message;
    const auto root = chanmirror::test::fixtures_dir() / "repodata/conda-subchannel-demo";
    std::vector<chanmirror::core::RepoData> repodata;
    for (const char* subdir : {"linux-64", "noarch"}) {
        const auto path = root / subdir / "repodata.json";
        auto parsed =
            chanmirror::core::parse_repodata(chanmirror::test::read_bytes(path), path.string());
        ASSERT_TRUE(parsed) << parsed.error().message;
        repodata.push_back(std::move(*parsed));
    }
    std::vector<chanmirror::core::SelectionInput> inputs;
    inputs.push_back({env->channels[0], "linux-64", &repodata[0]});
    inputs.push_back({env->channels[0], "noarch", &repodata[1]});
    auto result = chanmirror::core::select_files(inputs, {env->dependencies, {}, {}});
    ASSERT_TRUE(result) << result.error().message;
    const auto lines = result->listing();
    ASSERT_EQ(lines.size(), 23u);
    EXPECT_EQ(lines.front(), "conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2");
    EXPECT_EQ(lines.back(), "conda-forge/noarch/wheel-0.43.0-pyhd8ed1ab_1.conda");
    EXPECT_TRUE(std::find(lines.begin(), lines.end(),
                          "conda-forge/linux-64/python-3.9.18-h0755675_1_cpython.conda") !=
                lines.end());
    EXPECT_TRUE(result->dropped.empty());
}

TEST(EnvironmentFile, ErrorsNameTheKeyAndLine) {
    auto bad_spec = parse_environment_file(
        "name: x\ndependencies:\n  - numpy\n  - 'numpy >=1,<<2'\n", "env.yml");
    ASSERT_FALSE(bad_spec);
    EXPECT_NE(bad_spec.error().message.find("env.yml:4: key 'dependencies'"), std::string::npos)
        << bad_spec.error().message;
    EXPECT_NE(bad_spec.error().message.find("numpy >=1,<<2"), std::string::npos);

    auto bad_channels = parse_environment_file("channels: conda-forge\n", "env.yml");
    ASSERT_FALSE(bad_channels);
    EXPECT_NE(bad_channels.error().message.find("env.yml:1: key 'channels': expected a list"),
              std::string::npos)
        << bad_channels.error().message;

    auto unknown = parse_environment_file("name: x\ndepends:\n  - a\n", "env.yml");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("key 'depends': unknown key"), std::string::npos);

    auto sublist = parse_environment_file("dependencies:\n  - a\n  - npm:\n    - x\n", "env.yml");
    ASSERT_FALSE(sublist);
    EXPECT_NE(sublist.error().message.find("env.yml:3"), std::string::npos);

    auto yaml = parse_environment_file("dependencies: [a,\n", "env.yml");
    ASSERT_FALSE(yaml);
    EXPECT_NE(yaml.error().message.find("invalid YAML"), std::string::npos);

    EXPECT_FALSE(load_environment_file("/nonexistent/environment.yml"));
}

TEST(EnvironmentFile, EmptyFileAndEmptyListsAreValid) {
    auto empty = parse_environment_file("", "env.yml");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->dependencies.empty());
    auto nulls = parse_environment_file("name: x\nchannels:\ndependencies:\n", "env.yml");
    ASSERT_TRUE(nulls) << nulls.error().message;
    EXPECT_TRUE(nulls->channels.empty());
}

}  // namespace
