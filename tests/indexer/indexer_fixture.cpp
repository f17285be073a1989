#include "tests/indexer/indexer_fixture.hpp"

#include <gtest/gtest.h>

#include "io/hashing.hpp"
#include "io/zstd.hpp"

namespace chanmirror::test {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string>& conda_index_subdirs() {
    static const std::vector<std::string> subdirs = {
        "linux-32", "linux-64", "linux-aarch64", "linux-armv6l", "linux-armv7l", "linux-ppc64le",
        "noarch",   "osx-64",   "osx-arm64",     "win-32",       "win-64"};
    return subdirs;
}

void copy_fixture_subdirs(const fs::path& channel, const std::vector<std::string>& subdirs) {
    for (const auto& s : subdirs) {
        fs::create_directories(channel / s);
        for (const auto& entry : fs::directory_iterator(fixtures_dir() / "packages" / s)) {
            fs::copy_file(entry.path(), channel / s / entry.path().filename());
            fs::permissions(channel / s / entry.path().filename(), fs::perms::owner_write,
                            fs::perm_options::add);
        }
    }
}

indexer::IndexOptions options_for(const fs::path& channel) {
    indexer::IndexOptions options;
    options.channel = channel;
    options.threads = 2;
    return options;
}

indexer::IndexReport index_or_fail(const indexer::IndexOptions& options) {
    auto report = indexer::index_channel(options);
    if (!report) {
        ADD_FAILURE() << report.error().message;
        return {};
    }
    return *report;
}

json read_json(const fs::path& path) {
    return json::parse(read_bytes(path));
}

json read_msgpack_zst(const fs::path& path) {
    auto raw = io::zstd_decompress(read_bytes(path), path.string());
    if (!raw)
        throw std::runtime_error(raw.error().message);
    return json::from_msgpack(*raw);
}

namespace {

void hexify_digests(json& record) {
    for (const char* key : {"md5", "sha256"}) {
        if (record.contains(key) && record[key].is_binary()) {
            const auto& bytes = record[key].get_binary();
            record[key] = io::to_hex({bytes.data(), bytes.size()});
        }
    }
}

}  // namespace

json records_from_shards(const fs::path& subdir_dir) {
    json index = read_msgpack_zst(subdir_dir / "repodata_shards.msgpack.zst");
    json out = {{"packages", json::object()}, {"packages.conda", json::object()}};
    std::string base = index["info"]["shards_base_url"].get<std::string>();
    for (auto& [name, hash] : index["shards"].items()) {
        const auto& bytes = hash.get_binary();
        auto file = subdir_dir / base / (io::to_hex({bytes.data(), bytes.size()}) + ".msgpack.zst");
        auto content = read_bytes(file);
        auto actual =
            io::sha256_of({reinterpret_cast<const unsigned char*>(content.data()), content.size()});
        EXPECT_TRUE(std::equal(actual.begin(), actual.end(), bytes.begin()))
            << "shard hash of " << name;
        json shard = read_msgpack_zst(file);
        for (const char* section : {"packages", "packages.conda"}) {
            for (auto& [fn, record] : shard[section].items()) {
                hexify_digests(record);
                EXPECT_EQ(record["name"], name) << fn;
                out[section][fn] = record;
            }
        }
    }
    return out;
}

}  // namespace chanmirror::test
