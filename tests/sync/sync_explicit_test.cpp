// `chanmirror sync --explicit FILE` (issue 5): exactly the URLs of a `conda list --explicit`
// file, each checked against the md5/sha256 it pins, no closure; the real binary against a
// loopback upstream built from the fixtures.
#include <gtest/gtest.h>

#include "sync/artifact_info.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

std::set<std::string> packages_in(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (core::is_package_filename(e.path().filename().string()))
            out.insert(e.path().filename().string());
    }
    return out;
}

class SyncExplicitTest : public ::testing::TestWithParam<bool> {
  protected:
    void SetUp() override {
        test::build_fixture_channel(upstream_dir.path() / "chan", {"linux-64", "noarch"});
        if (GetParam())
            test::add_fixture_shards(upstream_dir.path() / "chan", {"linux-64", "noarch"});
        server = std::make_unique<test::FakeUpstream>(upstream_dir.path());
        dest = work.path() / "mirror";
        test::write_bytes(work.path() / "mirror.yaml", test::fast_retry_config(dest));
    }

    ArtifactInfo upstream_info(const std::string& subdir, const std::string& filename) const {
        auto records = test::records_of(upstream_dir.path() / "chan" / subdir / "repodata.json");
        ArtifactInfoReader reader;
        auto info = reader.read(records.at(filename), filename);
        EXPECT_TRUE(info);
        return *info;
    }

    // "<url>#<md5>" or "<url>#sha256:<sha256>".
    std::string line(const std::string& subdir, const std::string& filename, bool sha256) const {
        auto info = upstream_info(subdir, filename);
        return server->url("/chan/" + subdir + "/" + filename) + "#" +
               (sha256 ? "sha256:" + info.sha256 : info.md5) + "\n";
    }

    test::CommandResult sync(const std::string& explicit_text, const std::string& extra = "") {
        test::write_bytes(work.path() / "explicit.txt", explicit_text);
        return test::run_command(
            test::shell_quote(test::chanmirror_binary().string()) + " sync --config " +
            test::shell_quote((work.path() / "mirror.yaml").string()) + " --explicit " +
            test::shell_quote((work.path() / "explicit.txt").string()) + extra);
    }

    test::TempDir upstream_dir;
    test::TempDir work;
    fs::path dest;
    std::unique_ptr<test::FakeUpstream> server;
};

const std::string header =
    "# This file may be used to create an environment using:\n"
    "# $ conda create --name <env> --file <this file>\n"
    "# platform: linux-64\n@EXPLICIT\n";

TEST_P(SyncExplicitTest, MirrorsExactlyTheListedFilesWithoutClosure) {
    // stitch-lexy depends on two other linux-64 packages; an explicit file takes no closure.
    auto r = sync(header + line("linux-64", "stitch-lexy-0.0.1-hb0f4dca_0.tar.bz2", false) +
                  line("linux-64", "cligj-0.4.0-py27_0.tar.bz2", true) +
                  line("noarch", "dependent-1.0-0.conda", false));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto linux = dest / "chan" / "linux-64";
    EXPECT_EQ(packages_in(linux), (std::set<std::string>{"cligj-0.4.0-py27_0.tar.bz2",
                                                         "stitch-lexy-0.0.1-hb0f4dca_0.tar.bz2"}));
    EXPECT_EQ(packages_in(dest / "chan" / "noarch"),
              std::set<std::string>{"dependent-1.0-0.conda"});
    auto published = test::records_of(linux / "repodata.json");
    EXPECT_EQ(published.size(), 2u);
    EXPECT_EQ(published.at("cligj-0.4.0-py27_0.tar.bz2"),
              test::records_of(upstream_dir.path() / "chan/linux-64/repodata.json")
                  .at("cligj-0.4.0-py27_0.tar.bz2"));
    EXPECT_EQ(server->package_requests(), 3);
    EXPECT_EQ(server->requests("/chan/linux-64/repodata.json.zst"), GetParam() ? 0 : 1);
}

TEST_P(SyncExplicitTest, DigestMismatchAndUnknownFileAreNamedWithTheirLine) {
    auto good = line("linux-64", "cligj-0.4.0-py27_0.tar.bz2", false);
    auto wrong_md5 =
        server->url("/chan/noarch/dependent-1.0-0.conda") + "#" + std::string(32, 'a') + "\n";
    auto unknown = server->url("/chan/noarch/nothere-1.0-0.conda") + "\n";
    auto r = sync(header + good + wrong_md5 + unknown);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "chan/noarch/dependent-1.0-0.conda")) << r.output;
    EXPECT_TRUE(contains(r.output, "explicit.txt:6")) << r.output;
    EXPECT_TRUE(contains(r.output, "differs")) << r.output;
    EXPECT_TRUE(contains(r.output, "nothere-1.0-0.conda")) << r.output;
    EXPECT_TRUE(contains(r.output, "explicit.txt:7")) << r.output;
    EXPECT_EQ(packages_in(dest / "chan" / "linux-64"),
              std::set<std::string>{"cligj-0.4.0-py27_0.tar.bz2"});
    EXPECT_TRUE(packages_in(dest / "chan" / "noarch").empty()) << "a mismatch is not mirrored";
    EXPECT_EQ(server->package_requests(), 1);
}

TEST_P(SyncExplicitTest, DryRunListsTheFilesAndSpecsCannotBeCombined) {
    auto r = sync(header + line("noarch", "dependent-1.0-0.conda", true), " --dry-run");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "chan/noarch/dependent-1.0-0.conda\n")) << r.output;
    EXPECT_FALSE(fs::exists(dest / "chan"));
    auto both = sync(header + line("noarch", "dependent-1.0-0.conda", true), " --spec python");
    EXPECT_EQ(both.exit_code, 2) << both.output;
}

INSTANTIATE_TEST_SUITE_P(UpstreamWithAndWithoutShards, SyncExplicitTest, ::testing::Bool());

}  // namespace
}  // namespace chanmirror::sync
