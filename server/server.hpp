#pragma once
// `chanmirror serve` as an object: bind, run one io_context per thread, drain on stop().

#include <cstdint>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "server/options.hpp"

namespace chanmirror::server {

class ServeRoot;

class Server {
  public:
    // Opens ROOT, loads TLS material and the token file, and binds (port 0: any free port).
    static core::Result<std::unique_ptr<Server>> create(const ServeOptions& options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    // "http://127.0.0.1:8080" (https with TLS), with the bound port.
    [[nodiscard]] std::string url() const;
    ServeRoot& root();

    // Serves until stop() (or SIGINT/SIGTERM when handle_signals) and every connection has
    // drained, or drain_timeout passed. Runs one io_context on the calling thread and one on
    // each of threads-1 more threads.
    void run(bool handle_signals = false);
    // Thread-safe and idempotent: stop accepting, let in-flight responses finish, close idle
    // connections.
    void stop();

  private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace chanmirror::server
