#include "tests/support/sync_fixture.hpp"

#include <zstd.h>

#include <stdexcept>

#include "tests/support/temp_dir.hpp"

namespace chanmirror::test {

namespace fs = std::filesystem;

void build_fixture_channel(const fs::path& channel_dir, const std::vector<std::string>& subdirs) {
    for (const auto& subdir : subdirs) {
        auto out = channel_dir / subdir;
        fs::create_directories(out);
        for (const auto& entry : fs::directory_iterator(fixtures_dir() / "packages" / subdir)) {
            fs::copy_file(entry.path(), out / entry.path().filename(),
                          fs::copy_options::overwrite_existing);
        }
        auto expected = fixtures_dir() / "expected" / "conda-index" / subdir;
        for (const char* name : {"repodata.json", "repodata.json.zst", "run_exports.json"}) {
            fs::copy_file(expected / name, out / name, fs::copy_options::overwrite_existing);
        }
    }
}

void add_fixture_shards(const fs::path& channel_dir, const std::vector<std::string>& subdirs) {
    for (const auto& subdir : subdirs) {
        auto expected = fixtures_dir() / "expected" / "conda-index" / subdir;
        for (const auto& entry : fs::directory_iterator(expected)) {
            auto name = entry.path().filename().string();
            if (name == "repodata_shards.msgpack.zst" ||
                (name.ends_with(".msgpack.zst") && name.size() == 64 + 12)) {
                fs::copy_file(entry.path(), channel_dir / subdir / name,
                              fs::copy_options::overwrite_existing);
            }
        }
    }
}

std::string zstd_bytes(const std::string& raw) {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    auto n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
    if (ZSTD_isError(n))
        throw std::runtime_error("zstd failed");
    out.resize(n);
    return out;
}

void edit_repodata(const fs::path& subdir_dir, const std::function<void(core::RepoData&)>& edit) {
    auto parsed = core::parse_repodata(read_bytes(subdir_dir / "repodata.json"), "test repodata");
    if (!parsed)
        throw std::runtime_error(parsed.error().message);
    edit(*parsed);
    auto text = core::to_json(*parsed);
    write_bytes(subdir_dir / "repodata.json", text);
    write_bytes(subdir_dir / "repodata.json.zst", zstd_bytes(text));
}

core::RecordMap records_of(const fs::path& repodata_json) {
    auto parsed = core::parse_repodata(read_bytes(repodata_json), repodata_json.string());
    if (!parsed)
        throw std::runtime_error(parsed.error().message);
    auto out = parsed->packages;
    out.insert(parsed->conda_packages.begin(), parsed->conda_packages.end());
    return out;
}

std::string fast_retry_config(const fs::path& dest, int retries) {
    // Sanitizer builds run both ends of the loopback transfer several times slower, and a
    // machine busy with other builds can pause a transfer for seconds: neither may look like
    // a stalled upstream (6 s under ASan failed on a loaded 2-core machine).
#if defined(__SANITIZE_ADDRESS__)
    const char* low_speed_time = "15";
#else
    const char* low_speed_time = "3";
#endif
    return "dest: " + dest.string() + "\nretries: " + std::to_string(retries) +
           "\nbackoff_initial: 0.01\nbackoff_max: 0.05\nlow_speed_time: " + low_speed_time +
           "\nconnect_timeout: 5\n";
}

}  // namespace chanmirror::test
