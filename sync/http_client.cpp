#include "sync/http_client.hpp"
#include "core/strings.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <mutex>
#include <stdexcept>

namespace chanmirror::sync {
namespace {

using core::trim;

struct EasyDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
    void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw std::runtime_error("curl_global_init failed");
    });
}

struct Transfer {
    HttpClient::Id id = 0;
    EasyPtr easy;
    SlistPtr headers;
    BodySink sink;
    HttpResponse response;
    bool is_file = false;
    bool ranged = false;
    std::string* buffer = nullptr;   // fetch(): body collected here, reserved from Content-Length
    std::uint64_t buffer_limit = 0;  // fetch(): the most `buffer` may hold
    std::string abort_reason;        // why the transfer was aborted, when the sink threw
    char error[CURL_ERROR_SIZE] = {};

    long status() const {
        long code = 0;
        curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &code);
        if (code == 0 && is_file)
            code = ranged ? 206 : 200;
        return code;
    }
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/")) {  // a new response (after a redirect or 100-continue)
        t->response.etag.clear();
        t->response.last_modified.clear();
        t->response.retry_after_s.reset();
        return size * n;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
        return size * n;
    auto name = core::to_lower_ascii(trim(line.substr(0, colon)));
    auto value = trim(line.substr(colon + 1));
    if (name == "etag")
        t->response.etag = value;
    if (name == "last-modified")
        t->response.last_modified = value;
    if (name == "retry-after")
        t->response.retry_after_s = parse_retry_after(value);
    return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string_view chunk(data, size * n);
    long status = t->status();
    if (status >= 300 && status < 400)
        return chunk.size();  // a redirect's body
    // No exception may unwind through libcurl's C frames: one ends the transfer instead.
    try {
        if (t->buffer != nullptr && t->response.body_bytes == 0 && status >= 200 && status < 300) {
            curl_off_t length = -1;
            curl_easy_getinfo(t->easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
            // A lying Content-Length must not allocate: only a size fetch() would keep.
            if (length > 0 && static_cast<std::uint64_t>(length) <= t->buffer_limit)
                t->buffer->reserve(static_cast<std::size_t>(length) + 64);
        }
        t->response.body_bytes += chunk.size();
        if (t->sink && !t->sink(status, chunk)) {
            t->response.aborted = true;
            return 0;
        }
    } catch (const std::exception& e) {
        t->abort_reason = std::string("cannot keep the response: ") + e.what();
        t->response.aborted = true;
        return 0;
    }
    return chunk.size();
}

bool is_permanent(CURLcode code) {
    switch (code) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_LOGIN_DENIED:
        case CURLE_REMOTE_ACCESS_DENIED:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_FILE_COULDNT_READ_FILE:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::optional<long> parse_retry_after(std::string_view value) {
    value = trim(value);
    if (value.empty())
        return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return std::stol(std::string(value.substr(0, 9)));
    }
    std::string copy(value);
    auto when = curl_getdate(copy.c_str(), nullptr);
    if (when < 0)
        return std::nullopt;
    return std::max<long>(0, static_cast<long>(when - std::time(nullptr)));
}

struct HttpClient::Impl {
    HttpOptions options;
    MultiPtr multi;
    std::map<Id, std::unique_ptr<Transfer>> transfers;
    Id next_id = 1;

