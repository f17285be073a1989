#include "sync/fetch_repodata.hpp"

#include <thread>
#include <vector>

#include "config/channel.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "io/atomic_file.hpp"
#include "io/file_handle.hpp"
#include "io/zstd.hpp"

namespace chanmirror::sync {
namespace {

using core::ErrorKind;

std::vector<std::string> conditional_headers(const FetchState* previous,
                                             const std::string& variant) {
    std::vector<std::string> headers;
    if (previous == nullptr || previous->variant != variant)
        return headers;
    if (!previous->etag.empty())
        headers.push_back("If-None-Match: " + previous->etag);
    if (!previous->last_modified.empty())
        headers.push_back("If-Modified-Since: " + previous->last_modified);
    return headers;
}

core::Result<core::RunExportsMap> to_run_exports_map(const std::string& text,
                                                     const std::string& what) {
    auto json = core::parse_json(text, what);
    if (!json)
        return tl::unexpected(json.error());
    core::RunExportsMap out;
    for (const char* section : {"packages", "packages.conda"}) {
        auto it = json->find(section);
        if (it == json->end() || !it->is_object())
            continue;
        for (const auto& [fn, entry] : it->items()) {
            if (entry.is_object() && entry.contains("run_exports"))
                out[fn] = entry["run_exports"];
        }
    }
    return out;
}

// Tries one variant. nullopt: fall back to the next variant.
core::Result<std::optional<FetchedRepodata>> try_variant(HttpClient& client,
                                                         const std::string& subdir_url,
                                                         const std::string& variant,
                                                         const FetchState* previous,
                                                         const RetryPolicy& retry, bool keep_body) {
    auto url = config::join_url(subdir_url, variant);
    auto got = get_with_retries(client, {url, 0, conditional_headers(previous, variant)}, retry);
    if (!got)
        return tl::unexpected(got.error());
    FetchedRepodata out;
    out.repodata_url = url;
    out.state = {variant, got->response.etag, got->response.last_modified};
    long status = got->response.status;
    if (status == 304 && previous != nullptr) {
        out.status = FetchStatus::not_modified;
        out.state = *previous;
        return out;
    }
    if (is_absent_upstream(status))
        return std::optional<FetchedRepodata>{};
    if (status != 200) {
        return core::fail(ErrorKind::network,
                          config::redact(url) + ": HTTP " + std::to_string(status));
    }
    if (keep_body)
        out.body = got->body;
    auto parsed = decode_repodata(std::move(got->body), variant, config::redact(url));
    if (!parsed)
        return tl::unexpected(parsed.error());
    if (!*parsed)
        return std::optional<FetchedRepodata>{};  // conda: decode error -> repodata.json
    out.repodata = std::move(**parsed);
    return out;
}

// Resolves "." and ".." segments of a URL path.
std::string normalize(const std::string& url) {
    auto scheme = url.find("://");
    auto path_at = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
    if (path_at == std::string::npos)
        return url;
    std::vector<std::string> parts;
    std::string path = url.substr(path_at + 1);
    std::size_t i = 0;
    while (i <= path.size()) {
        auto next = std::min(path.find('/', i), path.size());
        auto part = path.substr(i, next - i);
        if (part == "..") {
            if (!parts.empty())
                parts.pop_back();
        } else if (part != ".") {
            parts.push_back(part);
        }
        i = next + 1;
    }
    std::string out = url.substr(0, path_at);
    for (const auto& p : parts)
        out += "/" + p;
    return out;
}

}  // namespace

std::optional<core::RunExportsMap> fetch_run_exports(HttpClient& client,
                                                     const std::string& subdir_url,
                                                     const RetryPolicy& retry) {
    for (std::string name : {"run_exports.json.zst", "run_exports.json"}) {
        auto url = config::join_url(subdir_url, name);
        auto got = get_with_retries(client, {url, 0, {}}, retry);
        if (!got || got->response.status != 200)
            continue;
        std::string text = std::move(got->body);
        if (name.ends_with(".zst")) {
            auto raw = io::zstd_decompress(text, config::redact(url));
            if (!raw)
                continue;
            text = std::move(*raw);
        }
        auto map = to_run_exports_map(text, config::redact(url));
        if (map)
            return std::move(*map);
    }
    return std::nullopt;
}

bool is_absent_upstream(long status) {
    return status == 404 || status == 410 || status == 403 || status == 501;
}

core::Result<Got> get_with_retries(HttpClient& client, const HttpRequest& request,
                                   const RetryPolicy& retry) {
    std::mt19937_64 rng{std::random_device{}()};
    for (int attempt = 0;; ++attempt) {
        Got got;
        got.response = client.fetch(request, got.body);
        if (!is_transient(got.response) || attempt >= retry.retries) {
            if (!got.response.completed()) {
                return core::fail(ErrorKind::network, config::redact(request.url) + ": " +
                                                          describe_failure(got.response));
            }
            return got;
        }
        std::this_thread::sleep_for(
            retry_delay(attempt + 1, got.response.retry_after_s, retry, rng));
    }
}

core::Result<std::optional<core::RepoData>> decode_repodata(std::string body,
                                                            std::string_view variant,
                                                            std::string_view what) {
    if (variant.ends_with(".zst")) {
        auto raw = io::zstd_decompress(body, what);
        if (!raw)
            return std::optional<core::RepoData>{};
        body = std::move(*raw);
    }
    if (body.empty())
        body = "{}";  // CEP 36: an empty file is an empty channel
    auto parsed = core::parse_repodata(std::move(body), what);
    if (!parsed)
        return tl::unexpected(parsed.error());
    return std::move(*parsed);
}

core::Result<FetchedRepodata> fetch_repodata(HttpClient& client, const std::string& subdir_url,
                                             const FetchState* previous, const RetryPolicy& retry,
                                             bool keep_body) {
    for (std::string variant : {"repodata.json.zst", "repodata.json"}) {
        auto r = try_variant(client, subdir_url, variant, previous, retry, keep_body);
        if (!r)
            return tl::unexpected(r.error());
        if (!*r)
            continue;
        auto fetched = std::move(**r);
        if (fetched.status == FetchStatus::fetched) {
            auto base = package_url(fetched, "");
            if (auto ok = check_base_url(fetched.repodata_url, base, "base_url"); !ok)
                return tl::unexpected(ok.error());
            fetched.run_exports = fetch_run_exports(client, subdir_url, retry);
        }
        return fetched;
    }
    FetchedRepodata absent;
    absent.status = FetchStatus::absent;
    return absent;
}

std::string resolve_url(const std::string& document_url, std::string base) {
    auto dir = document_url.substr(0, document_url.rfind('/') + 1);
    if (base.empty())
        return dir;
    if (base.find("://") == std::string::npos) {
        if (base.starts_with("/")) {
            auto scheme = dir.find("://");
            base = dir.substr(0, dir.find('/', scheme + 3)) + base;
        } else {
            base = dir + base;
        }
    }
    return normalize(base);
}

core::Result<void> check_base_url(const std::string& document_url, const std::string& resolved,
                                  std::string_view key) {
    auto scheme = [](std::string_view url) {
        return core::to_lower_ascii(url.substr(0, url.find("://")));
    };
    auto from = scheme(document_url);
    auto to = scheme(resolved);
    if (from == "file" || to == "http" || to == "https")
        return {};
    return core::fail(ErrorKind::invalid_input,
                      config::redact(document_url) + ": info." + std::string(key) + " " +
                          config::redact(resolved) +
                          " is not an http(s) URL; refusing to fetch from it");
}

std::string package_url(const FetchedRepodata& fetched, const std::string& filename) {
    const auto& info = fetched.repodata.info;
    std::string base;
    if (auto it = info.find("base_url"); it != info.end() && it->is_string())
        base = it->get<std::string>();
    return normalize(config::join_url(resolve_url(fetched.repodata_url, base), filename));
}

core::Result<std::optional<FetchState>> load_fetch_state(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return std::optional<FetchState>{};
    auto text = io::read_file(path);
    if (!text)
        return tl::unexpected(text.error());
    auto json = core::parse_json(*text, path);
    if (!json || !json->is_object())
        return std::optional<FetchState>{};  // unreadable: refetch
    return FetchState{json->value("variant", ""), json->value("etag", ""),
                      json->value("last_modified", "")};
}

core::Result<void> save_fetch_state(const std::string& path, const FetchState& state) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    core::Json j = {
        {"variant", state.variant}, {"etag", state.etag}, {"last_modified", state.last_modified}};
    auto r = io::write_file_if_changed(path, core::dump_compact(j));
    if (!r)
        return tl::unexpected(r.error());
    return {};
}

}  // namespace chanmirror::sync
