#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <mutex>
#include <stdexcept>

namespace chanmirror::test {
namespace {

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<HttpResponse*>(user)->body.append(data, size * count);
    return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* res = static_cast<HttpResponse*>(user);
    std::string line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0)
        res->headers.clear();  // a new response (e.g. 100)
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' '))
            value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
            value.pop_back();
        res->headers[name] = value;
    }
    return size * count;
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse http_request(const std::string& url, const HttpRequestOptions& options) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    HttpResponse res;
    CURL* curl = curl_easy_init();
    if (curl == nullptr)
        throw std::runtime_error("curl_easy_init failed");
    curl_slist* headers = nullptr;
    for (const auto& h : options.headers)
        headers = curl_slist_append(headers, h.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &res);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &res);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (options.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (options.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, options.method.c_str());
    }
    if (!options.ca_file.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
    if (options.max_tls_version != 0) {
        curl_easy_setopt(curl, CURLOPT_SSLVERSION, options.max_tls_version);
    }
    if (!options.user_password.empty()) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERPWD, options.user_password.c_str());
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res.status);
    } else {
        res.error = curl_easy_strerror(rc);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return res;
}

RawConnection::RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
        throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        throw std::runtime_error("connect failed");
    }
}

RawConnection::~RawConnection() {
    close();
}

void RawConnection::close() {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

bool RawConnection::send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::size_t RawConnection::read_some(std::string& out, std::size_t max,
                                     std::chrono::steady_clock::time_point deadline) {
    if (!pending_.empty()) {
        std::size_t n = std::min(max, pending_.size());
        out.append(pending_, 0, n);
        pending_.erase(0, n);
        return n;
    }
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out_ = true;
            return 0;
        }
        pollfd pfd{fd_, POLLIN, 0};
        int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0)
            continue;  // re-checks the deadline
        char buffer[65536];
        ssize_t n = ::recv(fd_, buffer, std::min(max, sizeof buffer), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        out.append(buffer, static_cast<std::size_t>(n));
        return static_cast<std::size_t>(n);
    }
}

std::string RawConnection::read_until_close(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    timed_out_ = false;
    while (read_some(out, 1 << 20, deadline) > 0) {
    }
    return out;
}

std::string RawConnection::read_exactly(std::size_t n, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    timed_out_ = false;
    while (out.size() < n && read_some(out, n - out.size(), deadline) > 0) {
    }
    return out;
}

std::string RawConnection::read_response(bool head_request, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    timed_out_ = false;
    std::size_t end = std::string::npos;
    while ((end = out.find("\r\n\r\n")) == std::string::npos) {
        if (read_some(out, 1 << 16, deadline) == 0)
            return out;
    }
    std::string head = out.substr(0, end + 4);
    std::string rest = out.substr(end + 4);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t length = 0;
    if (auto p = lower.find("\r\ncontent-length:"); p != std::string::npos) {
        length = std::stoull(lower.substr(p + 17));
    }
    int status = status_of(head);
    if (head_request || status == 304)
        length = 0;
    while (rest.size() < length && read_some(rest, length - rest.size(), deadline) > 0) {
    }
    if (rest.size() > length) {
        pending_ = rest.substr(length) + pending_;
        rest.resize(length);
    }
    return head + rest;
}

int status_of(const std::string& raw_response) {
    if (raw_response.rfind("HTTP/1.", 0) != 0 || raw_response.size() < 12)
        return 0;
    return std::atoi(raw_response.substr(9, 3).c_str());
}

}  // namespace chanmirror::test
