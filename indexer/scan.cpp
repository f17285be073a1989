#include "indexer/scan.hpp"

#include <sys/stat.h>

#include "core/repodata.hpp"
#include "io/atomic_file.hpp"

namespace chanmirror::indexer {

namespace fs = std::filesystem;

bool is_subdir_name(std::string_view name) {
    if (name == "noarch")
        return true;
    if (name.empty() || name.size() > 32)
        return false;
    auto dash = name.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash + 1 == name.size())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i == dash);
        if (!ok)
            return false;
    }
    return true;
}

core::Result<std::vector<std::string>> find_subdirs(const fs::path& channel) {
    std::error_code ec;
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(channel, ec)) {
        auto name = entry.path().filename().string();
        if (is_subdir_name(name) && entry.is_directory(ec))
            out.push_back(name);
    }
    if (ec)
        return core::fail(core::ErrorKind::io,
                          "cannot list " + channel.string() + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

core::Result<std::map<std::string, ScannedFile>> scan_packages(const fs::path& subdir) {
    std::map<std::string, ScannedFile> out;
    std::error_code ec;
    fs::directory_iterator it(subdir, ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory)
            return out;
        return core::fail(core::ErrorKind::io,
                          "cannot list " + subdir.string() + ": " + ec.message());
    }
    for (const auto& entry : it) {
        auto name = entry.path().filename().string();
        if (name.starts_with('.') || io::is_temp_name(name) || !core::is_package_filename(name))
            continue;
        struct stat st {};
        if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        out[name] = ScannedFile{static_cast<std::uint64_t>(st.st_size),
                                st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
    }
    return out;
}

}  // namespace chanmirror::indexer
