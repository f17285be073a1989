#pragma once
// Upstream index files of one subdir: repodata.json.zst, falling back to repodata.json on a
// 404 or a decode error; conditional on the ETag/Last-Modified of the last complete run.

#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/repodata.hpp"
#include "core/shards.hpp"
#include "sync/http_client.hpp"
#include "sync/retry.hpp"

namespace chanmirror::sync {

// What the previous complete run saw (stored under DEST/.chanmirror/state/).
struct FetchState {
    std::string variant;  // "repodata.json.zst" or "repodata.json"
    std::string etag;
    std::string last_modified;
};

enum class FetchStatus { fetched, not_modified, absent };

struct FetchedRepodata {
    FetchStatus status = FetchStatus::fetched;
    core::RepoData repodata;
    FetchState state;
    std::optional<core::RunExportsMap> run_exports;  // upstream run_exports.json, when it has one
    std::string repodata_url;  // the URL the repodata came from (base for relative base_url)
    std::string body;          // the body as received (compressed for .zst), when asked for
};

// `subdir_url` is "<channel url>/<subdir>"; `previous` enables the conditional request;
// `keep_body` keeps the body as received, to answer a later 304 from a local copy.
core::Result<FetchedRepodata> fetch_repodata(HttpClient& client, const std::string& subdir_url,
                                             const FetchState* previous, const RetryPolicy& retry,
                                             bool keep_body = false);

// A repodata body of `variant` as fetched; nullopt when a .zst body does not decompress.
core::Result<std::optional<core::RepoData>> decode_repodata(std::string body,
                                                            std::string_view variant,
                                                            std::string_view what);

// 404, 410, 403 or 501: upstream does not have this file (conda falls back, pixi treats 501
// on the shard index as "no shards").
bool is_absent_upstream(long status);

// One GET with retries on transient failures (backoff with jitter, Retry-After). The error
// names the URL; any HTTP status that is not transient is returned for the caller to judge.
struct Got {
    HttpResponse response;
    std::string body;
};
core::Result<Got> get_with_retries(HttpClient& client, const HttpRequest& request,
                                   const RetryPolicy& retry);

// Upstream run_exports.json(.zst) of a subdir; nullopt when it has none or it is unreadable.
std::optional<core::RunExportsMap> fetch_run_exports(HttpClient& client,
                                                     const std::string& subdir_url,
                                                     const RetryPolicy& retry);

// A CEP-15/16 base URL (absolute, host-relative "/x/", or relative to the directory of
// `document_url`; "" = that directory itself) as an absolute URL.
std::string resolve_url(const std::string& document_url, std::string base);

// CEP-15/16 let an index send its readers elsewhere, but a server must not send the mirror to
// this machine's own files: behind an http(s) document, `resolved` (the base URL of `key`)
// must be http(s) too. file:// only where the operator configured a file:// channel.
core::Result<void> check_base_url(const std::string& document_url, const std::string& resolved,
                                  std::string_view key);

// The URL of a package file: upstream info.base_url (absolute, or relative to the repodata URL)
// when present, else next to repodata.json.
std::string package_url(const FetchedRepodata& fetched, const std::string& filename);

// Persistence of FetchState as a small JSON file.
core::Result<std::optional<FetchState>> load_fetch_state(const std::string& path);
core::Result<void> save_fetch_state(const std::string& path, const FetchState& state);

}  // namespace chanmirror::sync
