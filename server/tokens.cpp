#include "server/tokens.hpp"
#include "core/strings.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>

namespace chanmirror::server {
namespace {

using core::trim;

std::optional<std::string> base64_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+' || c == '-')
            return 62;
        if (c == '/' || c == '_')
            return 63;
        return -1;
    };
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=')
            break;
        int v = value(c);
        if (v < 0)
            return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    return out;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

}  // namespace

TokenStore::TokenStore(std::filesystem::path file) : file_(std::move(file)) {
    if (enabled()) {
        std::lock_guard lock(mutex_);
        reload_if_changed_locked();
    }
}

void TokenStore::reload_if_changed_locked() {
    struct stat st {};
    Version now;
    if (::stat(file_.c_str(), &st) == 0) {
        now = Version{
            static_cast<unsigned long long>(st.st_ino), static_cast<unsigned long long>(st.st_size),
            static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
    }
    if (now == version_)
        return;
    version_ = now;
    tokens_.clear();  // a missing or unreadable file allows nobody
    std::ifstream in(file_);
    std::string line;
    while (std::getline(in, line)) {
        std::string_view token = trim(line);
        if (!token.empty() && token.front() != '#')
            tokens_.emplace(token);
    }
}

bool TokenStore::contains(std::string_view token) {
    if (token.empty())
        return false;
    std::lock_guard lock(mutex_);
    reload_if_changed_locked();
    return tokens_.find(token) != tokens_.end();
}

AuthResult authorize(TokenStore& store, bool has_path_token, std::string_view path_token,
                     std::string_view authorization) {
    if (!store.enabled())
        return AuthResult::allowed;
    if (has_path_token) {
        return store.contains(path_token) ? AuthResult::allowed : AuthResult::invalid;
    }
    authorization = trim(authorization);
    if (authorization.empty())
        return AuthResult::missing;
    if (istarts_with(authorization, "Bearer ")) {
        return store.contains(trim(authorization.substr(7))) ? AuthResult::allowed
                                                             : AuthResult::invalid;
    }
    if (istarts_with(authorization, "Basic ")) {
        auto decoded = base64_decode(trim(authorization.substr(6)));
        if (!decoded)
            return AuthResult::invalid;
        auto colon = decoded->find(':');
        std::string_view password = colon == std::string::npos
                                        ? std::string_view(*decoded)
                                        : std::string_view(*decoded).substr(colon + 1);
        return store.contains(password) ? AuthResult::allowed : AuthResult::invalid;
    }
    return AuthResult::invalid;
}

}  // namespace chanmirror::server
