#include "tests/support/fake_upstream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chanmirror::test {
namespace {

bool send_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        auto n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool send_all(int fd, const std::string& s) {
    return send_all(fd, s.data(), s.size());
}

std::string header_value(const std::string& head, const std::string& name) {
    std::istringstream in(head);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        auto key = line.substr(0, colon);
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (key != name)
            continue;
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == ' '))
            value.pop_back();
        while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
        return value;
    }
    return "";
}

std::string reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 206:
            return "Partial Content";
        case 304:
            return "Not Modified";
        case 404:
            return "Not Found";
        case 416:
            return "Range Not Satisfiable";
        case 429:
            return "Too Many Requests";
        case 503:
            return "Service Unavailable";
        default:
            return "Status";
    }
}

void reset_connection(int fd) {
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

}  // namespace

FakeUpstream::FakeUpstream(std::filesystem::path root) : root_(std::move(root)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0)
        throw std::runtime_error("socket failed");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
        throw std::runtime_error("bind/listen failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FakeUpstream::~FakeUpstream() {
    stop();
}

void FakeUpstream::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_)
            return;
        stopping_ = true;
        for (int fd : connections_)
            ::shutdown(fd, SHUT_RDWR);
    }
    changed_.notify_all();
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (acceptor_.joinable())
        acceptor_.join();
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
    }
    for (auto& t : workers)
        t.join();
}

std::string FakeUpstream::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void FakeUpstream::add_fault(const std::string& path, Fault fault) {
    std::lock_guard lock(mutex_);
    faults_[path].push_back(fault);
}

void FakeUpstream::clear_faults() {
    std::lock_guard lock(mutex_);
    faults_.clear();
}

void FakeUpstream::bump_etags() {
    std::lock_guard lock(mutex_);
    ++etag_generation_;
}

int FakeUpstream::requests(const std::string& path) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(
        std::count_if(log_.begin(), log_.end(), [&](const auto& r) { return r.path == path; }));
}

int FakeUpstream::range_requests(const std::string& path) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(log_.begin(), log_.end(), [&](const auto& r) {
        return r.path == path && !r.range.empty();
    }));
}

int FakeUpstream::package_requests() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(log_.begin(), log_.end(), [](const auto& r) {
        return r.method == "GET" && (r.path.ends_with(".conda") || r.path.ends_with(".tar.bz2"));
    }));
}

std::vector<RequestLog> FakeUpstream::log() const {
    std::lock_guard lock(mutex_);
    return log_;
}

int FakeUpstream::connections_accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
}

void FakeUpstream::reset_counts() {
    std::lock_guard lock(mutex_);
    log_.clear();
}

int FakeUpstream::wait_for_requests(int n, int timeout_ms) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return stopping_ || static_cast<int>(log_.size()) >= n; });
    return static_cast<int>(log_.size());
}

void FakeUpstream::record(RequestLog entry) {
    {
        std::lock_guard lock(mutex_);
        log_.push_back(std::move(entry));
    }
    changed_.notify_all();
}

bool FakeUpstream::take_fault(const std::string& path, Fault& out) {
    std::lock_guard lock(mutex_);
    auto it = faults_.find(path);
    if (it == faults_.end() || it->second.empty())
        return false;
    auto& fault = it->second.front();
    out = fault;
    if (fault.times > 0 && --fault.times == 0)
        it->second.erase(it->second.begin());
    return true;
}

void FakeUpstream::accept_loop() {
    for (;;) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        std::lock_guard lock(mutex_);
        if (stopping_) {
            ::close(fd);
            return;
        }
        connections_.insert(fd);
        ++accepted_;
        workers_.emplace_back([this, fd] { serve_connection(fd); });
    }
}

void FakeUpstream::serve_connection(int fd) {
    std::string buffer;
    char chunk[8192];
    bool open = true;
    while (open) {
        auto end = buffer.find("\r\n\r\n");
        if (end == std::string::npos) {
            auto n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0)
                break;
            buffer.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        auto head = buffer.substr(0, end + 2);
        buffer.erase(0, end + 4);
        open = handle_request(fd, head);
    }
    std::lock_guard lock(mutex_);
    if (connections_.erase(fd) > 0)
        ::close(fd);
}