    void configure(Transfer& t, const HttpRequest& req) {
        CURL* h = t.easy.get();
        curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
        curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);  // fewer callbacks and write()s
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options.low_speed_time_s);
        curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.error);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(h, CURLOPT_PRIVATE, &t);
        if (!options.proxy.empty())
            curl_easy_setopt(h, CURLOPT_PROXY, options.proxy.c_str());
        if (!options.ca_bundle.empty())
            curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_bundle.c_str());
        if (req.range_from > 0) {
            auto range = std::to_string(req.range_from) + "-";
            curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());  // copied by libcurl
        }
        for (const auto& header : req.headers) {
            auto* list = curl_slist_append(t.headers.get(), header.c_str());
            if (list == nullptr)
                throw std::bad_alloc();
            (void)t.headers.release();
            t.headers.reset(list);
        }
        if (t.headers)
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, t.headers.get());
    }

    HttpResponse finish(Transfer& t, CURLcode code) {
        HttpResponse r = std::move(t.response);
        r.status = t.status();
        if (code == CURLE_FILE_COULDNT_READ_FILE && t.is_file) {
            r.status = 404;  // file:// has no status line; a missing file is a 404
        } else if (!t.abort_reason.empty()) {
            r.transport_error = t.abort_reason;
        } else if (code != CURLE_OK) {
            r.permanent = is_permanent(code);
            r.transport_error =
                t.error[0] != '\0' ? std::string(t.error) : curl_easy_strerror(code);
            r.timed_out = code == CURLE_OPERATION_TIMEDOUT;
        }
        long version = 0;
        curl_easy_getinfo(t.easy.get(), CURLINFO_HTTP_VERSION, &version);
        r.http_version = version == CURL_HTTP_VERSION_2_0   ? "2"
                         : version == CURL_HTTP_VERSION_1_1 ? "1.1"
                                                            : "";
        curl_multi_remove_handle(multi.get(), t.easy.get());
        return r;
    }

    std::vector<std::pair<Id, HttpResponse>> collect() {
        std::vector<std::pair<Id, HttpResponse>> done;
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            Transfer* t = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
            CURLcode code = msg->data.result;
            Id id = t->id;
            done.emplace_back(id, finish(*t, code));
            transfers.erase(id);
        }
        return done;
    }
};

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>()) {
    global_init();
    impl_->options = std::move(options);
    impl_->multi.reset(curl_multi_init());
    if (!impl_->multi)
        throw std::runtime_error("curl_multi_init failed");
    auto* m = impl_->multi.get();
    curl_multi_setopt(m, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(impl_->options.max_connections));
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(impl_->options.max_connections));
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(impl_->options.max_connections * 2));
}

HttpClient::~HttpClient() {
    for (auto& [id, t] : impl_->transfers)
        curl_multi_remove_handle(impl_->multi.get(), t->easy.get());
    impl_->transfers.clear();
}

HttpClient::Id HttpClient::start(HttpRequest request, BodySink sink) {
    auto t = std::make_unique<Transfer>();
    t->id = impl_->next_id++;
    t->easy.reset(curl_easy_init());
    if (!t->easy)
        throw std::runtime_error("curl_easy_init failed");
    t->sink = std::move(sink);
    t->is_file = request.url.starts_with("file:");
    t->ranged = request.range_from > 0;
    impl_->configure(*t, request);
    if (curl_multi_add_handle(impl_->multi.get(), t->easy.get()) != CURLM_OK) {
        throw std::runtime_error("curl_multi_add_handle failed");
    }
    Id id = t->id;
    impl_->transfers.emplace(id, std::move(t));
    return id;
}

std::vector<std::pair<HttpClient::Id, HttpResponse>> HttpClient::poll(int timeout_ms) {
    int running = 0;
    curl_multi_perform(impl_->multi.get(), &running);
    auto done = impl_->collect();
    if (!done.empty() || impl_->transfers.empty())
        return done;
    curl_multi_poll(impl_->multi.get(), nullptr, 0, timeout_ms, nullptr);
    curl_multi_perform(impl_->multi.get(), &running);
    return impl_->collect();
}

std::size_t HttpClient::active() const {
    return impl_->transfers.size();
}

HttpResponse HttpClient::fetch(const HttpRequest& request, std::string& body) {
    if (active() != 0)
        throw std::logic_error("HttpClient::fetch while transfers are active");
    body.clear();
    bool too_large = false;
    auto id = start(request, [&](long status, std::string_view chunk) {
        if (status < 200 || status >= 300)
            return true;
        if (body.size() + chunk.size() > request.max_body_bytes) {
            too_large = true;
            return false;
        }
        body.append(chunk);
        return true;
    });
    impl_->transfers.at(id)->buffer = &body;
    impl_->transfers.at(id)->buffer_limit = request.max_body_bytes;
    for (;;) {
        auto done = poll(1000);
        if (done.empty())
            continue;
        auto response = std::move(done.front().second);
        if (too_large) {
            body.clear();
            response.transport_error = "response larger than " +
                                       std::to_string(request.max_body_bytes) +
                                       " bytes; refused (no index file is that large)";
        }
        return response;
    }
}

}  // namespace chanmirror::sync
