#include "server/static_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace chanmirror::server {
namespace {

constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (s.empty())
        return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return value;
}

std::string_view opaque_tag(std::string_view tag) {
    tag = trim(tag);
    if (tag.starts_with("W/"))
        tag.remove_prefix(2);
    return tag;
}

}  // namespace

std::size_t format_http_date(std::time_t t, char (&out)[32]) {
    // Requests for the same file ask for the same date over and over: keep the last one.
    thread_local std::time_t last_time = -1;
    thread_local std::tm last_tm{};
    if (t != last_time) {
        ::gmtime_r(&t, &last_tm);
        last_time = t;
    }
    const std::tm& tm = last_tm;
    char* p = out;
    auto put = [&p](std::string_view text) { p = std::copy(text.begin(), text.end(), p); };
    auto two = [&p](int v) {
        *p++ = static_cast<char>('0' + v / 10 % 10);
        *p++ = static_cast<char>('0' + v % 10);
    };
    put(day_names[tm.tm_wday % 7]);
    put(", ");
    two(tm.tm_mday);
    *p++ = ' ';
    put(month_names[tm.tm_mon % 12]);
    *p++ = ' ';
    int year = std::clamp(tm.tm_year + 1900, 0, 9999);
    two(year / 100);
    two(year % 100);
    *p++ = ' ';
    two(tm.tm_hour);
    *p++ = ':';
    two(tm.tm_min);
    *p++ = ':';
    two(tm.tm_sec);
    put(" GMT");
    return static_cast<std::size_t>(p - out);
}

std::string http_date(std::time_t t) {
    char buffer[32];
    return std::string(buffer, format_http_date(t, buffer));
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
    // IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"), which every client here sends: fixed
    // positions, every field range-checked (sscanf's %d overflowed on a 30-digit year).
    std::string_view s = trim(text);
    if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t digits, int low, int high) -> std::optional<int> {
        int value = 0;
        auto field = s.substr(at, digits);
        auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
        if (ec != std::errc() || end != field.data() + field.size() || value < low || value > high)
            return std::nullopt;
        return value;
    };
    auto mday = number(5, 2, 1, 31);
    auto year = number(12, 4, 1900, 9999);
    auto hour = number(17, 2, 0, 23);
    auto minute = number(20, 2, 0, 59);
    auto second = number(23, 2, 0, 60);
    auto month = std::find(std::begin(month_names), std::end(month_names), s.substr(8, 3));
    if (!mday || !year || !hour || !minute || !second || month == std::end(month_names))
        return std::nullopt;
    std::tm tm{};
    tm.tm_mday = *mday;
    tm.tm_mon = static_cast<int>(month - std::begin(month_names));
    tm.tm_year = *year - 1900;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    return ::timegm(&tm);
}

FileInfo describe(const struct stat& st) {
    FileInfo info;
    info.size = static_cast<std::uint64_t>(st.st_size);
    info.inode = static_cast<std::uint64_t>(st.st_ino);
    info.mtime_ns =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    info.mtime = st.st_mtim.tv_sec;
    char buffer[72];
    char* out = buffer;
    *out++ = '"';
    for (std::uint64_t part : {info.inode, info.size, static_cast<std::uint64_t>(info.mtime_ns)}) {
        if (out != buffer + 1)
            *out++ = '-';
        out = std::to_chars(out, buffer + sizeof buffer, part, 16).ptr;
    }
    *out++ = '"';
    info.etag.assign(buffer, static_cast<std::size_t>(out - buffer));
    char date[32];
    info.last_modified.assign(date, format_http_date(info.mtime, date));
    return info;
}

bool etag_list_matches(std::string_view header, std::string_view etag) {
    std::string_view wanted = opaque_tag(etag);
    while (!header.empty()) {
        auto comma = header.find(',');
        std::string_view item = trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        if (item == "*")
            return true;
        if (!item.empty() && opaque_tag(item) == wanted)
            return true;
    }
    return false;
}

ByteRange parse_range(std::string_view header, std::uint64_t size) {
    ByteRange none;
    header = trim(header);
    if (header.size() < 6)
        return none;
    std::string unit(header.substr(0, 6));
    for (char& c : unit)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (unit != "bytes=")
        return none;
    std::string_view spec = trim(header.substr(6));
    if (spec.find(',') != std::string_view::npos)
        return none;  // several: whole body
    auto dash = spec.find('-');
    if (dash == std::string_view::npos)
        return none;
    std::string_view a = trim(spec.substr(0, dash));
    std::string_view b = trim(spec.substr(dash + 1));
    ByteRange range;
    range.kind = ByteRange::satisfiable;
    if (a.empty()) {
        auto n = parse_number(b);
        if (!n)
            return none;
        if (*n == 0 || size == 0)
            return ByteRange{ByteRange::unsatisfiable, 0, 0};
        range.length = std::min(*n, size);
        range.first = size - range.length;
        return range;
    }
    auto first = parse_number(a);
    if (!first)
        return none;
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!b.empty()) {
        auto l = parse_number(b);
        if (!l || *l < *first)
            return none;
        last = std::min(*l, last);
    }
    if (*first >= size)
        return ByteRange{ByteRange::unsatisfiable, 0, 0};
    range.first = *first;
    range.length = last - *first + 1;
    return range;
}

bool is_not_modified(const Request& req, std::string_view etag, std::time_t mtime) {
    if (!req.if_none_match.empty())
        return etag_list_matches(req.if_none_match, etag);
    if (!req.if_modified_since.empty()) {
        auto since = parse_http_date(req.if_modified_since);
        return since && mtime <= *since;
    }
    return false;
}

bool range_applies(const Request& req, const FileInfo& info) {
    if (req.range.empty())
        return false;
    std::string_view if_range = trim(req.if_range);
    if (if_range.empty())
        return true;
    if (if_range.starts_with("\""))
        return if_range == info.etag.view();  // strong comparison
    auto date = parse_http_date(if_range);
    return date && *date == info.mtime;
}

Response file_response(const Request& req, io::FileHandle file, const FileInfo& info) {
    Response res;
    res.head_only = req.method == Method::head;
    res.set("ETag", info.etag);
    res.set("Last-Modified", info.last_modified);
    if (is_not_modified(req, info.etag, info.mtime)) {
        res.status = 304;
        return res;
    }
    res.set("Accept-Ranges", "bytes");
    ByteRange range;
    if (range_applies(req, info))
        range = parse_range(req.range, info.size);
    if (range.kind == ByteRange::unsatisfiable) {
        res.status = 416;
        res.set("Content-Range", "bytes */" + std::to_string(info.size));
        res.set_text_body("range not satisfiable\n");
        return res;
    }
    res.file = std::move(file);
    if (range.kind == ByteRange::satisfiable) {
        res.status = 206;
        res.file_offset = range.first;
        res.content_length = range.length;
        res.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                     std::to_string(range.first + range.length - 1) + "/" +
                                     std::to_string(info.size));
    } else {
        res.content_length = info.size;
    }
    return res;
}

}  // namespace chanmirror::server
