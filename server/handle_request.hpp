#pragma once
// The whole HTTP behaviour of `chanmirror serve`, independent of the transport: a Request and
// the served root in, a Response out. Sessions call this once per request.

#include <filesystem>
#include <memory>

#include "core/error.hpp"
#include "server/cache_control.hpp"
#include "server/compressed_cache.hpp"
#include "server/directory_listing.hpp"
#include "server/message.hpp"
#include "server/metrics.hpp"
#include "server/options.hpp"
#include "server/tokens.hpp"

namespace chanmirror::server {

// What a request is answered from: ROOT (held open), the options, the caches and the counters.
class ServeRoot {
  public:
    static core::Result<std::unique_ptr<ServeRoot>> open(const ServeOptions& options);
    ~ServeRoot();
    ServeRoot(const ServeRoot&) = delete;
    ServeRoot& operator=(const ServeRoot&) = delete;

    [[nodiscard]] const ServeOptions& options() const { return options_; }
    [[nodiscard]] int root_fd() const { return root_fd_; }
    [[nodiscard]] const std::filesystem::path& root_real() const { return root_real_; }
    TokenStore& tokens() { return tokens_; }
    CompressedCache& compressed() { return compressed_; }
    ListingCache& listings() { return listings_; }
    Metrics& metrics() { return metrics_; }
    // Formatted once: a file response should not build this string every time.
    [[nodiscard]] std::string_view cache_control(CacheClass cls) const {
        return cls == CacheClass::immutable ? cache_control_immutable_ : cache_control_index_;
    }

  private:
    ServeRoot(ServeOptions options, int root_fd, std::filesystem::path root_real);

    ServeOptions options_;
    int root_fd_;
    std::filesystem::path root_real_;
    TokenStore tokens_;
    CompressedCache compressed_;
    ListingCache listings_;
    Metrics metrics_;
    std::string cache_control_index_;
    std::string cache_control_immutable_;
};

Response handle_request(const Request& req, ServeRoot& root);

// A short plain-text response ("not found\n" for 404).
Response error_response(unsigned status, std::string_view text);

}  // namespace chanmirror::server
