// Selective syncs over upstream CEP-16 shards (issue 5, "bandwidth"): the real binary against
// a loopback upstream holding conda-index's own shards. Only the shard index and the shards of
// the names the closure visits are fetched, never repodata.json, and the mirror equals the one
// built from the full repodata.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "core/selection.hpp"
#include "core/shard_reader.hpp"
#include "core/strings.hpp"
#include "io/hashing.hpp"
#include "io/zstd.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using test::Fault;

const std::vector<std::string> subdirs = {"linux-64", "noarch"};
// Kept records in both subdirs and both formats, plus closures that pruning drops.
const std::vector<std::string> specs = {
    "feature", "dependency", "krb5", "package", "stitch-lexy", "moto", "stub-run_exports"};

std::string spec_flags() {
    std::string out;
    for (const auto& s : specs)
        out += " --spec " + test::shell_quote(s);
    return out;
}

core::ShardIndex read_shard_index(const fs::path& file) {
    auto raw = io::zstd_decompress(test::read_bytes(file), file.string());
    EXPECT_TRUE(raw);
    auto index = core::parse_shard_index(*raw, file.string());
    EXPECT_TRUE(index) << index.error().message;
    return *index;
}

bool is_shard_path(const std::string& path) {
    return path.ends_with(".msgpack.zst") && !path.ends_with("repodata_shards.msgpack.zst");
}

class SyncShardsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::build_fixture_channel(upstream_dir.path() / "chan", subdirs);
        test::add_fixture_shards(upstream_dir.path() / "chan", subdirs);
        server = std::make_unique<test::FakeUpstream>(upstream_dir.path());
    }

    test::CommandResult sync(const std::string& name, const std::string& extra) const {
        auto dest = work.path() / name;
        test::write_bytes(work.path() / (name + ".yaml"), test::fast_retry_config(dest));
        return test::run_command(test::shell_quote(test::chanmirror_binary().string()) + " sync " +
                                 server->url("/chan") + " --config " +
                                 test::shell_quote((work.path() / (name + ".yaml")).string()) +
                                 " --subdir linux-64 --subdir noarch" + extra);
    }

    fs::path up(const std::string& subdir) const { return upstream_dir.path() / "chan" / subdir; }
    fs::path mirror(const std::string& name, const std::string& subdir) const {
        return work.path() / name / "chan" / subdir;
    }

    // The shard paths a client following the selection must fetch: every shard of a name the
    // selection over the full upstream repodata looks at, in each subdir whose index lists it.
    std::set<std::string> expected_shard_paths() const {
        std::vector<core::RepoData> full;
        for (const auto& subdir : subdirs) {
            auto parsed = core::parse_repodata(test::read_bytes(up(subdir) / "repodata.json"), "");
            EXPECT_TRUE(parsed);
            full.push_back(std::move(*parsed));
        }
        std::vector<core::SelectionInput> inputs = {{"chan", "linux-64", &full[0]},
                                                    {"chan", "noarch", &full[1]}};
        auto selected = core::select_files(inputs, {specs, {}, std::nullopt});
        EXPECT_TRUE(selected);
        std::set<std::string> paths;
        for (const auto& subdir : subdirs) {
            auto index = read_shard_index(up(subdir) / "repodata_shards.msgpack.zst");
            for (const auto& name : selected->visited_names) {
                if (auto it = index.shards.find(name); it != index.shards.end())
                    paths.insert("/chan/" + subdir + "/" +
                                 core::to_hex({it->second.data(), it->second.size()}) +
                                 ".msgpack.zst");
            }
        }
        return paths;
    }

    std::multiset<std::string> shard_requests() const {
        std::multiset<std::string> out;
        for (const auto& entry : server->log()) {
            if (is_shard_path(entry.path))
                out.insert(entry.path);
        }
        return out;
    }

    test::TempDir upstream_dir;
    test::TempDir work;
    std::unique_ptr<test::FakeUpstream> server;
};