// Returns false when the connection must end (fault, error or Connection: close).
bool FakeUpstream::handle_request(int fd, const std::string& head) {
    std::istringstream first(head.substr(0, head.find("\r\n")));
    RequestLog entry;
    std::string target;
    first >> entry.method >> target;
    if (target.starts_with("http://")) {  // absolute-form: we are being used as a proxy
        entry.absolute_form = true;
        auto path_at = target.find('/', 7);
        target = path_at == std::string::npos ? "/" : target.substr(path_at);
    }
    entry.path = target.substr(0, target.find('?'));
    entry.range = header_value(head, "range");
    entry.if_none_match = header_value(head, "if-none-match");
    auto respond = [&](int status, const std::string& extra, const std::string& body) {
        entry.status = status;
        record(entry);
        std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
                          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
                          "\r\n";
        if (entry.method != "HEAD")
            out += body;
        return send_all(fd, out);
    };
    Fault fault;
    bool faulty = take_fault(entry.path, fault);
    if (faulty && fault.kind == Fault::Kind::status) {
        auto extra = fault.retry_after >= 0
                         ? "Retry-After: " + std::to_string(fault.retry_after) + "\r\n"
                         : "";
        return respond(fault.status, extra, "upstream trouble\n");
    }
    auto file = root_ / entry.path.substr(1);
    struct stat st {};
    if (entry.path.find("..") != std::string::npos ||
        (faulty && fault.kind == Fault::Kind::missing) || ::stat(file.c_str(), &st) != 0 ||
        !S_ISREG(st.st_mode)) {
        return respond(404, "", "not found\n");
    }
    std::string etag;
    {
        std::lock_guard lock(mutex_);
        etag = "\"" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "-" +
               std::to_string(st.st_mtim.tv_nsec) + "-" + std::to_string(etag_generation_) + "\"";
    }
    if (!entry.if_none_match.empty() && entry.if_none_match == etag) {
        entry.status = 304;
        record(entry);
        return send_all(fd, "HTTP/1.1 304 Not Modified\r\nETag: " + etag + "\r\n\r\n");
    }
    std::ifstream in(file, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t from = 0;
    bool ranged =
        entry.range.starts_with("bytes=") && !(faulty && fault.kind == Fault::Kind::ignore_range);
    if (ranged) {
        from = std::stoull(entry.range.substr(6));
        if (from >= body.size())
            return respond(416, "Content-Range: bytes */" + std::to_string(body.size()) + "\r\n",
                           "");
    }
    if (faulty && fault.kind == Fault::Kind::corrupt && !body.empty())
        body[body.size() / 2] ^= 0x5a;
    std::string part = body.substr(from);
    entry.status = ranged ? 206 : 200;
    record(entry);
    std::string headers =
        "HTTP/1.1 " + std::to_string(entry.status) + " " + reason(entry.status) +
        "\r\nContent-Length: " +
        std::to_string(faulty && fault.kind == Fault::Kind::claim_length ? fault.bytes
                                                                         : part.size()) +
        "\r\nETag: " + etag + "\r\nAccept-Ranges: bytes\r\n";
    if (ranged) {
        headers += "Content-Range: bytes " + std::to_string(from) + "-" +
                   std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) + "\r\n";
    }
    headers += "\r\n";
    if (!send_all(fd, headers))
        return false;
    if (entry.method == "HEAD")
        return true;
    if (!faulty || fault.kind == Fault::Kind::corrupt || fault.kind == Fault::Kind::ignore_range) {
        return send_all(fd, part);
    }
    if (fault.kind == Fault::Kind::claim_length) {
        send_all(fd, part);
        return false;
    }
    auto cut = std::min(fault.bytes, part.size());
    send_all(fd, part.data(), cut);
    if (fault.kind == Fault::Kind::reset) {
        std::lock_guard lock(mutex_);
        connections_.erase(fd);
        reset_connection(fd);
    } else if (fault.kind == Fault::Kind::stall) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(30), [&] { return stopping_; });
    }
    return false;
}

}  // namespace chanmirror::test
