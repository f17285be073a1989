#include "server/directory_listing.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "io/file_handle.hpp"
#include "server/path_safety.hpp"

namespace chanmirror::server {
namespace {

using core::hex_value;

std::string url_escape(std::string_view name) {
    std::string out;
    core::append_percent_encoded(out, name, [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
               c == '!' || c == '=';
    });
    return out;
}

std::string format_date(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    return buffer;
}

std::string format_size(std::uint64_t size) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(size);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char buffer[32];
    if (unit == 0) {
        std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(size));
    } else {
        std::snprintf(buffer, sizeof buffer, "%.1f %s", value, units[unit]);
    }
    return buffer;
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
    if (needle.empty())
        return true;
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                          [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) ==
                                     std::tolower(static_cast<unsigned char>(b));
                          });
    return it != haystack.end();
}

void add_rows(const core::Json& group, std::vector<PackageRow>& rows) {
    if (!group.is_object())
        return;
    for (const auto& item : group.items()) {
        const core::Json& record = item.value();  // a plain reference: lambdas capture it
        if (!record.is_object())
            continue;
        PackageRow row;
        row.file_name = item.key();
        auto text = [&](const char* key) {
            auto it = record.find(key);
            return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        row.name = text("name");
        row.version = text("version");
        row.build = text("build");
        row.sha256 = text("sha256");
        if (auto it = record.find("size"); it != record.end() && it->is_number_unsigned()) {
            row.size = it->get<std::uint64_t>();
        }
        if (auto it = record.find("timestamp"); it != record.end()) {
            auto ts = core::to_int64(*it).value_or(0);
            row.timestamp_ms = ts >= 0 && ts < 100'000'000'000 ? ts * 1000 : ts;  // s or ms
        }
        rows.push_back(std::move(row));
    }
}

const char* const page_style =
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
    "td,th{padding:2px 10px;text-align:left}tr:nth-child(even){background:#f4f4f4}"
    "td.n{text-align:right}code{font-size:85%}";

const char* const filter_script =
    "<script>document.getElementById('q').addEventListener('input',function(){"
    "var q=this.value.toLowerCase();document.querySelectorAll('tbody tr').forEach("
    "function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':''})});"
    "</script>";

}  // namespace

std::vector<DirEntry> read_directory(int dir_fd) {
    std::vector<DirEntry> entries;
    int fd = ::dup(dir_fd);
    if (fd < 0)
        return entries;
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        ::close(fd);
        return entries;
    }
    ::rewinddir(dir);
    while (auto* ent = ::readdir(dir)) {
        std::string_view name = ent->d_name;
        if (is_hidden_name(name))
            continue;
        struct stat st {};
        if (::fstatat(dir_fd, ent->d_name, &st, 0) != 0)
            continue;
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
            continue;
        entries.push_back(DirEntry{std::string(name), S_ISDIR(st.st_mode),
                                   static_cast<std::uint64_t>(st.st_size), st.st_mtim.tv_sec});
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) {
        return a.is_dir != b.is_dir ? a.is_dir : a.name < b.name;
    });
    return entries;
}

std::vector<PackageRow> parse_repodata_rows(std::string_view json_text) {
    std::vector<PackageRow> rows;
    auto json = core::parse_json(json_text, "repodata.json");
    if (!json || !json->is_object())
        return rows;
    if (auto it = json->find("packages"); it != json->end())
        add_rows(*it, rows);
    if (auto it = json->find("packages.conda"); it != json->end())
        add_rows(*it, rows);
    std::sort(rows.begin(), rows.end(), [](const PackageRow& a, const PackageRow& b) {
        return a.name != b.name ? a.name < b.name : a.file_name < b.file_name;
    });
    return rows;
}

