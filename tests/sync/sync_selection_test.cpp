// `chanmirror sync` with package selection (issue 5), end to end through the real binary over
// a file:// upstream holding real conda-forge repodata.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <sstream>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

std::string upstream_url() {
    return "file://" +
           std::filesystem::canonical(test::fixtures_dir() / "repodata/conda-subchannel-demo")
               .string();
}

std::vector<std::string> listed_files(const std::string& output) {
    std::vector<std::string> files;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("/linux-64/") != std::string::npos ||
            line.find("/noarch/") != std::string::npos) {
            files.push_back(line.substr(line.rfind('/') + 1));
        }
    }
    return files;
}

test::CommandResult dry_run(const test::TempDir& dir, const std::string& extra) {
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    return test::run_command(bin + " sync " + test::shell_quote(upstream_url()) +
                             " --subdir linux-64 --subdir noarch --dry-run --dest " +
                             test::shell_quote((dir / "mirror").string()) + " " + extra +
                             " 2>/dev/null");
}

// "<name>-<version>-<build>.<ext>" -> {name, version, build}.
std::array<std::string, 3> split_filename(const std::string& f) {
    auto stem = f.substr(0, f.ends_with(".conda") ? f.size() - 6 : f.size() - 8);
    auto build_at = stem.rfind('-');
    auto version_at = stem.rfind('-', build_at - 1);
    return {stem.substr(0, version_at), stem.substr(version_at + 1, build_at - version_at - 1),
            stem.substr(build_at + 1)};
}

bool contains(const std::vector<std::string>& files, const std::string& name) {
    return std::find(files.begin(), files.end(), name) != files.end();
}

TEST(SyncSelection, SpecsPullInTheirDependencyClosure) {
    test::TempDir dir;
    auto run = dry_run(dir, "--spec 'python 3.9.*' --spec pip --latest 1");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto files = listed_files(run.output);
    EXPECT_EQ(files.size(), 71u);
    EXPECT_TRUE(contains(files, "python-3.9.19-h0755675_0_cpython.conda"));
    EXPECT_TRUE(contains(files, "pip-24.0-pyhd8ed1ab_0.conda"));
    EXPECT_TRUE(contains(files, "_libgcc_mutex-0.1-conda_forge.tar.bz2"));  // via libgcc-ng
    for (const auto& f : files)
        EXPECT_EQ(f.find("python-3.9.18"), std::string::npos) << "latest 1";
    EXPECT_FALSE(std::filesystem::exists(dir / "mirror/linux-64/repodata.json")) << "dry run";
}

TEST(SyncSelection, ExcludeAndEnvironmentFile) {
    test::TempDir dir;
    test::write_bytes(dir / "environment.yml", "name: t\nchannels: [" + upstream_url() +
                                                   "]\ndependencies:\n  - python=3.9.19\n"
                                                   "  - pip:\n    - requests\n");
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto run = test::run_command(bin + " sync --subdir linux-64 --subdir noarch --dry-run --dest " +
                                 test::shell_quote((dir / "mirror").string()) + " --environment " +
                                 test::shell_quote((dir / "environment.yml").string()) +
                                 " --exclude 'graalpy' --latest 1");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto files = listed_files(run.output);
    EXPECT_TRUE(contains(files, "python-3.9.19-h0755675_0_cpython.conda"));
    for (const auto& f : files) {
        EXPECT_EQ(f.rfind("python-3.9.18", 0), std::string::npos) << f;
        EXPECT_EQ(f.rfind("graalpy", 0), std::string::npos) << f;
    }
    EXPECT_NE(run.output.find("pip dependency 'requests' is not mirrored"), std::string::npos)
        << run.output;
}

// An environment exported with exact `name=version=build` pins for every package gives back
// exactly those builds (both formats: sync_shards_test, this upstream has one per build).
TEST(SyncSelection, ExactPinsOfAWholeEnvironmentGiveExactlyThoseBuilds) {
    test::TempDir dir;
    auto resolved = dry_run(dir, "--spec 'python 3.9.*' --spec pip --latest 1");
    ASSERT_EQ(resolved.exit_code, 0) << resolved.output;
    // One build per name, as in an exported environment: the last listed (highest build).
    std::map<std::string, std::string> build_of;  // name -> file
    for (const auto& f : listed_files(resolved.output))
        build_of[split_filename(f)[0]] = f;
    std::vector<std::string> files;
    std::set<std::string> pins;
    for (const auto& [name, f] : build_of) {
        auto [n, version, build] = split_filename(f);
        pins.insert(n + "=" + version + "=" + build);
        files.push_back(f);
    }
    ASSERT_GT(pins.size(), 20u);
    std::string env = "name: exported\nchannels: [" + upstream_url() + "]\ndependencies:\n";
    for (const auto& pin : pins)
        env += "  - " + pin + "\n";
    test::write_bytes(dir / "environment.yml", env);
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto run =
        test::run_command(bin + " sync --subdir linux-64 --subdir noarch --dry-run --dest " +
                          test::shell_quote((dir / "mirror").string()) + " --environment " +
                          test::shell_quote((dir / "environment.yml").string()) + " 2>/dev/null");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto pinned = listed_files(run.output);
    std::sort(files.begin(), files.end());
    std::sort(pinned.begin(), pinned.end());
    EXPECT_EQ(pinned, files);
}

TEST(SyncSelection, ExcludingADependencyPrunesItsDependents) {
    test::TempDir dir;
    auto run = dry_run(dir, "--spec 'python 3.9.19' --exclude tzdata");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    for (const auto& f : listed_files(run.output))
        EXPECT_EQ(f.rfind("python-3.9.19", 0), std::string::npos) << f;
}

TEST(SyncSelection, InvalidSpecIsFatalAndNamed) {
    test::TempDir dir;
    auto bin = test::shell_quote(test::chanmirror_binary().string());
    auto run = test::run_command(
        bin + " sync " + test::shell_quote(upstream_url()) + " --subdir noarch --dry-run --dest " +
        test::shell_quote((dir / "mirror").string()) + " --spec 'python>='");
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("python>="), std::string::npos) << run.output;
}

}  // namespace
