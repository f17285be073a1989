#include "sync/fetch_shards.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <thread>

#include "config/channel.hpp"
#include "io/atomic_file.hpp"
#include "io/file_handle.hpp"
#include "io/hashing.hpp"
#include "io/zstd.hpp"
#include "sync/fetch_repodata.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using core::ErrorKind;

constexpr std::string_view shard_suffix = ".msgpack.zst";

std::string hex(const core::Sha256& sha256) {
    return core::to_hex({sha256.data(), sha256.size()});
}

bool has_digest(std::string_view body, const core::Sha256& sha256) {
    return io::sha256_of({reinterpret_cast<const unsigned char*>(body.data()), body.size()}) ==
           sha256;
}

struct Attempt {
    HttpResponse response;
    std::string body;
};

// One round: every request in `pending` at once (the client caps connections per host).
std::map<std::size_t, Attempt> fetch_round(HttpClient& client,
                                           const std::vector<ShardRequest>& requests,
                                           const std::vector<std::size_t>& pending) {
    std::map<std::size_t, Attempt> attempts;
    std::map<HttpClient::Id, std::size_t> owner;
    for (auto i : pending) {
        auto& attempt = attempts[i];
        auto id =
            client.start({requests[i].url, 0, {}}, [&attempt](long status, std::string_view chunk) {
                if (status == 200)
                    attempt.body.append(chunk);
                return true;
            });
        owner[id] = i;
    }
    while (client.active() > 0) {
        for (auto& [id, response] : client.poll(100))
            attempts[owner.at(id)].response = std::move(response);
    }
    return attempts;
}

}  // namespace

core::Result<std::optional<UpstreamShards>> fetch_shard_index(HttpClient& client,
                                                              const std::string& subdir_url,
                                                              const RetryPolicy& retry) {
    auto url = config::join_url(subdir_url, "repodata_shards.msgpack.zst");
    auto got = get_with_retries(client, {url, 0, {}}, retry);
    if (!got)
        return tl::unexpected(got.error());
    long status = got->response.status;
    if (is_absent_upstream(status))
        return std::optional<UpstreamShards>{};
    if (status != 200)
        return core::fail(ErrorKind::network,
                          config::redact(url) + ": HTTP " + std::to_string(status));
    auto raw = io::zstd_decompress(got->body, config::redact(url));
    if (!raw)
        return std::optional<UpstreamShards>{};
    auto index = core::parse_shard_index(*raw, config::redact(url));
    if (!index)
        return std::optional<UpstreamShards>{};
    UpstreamShards out;
    out.index_url = url;
    out.index = std::move(*index);
    // A key that is missing, null or not a string means "next to the shard index".
    auto base_of = [&](const char* key) {
        auto it = out.index.info.find(key);
        return resolve_url(url, it != out.index.info.end() && it->is_string()
                                    ? it->get<std::string>()
                                    : std::string());
    };
    out.shards_base = base_of("shards_base_url");
    if (auto ok = check_base_url(url, out.shards_base, "shards_base_url"); !ok)
        return tl::unexpected(ok.error());
    if (auto ok = check_base_url(url, base_of("base_url"), "base_url"); !ok)
        return tl::unexpected(ok.error());
    return out;
}

ShardCache::ShardCache(fs::path dir, bool read_only)
    : dir_(std::move(dir)), read_only_(read_only) {}

std::optional<std::string> ShardCache::find(const core::Sha256& sha256) const {
    if (dir_.empty())
        return std::nullopt;
    auto path = dir_ / (hex(sha256) + std::string(shard_suffix));
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::nullopt;
    auto body = io::read_file(path);
    if (!body || !has_digest(*body, sha256))
        return std::nullopt;  // damaged: fetched again and overwritten
    return std::move(*body);
}

void ShardCache::store(const core::Sha256& sha256, const std::string& body) const {
    if (dir_.empty() || read_only_)
        return;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    // A cache: losing it costs a refetch, so no fsync.
    (void)io::write_file_if_changed(dir_ / (hex(sha256) + std::string(shard_suffix)), body);
}

void ShardCache::keep_only(const std::set<std::string>& used_hex) const {
    if (dir_.empty() || read_only_)
        return;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        auto name = entry.path().filename().string();
        if (!name.ends_with(shard_suffix) ||
            !used_hex.contains(name.substr(0, name.size() - shard_suffix.size())))
            fs::remove(entry.path(), ec);
    }
}

core::Result<void> fetch_shards(HttpClient& client, std::vector<ShardRequest>& requests,
                                const RetryPolicy& retry, const ShardCache& cache) {
    std::vector<std::size_t> pending;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (auto cached = cache.find(requests[i].sha256)) {
            requests[i].body = std::move(*cached);
            requests[i].from_cache = true;
        } else {
            pending.push_back(i);
        }
    }
    std::mt19937_64 rng{std::random_device{}()};
    for (int attempt = 0; !pending.empty(); ++attempt) {
        std::vector<std::size_t> again;
        std::optional<long> retry_after;
        for (auto& [i, got] : fetch_round(client, requests, pending)) {
            auto& request = requests[i];
            const auto& r = got.response;
            std::string problem;
            bool transient = is_transient(r);
            if (!r.completed() || r.status != 200) {
                problem = r.completed() ? "HTTP " + std::to_string(r.status) : describe_failure(r);
            } else if (!has_digest(got.body, request.sha256)) {
                problem = "sha256 differs from the shard index (" + hex(request.sha256) + ")";
                transient = true;  // a corrupted transfer: fetch it once more
            }
            if (problem.empty()) {
                request.body = std::move(got.body);
                cache.store(request.sha256, request.body);
            } else if (transient && attempt < retry.retries) {
                again.push_back(i);
                if (r.retry_after_s)
                    retry_after = std::max(retry_after.value_or(0), *r.retry_after_s);
            } else {
                return core::fail(ErrorKind::network, config::redact(request.url) + ": " + problem);
            }
        }
        if (!again.empty())
            std::this_thread::sleep_for(retry_delay(attempt + 1, retry_after, retry, rng));
        pending = std::move(again);
    }
    return {};
}

}  // namespace chanmirror::sync
