// The real binary against a loopback upstream built from the fixtures.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/repodata.hpp"
#include "io/zstd.hpp"
#include "sync/lock.hpp"
#include "sync/verify.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using test::Fault;

bool same_bytes(const fs::path& a, const fs::path& b) {
    return test::read_bytes(a) == test::read_bytes(b);
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

class SyncCliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::build_fixture_channel(upstream_dir.path() / "chan", {"linux-64", "noarch"});
        server = std::make_unique<test::FakeUpstream>(upstream_dir.path());
        dest = work.path() / "mirror";
        config = work.path() / "mirror.yaml";
        test::write_bytes(config, test::fast_retry_config(dest));
    }

    std::string command(const std::string& extra) const {
        return test::shell_quote(test::chanmirror_binary().string()) + " sync " +
               server->url("/chan") + " --config " + test::shell_quote(config.string()) +
               " --subdir linux-64 --subdir noarch " + extra;
    }

    test::CommandResult sync(const std::string& extra = "") const {
        return test::run_command(command(extra));
    }

    fs::path up(const std::string& subdir) const { return upstream_dir.path() / "chan" / subdir; }

    // Moves (or copies) upstream linux-64's packages into `dir`, and has its repodata say with
    // CEP-15's info.base_url that they are at `base_url`.
    enum class Relocate { move, copy };
    void packages_at(const fs::path& dir, const std::string& base_url, Relocate how) {
        fs::create_directories(dir);
        for (const auto& name : package_names(up("linux-64"))) {
            if (how == Relocate::move)
                fs::rename(up("linux-64") / name, dir / name);
            else
                fs::copy_file(up("linux-64") / name, dir / name);
        }
        test::edit_repodata(up("linux-64"), [&](core::RepoData& rd) {
            rd.info["base_url"] = base_url;
            rd.repodata_version = 2;
        });
    }
    fs::path mirror(const std::string& subdir) const { return dest / "chan" / subdir; }

    std::vector<std::string> package_names(const fs::path& dir) const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(dir)) {
            if (core::is_package_filename(e.path().filename().string()))
                out.push_back(e.path().filename().string());
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    void expect_mirror_equals_upstream() {
        for (const char* subdir : {"linux-64", "noarch"}) {
            EXPECT_EQ(test::records_of(mirror(subdir) / "repodata.json"),
                      test::records_of(up(subdir) / "repodata.json"))
                << subdir;
            for (const auto& name : package_names(up(subdir))) {
                EXPECT_TRUE(same_bytes(mirror(subdir) / name, up(subdir) / name)) << name;
            }
        }
        auto report = verify_mirror(dest, "");
        ASSERT_TRUE(report) << report.error().message;
        EXPECT_TRUE(report->problems.empty()) << report->problems.front().path;
        EXPECT_EQ(report->checked, 109u);
    }

    test::TempDir upstream_dir;
    test::TempDir work;
    fs::path dest;
    fs::path config;
    std::unique_ptr<test::FakeUpstream> server;
};

TEST_F(SyncCliTest, MirrorsEveryFileVerifiedWithUpstreamRecordsByteForByte) {
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_mirror_equals_upstream();
    EXPECT_EQ(server->package_requests(), 109);
    // Same upstream bytes -> same published file (conda-index wrote the upstream one).
    EXPECT_EQ(test::read_bytes(mirror("linux-64") / "repodata.json"),
              test::read_bytes(up("linux-64") / "repodata.json"));
    EXPECT_EQ(test::read_bytes(mirror("noarch") / "run_exports.json"),
              test::read_bytes(up("noarch") / "run_exports.json"));
    for (const char* name :
         {"repodata.json.zst", "repodata_shards.msgpack.zst", "run_exports.json.zst"}) {
        EXPECT_TRUE(fs::exists(mirror("linux-64") / name)) << name;
    }
    auto summary = test::read_bytes(dest / ".chanmirror" / "last-run.json");
    EXPECT_TRUE(contains(summary, "\"exit_code\": 0")) << summary;
    EXPECT_TRUE(contains(summary, "\"downloaded\": 47"));
}

