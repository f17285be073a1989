#pragma once
// A fresh directory per test, removed afterwards.

#include <filesystem>
#include <string>

namespace chanmirror::test {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

  private:
    std::filesystem::path path_;
};

// shared/fixtures and shared/tools, found through compile definitions.
std::filesystem::path fixtures_dir();
std::filesystem::path tools_dir();
std::filesystem::path chanmirror_binary();

// Writes bytes to a file (creating parent directories).
void write_bytes(const std::filesystem::path& path, const std::string& bytes);
std::string read_bytes(const std::filesystem::path& path);

}  // namespace chanmirror::test
