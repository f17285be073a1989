#pragma once
// The accept loop: hands each connection to the next io_context in turn, refuses connections
// beyond the cap with a 503, and backs off when the process runs out of descriptors.

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/server_state.hpp"

namespace chanmirror::server {

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(boost::asio::ip::tcp::acceptor acceptor, std::vector<boost::asio::io_context*> workers,
             ServerState& state);

    void run();
    void stop();  // thread-safe: closes the acceptor on its own executor

  private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    void refuse(boost::asio::ip::tcp::socket& socket);

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer backoff_;
    std::vector<boost::asio::io_context*> workers_;
    std::size_t next_worker_ = 0;
    ServerState& state_;
};

}  // namespace chanmirror::server