TEST_F(SyncCliTest, NoChangeRerunDownloadsNoPackageAndUses304) {
    ASSERT_EQ(sync().exit_code, 0);
    server->reset_counts();
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(server->package_requests(), 0);
    EXPECT_TRUE(contains(r.output, "not modified upstream (304)")) << r.output;
    for (const auto& entry : server->log()) {
        if (entry.path.ends_with("repodata.json.zst")) {
            EXPECT_EQ(entry.status, 304);
        }
    }

    server->bump_etags();  // a CDN redeploy: new ETags, same bytes
    server->reset_counts();
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(server->package_requests(), 0);
    EXPECT_TRUE(contains(r.output, "47 records, 0 downloaded (0 B), 47 kept")) << r.output;
    expect_mirror_equals_upstream();
}

// A selective job needs every upstream record, so a 304 is answered from its local copy of
// upstream's repodata, and a changed selection still works without a full fetch.
TEST_F(SyncCliTest, SelectiveRerunSelectsFromItsCopyOfUpstreamAfterA304) {
    ASSERT_EQ(sync("--spec feature --spec dependency").exit_code, 0);
    server->reset_counts();
    auto again = sync("--spec feature --spec dependency --spec krb5");
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_TRUE(contains(again.output, "selecting from the local copy")) << again.output;
    for (const char* subdir : {"linux-64", "noarch"}) {
        auto path = std::string("/chan/") + subdir + "/repodata.json.zst";
        EXPECT_EQ(server->requests(path), 1) << path;
        for (const auto& entry : server->log()) {
            if (entry.path == path) {
                EXPECT_EQ(entry.status, 304) << path;
            }
        }
    }
    EXPECT_EQ(server->package_requests(), 1) << "only the newly selected krb5";
    EXPECT_TRUE(fs::exists(mirror("linux-64") / "krb5-1.13.2-0.tar.bz2"));
    EXPECT_TRUE(fs::exists(mirror("noarch") / "dependency-2.0-0.conda"));
}

TEST_F(SyncCliTest, TransientFailuresAreRetriedAndResumed) {
    server->add_fault("/chan/linux-64/repodata.json.zst", {Fault::Kind::status, 503, 0, 0, 1});
    server->add_fault("/chan/linux-64/d-1-0.tar.bz2", {Fault::Kind::status, 503, 0, 0, 2});
    server->add_fault("/chan/linux-64/cligj-0.4.0-py27_0.tar.bz2",
                      {Fault::Kind::status, 429, 1, 0, 1});
    const std::string big = "/chan/linux-64/ft4222-1.10.0-py310h7d7722b_0.tar.bz2";
    server->add_fault(big, {Fault::Kind::truncate, 0, -1, 100000, 1});
    server->add_fault("/chan/noarch/" + package_names(up("noarch")).front(),
                      {Fault::Kind::reset, 0, -1, 10, 1});
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(server->requests("/chan/linux-64/d-1-0.tar.bz2"), 3);
    EXPECT_EQ(server->range_requests(big), 1);
    expect_mirror_equals_upstream();
}

TEST_F(SyncCliTest, CorruptFileIsRejectedNamedAndNotListed) {
    const std::string bad = "d-1-0.tar.bz2";
    server->add_fault("/chan/linux-64/" + bad, {Fault::Kind::corrupt, 0, -1, 0, -1});
    auto r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "failed: chan/linux-64/" + bad + ": sha256 mismatch"))
        << r.output;
    auto records = test::records_of(mirror("linux-64") / "repodata.json");
    EXPECT_EQ(records.size(), 46u);
    EXPECT_FALSE(records.contains(bad));
    EXPECT_FALSE(fs::exists(mirror("linux-64") / bad));
    EXPECT_FALSE(fs::exists(mirror("linux-64") / (bad + ".partial")));
    // The index was built while the files downloaded, assuming all would arrive: every index
    // file must be the one rebuilt without the failed file.
    auto zst = io::zstd_decompress(test::read_bytes(mirror("linux-64") / "repodata.json.zst"),
                                   "repodata.json.zst");
    ASSERT_TRUE(zst);
    EXPECT_EQ(*zst, test::read_bytes(mirror("linux-64") / "repodata.json"));
    EXPECT_FALSE(contains(test::read_bytes(mirror("linux-64") / "run_exports.json"), bad));
    auto summary = test::read_bytes(dest / ".chanmirror" / "last-run.json");
    EXPECT_TRUE(contains(summary, "\"exit_code\": 1"));
    EXPECT_TRUE(contains(summary, bad));

    server->clear_faults();
    server->reset_counts();
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(server->package_requests(), 1);  // only the file that failed
    expect_mirror_equals_upstream();
}