std::shared_ptr<const std::vector<PackageRow>> ListingCache::packages(
    int root_fd, const std::filesystem::path& root_real, const std::string& relative_dir) {
    std::string rel = relative_dir.empty() ? "repodata.json" : relative_dir + "/repodata.json";
    auto file = open_beneath(root_fd, root_real, rel);
    if (!file)
        return nullptr;
    struct stat st {};
    if (::fstat(file->fd(), &st) != 0 || !S_ISREG(st.st_mode))
        return nullptr;
    std::int64_t mtime_ns =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(relative_dir);
        if (it != entries_.end() && it->second.inode == st.st_ino &&
            it->second.size == static_cast<std::uint64_t>(st.st_size) &&
            it->second.mtime_ns == mtime_ns) {
            return it->second.rows;
        }
    }
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = file->pread(text.data() + done, text.size() - done, done);
        if (!n || *n == 0)
            return nullptr;
        done += *n;
    }
    auto rows = std::make_shared<const std::vector<PackageRow>>(parse_repodata_rows(text));
    std::lock_guard lock(mutex_);
    entries_[relative_dir] = Entry{static_cast<std::uint64_t>(st.st_ino),
                                   static_cast<std::uint64_t>(st.st_size), mtime_ns, rows};
    return rows;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string query_filter(std::string_view query) {
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (!pair.starts_with("q="))
            continue;
        std::string out;
        for (std::size_t i = 2; i < pair.size(); ++i) {
            if (pair[i] == '+') {
                out.push_back(' ');
            } else if (pair[i] == '%' && i + 2 < pair.size() && hex_value(pair[i + 1]) >= 0 &&
                       hex_value(pair[i + 2]) >= 0) {
                out.push_back(
                    static_cast<char>(hex_value(pair[i + 1]) * 16 + hex_value(pair[i + 2])));
                i += 2;
            } else {
                out.push_back(pair[i]);
            }
        }
        return out;
    }
    return {};
}

std::string render_listing(std::string_view url_path, const std::vector<DirEntry>& entries,
                           const std::vector<PackageRow>* packages, std::string_view filter) {
    std::string title = "Index of " + html_escape(url_path);
    std::string out;
    out.reserve(4096 + (packages ? packages->size() * 300 : entries.size() * 150));
    out += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
           "</title><style>" + page_style + "</style></head><body>\n<h1>" + title + "</h1>\n";
    out += "<form method=\"get\"><input id=\"q\" name=\"q\" placeholder=\"filter\" value=\"" +
           html_escape(filter) + "\"> <button>Filter</button></form>\n";
    if (url_path != "/")
        out += "<p><a href=\"../\">../</a></p>\n";
    if (packages != nullptr) {
        out +=
            "<h2>Packages</h2>\n<table><thead><tr><th>File</th><th>Name</th><th>Version</th>"
            "<th>Build</th><th>Size</th><th>Date</th><th>sha256</th></tr></thead><tbody>\n";
        for (const auto& row : *packages) {
            if (!contains_ci(row.file_name, filter))
                continue;
            out += "<tr><td><a href=\"" + url_escape(row.file_name) + "\">" +
                   html_escape(row.file_name) + "</a></td><td>" + html_escape(row.name) +
                   "</td><td>" + html_escape(row.version) + "</td><td>" + html_escape(row.build) +
                   "</td><td class=\"n\">" + format_size(row.size) + "</td><td>" +
                   (row.timestamp_ms ? format_date(row.timestamp_ms / 1000) : std::string()) +
                   "</td><td><code>" + html_escape(row.sha256) + "</code></td></tr>\n";
        }
        out += "</tbody></table>\n<h2>Files</h2>\n";
    }
    out += "<table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead><tbody>\n";
    for (const auto& entry : entries) {
        bool is_package = entry.name.ends_with(".conda") || entry.name.ends_with(".tar.bz2");
        if (packages != nullptr && is_package)
            continue;  // already in the packages table
        if (!contains_ci(entry.name, filter))
            continue;
        std::string shown = entry.name + (entry.is_dir ? "/" : "");
        out += "<tr><td><a href=\"" + url_escape(entry.name) + (entry.is_dir ? "/" : "") + "\">" +
               html_escape(shown) + "</a></td><td class=\"n\">" +
               (entry.is_dir ? std::string("-") : format_size(entry.size)) + "</td><td>" +
               format_date(entry.mtime) + "</td></tr>\n";
    }
    out += "</tbody></table>\n";
    out += filter_script;
    out += "\n</body></html>\n";
    return out;
}

}  // namespace chanmirror::server
