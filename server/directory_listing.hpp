#pragma once
// HTML pages for directories: the root lists channels, a channel lists its subdirs, and a
// subdir (a directory holding repodata.json) lists its packages from repodata.json. Pages are
// plain HTML tables: a filter form works without JavaScript (?q=), and a few lines of script
// filter as you type.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace chanmirror::server {

struct DirEntry {
    std::string name;
    bool is_dir = false;
    std::uint64_t size = 0;
    std::time_t mtime = 0;
};

// Entries of an open directory, without hidden names, sorted: directories first, then by name.
std::vector<DirEntry> read_directory(int dir_fd);

struct PackageRow {
    std::string file_name;
    std::string name;
    std::string version;
    std::string build;
    std::uint64_t size = 0;
    std::int64_t timestamp_ms = 0;
    std::string sha256;
};

// Rows parsed from <dir>/repodata.json, cached per file version (inode, size, mtime).
class ListingCache {
  public:
    // nullptr when the directory has no readable repodata.json.
    std::shared_ptr<const std::vector<PackageRow>> packages(int root_fd,
                                                            const std::filesystem::path& root_real,
                                                            const std::string& relative_dir);

  private:
    struct Entry {
        std::uint64_t inode = 0, size = 0;
        std::int64_t mtime_ns = 0;
        std::shared_ptr<const std::vector<PackageRow>> rows;
    };
    std::mutex mutex_;
    std::map<std::string, Entry> entries_;
};

std::vector<PackageRow> parse_repodata_rows(std::string_view json_text);

std::string html_escape(std::string_view text);

// The value of `q` in an application/x-www-form-urlencoded query.
std::string query_filter(std::string_view query);

// url_path: the decoded path of the directory as the client sees it, ending in '/'.
std::string render_listing(std::string_view url_path, const std::vector<DirEntry>& entries,
                           const std::vector<PackageRow>* packages, std::string_view filter);

}  // namespace chanmirror::server