TEST_F(SyncCliTest, DeletionCapRefusesThenForceDeletes) {
    ASSERT_EQ(sync().exit_code, 0);
    auto before = package_names(mirror("linux-64"));
    std::vector<std::string> dropped(before.begin(), before.begin() + 10);
    test::edit_repodata(up("linux-64"), [&](core::RepoData& rd) {
        for (const auto& name : dropped)
            rd.section_for(name).erase(name);
    });
    auto r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "would delete 10 of 47 files")) << r.output;
    EXPECT_EQ(package_names(mirror("linux-64")), before);
    EXPECT_EQ(test::records_of(mirror("linux-64") / "repodata.json").size(),
              47u);  // old index kept

    r = sync("--force");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(package_names(mirror("linux-64")).size(), 37u);
    EXPECT_EQ(test::records_of(mirror("linux-64") / "repodata.json"),
              test::records_of(up("linux-64") / "repodata.json"));
    for (const auto& name : dropped)
        EXPECT_FALSE(fs::exists(mirror("linux-64") / name));

    test::edit_repodata(up("linux-64"),
                        [&](core::RepoData& rd) { rd.packages.erase(rd.packages.begin()); });
    r = sync("--max-delete 5%");  // 1 of 37 is within 5%
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(package_names(mirror("linux-64")).size(), 36u);
}

TEST_F(SyncCliTest, SecondSyncExitsThreeAndStaleLockIsTakenOver) {
    {
        auto held = try_lock_dest(dest);
        ASSERT_TRUE(held && held->lock);
        auto r = sync();
        EXPECT_EQ(r.exit_code, 3) << r.output;
        EXPECT_TRUE(contains(r.output, "is locked by pid " + std::to_string(::getpid())))
            << r.output;
        EXPECT_FALSE(fs::exists(mirror("linux-64") / "repodata.json"));
    }
    // A run killed with -9 leaves its line in the lock file but no flock.
    test::write_bytes(sync::lock_path(dest),
                      "pid 999999 on elsewhere since 2026-01-01T00:00:00Z\n");
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "taking over a stale lock (pid 999999")) << r.output;
}

TEST_F(SyncCliTest, UpstreamAbsoluteBaseUrlIsHonouredAndMadeLocal) {
    packages_at(upstream_dir.path() / "files" / "linux-64", server->url("/files/linux-64/"),
                Relocate::move);
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    int from_files = 0;
    for (const auto& e : server->log())
        from_files += e.path.starts_with("/files/linux-64/") ? 1 : 0;
    EXPECT_EQ(from_files, 47);
    auto published = test::read_bytes(mirror("linux-64") / "repodata.json");
    EXPECT_FALSE(contains(published, "base_url"));
    EXPECT_TRUE(contains(published, "\"repodata_version\":1") ||
                !contains(published, "repodata_version"));
    EXPECT_EQ(test::records_of(mirror("linux-64") / "repodata.json"),
              test::records_of(up("linux-64") / "repodata.json"));
    auto report = verify_mirror(dest, "chan");
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->problems.empty());
}

