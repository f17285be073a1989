#pragma once
// A loopback HTTP/1.1 upstream for sync tests: serves a directory on 127.0.0.1:<port 0>,
// honours Range and If-None-Match, counts requests per path, and misbehaves on command
// (error statuses with Retry-After, resets, truncated, stalled or corrupted bodies, 404s).

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace chanmirror::test {

struct Fault {
    enum class Kind {
        status,        // answer `status` (with Retry-After when retry_after >= 0)
        reset,         // send headers and `bytes` body bytes, then reset the connection (RST)
        truncate,      // announce the full length, send `bytes` bytes, close
        stall,         // send `bytes` bytes, then nothing until the client gives up (or stop())
        corrupt,       // flip one byte of the body
        missing,       // 404
        ignore_range,  // answer 200 with the whole file even when a Range was asked
        claim_length,  // announce a Content-Length of `bytes`, send the body, close
    };
    Kind kind = Kind::status;
    int status = 503;
    int retry_after = -1;
    std::size_t bytes = 0;
    int times = 1;  // how many requests it applies to; -1 = all
};

struct RequestLog {
    std::string method;
    std::string path;
    std::string range;          // Range header, "" if none
    std::string if_none_match;  // If-None-Match header, "" if none
    int status = 0;
    bool absolute_form = false;  // "GET http://host/path": the request came as to a proxy
};

class FakeUpstream {
  public:
    explicit FakeUpstream(std::filesystem::path root);
    ~FakeUpstream();
    FakeUpstream(const FakeUpstream&) = delete;
    FakeUpstream& operator=(const FakeUpstream&) = delete;

    [[nodiscard]] int port() const { return port_; }
    // "http://127.0.0.1:<port>" + path ("/chan" -> channel URL).
    [[nodiscard]] std::string url(const std::string& path = "") const;
    [[nodiscard]] const std::filesystem::path& root() const { return root_; }

    void add_fault(const std::string& path, Fault fault);
    void clear_faults();
    // Changes every ETag (same bytes, new tag): a CDN re-deploy.
    void bump_etags();

    [[nodiscard]] int requests(const std::string& path) const;
    [[nodiscard]] int range_requests(const std::string& path) const;
    // GETs of package files (.conda / .tar.bz2) since the last reset_counts().
    [[nodiscard]] int package_requests() const;
    [[nodiscard]] std::vector<RequestLog> log() const;
    [[nodiscard]] int connections_accepted() const;
    void reset_counts();
    // Blocks until at least `n` requests arrived or `timeout_ms` passed; returns the count.
    int wait_for_requests(int n, int timeout_ms) const;

    void stop();

  private:
    void accept_loop();
    void serve_connection(int fd);
    bool handle_request(int fd, const std::string& head);
    bool take_fault(const std::string& path, Fault& out);
    void record(RequestLog entry);

    std::filesystem::path root_;
    int listen_fd_ = -1;
    int port_ = 0;
    bool stopping_ = false;
    int etag_generation_ = 0;
    int accepted_ = 0;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::map<std::string, std::vector<Fault>> faults_;
    std::vector<RequestLog> log_;
    std::set<int> connections_;
    std::thread acceptor_;
    std::vector<std::thread> workers_;
};

}  // namespace chanmirror::test
