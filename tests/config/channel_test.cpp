#include "config/channel.hpp"

#include <gtest/gtest.h>

namespace chanmirror::config {
namespace {

const std::vector<std::string> no_defaults;

Channel resolve_one(std::string_view spec, std::string_view alias = default_channel_alias) {
    auto r = resolve_channel(spec, alias, no_defaults);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    EXPECT_EQ(r->channels.size(), 1u);
    return r->channels.at(0);
}

TEST(ResolveChannel, NameGoesThroughChannelAlias) {
    auto ch = resolve_one("conda-forge");
    EXPECT_EQ(ch.url, "https://conda.anaconda.org/conda-forge");
    EXPECT_EQ(ch.local_path, "conda-forge");
}

TEST(ResolveChannel, CustomAliasAndLabelledName) {
    auto ch = resolve_one("bioconda/label/dev", "http://127.0.0.1:8080/mirror/");
    EXPECT_EQ(ch.url, "http://127.0.0.1:8080/mirror/bioconda/label/dev");
    EXPECT_EQ(ch.local_path, "bioconda/label/dev");
}

TEST(ResolveChannel, FullUrlIsUsedAsIsAndNamedByItsPath) {
    auto ch = resolve_one("https://repo.anaconda.com/pkgs/main/");
    EXPECT_EQ(ch.url, "https://repo.anaconda.com/pkgs/main");
    EXPECT_EQ(ch.local_path, "pkgs/main");
}

TEST(ResolveChannel, TokenAndCredentialsStayInUrlButNotInMirrorPath) {
    auto ch = resolve_one("https://user:s3cret@host.example/t/tk-123-456/private-chan");
    EXPECT_EQ(ch.url, "https://user:s3cret@host.example/t/tk-123-456/private-chan");
    EXPECT_EQ(ch.local_path, "private-chan");
}

TEST(ResolveChannel, FileUrl) {
    auto ch = resolve_one("file:///srv/upstream/chan");
    EXPECT_EQ(ch.url, "file:///srv/upstream/chan");
    EXPECT_EQ(ch.local_path, "srv/upstream/chan");
}

TEST(ResolveChannel, DefaultsExpandsToDefaultChannelsAndAsksForTheNotice) {
    auto r = resolve_channel("defaults", default_channel_alias, default_default_channels);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->used_defaults);
    ASSERT_EQ(r->channels.size(), 2u);
    EXPECT_EQ(r->channels[0].url, "https://repo.anaconda.com/pkgs/main");
    EXPECT_EQ(r->channels[1].local_path, "pkgs/r");
    EXPECT_NE(defaults_terms_notice().find("terms"), std::string_view::npos);
}

TEST(ResolveChannel, RejectsOtherSchemesAndDotDot) {
    EXPECT_FALSE(resolve_channel("ftp://host/chan", default_channel_alias, no_defaults));
    EXPECT_FALSE(resolve_channel("https://host/a/../../etc", default_channel_alias, no_defaults));
    EXPECT_FALSE(resolve_channel("../escape", default_channel_alias, no_defaults));
    EXPECT_FALSE(resolve_channel("https://host", default_channel_alias, no_defaults));
}

TEST(Redact, HidesPasswordsAndTokens) {
    EXPECT_EQ(redact("https://user:pw@host/t/tk-1/chan/linux-64/x.conda"),
              "https://***@host/t/***/chan/linux-64/x.conda");
    EXPECT_EQ(redact("https://conda.anaconda.org/conda-forge"),
              "https://conda.anaconda.org/conda-forge");
    EXPECT_EQ(redact("https://host/api/t/abc"), "https://host/api/t/***");
}

TEST(JoinUrl, ExactlyOneSlash) {
    EXPECT_EQ(join_url("http://h/a/", "/b"), "http://h/a/b");
    EXPECT_EQ(join_url("http://h/a", "b"), "http://h/a/b");
}

}  // namespace
}  // namespace chanmirror::config
