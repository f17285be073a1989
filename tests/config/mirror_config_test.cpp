#include "config/mirror_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace chanmirror::config {
namespace {

TEST(MirrorConfig, EmptyFileGivesDefaults) {
    auto cfg = parse_mirror_config("", "empty.yaml");
    ASSERT_TRUE(cfg);
    EXPECT_EQ(cfg->channel_alias, "https://conda.anaconda.org");
    EXPECT_EQ(cfg->network.jobs, 8);
    EXPECT_DOUBLE_EQ(cfg->max_delete, 0.10);
    EXPECT_EQ(cfg->default_channels.size(), 2u);
}

TEST(MirrorConfig, ReadsEverySetting) {
    ::setenv("CHANMIRROR_TEST_TOKEN", "tk-9", 1);
    auto cfg = parse_mirror_config(R"(
dest: /srv/mirror
channel_alias: http://127.0.0.1:9/alias
default_channels: [http://a/main]
subdirs: [linux-64, noarch]
jobs: 16
retries: 2
backoff_initial: 0.5
backoff_max: 10
connect_timeout: 7
low_speed_time: 20
proxy: http://proxy:3128
ca_bundle: /etc/ssl/ca.pem
max_delete: 25%
channels:
  - conda-forge
  - name: private
    subdirs: linux-64
    username: me
    password: pw
    token_env: CHANMIRROR_TEST_TOKEN
)",
                                   "full.yaml");
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->dest, "/srv/mirror");
    EXPECT_EQ(cfg->subdirs, (std::vector<std::string>{"linux-64", "noarch"}));
    EXPECT_EQ(cfg->network.jobs, 16);
    EXPECT_EQ(cfg->network.retries, 2);
    EXPECT_DOUBLE_EQ(cfg->network.backoff_initial_s, 0.5);
    EXPECT_EQ(cfg->network.connect_timeout_s, 7);
    EXPECT_EQ(cfg->network.proxy, "http://proxy:3128");
    EXPECT_EQ(cfg->network.ca_bundle, "/etc/ssl/ca.pem");
    EXPECT_DOUBLE_EQ(cfg->max_delete, 0.25);
    ASSERT_EQ(cfg->channels.size(), 2u);
    EXPECT_EQ(cfg->channels[1].token, "tk-9");
    auto resolved = resolve_configured(cfg->channels[1], *cfg);
    ASSERT_TRUE(resolved);
    EXPECT_EQ(resolved->channels[0].url, "http://me:pw@127.0.0.1:9/t/tk-9/alias/private");
    EXPECT_EQ(resolved->channels[0].local_path, "private");
}

TEST(MirrorConfig, ErrorsNameTheKeyAndLine) {
    auto cfg = parse_mirror_config("dest: /x\njobs: many\n", "bad.yaml");
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find("bad.yaml:2"), std::string::npos) << cfg.error().message;
    EXPECT_NE(cfg.error().message.find("'jobs'"), std::string::npos);

    cfg = parse_mirror_config("dest: /x\n\nchanels: [a]\n", "typo.yaml");
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find("typo.yaml:3"), std::string::npos) << cfg.error().message;
    EXPECT_NE(cfg.error().message.find("unknown key"), std::string::npos);

    cfg = parse_mirror_config("channels:\n  - name: a\n    colour: red\n", "ch.yaml");
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find("ch.yaml:3"), std::string::npos) << cfg.error().message;

    cfg = parse_mirror_config("jobs: 0\n", "zero.yaml");
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find("at least 1"), std::string::npos);

    cfg = parse_mirror_config("dest: [unclosed\n", "syntax.yaml");
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find("syntax.yaml:"), std::string::npos);
}

TEST(MirrorConfig, MissingEnvironmentVariableIsAnError) {
    ::unsetenv("CHANMIRROR_TEST_UNSET");
    auto cfg = parse_mirror_config(
        "channels:\n  - name: a\n    password_env: CHANMIRROR_TEST_UNSET\n", "env.yaml");
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find("CHANMIRROR_TEST_UNSET"), std::string::npos);
}

TEST(ParseFraction, PercentOrFraction) {
    EXPECT_DOUBLE_EQ(*parse_fraction("10%"), 0.10);
    EXPECT_DOUBLE_EQ(*parse_fraction("0.5"), 0.5);
    EXPECT_FALSE(parse_fraction("lots"));
    EXPECT_FALSE(parse_fraction("150%"));
}

TEST(NativeSubdir, LooksLikeASubdir) {
    auto s = native_subdir();
    EXPECT_NE(s.find('-'), std::string::npos) << s;
}

TEST(ShippedDefaultConfig, Parses) {
    auto root = std::filesystem::path(CHANMIRROR_SOURCE_DIR);
    auto cfg = load_mirror_config(root / "config" / "default-mirror.yaml");
    ASSERT_TRUE(cfg) << cfg.error().message;
    ASSERT_FALSE(cfg->channels.empty());
    EXPECT_EQ(cfg->channels[0].spec, "conda-forge");
    // The README's main job mirrors a small selection, never all of conda-forge.
    EXPECT_FALSE(cfg->specs.empty());
    EXPECT_EQ(cfg->latest, 1);
}

TEST(SelectionKeys, SpecsExcludeAndLatestAreRead) {
    auto cfg = parse_mirror_config(
        "dest: /m\nspecs: [numpy, 'python 3.12.*']\nexclude: ['*[license=AGPL*]']\nlatest: 2\n",
        "inline");
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->specs, (std::vector<std::string>{"numpy", "python 3.12.*"}));
    EXPECT_EQ(cfg->exclude.size(), 1u);
    EXPECT_EQ(cfg->latest, 2);
    auto bad = parse_mirror_config("latest: 0\n", "inline");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("latest"), std::string::npos);
}

}  // namespace
}  // namespace chanmirror::config
