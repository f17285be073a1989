#include "server/path_safety.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/temp_dir.hpp"

using namespace chanmirror;
using server::parse_target;
using server::TargetError;

TEST(PathSafety, DecodesOnceAndKeepsPlus) {
    auto p = parse_target("/conda-forge/linux-64/lib%2Bxyz-1.0+cuda-0.conda?x=1");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->relative, "conda-forge/linux-64/lib+xyz-1.0+cuda-0.conda");
    EXPECT_EQ(p->query, "x=1");
    EXPECT_FALSE(p->has_token);
}

TEST(PathSafety, DoubleEncodingStaysLiteral) {
    auto p = parse_target("/a/%252e%252e/b");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->relative, "a/%2e%2e/b");
}

TEST(PathSafety, RejectsTraversalAndStructuralBytes) {
    for (const char* target :
         {"/../etc/passwd", "/a/../../b", "/%2e%2e/etc", "/%2E%2E/etc", "/a/%2e%2e%2fb",
          "/..%2fetc", "/a%2fb", "/a%2Fb", "/a\\b", "/a%5cb", "/a%00b", "/a/./b", "/%2e/b",
          "relative", "http://host/x", "/bad%zz", "/trailing%2", "/t/tok%2f/x"}) {
        auto p = parse_target(target);
        ASSERT_FALSE(p) << target;
        EXPECT_EQ(p.error(), TargetError::bad_request) << target;
    }
}

TEST(PathSafety, HidesDotfilesTempAndInProgressFiles) {
    for (const char* target :
         {"/.git/config", "/ch/.cache/x", "/ch/noarch/.hidden", "/ch/noarch/p-1-0.conda.partial",
          "/ch/noarch/repodata.json.chanmirror-tmp-1234", "/ch/noarch/x.lock", "/ch/%2ehidden"}) {
        auto p = parse_target(target);
        ASSERT_FALSE(p) << target;
        EXPECT_EQ(p.error(), TargetError::not_found) << target;
    }
}

TEST(PathSafety, StripsTokenPrefixAndRedactsItForLogs) {
    auto p = parse_target("/t/s3cr%2Bt/conda-forge/noarch/repodata.json");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->has_token);
    EXPECT_EQ(p->token, "s3cr+t");
    EXPECT_EQ(p->relative, "conda-forge/noarch/repodata.json");
    EXPECT_EQ(server::redact_target("/t/s3cr%2Bt/conda-forge/noarch/repodata.json?x"),
              "/t/<redacted>/conda-forge/noarch/repodata.json?x");
    EXPECT_EQ(server::redact_target("/t/abc"), "/t/<redacted>");
}

TEST(PathSafety, DirectoryTargets) {
    auto root = parse_target("/");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->relative, "");
    auto dir = parse_target("//ch///noarch/");
    ASSERT_TRUE(dir);
    EXPECT_EQ(dir->relative, "ch/noarch");
    EXPECT_TRUE(dir->trailing_slash);
}

class OpenBeneath : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = dir_ / "root";
        test::write_bytes(root_ / "ch/noarch/a.json", "{}");
        test::write_bytes(dir_ / "secret.txt", "secret");
        std::filesystem::create_symlink("../secret.txt", root_ / "relative-out");
        std::filesystem::create_symlink(dir_ / "secret.txt", root_ / "absolute-out");
        std::filesystem::create_symlink(dir_.path(), root_ / "dir-out");
        std::filesystem::create_symlink("ch/noarch/a.json", root_ / "inside");
        std::filesystem::create_symlink(root_ / "ch/noarch/a.json", root_ / "absolute-inside");
        real_ = std::filesystem::canonical(root_);
        fd_ = ::open(real_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    void TearDown() override { ::close(fd_); }

    test::TempDir dir_;
    std::filesystem::path root_, real_;
    int fd_ = -1;
};

TEST_F(OpenBeneath, OpensFilesAndSymlinksInsideRoot) {
    EXPECT_TRUE(server::open_beneath(fd_, real_, "ch/noarch/a.json"));
    EXPECT_TRUE(server::open_beneath(fd_, real_, "inside"));
    EXPECT_TRUE(server::open_beneath(fd_, real_, "absolute-inside"));
    EXPECT_TRUE(server::open_beneath(fd_, real_, ""));
}

TEST_F(OpenBeneath, RefusesSymlinksLeavingRoot) {
    for (const char* rel : {"relative-out", "absolute-out", "dir-out/secret.txt", "missing"}) {
        auto f = server::open_beneath(fd_, real_, rel);
        ASSERT_FALSE(f) << rel;
        EXPECT_EQ(f.error(), server::OpenError::not_found) << rel;
    }
}
