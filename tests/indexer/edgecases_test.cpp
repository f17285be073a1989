// Every broken or odd file from fixtures/edgecases is survived and named; the rest is indexed.
#include "indexer/index_channel.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/indexer/indexer_fixture.hpp"
#include "tests/support/run_command.hpp"

using namespace chanmirror;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> edgecase_files() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(test::fixtures_dir() / "edgecases")) {
        auto n = e.path().filename().string();
        if (n.ends_with(".conda") || n.ends_with(".tar.bz2"))
            names.push_back(n);
    }
    return names;
}

void copy_edgecases(const fs::path& subdir) {
    fs::create_directories(subdir);
    for (const auto& n : edgecase_files()) {
        fs::copy_file(test::fixtures_dir() / "edgecases" / n, subdir / n);
    }
}

TEST(EdgeCases, EveryFileIsIndexedOrSkippedByName) {
    test::TempDir dir;
    copy_edgecases(dir / "noarch");
    auto report = test::index_or_fail(test::options_for(dir.path()));
    std::set<std::string> skipped;
    for (const auto& s : report.skipped) {
        skipped.insert(fs::path(s.path).filename().string());
        EXPECT_FALSE(s.reason.empty()) << s.path;
    }
    auto repodata = test::read_json(dir / "noarch/repodata.json");
    for (const auto& n : edgecase_files()) {
        bool indexed = repodata["packages"].contains(n) || repodata["packages.conda"].contains(n);
        EXPECT_NE(indexed, skipped.contains(n)) << n << " must be either indexed or skipped";
    }
    EXPECT_EQ(report.indexed + report.skipped.size(), edgecase_files().size());
    EXPECT_TRUE(report.written);
}

TEST(EdgeCases, ReasonsSayWhatIsWrong) {
    test::TempDir dir;
    copy_edgecases(dir / "noarch");
    auto report = test::index_or_fail(test::options_for(dir.path()));
    std::map<std::string, std::string> reasons;
    for (const auto& s : report.skipped)
        reasons[fs::path(s.path).filename().string()] = s.reason;
    EXPECT_NE(reasons["test.tar.bz2"].find("not bzip2"), std::string::npos);
    EXPECT_NE(reasons["subfolder.tar.bz2"].find("no info/index.json"), std::string::npos);
    EXPECT_NE(reasons["ca-certificates-2024.7.4-hbcca054_0.conda"].find("info-*.tar.zst"),
              std::string::npos);
    bool mismatch_reported = false;
    for (const auto& w : report.warnings) {
        mismatch_reported |= w.find("test-package-0.1-0_copy.tar.bz2") != std::string::npos &&
                             w.find("disagrees") != std::string::npos;
    }
    EXPECT_TRUE(mismatch_reported);
}

TEST(EdgeCases, TruncatedPackageIsSkippedAndNamed) {
    test::TempDir dir;
    test::copy_fixture_subdirs(dir.path(), {"osx-64"});
    auto victim = dir / "osx-64/mock-2.0.0-py37_1000.tar.bz2";
    auto bytes = test::read_bytes(victim);
    test::write_bytes(victim, bytes.substr(0, bytes.size() / 3));
    auto conda = dir / "osx-64/jupyter-0.1.0-h0dc7051_0.conda";
    auto conda_bytes = test::read_bytes(conda);
    test::write_bytes(conda, conda_bytes.substr(0, 200));
    auto report = test::index_or_fail(test::options_for(dir.path()));
    ASSERT_EQ(report.skipped.size(), 2u);
    auto repodata = test::read_json(dir / "osx-64/repodata.json");
    EXPECT_EQ(repodata["packages"].size() + repodata["packages.conda"].size(), report.indexed);
}

TEST(EdgeCases, CliExitsOneWhenSomethingWasSkippedAndStrictWritesNothing) {
    test::TempDir dir;
    copy_edgecases(dir / "noarch");
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto strict =
        test::run_command(bin + " index --strict " + test::shell_quote(dir.path().string()));
    EXPECT_EQ(strict.exit_code, 1) << strict.output;
    EXPECT_FALSE(fs::exists(dir / "noarch/repodata.json"));
    EXPECT_NE(strict.output.find("skipped noarch/test.tar.bz2"), std::string::npos)
        << strict.output;

    auto normal = test::run_command(bin + " index " + test::shell_quote(dir.path().string()));
    EXPECT_EQ(normal.exit_code, 1) << normal.output;
    EXPECT_TRUE(fs::exists(dir / "noarch/repodata.json"));
    EXPECT_NE(normal.output.find("packages indexed"), std::string::npos) << normal.output;
}

// Skip reasons quote member names from the archive itself: a crafted name must not reach the
// terminal as an escape sequence, nor a damaged one as bytes that are not UTF-8.
TEST(EdgeCases, CliPrintsArchiveMemberNamesEscaped) {
    test::TempDir dir;
    test::copy_fixture_subdirs(dir.path(), {"noarch"});
    fs::path victim;
    for (const auto& e : fs::directory_iterator(dir / "noarch")) {
        if (e.path().extension() == ".conda")
            victim = e.path();
    }
    ASSERT_FALSE(victim.empty());
    auto stem = victim.filename().string();
    stem.resize(stem.size() - std::string(".conda").size());
    auto bytes = test::read_bytes(victim);
    const std::string member = "info-" + stem + ".tar.zst";
    const std::string crafted = "\x1b[2J" + member.substr(4);  // same length, no "info-" prefix
    int renamed = 0;
    for (auto at = bytes.find(member); at != std::string::npos; at = bytes.find(member, at)) {
        bytes.replace(at, member.size(), crafted);
        ++renamed;
    }
    ASSERT_EQ(renamed, 2);  // local header and central directory
    test::write_bytes(victim, bytes);

    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto r = test::run_command(bin + " index " + test::shell_quote(dir.path().string()));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("\\x1b[2J" + member.substr(4)), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << r.output;
}

TEST(EdgeCases, CliUsageErrorsExitTwo) {
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    EXPECT_EQ(test::run_command(bin + " index /nonexistent/channel").exit_code, 2);
    EXPECT_EQ(test::run_command(bin + " index").exit_code, 2);
    test::TempDir dir;
    auto bad = test::run_command(bin + " index --subdir Linux_64 " +
                                 test::shell_quote(dir.path().string()));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("Linux_64"), std::string::npos);
}

TEST(EdgeCases, UnusableOutputIsFatalAndNamed) {
    test::TempDir dir;
    test::write_bytes(dir / "noarch", "a file where the noarch folder should be");
    auto report = indexer::index_channel(test::options_for(dir.path()));
    ASSERT_FALSE(report);
    EXPECT_NE(report.error().message.find("noarch"), std::string::npos) << report.error().message;
}

}  // namespace
