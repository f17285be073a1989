#pragma once
// Access tokens: one per line in a file, reloaded when the file changes. A request carries a
// token as a /t/<token>/ path prefix (conda's style), as "Authorization: Bearer <token>", or as
// the password of "Authorization: Basic". Tokens are never logged.

#include <ctime>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace chanmirror::server {

class TokenStore {
  public:
    // An empty path: authentication is off and every request is allowed.
    explicit TokenStore(std::filesystem::path file);

    [[nodiscard]] bool enabled() const { return !file_.empty(); }
    // Rereads the file when its (inode, size, mtime) changed since the last look.
    bool contains(std::string_view token);

  private:
    void reload_if_changed_locked();

    std::filesystem::path file_;
    std::mutex mutex_;
    std::set<std::string, std::less<>> tokens_;
    struct Version {
        unsigned long long inode = 0, size = 0;
        long long mtime_ns = -1;
        bool operator==(const Version&) const = default;
    } version_;
};

enum class AuthResult { allowed, missing, invalid };

// path_token: the /t/<token>/ prefix if there was one (has_path_token says so).
AuthResult authorize(TokenStore& store, bool has_path_token, std::string_view path_token,
                     std::string_view authorization);

}  // namespace chanmirror::server
