#pragma once
// One client connection: reads request headers (with a size cap and timeouts), asks
// handle_request for the response, writes it (sendfile for files on plain TCP), keeps the
// connection alive while the client wants and the server is not draining.

#include <boost/asio/ip/tcp.hpp>

#include "server/server_state.hpp"

namespace chanmirror::server {

// Starts serving `socket` (plain or TLS, as state.tls says) on the socket's own executor.
void start_session(boost::asio::ip::tcp::socket socket, ServerState& state);

}  // namespace chanmirror::server
