#pragma once
// Everything `chanmirror serve` can be told; defaults are what the CLI uses.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace chanmirror::server {

struct ServeOptions {
    std::filesystem::path root;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port (read it back from Server::port())
    unsigned threads = 0;       // 0: one per core

    std::filesystem::path tls_cert;  // both set: HTTPS only
    std::filesystem::path tls_key;
    std::filesystem::path tokens_file;  // empty: no authentication
    std::string access_log;             // empty: none, "-": stdout, else a file (appended)

    unsigned max_age_index = 60;  // seconds of Cache-Control max-age for index files

    // Slow clients cannot hold connections: the whole request header must arrive within
    // header_timeout, a keep-alive connection may sit idle for idle_timeout, and every write
    // must make progress within write_timeout.
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds write_timeout{60'000};
    std::chrono::milliseconds drain_timeout{30'000};  // SIGTERM: in-flight requests get this long

    std::size_t max_connections = 10'000;
    std::size_t max_header_bytes = 16 * 1024;  // request line + headers; beyond: 431
    std::size_t compressed_cache_bytes = 512u << 20;
};

}  // namespace chanmirror::server
