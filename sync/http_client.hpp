#pragma once
// The only libcurl user: a multi handle driving many transfers at once, with connection reuse
// and HTTP/2 multiplexing when the server offers it. Every CURL handle is owned by RAII.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chanmirror::sync {

struct HttpOptions {
    int max_connections = 8;
    long connect_timeout_s = 30;
    long low_speed_time_s = 60;  // abort when slower than 1 KB/s for this long
    std::string proxy;           // "" = libcurl's default (environment variables)
    std::string ca_bundle;       // "" = system store
    std::string user_agent = "chanmirror/0.1.0";
};

// The largest body fetch() keeps in memory by default: far above any index file (conda-forge's
// largest repodata.json is ~400 MB), and a bound on what a broken upstream can make it hold.
inline constexpr std::uint64_t max_fetch_bytes = std::uint64_t{4} << 30;

struct HttpRequest {
    std::string url;
    std::uint64_t range_from = 0;                    // > 0: ask for bytes range_from.. (resume)
    std::vector<std::string> headers;                // e.g. "If-None-Match: \"abc\""
    std::uint64_t max_body_bytes = max_fetch_bytes;  // fetch() only
};

// Receives each body chunk with the status of the response it belongs to (never the bodies
// of redirects). Returning false aborts the transfer.
using BodySink = std::function<bool(long status, std::string_view chunk)>;

struct HttpResponse {
    long status = 0;              // 200 for a completed file:// read (206 when ranged)
    std::string transport_error;  // "" when the transfer completed
    bool timed_out = false;
    bool permanent = false;  // a transport error that a retry cannot fix (bad URL, TLS trust)
    bool aborted = false;    // the sink returned false
    std::string etag;
    std::string last_modified;
    std::optional<long> retry_after_s;
    std::uint64_t body_bytes = 0;
    std::string http_version;  // "1.1", "2"

    [[nodiscard]] bool completed() const { return transport_error.empty(); }
};

class HttpClient {
  public:
    using Id = std::uint64_t;

    explicit HttpClient(HttpOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    Id start(HttpRequest request, BodySink sink);
    // Drives transfers for at most timeout_ms and returns those that finished.
    std::vector<std::pair<Id, HttpResponse>> poll(int timeout_ms);
    [[nodiscard]] std::size_t active() const;

    // Blocking GET into `body` (index files), at most request.max_body_bytes of it. Only while no
    // other transfer is active.
    HttpResponse fetch(const HttpRequest& request, std::string& body);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Retry-After: delta-seconds or an HTTP-date, as seconds from now.
std::optional<long> parse_retry_after(std::string_view value);

}  // namespace chanmirror::sync
