#pragma once
// An in-process `chanmirror serve` on 127.0.0.1:0 for the server tests, run on a thread and
// drained when the test ends.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "server/server.hpp"

namespace chanmirror::test {

class TestServer {
  public:
    explicit TestServer(server::ServeOptions options) {
        options.host = "127.0.0.1";
        options.port = 0;
        if (options.threads == 0)
            options.threads = 2;
        auto created = server::Server::create(options);
        if (!created)
            throw std::runtime_error(created.error().message);
        server_ = std::move(*created);
        // The socket is already listening: requests queue until run() picks them up.
        thread_ = std::thread([this] { server_->run(); });
    }
    ~TestServer() {
        server_->stop();
        thread_.join();
    }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return server_->port(); }
    [[nodiscard]] std::string url(const std::string& path) const { return server_->url() + path; }
    server::Server& server() { return *server_; }

  private:
    std::unique_ptr<server::Server> server_;
    std::thread thread_;
};

}  // namespace chanmirror::test
