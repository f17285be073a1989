// `chanmirror serve` answering any request a client can send: the path rules hold (nothing
// outside ROOT, no hidden or temporary file, no `..`), byte ranges stay inside the file, and
// every answer is well-formed. Runs handle_request against a real directory with a secret
// next to ROOT, symlinks pointing out of it, a hidden cache and a download in progress.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"
#include "server/handle_request.hpp"
#include "server/path_safety.hpp"
#include "server/static_file.hpp"

namespace fs = std::filesystem;
namespace server = chanmirror::server;
using chanmirror::fuzz::check;

namespace {

// Files that must never be a response body, by inode: a body is compared by what it is, not
// by its bytes, which a request can echo (a listing shows its filter query).
std::set<ino_t>& forbidden_inodes() {
    static std::set<ino_t> inodes;
    return inodes;
}

void forbid(const fs::path& path) {
    struct stat st {};
    check(::stat(path.c_str(), &st) == 0, "the fuzz root is set up");
    forbidden_inodes().insert(st.st_ino);
}

void write_file(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// Built once per process.
server::ServeRoot& serve_root() {
    static std::unique_ptr<server::ServeRoot> root = [] {
        static const chanmirror::fuzz::ScratchDir scratch("chanmirror-serve-fuzz");
        const fs::path& base = scratch.path();
        fs::path root = base / "channel";
        write_file(root / "noarch" / "repodata.json",
                   R"({"info":{"subdir":"noarch"},"packages":{}})");
        write_file(root / "linux-64" / "pkg-1.0-0.conda", std::string(4096, 'p'));
        for (const fs::path& secret :
             {base / "secret.txt", root / "linux-64" / "pkg-2.0-0.conda.partial",
              root / "linux-64" / ".cache" / "cache.db", root / ".git" / "config"}) {
            write_file(secret, "secret");
            forbid(secret);
        }
        fs::create_symlink("../secret.txt", root / "outside.json");
        fs::create_symlink(base, root / "up");
        fs::create_symlink("noarch", root / "alias");
        server::ServeOptions options;
        options.root = root;
        auto opened = server::ServeRoot::open(options);
        check(opened.has_value(), "the fuzz root opens");
        return std::move(*opened);
    }();
    return *root;
}

std::string body_of(server::Response& res) {
    if (res.shared_body)
        return *res.shared_body;
    if (!res.file)
        return res.body;
    std::string bytes(res.content_length, '\0');
    auto n = res.file.pread(bytes.data(), bytes.size(), res.file_offset);
    check(n && *n == bytes.size(), "a file body's range lies inside the file");
    return bytes;
}

void check_target_rules(std::string_view target) {
    auto parsed = server::parse_target(target);
    if (!parsed)
        return;
    std::string_view rel = parsed->relative;
    check(rel.empty() || (rel.front() != '/' && rel.back() != '/'), "no leading or trailing /");
    check(rel.find('\0') == std::string_view::npos, "no NUL in a path");
    check(rel.find("//") == std::string_view::npos, "no empty path component");
    if (rel.empty())
        return;  // ROOT itself
    for (std::size_t start = 0; start <= rel.size();) {
        auto end = std::min(rel.find('/', start), rel.size());
        auto part = rel.substr(start, end - start);
        check(part != "." && part != "..", "no . or .. component");
        check(!server::is_hidden_name(part), "no hidden component");
        start = end + 1;
    }
}

void check_range_rules(std::string_view header, std::uint64_t size) {
    auto range = server::parse_range(header, size);
    if (range.kind != server::ByteRange::satisfiable)
        return;
    check(range.length > 0, "a satisfiable range is not empty");
    check(range.first < size && range.length <= size - range.first, "a range lies inside the file");
}

// "Name: value\r\n" lines only: a CR or LF from the request never splits or ends the header.
void check_header_lines(std::string_view fields) {
    while (!fields.empty()) {
        auto end = fields.find("\r\n");
        check(end != std::string_view::npos, "every header line ends with CRLF");
        auto line = fields.substr(0, end);
        check(line.find_first_of("\r\n") == std::string_view::npos, "no CR or LF inside a line");
        check(line.find(": ") != std::string_view::npos && line.front() != ' ',
              "a line is a field");
        fields.remove_prefix(end + 2);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto fields = chanmirror::fuzz::split_input(data, size, 7);
    check_target_rules(fields[0]);
    check_range_rules(fields[1], 4096);
    check_range_rules(fields[1], size);
    if (auto date = server::parse_http_date(fields[4])) {
        char text[32];
        auto n = server::format_http_date(*date, text);
        auto again = server::parse_http_date(std::string_view(text, n));
        check(again && *again == *date, "a date we print reads back as itself");
    }

    server::Request req;
    req.method = fields[6].empty()          ? server::Method::get
                 : fields[6].front() == 'H' ? server::Method::head
                                            : server::Method::get;
    req.method_name = req.method == server::Method::head ? "HEAD" : "GET";
    req.target = fields[0];
    req.range = fields[1];
    req.if_range = fields[2];
    req.if_none_match = fields[3];
    req.if_modified_since = fields[4];
    req.accept_encoding = fields[5];
    auto res = server::handle_request(req, serve_root());
    check(res.status >= 200 && res.status < 600, "a real status code");
    check_header_lines(res.fields);
    if (res.file) {
        struct stat st {};
        check(::fstat(res.file.fd(), &st) == 0, "a file body is open");
        check(!forbidden_inodes().contains(st.st_ino),
              "no file outside ROOT, hidden or temporary is served");
    }
    std::string body = body_of(res);
    if (!res.head_only && res.status != 304)
        check(body.size() == res.content_length, "Content-Length is the body's length");
    return 0;
}
