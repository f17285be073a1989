#include "server/message.hpp"

#include <charconv>
#include <ctime>

#include "server/static_file.hpp"

namespace chanmirror::server {
namespace {

// The Date header changes once a second; format it once a second per thread.
std::string_view current_date() {
    thread_local std::time_t cached_second = 0;
    thread_local std::string cached;
    std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        cached_second = now;
        cached = http_date(now);
    }
    return cached;
}

void append_number(std::string& out, std::uint64_t value) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)ec;
    out.append(buffer, end);
}

}  // namespace

std::string_view reason_phrase(unsigned status) {
    switch (status) {
        case 200:
            return "OK";
        case 206:
            return "Partial Content";
        case 301:
            return "Moved Permanently";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 413:
            return "Content Too Large";
        case 416:
            return "Range Not Satisfiable";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

void serialize_head(const Response& res, unsigned version, bool keep_alive, std::string& out) {
    out.clear();
    out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    append_number(out, res.status);
    out.push_back(' ');
    out.append(reason_phrase(res.status));
    out.append("\r\nServer: chanmirror\r\nDate: ");
    out.append(current_date());
    out.append("\r\n");
    out.append(res.fields);
    if (res.status != 304 && res.status >= 200 && res.status != 204) {
        out.append("Content-Length: ");
        append_number(out, res.content_length);
        out.append("\r\n");
    }
    if (!keep_alive) {
        out.append("Connection: close\r\n");
    } else if (version == 10) {
        out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");
}

}  // namespace chanmirror::server