TEST_F(SyncShardsTest, FetchesOnlyTheVisitedShardsAndMirrorsWhatFullRepodataWould) {
    auto sharded = sync("sharded", spec_flags());
    ASSERT_EQ(sharded.exit_code, 0) << sharded.output;
    auto expected = expected_shard_paths();
    ASSERT_GE(expected.size(), 8u) << "the closure crosses several names and both subdirs";
    auto requested = shard_requests();
    EXPECT_EQ(std::set<std::string>(requested.begin(), requested.end()), expected);
    EXPECT_EQ(requested.size(), expected.size()) << "each shard fetched once";
    for (const auto& subdir : subdirs) {
        EXPECT_EQ(server->requests("/chan/" + subdir + "/repodata_shards.msgpack.zst"), 1);
        for (const char* name :
             {"repodata.json", "repodata.json.zst", "run_exports.json", "run_exports.json.zst"})
            EXPECT_EQ(server->requests("/chan/" + subdir + "/" + name), 0) << subdir << name;
    }
    EXPECT_NE(sharded.output.find("shards: " + std::to_string(expected.size()) + " of "),
              std::string::npos)
        << sharded.output;

    server->reset_counts();
    auto full = sync("full", spec_flags() + " --no-shards");
    ASSERT_EQ(full.exit_code, 0) << full.output;
    EXPECT_TRUE(shard_requests().empty());
    EXPECT_EQ(server->requests("/chan/noarch/repodata.json.zst"), 1);

    std::size_t records = 0;
    for (const auto& subdir : subdirs) {
        auto from_shards = test::records_of(mirror("sharded", subdir) / "repodata.json");
        EXPECT_EQ(from_shards, test::records_of(mirror("full", subdir) / "repodata.json"))
            << subdir;
        EXPECT_EQ(test::read_bytes(mirror("sharded", subdir) / "run_exports.json"),
                  test::read_bytes(mirror("full", subdir) / "run_exports.json"))
            << subdir;
        auto upstream = test::records_of(up(subdir) / "repodata.json");
        for (const auto& [filename, record] : from_shards) {
            EXPECT_EQ(record, upstream.at(filename)) << "byte-equal to upstream: " << filename;
            EXPECT_EQ(test::read_bytes(mirror("sharded", subdir) / filename),
                      test::read_bytes(up(subdir) / filename));
        }
        records += from_shards.size();
    }
    EXPECT_GE(records, 9u);
}

// environment.yml with exact pins: exactly those builds, both formats where upstream has both.
TEST_F(SyncShardsTest, ExactPinsGiveThoseBuildsInBothFormats) {
    test::write_bytes(work.path() / "environment.yml",
                      "name: pinned\nchannels: [" + server->url("/chan") +
                          "]\ndependencies:\n  - dependency=2.0=0\n"
                          "  - feature=2.0=track_feature2_0\n  - track_feature=2.0=0\n");
    auto listing = [&](const std::string& extra) {
        return test::run_command(
            test::shell_quote(test::chanmirror_binary().string()) +
            " sync --subdir linux-64 --subdir noarch --dry-run --dest " +
            test::shell_quote((work.path() / "m").string()) + " --environment " +
            test::shell_quote((work.path() / "environment.yml").string()) + extra + " 2>/dev/null");
    };
    const std::string expected =
        "chan/noarch/dependency-2.0-0.conda\n"
        "chan/noarch/dependency-2.0-0.tar.bz2\n"
        "chan/noarch/feature-2.0-track_feature2_0.conda\n"
        "chan/noarch/feature-2.0-track_feature2_0.tar.bz2\n"
        "chan/noarch/track_feature-2.0-0.tar.bz2\n";
    for (const char* extra : {"", " --no-shards"}) {
        auto r = listing(extra);
        ASSERT_EQ(r.exit_code, 0) << r.output;
        std::string listed;
        std::istringstream lines(r.output);
        for (std::string line; std::getline(lines, line);)
            listed += line.starts_with("chan/") ? line + "\n" : "";
        EXPECT_EQ(listed, expected) << extra;
    }
}

TEST_F(SyncShardsTest, RerunReadsUnchangedShardsFromItsCache) {
    ASSERT_EQ(sync("m", spec_flags()).exit_code, 0);
    server->reset_counts();
    auto again = sync("m", spec_flags());
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_TRUE(shard_requests().empty()) << again.output;
    EXPECT_EQ(server->package_requests(), 0);
    EXPECT_EQ(server->requests("/chan/linux-64/repodata_shards.msgpack.zst"), 1);
}

