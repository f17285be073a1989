#include "server/listener.hpp"

#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "server/http_session.hpp"

namespace chanmirror::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto accept_backoff = std::chrono::milliseconds(100);

bool out_of_descriptors(boost::system::error_code ec) {
    return ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
           ec == net::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system;
}

}  // namespace

Listener::Listener(tcp::acceptor acceptor, std::vector<net::io_context*> workers,
                   ServerState& state)
    : acceptor_(std::move(acceptor)),
      backoff_(acceptor_.get_executor()),
      workers_(std::move(workers)),
      state_(state) {}

void Listener::run() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ec;
        self->acceptor_.close(ec);
        self->backoff_.cancel();
    });
}

void Listener::do_accept() {
    if (!acceptor_.is_open())
        return;
    net::io_context& worker = *workers_[next_worker_++ % workers_.size()];
    acceptor_.async_accept(
        worker, boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open())
        return;
    if (out_of_descriptors(ec)) {
        // Without a descriptor to spare, accepting again at once would spin; wait for
        // connections to close.
        backoff_.expires_after(accept_backoff);
        backoff_.async_wait([self = shared_from_this()](boost::system::error_code tec) {
            if (!tec)
                self->do_accept();
        });
        return;
    }
    if (!ec) {
        if (state_.draining.load()) {
            socket.close(ec);
        } else if (static_cast<std::size_t>(state_.root.metrics().open_connections()) >=
                   state_.root.options().max_connections) {
            refuse(socket);
        } else {
            start_session(std::move(socket), state_);
        }
    }
    do_accept();
}

void Listener::refuse(tcp::socket& socket) {
    state_.root.metrics().connection_refused();
    boost::system::error_code ec;
    if (state_.tls == nullptr) {
        // A fresh socket's send buffer is empty, so this non-blocking write does not stall.
        static constexpr std::string_view busy =
            "HTTP/1.1 503 Service Unavailable\r\nServer: chanmirror\r\nContent-Type: text/plain"
            "\r\nContent-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
            "too many connections\n";
        socket.non_blocking(true, ec);
        socket.write_some(net::buffer(busy.data(), busy.size()), ec);
        socket.shutdown(tcp::socket::shutdown_send, ec);
    }
    socket.close(ec);
}

}  // namespace chanmirror::server
