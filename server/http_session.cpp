#include "server/http_session.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/lazy_deadline.hpp"
#include "server/message.hpp"
#include "server/path_safety.hpp"
#include "server/request_head.hpp"

namespace chanmirror::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// Files up to this size are read with one pread and written together with the header.
constexpr std::uint64_t small_body_limit = 64 * 1024;
constexpr std::size_t chunk_size = 256 * 1024;  // TLS: pread + write in chunks this big
constexpr std::size_t sendfile_slice = 16u << 20;
constexpr auto linger_time = std::chrono::seconds(2);
constexpr auto tls_shutdown_time = std::chrono::seconds(2);

// Plain sockets, not beast::tcp_stream: timeouts come from one LazyDeadline per session.
using PlainStream = tcp::socket;
using TlsStream = beast::ssl_stream<tcp::socket>;

template <class Stream>
class HttpSession final : public SessionBase,
                          public std::enable_shared_from_this<HttpSession<Stream>> {
    static constexpr bool is_tls = std::is_same_v<Stream, TlsStream>;

  public:
    template <class... Args>
    HttpSession(ServerState& state, tcp::socket&& socket, Args&... args)
        : state_(state), stream_(std::move(socket), args...), deadline_(lowest().get_executor()) {
        beast::error_code ec;
        // Responses are written whole (one writev or head + sendfile): no reason to wait for
        // an ACK before sending a short tail.
        lowest().set_option(tcp::no_delay(true), ec);
        // Plain TCP sends synchronously (write_buffers, sendfile): never block the thread.
        if constexpr (!is_tls)
            lowest().non_blocking(true, ec);
        auto endpoint = lowest().remote_endpoint(ec);
        if (!ec)
            remote_ = endpoint.address().to_string();
        state_.root.metrics().connection_opened();
    }

    ~HttpSession() override {
        state_.remove(this);
        state_.root.metrics().connection_closed();
    }

    void run() {
        state_.add(this->shared_from_this());
        deadline_.watch(this->weak_from_this(), [this] { on_deadline(); });
        net::dispatch(lowest().get_executor(),
                      beast::bind_front_handler(&HttpSession::on_run, this->shared_from_this()));
    }

    void shutdown() override {
        net::post(lowest().get_executor(), [self = this->shared_from_this()] {
            // The socket may be closed already (a deadline passed): no throwing overload.
            beast::error_code ec;
            if (self->reading_)
                self->lowest().cancel(ec);
        });
    }

  private:
    tcp::socket& lowest() { return beast::get_lowest_layer(stream_); }
    const ServeOptions& options() const { return state_.root.options(); }

    void on_run() {
        if constexpr (is_tls) {
            deadline_.expires_after(options().header_timeout);
            stream_.async_handshake(
                ssl::stream_base::server,
                beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
        } else {
            do_read();
        }
    }

    void on_handshake(beast::error_code ec) {
        if (ec)
            return close_now();
        do_read();
    }

    void do_read() {
        if (state_.draining.load())
            return do_close();
        parser_.emplace(request_head_, static_cast<std::uint32_t>(options().max_header_bytes));
        deadline_.expires_after(first_request_ ? options().header_timeout : options().idle_timeout);
        first_request_ = false;
        reading_ = true;
        http::async_read_header(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t header_bytes) {
        reading_ = false;
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == beast::error::timeout || ec == net::error::eof) {
            return close_now();
        }
        // Beast holds each read to the limit but parses a first read's fields before it has
        // seen the end of the header, so a header of up to twice the limit can arrive whole.
        if (ec == http::error::header_limit || (!ec && header_bytes > options().max_header_bytes)) {
            return send_error(431, "request header too large\n");
        }
        if (ec) {
            if (ec.category() != beast::http::make_error_code(http::error::bad_target).category()) {
                return close_now();  // transport or TLS failure: nobody to answer
            }
            return send_error(400, "malformed request\n");
        }
        Request req = request_head_.request();
        version_ = request_head_.version();
        bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
        if (has_body && req.method != Method::other) {
            Response res = error_response(413, "request bodies are not accepted\n");
            keep_alive_ = false;
            linger_ = true;
            return send(std::move(res));
        }
        keep_alive_ = parser_->keep_alive() && req.method != Method::other && !state_.draining;
        linger_ = req.method == Method::other;
        send(handle_request(req, state_.root));
    }

    void send_error(unsigned status, std::string_view text) {
        keep_alive_ = false;
        linger_ = true;
        version_ = 11;
        Response res = error_response(status, text);
        send(std::move(res));
    }

    void send(Response&& res) {
        res_ = std::move(res);
        serialize_head(res_, version_, keep_alive_, head_);
        body_sent_ = 0;
        remaining_ = 0;
        bool has_body = !res_.head_only && res_.status != 304 && res_.content_length > 0;
        deadline_.expires_after(options().write_timeout);
        if (!has_body)
            return write_buffers(net::buffer(head_), {});
        if (!res_.file) {
            std::string_view body = res_.shared_body ? *res_.shared_body : res_.body;
            body_sent_ = body.size();
            return write_buffers(net::buffer(head_), net::buffer(body.data(), body.size()));
        }
        offset_ = res_.file_offset;
        remaining_ = res_.content_length;
        if (remaining_ <= small_body_limit) {
            if (!read_chunk(remaining_))
                return close_now();
            body_sent_ = chunk_.size();
            remaining_ = 0;
            return write_buffers(net::buffer(head_), net::buffer(chunk_));
        }
        // MSG_MORE: the header leaves in the same segment as the start of the body.
        write_buffers(net::buffer(head_), {}, MSG_MORE);
    }

    // pread `size` bytes at offset_ into chunk_; false when the file is shorter than promised.
    bool read_chunk(std::uint64_t size) {
        chunk_.resize(size);
        std::size_t done = 0;
        while (done < size) {
            auto n = res_.file.pread(chunk_.data() + done, size - done, offset_ + done);
            if (!n || *n == 0)
                return false;
            done += *n;
        }
        offset_ += size;
        return true;
    }

    void write_buffers(net::const_buffer a, net::const_buffer b, int flags = 0) {
        if constexpr (!is_tls) {
            // The socket almost always takes a whole response at once: write it now, without
            // a trip through the scheduler; only a remainder waits for the socket to drain.
            beast::error_code ec;
            std::size_t sent = lowest().send(std::array<net::const_buffer, 2>{a, b}, flags, ec);
            if (ec == net::error::would_block || ec == net::error::try_again) {
                sent = 0;
            } else if (ec) {
                return abort_response();
            }
            if (sent == a.size() + b.size())
                return on_write({}, sent);
            if (sent >= a.size()) {
                b += sent - a.size();
                a = net::const_buffer();
            } else {
                a += sent;
            }
        } else {
            (void)flags;
            // Over TLS the head and a small body go out as one buffer: with the two-buffer
            // sequence, beast::ssl_stream completed the write after the head alone and bodies of
            // 16-64 KiB were never sent. Encryption copies the bytes anyway.
            if (b.size() > 0) {
                tls_out_.assign(static_cast<const char*>(a.data()), a.size());
                tls_out_.append(static_cast<const char*>(b.data()), b.size());
                a = net::buffer(tls_out_);
                b = net::const_buffer();
            }
        }
        std::array<net::const_buffer, 2> buffers{a, b};
        net::async_write(
            stream_, buffers,
            beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec)
            return abort_response();
        if (remaining_ == 0)
            return finish();
        if constexpr (is_tls) {
            do_write_chunk();
        } else {
            do_sendfile();
        }
    }

    void do_write_chunk() {
        if (remaining_ == 0)
            return finish();
        std::uint64_t size = std::min<std::uint64_t>(remaining_, chunk_size);
        if (!read_chunk(size))
            return abort_response();
        remaining_ -= size;
        body_sent_ += size;
        deadline_.expires_after(options().write_timeout);
        net::async_write(
            stream_, net::buffer(chunk_),
            beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this()));
    }

    // Plain TCP: the kernel copies file pages straight to the socket.
    void do_sendfile() {
        auto& socket = lowest();
        while (remaining_ > 0) {
            off_t offset = static_cast<off_t>(offset_);
            auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, sendfile_slice));
            ssize_t n = ::sendfile(socket.native_handle(), res_.file.fd(), &offset, want);
            if (n > 0) {
                offset_ += static_cast<std::uint64_t>(n);
                remaining_ -= static_cast<std::uint64_t>(n);
                body_sent_ += static_cast<std::uint64_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                deadline_.expires_after(options().write_timeout);
                socket.async_wait(
                    tcp::socket::wait_write,
                    beast::bind_front_handler(&HttpSession::on_writable, this->shared_from_this()));
                return;
            }
            return abort_response();  // error, or the file shrank under us
        }
        finish();
    }

    void on_writable(beast::error_code ec) {
        if (ec)
            return abort_response();
        do_sendfile();
    }

    void log_and_count() {
        state_.root.metrics().record(res_.status, body_sent_);
        if (state_.access_log == nullptr)
            return;
        AccessLogEntry entry;
        entry.remote = remote_;
        entry.status = res_.status;
        entry.bytes = body_sent_;
        entry.version = version_;
        entry.target = "-";
        std::string target;  // never the token: /t/<redacted>/...
        if (request_head_.complete()) {
            target = redact_target(request_head_.target());
            entry.target = target;
            entry.method = request_head_.method_name();
            entry.referer = request_head_.field(RequestHead::referer);
            entry.user_agent = request_head_.field(RequestHead::user_agent);
        }
        state_.access_log->write(entry);
    }

    void finish() {
        log_and_count();
        res_ = Response{};
        if (keep_alive_ && !state_.draining.load())
            return do_read();
        do_close();
    }

    void abort_response() {
        log_and_count();
        res_ = Response{};
        close_now();
    }

    void do_close() {
        if constexpr (is_tls) {
            deadline_.expires_after(tls_shutdown_time);
            stream_.async_shutdown(
                [self = this->shared_from_this()](beast::error_code) { self->close_now(); });
        } else {
            beast::error_code ec;
            lowest().shutdown(tcp::socket::shutdown_send, ec);
            if (!linger_ || ec)
                return close_now();
            // The client may still be sending what we did not read; closing now would reset
            // the connection and could destroy the response before the client reads it.
            deadline_.expires_after(linger_time);
            do_linger();
        }
    }

    void do_linger() {
        lowest().async_read_some(net::buffer(discard_), [self = this->shared_from_this()](
                                                            beast::error_code ec, std::size_t) {
            if (ec)
                return self->close_now();
            self->do_linger();
        });
    }

    void close_now() {
        beast::error_code ec;
        deadline_.cancel();
        lowest().close(ec);
    }

    // The client was too slow (header, idle keep-alive, a write making no progress, TLS
    // handshake or shutdown, linger): closing the socket ends whatever operation is pending.
    void on_deadline() {
        beast::error_code ec;
        lowest().close(ec);
    }

    ServerState& state_;
    Stream stream_;
    LazyDeadline deadline_;
    beast::flat_buffer buffer_;
    RequestHead request_head_;  // outlives each parser: its strings keep their storage
    std::optional<RequestHeadParser> parser_;
    Response res_;
    std::string head_;
    std::string chunk_;
    std::string tls_out_;  // TLS: head + small body in one buffer
    std::array<char, 4096> discard_{};
    std::string remote_;
    std::uint64_t offset_ = 0;
    std::uint64_t remaining_ = 0;
    std::uint64_t body_sent_ = 0;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool linger_ = false;
    bool reading_ = false;
    bool first_request_ = true;
};

}  // namespace

void start_session(tcp::socket socket, ServerState& state) {
    if (state.tls != nullptr) {
        std::make_shared<HttpSession<TlsStream>>(state, std::move(socket), *state.tls)->run();
    } else {
        std::make_shared<HttpSession<PlainStream>>(state, std::move(socket))->run();
    }
}

}  // namespace chanmirror::server
