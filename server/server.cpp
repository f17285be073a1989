#include "server/server.hpp"

#include <openssl/ssl.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/parallel.hpp"
#include "server/listener.hpp"

namespace chanmirror::server {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;

core::Result<std::unique_ptr<ssl::context>> make_tls_context(const ServeOptions& options) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(options.tls_cert.string(), ec);
    if (ec) {
        return core::fail(core::ErrorKind::invalid_input,
                          "TLS certificate " + options.tls_cert.string() + ": " + ec.message());
    }
    ctx->use_private_key_file(options.tls_key.string(), ssl::context::pem, ec);
    if (ec) {
        return core::fail(core::ErrorKind::invalid_input,
                          "TLS key " + options.tls_key.string() + ": " + ec.message());
    }
    return ctx;
}

core::Result<tcp::endpoint> resolve(const ServeOptions& options, net::io_context& ioc) {
    boost::system::error_code ec;
    auto address = net::ip::make_address(options.host, ec);
    if (!ec)
        return tcp::endpoint(address, options.port);
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
        return core::fail(core::ErrorKind::invalid_input,
                          "cannot resolve host " + options.host + ": " + ec.message());
    }
    return results.begin()->endpoint();
}

core::Result<tcp::acceptor> bind(const tcp::endpoint& endpoint, net::io_context& ioc) {
    tcp::acceptor acceptor(ioc);
    boost::system::error_code ec;
    auto where = [&] {
        return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    };
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return core::fail(core::ErrorKind::io, "cannot listen on " + where() + ": " + ec.message());
    return acceptor;
}

}  // namespace

struct Server::Impl {
    ServeOptions options;
    std::unique_ptr<ServeRoot> root;
    std::unique_ptr<AccessLog> access_log;
    std::unique_ptr<ssl::context> tls;
    std::unique_ptr<ServerState> state;
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<std::optional<WorkGuard>> guards;
    std::shared_ptr<Listener> listener;
    std::optional<net::signal_set> signals;
    tcp::endpoint endpoint;

    std::mutex mutex;
    std::condition_variable finished_cv;
    bool stopping = false;
    bool finished = false;
    std::thread watchdog;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
    stop();
    {
        std::lock_guard lock(impl_->mutex);
        impl_->finished = true;
    }
    impl_->finished_cv.notify_all();
    if (impl_->watchdog.joinable())
        impl_->watchdog.join();
}

core::Result<std::unique_ptr<Server>> Server::create(const ServeOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    unsigned threads = core::thread_count(options.threads);
    impl->options.threads = threads;

    auto root = ServeRoot::open(impl->options);
    if (!root)
        return tl::unexpected(root.error());
    impl->root = std::move(*root);
    if (!options.access_log.empty()) {
        auto log = AccessLog::open(options.access_log);
        if (!log)
            return tl::unexpected(log.error());
        impl->access_log = std::move(*log);
    }
    if (!options.tls_cert.empty() || !options.tls_key.empty()) {
        if (options.tls_cert.empty() || options.tls_key.empty()) {
            return core::fail(core::ErrorKind::invalid_input,
                              "--tls-cert and --tls-key must be given together");
        }
        auto tls = make_tls_context(options);
        if (!tls)
            return tl::unexpected(tls.error());
        impl->tls = std::move(*tls);
    }
    impl->state = std::make_unique<ServerState>(*impl->root);
    impl->state->access_log = impl->access_log.get();
    impl->state->tls = impl->tls.get();

    std::vector<net::io_context*> workers;
    for (unsigned i = 0; i < threads; ++i) {
        impl->contexts.push_back(std::make_unique<net::io_context>(1));
        impl->guards.emplace_back(impl->contexts.back()->get_executor());
        workers.push_back(impl->contexts.back().get());
    }
    auto endpoint = resolve(impl->options, *impl->contexts[0]);
    if (!endpoint)
        return tl::unexpected(endpoint.error());
    auto acceptor = bind(*endpoint, *impl->contexts[0]);
    if (!acceptor)
        return tl::unexpected(acceptor.error());
    impl->endpoint = acceptor->local_endpoint();
    impl->listener = std::make_shared<Listener>(std::move(*acceptor), workers, *impl->state);
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const {
    return impl_->endpoint.port();
}

std::string Server::url() const {
    auto address = impl_->endpoint.address();
    std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port());
}

ServeRoot& Server::root() {
    return *impl_->root;
}

void Server::run(bool handle_signals) {
    if (handle_signals) {
        impl_->signals.emplace(*impl_->contexts[0], SIGINT, SIGTERM);
        impl_->signals->async_wait([this](boost::system::error_code ec, int) {
            if (!ec)
                stop();
        });
    }
    impl_->listener->run();
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->contexts.size(); ++i) {
        threads.emplace_back([ioc = impl_->contexts[i].get()] { ioc->run(); });
    }
    impl_->contexts[0]->run();
    for (auto& t : threads)
        t.join();
    std::lock_guard lock(impl_->mutex);
    impl_->finished = true;
    impl_->finished_cv.notify_all();
}

void Server::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopping)
            return;
        impl_->stopping = true;
    }
    impl_->state->draining = true;
    impl_->listener->stop();
    if (impl_->signals) {
        net::post(*impl_->contexts[0], [this] {
            boost::system::error_code ec;
            impl_->signals->cancel(ec);
        });
    }
    impl_->state->shutdown_all();
    for (auto& guard : impl_->guards)
        guard->reset();
    // Connections that do not finish in time are cut off.
    impl_->watchdog = std::thread([impl = impl_.get()] {
        std::unique_lock lock(impl->mutex);
        if (!impl->finished_cv.wait_for(lock, impl->options.drain_timeout,
                                        [impl] { return impl->finished; })) {
            for (auto& ioc : impl->contexts)
                ioc->stop();
        }
    });
}

}  // namespace chanmirror::server
