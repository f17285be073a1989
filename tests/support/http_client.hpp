#pragma once
// Test clients for the server tests: libcurl for well-formed HTTP(S) requests, and a raw
// socket for the malformed, slow and half-read requests no real client would send.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chanmirror::test {

struct HttpResponse {
    long status = 0;                             // 0: transport failure (see error)
    std::map<std::string, std::string> headers;  // names lower-cased; last value wins
    std::string body;
    std::string error;

    [[nodiscard]] std::string header(const std::string& lower_name) const;
    [[nodiscard]] bool has_header(const std::string& lower_name) const {
        return headers.count(lower_name) != 0;
    }
};

struct HttpRequestOptions {
    std::string method = "GET";        // "HEAD" sends no body back
    std::vector<std::string> headers;  // "Name: value"
    std::string ca_file;               // TLS: trust this PEM
    std::string user_password;         // Basic auth "user:password"
    long max_tls_version = 0;          // a CURL_SSLVERSION_MAX_* value, 0: default
    long timeout_ms = 20'000;
};

// Content-Encoding is not decoded: tests see the bytes the server sent.
HttpResponse http_request(const std::string& url, const HttpRequestOptions& options = {});

// A plain TCP connection to 127.0.0.1:port.
class RawConnection {
  public:
    explicit RawConnection(std::uint16_t port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // False if the peer has gone (EPIPE/ECONNRESET).
    bool send(const std::string& bytes);
    // Everything until the peer closes, or until `timeout` passes (then timed_out() is true).
    std::string read_until_close(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // One response: the head, then Content-Length body bytes (no body for HEAD/304).
    std::string read_response(bool head_request = false,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Exactly n bytes (fewer if the peer closes or the timeout passes).
    std::string read_exactly(std::size_t n,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));
    [[nodiscard]] bool timed_out() const { return timed_out_; }
    void close();

  private:
    // Appends at most `max` bytes to `out`; 0 on close or timeout.
    std::size_t read_some(std::string& out, std::size_t max,
                          std::chrono::steady_clock::time_point deadline);
    int fd_ = -1;
    bool timed_out_ = false;
    std::string pending_;  // read but not yet returned
};

// The status code of a raw response ("HTTP/1.1 404 ..." -> 404), 0 if none.
int status_of(const std::string& raw_response);

}  // namespace chanmirror::test