// Upstream repodata keys become local paths: a hostile or broken upstream must not be able to
// write outside the mirror or put terminal escapes in its output.
TEST_F(SyncCliTest, UpstreamFileNamesThatAreNotPlainAreRefusedAndPrintedEscaped) {
    const std::vector<std::string> hostile = {"../escape-1.0-0.conda",
                                              (work.path() / "absolute-1.0-0.conda").string(),
                                              "nested/dir-1.0-0.tar.bz2", "bell\x07-1.0-0.conda"};
    test::edit_repodata(up("linux-64"), [&](core::RepoData& rd) {
        auto record = rd.packages.at("d-1-0.tar.bz2");
        for (const auto& name : hostile)
            rd.section_for(name)[name] = record;
    });
    auto r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "failed: chan/linux-64/../escape-1.0-0.conda: not a plain"))
        << r.output;
    EXPECT_TRUE(contains(r.output, "failed: chan/linux-64/bell\\x07-1.0-0.conda")) << r.output;
    EXPECT_FALSE(contains(r.output, "\x07")) << r.output;
    EXPECT_FALSE(fs::exists(dest / "chan" / "escape-1.0-0.conda"));
    EXPECT_FALSE(fs::exists(work.path() / "absolute-1.0-0.conda"));
    EXPECT_FALSE(fs::exists(mirror("linux-64") / "nested"));
    auto records = test::records_of(mirror("linux-64") / "repodata.json");
    for (const auto& name : hostile)
        EXPECT_FALSE(records.contains(name)) << name;
    EXPECT_EQ(records.size(), 47u);  // every plain upstream file is still mirrored
}

// conda reads both maps alike, so a record filed under the other one is mirrored where
// upstream filed it; a name both maps list has two records for one file and is refused.
TEST_F(SyncCliTest, RecordUnderTheOtherMapIsMirroredAndNameInBothMapsIsRefused) {
    const std::string misfiled = "dummy-b-0.1.0-hb0f4dca_0.conda";
    const std::string twice = "d-1-0.tar.bz2";
    test::edit_repodata(up("linux-64"), [&](core::RepoData& rd) {
        rd.packages[misfiled] = rd.conda_packages.at(misfiled);
        rd.conda_packages.erase(misfiled);
        rd.conda_packages[twice] = rd.packages.at(twice);
    });
    auto r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "failed: chan/linux-64/" + twice + ": listed in both"))
        << r.output;
    EXPECT_FALSE(fs::exists(mirror("linux-64") / twice));
    auto text = test::read_bytes(mirror("linux-64") / "repodata.json");
    auto published = core::parse_repodata(std::move(text), "mirror");
    ASSERT_TRUE(published) << published.error().message;
    EXPECT_TRUE(published->packages.contains(misfiled));
    EXPECT_FALSE(published->conda_packages.contains(misfiled));
    EXPECT_FALSE(published->packages.contains(twice) || published->conda_packages.contains(twice));
    EXPECT_TRUE(same_bytes(mirror("linux-64") / misfiled, up("linux-64") / misfiled));
    auto report = verify_mirror(dest, "");
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->problems.empty()) << report->problems.front().path;
}

TEST_F(SyncCliTest, RemoteUpstreamCannotPointTheMirrorAtLocalFiles) {
    auto local = upstream_dir.path() / "local" / "linux-64";
    packages_at(local, "file://" + local.string() + "/", Relocate::copy);
    auto r = sync();
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "is not an http(s) URL; refusing")) << r.output;
    EXPECT_FALSE(fs::exists(mirror("linux-64") / "d-1-0.tar.bz2")) << r.output;
}

TEST_F(SyncCliTest, DryRunListsFilesAndSummaryAndChangesNothing) {
    auto r = test::run_command(command("--dry-run 2>/dev/null"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::vector<std::string> lines;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    ASSERT_EQ(lines.size(), 110u);
    EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end() - 1));
    EXPECT_EQ(lines[0], "chan/linux-64/" + package_names(up("linux-64")).front());
    EXPECT_TRUE(std::count_if(lines.begin(), lines.end(),
                              [](const auto& l) { return l.starts_with("chan/noarch/"); }) == 62);
    EXPECT_TRUE(lines.back().starts_with(
        "dry-run: 109 files in the mirror; 109 to download (35.2 MiB), 0 to delete"))
        << lines.back();
    EXPECT_FALSE(fs::exists(dest));
    EXPECT_EQ(server->package_requests(), 0);

    ASSERT_EQ(sync().exit_code, 0);
    r = test::run_command(command("--dry-run 2>/dev/null | tail -1"));
    EXPECT_TRUE(contains(r.output, "109 files in the mirror; 0 to download (0 B), 0 to delete"))
        << r.output;
}

