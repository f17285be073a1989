#pragma once
// The transport-neutral request and response that handle_request works on. The session turns
// Beast's parsed header into a Request and writes a Response (sendfile for file bodies on plain
// TCP), so only the transport files include Beast.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "io/file_handle.hpp"

namespace chanmirror::server {

enum class Method { get, head, other };

struct Request {
    Method method = Method::get;
    std::string_view method_name;  // as sent, for the access log
    std::string_view target;       // origin-form, undecoded, including any query
    std::string_view if_none_match;
    std::string_view if_modified_since;
    std::string_view if_range;
    std::string_view range;
    std::string_view accept_encoding;
    std::string_view authorization;
};

struct Response {
    unsigned status = 200;
    // "Name: value\r\n" lines, in order: one buffer rather than a string per header.
    std::string fields;

    // Exactly one body source: an owned string, a shared cached buffer, or a byte range of
    // an already opened file (opened once per request, so a concurrent rename cannot mix
    // old and new bytes).
    std::string body;
    std::shared_ptr<const std::string> shared_body;
    io::FileHandle file;
    std::uint64_t file_offset = 0;
    std::uint64_t content_length = 0;  // of the body that GET would send
    bool head_only = false;            // HEAD: headers (with the GET Content-Length) only

    void set(std::string_view name, std::string_view value) {
        if (fields.empty())
            fields.reserve(256);  // what a file response needs, in one allocation
        fields.append(name).append(": ").append(value).append("\r\n");
    }
    void set_text_body(std::string text) {
        content_length = text.size();
        body = std::move(text);
    }
};

// Status line and header block of `res` into `out` (cleared first), with Date, Server,
// Content-Length (not for 304) and Connection as needed for `version` (10 or 11).
void serialize_head(const Response& res, unsigned version, bool keep_alive, std::string& out);

std::string_view reason_phrase(unsigned status);

}  // namespace chanmirror::server