TEST_F(SyncShardsTest, CorruptShardIsRefetchedAndMissingShardFallsBackToRepodata) {
    auto paths = expected_shard_paths();
    server->add_fault(*paths.begin(), {Fault::Kind::corrupt, 0, -1, 0, 1});
    auto r = sync("m", spec_flags());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(server->requests(*paths.begin()), 2);

    server->clear_faults();
    server->reset_counts();
    server->add_fault(*paths.rbegin(), {Fault::Kind::missing, 0, -1, 0, -1});
    auto fresh = sync("fresh", spec_flags());
    ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
    EXPECT_NE(fresh.output.find(*paths.rbegin()), std::string::npos) << fresh.output;
    EXPECT_NE(fresh.output.find("reading repodata.json instead of shards"), std::string::npos)
        << fresh.output;
    EXPECT_EQ(server->requests("/chan/linux-64/repodata.json.zst"), 1);
    EXPECT_EQ(server->requests("/chan/noarch/repodata.json.zst"), 1);
    for (const auto& subdir : subdirs) {
        EXPECT_EQ(test::read_bytes(mirror("fresh", subdir) / "repodata.json"),
                  test::read_bytes(mirror("m", subdir) / "repodata.json"))
            << subdir << ": the same selection, from the whole repodata";
    }
}

// A glob-named spec needs every name it matches: they come from the shard indexes.
TEST_F(SyncShardsTest, GlobSpecFetchesEveryMatchingNameFromTheIndex) {
    auto listing = [&](const std::string& extra) {
        auto r = sync("m", " --dry-run --spec 'track_*' --spec 'feat*' --spec 'stitch-*'" + extra);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        std::string listed;
        std::istringstream lines(r.output);
        for (std::string line; std::getline(lines, line);)
            listed += line.starts_with("chan/") ? line + "\n" : "";
        return listed;
    };
    auto from_shards = listing("");
    EXPECT_NE(from_shards.find("chan/noarch/track_feature-2.0-0.tar.bz2"), std::string::npos)
        << from_shards;
    EXPECT_NE(from_shards.find("chan/noarch/feature-2.0"), std::string::npos) << from_shards;
    EXPECT_EQ(from_shards, listing(" --no-shards"));
}

// CEP-21: shard records may lack run_exports; upstream's run_exports.json fills them in.
TEST_F(SyncShardsTest, ShardsWithoutRunExportsAreCompletedFromRunExportsJson) {
    auto index_path = up("noarch") / "repodata_shards.msgpack.zst";
    auto index = nlohmann::json::from_msgpack(
        *io::zstd_decompress(test::read_bytes(index_path), index_path.string()));
    for (auto& [name, hash] : index["shards"].items()) {
        auto old_hex = core::to_hex({hash.get_binary().data(), hash.get_binary().size()});
        auto shard_path = up("noarch") / (old_hex + ".msgpack.zst");
        auto shard = nlohmann::json::from_msgpack(
            *io::zstd_decompress(test::read_bytes(shard_path), shard_path.string()));
        for (const char* section : {"packages", "packages.conda"}) {
            for (auto& [fn, record] : shard[section].items())
                record.erase("run_exports");
        }
        auto packed = nlohmann::json::to_msgpack(shard);
        auto bytes = test::zstd_bytes(std::string(packed.begin(), packed.end()));
        auto digest =
            io::sha256_of({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
        test::write_bytes(up("noarch") / (core::to_hex(digest) + ".msgpack.zst"), bytes);
        hash = nlohmann::json::binary(std::vector<std::uint8_t>(digest.begin(), digest.end()));
    }
    auto packed = nlohmann::json::to_msgpack(index);
    test::write_bytes(index_path, test::zstd_bytes(std::string(packed.begin(), packed.end())));

    auto sharded = sync("sharded", spec_flags());
    ASSERT_EQ(sharded.exit_code, 0) << sharded.output;
    EXPECT_EQ(server->requests("/chan/noarch/run_exports.json"), 1);
    EXPECT_EQ(server->requests("/chan/linux-64/run_exports.json"), 0) << "its shards have them";
    ASSERT_EQ(sync("full", spec_flags() + " --no-shards").exit_code, 0);
    auto exports = test::read_bytes(mirror("sharded", "noarch") / "run_exports.json");
    EXPECT_NE(exports.find("stub-run_exports >=1.0.0"), std::string::npos) << sharded.output;
    EXPECT_EQ(exports, test::read_bytes(mirror("full", "noarch") / "run_exports.json"));
}

TEST_F(SyncShardsTest, UpstreamWithoutShardsFallsBackToRepodata) {
    for (const auto& subdir : subdirs)
        fs::remove(up(subdir) / "repodata_shards.msgpack.zst");
    auto r = sync("m", spec_flags());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(server->requests("/chan/linux-64/repodata_shards.msgpack.zst"), 1);
    EXPECT_EQ(server->requests("/chan/linux-64/repodata.json.zst"), 1);
    EXPECT_TRUE(shard_requests().empty());
    EXPECT_TRUE(fs::exists(mirror("m", "linux-64") / "repodata.json"));
}

}  // namespace
}  // namespace chanmirror::sync