TEST_F(SyncCliTest, VerifyFindsMissingCorruptAndUnlistedFiles) {
    ASSERT_EQ(sync().exit_code, 0);
    auto verify = test::shell_quote(test::chanmirror_binary().string()) + " verify " +
                  test::shell_quote(dest.string());
    auto r = test::run_command(verify);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(
        contains(r.output, "109 files in 2 subdirs checked; 0 missing, 0 corrupt, 0 unlisted"))
        << r.output;

    auto names = package_names(mirror("linux-64"));
    fs::remove(mirror("linux-64") / names[0]);
    auto victim = test::read_bytes(mirror("linux-64") / names[1]);
    victim[victim.size() / 2] ^= 1;
    test::write_bytes(mirror("linux-64") / names[1], victim);
    test::write_bytes(mirror("noarch") / "stray-1.0-0.conda", "x");
    r = test::run_command(verify + " --channel chan");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "missing: chan/linux-64/" + names[0])) << r.output;
    EXPECT_TRUE(contains(r.output, "corrupt: chan/linux-64/" + names[1] + " (sha256 mismatch)"))
        << r.output;
    EXPECT_TRUE(contains(r.output, "unlisted: chan/noarch/stray-1.0-0.conda")) << r.output;
    EXPECT_TRUE(contains(r.output, "1 missing, 1 corrupt, 1 unlisted"));

    // A tampered index cannot point verify outside the subdir.
    auto outside_name = "outside-1.0-0.conda";
    test::write_bytes(dest / "chan" / outside_name, "x");
    test::edit_repodata(mirror("noarch"), [&](core::RepoData& rd) {
        rd.conda_packages[std::string("../") + outside_name] = rd.conda_packages.begin()->second;
    });
    r = test::run_command(verify + " --channel chan");
    EXPECT_TRUE(contains(r.output, std::string("corrupt: chan/noarch/../") + outside_name +
                                       " (not a plain file name; not looked up)"))
        << r.output;
    test::edit_repodata(mirror("noarch"), [&](core::RepoData& rd) {
        rd.conda_packages.erase(std::string("../") + outside_name);
    });
    // Files are hashed on every core, but reported in repodata order.
    EXPECT_LT(r.output.find("missing: chan/linux-64/" + names[0]),
              r.output.find("corrupt: chan/linux-64/" + names[1]))
        << r.output;

    // Upstream is unchanged (304), but the next sync sees the damage and repairs it.
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(same_bytes(mirror("linux-64") / names[1], up("linux-64") / names[1]));
    EXPECT_TRUE(contains(r.output, "mirror files changed on disk, refetching")) << r.output;
    EXPECT_TRUE(fs::exists(mirror("linux-64") / names[0]));
}

TEST_F(SyncCliTest, UnknownChannelSubdirIsSkippedAndFatalUpstreamErrorChangesNothing) {
    auto r = test::run_command(
        test::shell_quote(test::chanmirror_binary().string()) + " sync " + server->url("/chan") +
        " --config " + test::shell_quote(config.string()) + " --subdir osx-arm64 --subdir noarch");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "chan/osx-arm64: no repodata upstream, skipped")) << r.output;

    auto before = test::read_bytes(mirror("noarch") / "repodata.json");
    test::edit_repodata(up("noarch"), [](core::RepoData& rd) { rd.packages.clear(); });
    server->add_fault("/chan/linux-64/repodata.json.zst", {Fault::Kind::status, 500, -1, 0, -1});
    r = sync();
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "fatal:")) << r.output;
    EXPECT_EQ(test::read_bytes(mirror("noarch") / "repodata.json"), before);
}

}  // namespace
}  // namespace chanmirror::sync
