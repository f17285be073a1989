#include "server/handle_request.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/strings.hpp"
#include "server/cache_control.hpp"
#include "server/mime.hpp"
#include "server/path_safety.hpp"
#include "server/static_file.hpp"

namespace chanmirror::server {
namespace {

constexpr std::uint64_t min_compress_size = 256;
// Compressing happens on the I/O thread the first time a version is asked for; beyond this a
// client should fetch the .zst sibling (which the indexer writes) instead.
constexpr std::uint64_t max_compress_size = 64u << 20;

std::string variant_etag(std::string_view etag, Encoding encoding) {
    std::string out(etag.substr(0, etag.size() - 1));
    out.append("-").append(encoding_name(encoding)).append("\"");
    return out;
}

// A .json file in a compressed encoding the client asked for, from the cache.
std::optional<Response> encoded_json(const Request& req, ServeRoot& root, const TargetPath& path,
                                     io::FileHandle& file, const FileInfo& info) {
    if (info.size < min_compress_size || info.size > max_compress_size ||
        range_applies(req, info)) {
        return std::nullopt;
    }
    Encoding encoding = choose_encoding(req.accept_encoding);
    if (encoding == Encoding::identity)
        return std::nullopt;
    Response res;
    res.head_only = req.method == Method::head;
    std::string etag = variant_etag(info.etag, encoding);
    if (is_not_modified(req, etag, info.mtime)) {
        res.status = 304;
        res.set("ETag", etag);
        res.set("Last-Modified", info.last_modified);
        return res;
    }
    auto bytes = root.compressed().get(path.relative, info, encoding, file);
    if (!bytes)
        return std::nullopt;
    res.set("ETag", etag);
    res.set("Last-Modified", info.last_modified);
    res.set("Content-Encoding", encoding_name(encoding));
    res.content_length = bytes->size();
    res.shared_body = std::move(bytes);
    return res;
}

Response file(const Request& req, ServeRoot& root, const TargetPath& path, io::FileHandle handle,
              const struct stat& st) {
    FileInfo info = describe(st);
    std::string_view name = path.relative;
    if (auto slash = name.rfind('/'); slash != std::string_view::npos)
        name.remove_prefix(slash + 1);
    bool is_json = name.ends_with(".json");
    std::optional<Response> res;
    if (is_json)
        res = encoded_json(req, root, path, handle, info);
    if (!res)
        res = file_response(req, std::move(handle), info);
    if (res->status == 416) {
        res->set("Content-Type", "text/plain; charset=utf-8");
    } else {
        res->set("Content-Type", mime_type(name));
        res->set("Cache-Control", root.cache_control(cache_class(path.relative)));
    }
    if (is_json)
        res->set("Vary", "Accept-Encoding");
    return std::move(*res);
}

// Where a directory asked for without its trailing slash redirects: the request's own path
// and query, with one leading '/' (a target "//host/dir" must not become a link to another
// host) and every byte outside visible ASCII %-encoded, so nothing a client sent can end
// the header line.
std::string slash_redirect_location(std::string_view target) {
    std::string_view query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        query = target.substr(q);
        target = target.substr(0, q);
    }
    while (target.size() > 1 && target[1] == '/')
        target.remove_prefix(1);
    auto visible = [](unsigned char c) { return c > 0x20 && c < 0x7f; };
    std::string location;
    core::append_percent_encoded(location, target, visible);
    location.push_back('/');
    core::append_percent_encoded(location, query, visible);
    return location;
}

Response directory(const Request& req, ServeRoot& root, const TargetPath& path,
                   const io::FileHandle& dir) {
    if (!path.relative.empty() && !path.trailing_slash) {
        Response res = error_response(301, "moved\n");
        res.set("Location", slash_redirect_location(req.target));
        return res;
    }
    auto entries = read_directory(dir.fd());
    auto packages = root.listings().packages(root.root_fd(), root.root_real(), path.relative);
    std::string url_path = "/" + path.relative + (path.relative.empty() ? "" : "/");
    Response res;
    res.head_only = req.method == Method::head;
    res.set_text_body(render_listing(url_path, entries, packages.get(), query_filter(path.query)));
    res.set("Content-Type", "text/html; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    return res;
}

Response respond(const Request& req, ServeRoot& root, const TargetPath& path) {
    if (path.relative == "healthz" && !path.has_token)
        return error_response(200, "ok\n");
    switch (authorize(root.tokens(), path.has_token, path.token, req.authorization)) {
        case AuthResult::allowed:
            break;
        case AuthResult::missing: {
            Response res = error_response(401, "a token is required\n");
            res.set("WWW-Authenticate", "Basic realm=\"chanmirror\"");
            return res;
        }
        case AuthResult::invalid:
            return error_response(403, "invalid token\n");
    }
    if (path.relative == "metrics") {
        Response res = error_response(200, "");
        res.set_text_body(root.metrics().render());
        res.fields.clear();
        res.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        res.set("Cache-Control", "no-store");
        return res;
    }
    auto handle = open_beneath(root.root_fd(), root.root_real(), path.relative);
    if (!handle) {
        switch (handle.error()) {
            case OpenError::not_found:
                return error_response(404, "not found\n");
            case OpenError::forbidden:
                return error_response(403, "forbidden\n");
            case OpenError::io:
                break;
        }
        return error_response(500, "cannot open file\n");
    }
    struct stat st {};
    if (::fstat(handle->fd(), &st) != 0)
        return error_response(500, "cannot stat file\n");
    if (S_ISDIR(st.st_mode))
        return directory(req, root, path, *handle);
    if (!S_ISREG(st.st_mode))
        return error_response(404, "not found\n");
    if (path.trailing_slash)
        return error_response(404, "not found\n");
    return file(req, root, path, std::move(*handle), st);
}

}  // namespace

Response error_response(unsigned status, std::string_view text) {
    Response res;
    res.status = status;
    res.set_text_body(std::string(text));
    res.set("Content-Type", "text/plain; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    return res;
}

Response handle_request(const Request& req, ServeRoot& root) {
    Response res;
    auto path = parse_target(req.target);
    if (req.method == Method::other) {
        res = error_response(405, "only GET and HEAD\n");
        res.set("Allow", "GET, HEAD");
    } else if (!path) {
        res = path.error() == TargetError::bad_request ? error_response(400, "bad request\n")
                                                       : error_response(404, "not found\n");
    } else {
        res = respond(req, root, *path);
    }
    res.head_only = req.method == Method::head;
    return res;
}

ServeRoot::ServeRoot(ServeOptions options, int root_fd, std::filesystem::path root_real)
    : options_(std::move(options)),
      root_fd_(root_fd),
      root_real_(std::move(root_real)),
      tokens_(options_.tokens_file),
      compressed_(options_.compressed_cache_bytes),
      cache_control_index_(cache_control_value(CacheClass::index, options_.max_age_index)),
      cache_control_immutable_(cache_control_value(CacheClass::immutable, 0)) {}

ServeRoot::~ServeRoot() {
    ::close(root_fd_);
}

core::Result<std::unique_ptr<ServeRoot>> ServeRoot::open(const ServeOptions& options) {
    std::error_code ec;
    auto real = std::filesystem::canonical(options.root, ec);
    if (ec) {
        return core::fail(core::ErrorKind::not_found,
                          "serve root " + options.root.string() + ": " + ec.message());
    }
    int fd = ::open(real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return core::fail(core::ErrorKind::io,
                          "serve root " + real.string() + ": " + std::strerror(errno));
    }
    return std::unique_ptr<ServeRoot>(new ServeRoot(options, fd, real));
}

}  // namespace chanmirror::server
