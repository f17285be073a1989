// The network settings of the config, end to end: an HTTP proxy and a private CA bundle for an
// HTTPS upstream (`chanmirror serve` with a certificate made for the test).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "tests/server/test_server.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Writes a self-signed certificate for 127.0.0.1 and its key.
void make_certificate(const fs::path& cert, const fs::path& key) {
    auto command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        test::shell_quote(key.string()) + " -out " + test::shell_quote(cert.string()) +
        " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    return addr;
}

std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// Debian's nghttpd (nghttp2-server): a static file server that speaks HTTP/2 over TLS only.
class Nghttpd {
  public:
    Nghttpd(const fs::path& root, const fs::path& key, const fs::path& cert) : port_(free_port()) {
        pid_ = ::fork();
        if (pid_ == 0) {
            int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, STDOUT_FILENO);
            ::dup2(null, STDERR_FILENO);
            auto port = std::to_string(port_);
            ::execlp("nghttpd", "nghttpd", "-d", root.c_str(), port.c_str(), key.c_str(),
                     cert.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        for (int i = 0; i < 100 && !accepting(); ++i)
            std::this_thread::sleep_for(50ms);
    }
    ~Nghttpd() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    Nghttpd(const Nghttpd&) = delete;
    Nghttpd& operator=(const Nghttpd&) = delete;

    [[nodiscard]] std::string url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(port_) + path;
    }

  private:
    [[nodiscard]] bool accepting() const {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr = loopback(port_);
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        return ok;
    }

    std::uint16_t port_;
    pid_t pid_ = -1;
};

class SyncNetworkTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::build_fixture_channel(upstream_dir.path() / "chan", {"noarch"});
        dest = work.path() / "mirror";
    }

    test::CommandResult sync(const std::string& channel_url, const std::string& extra_config) {
        test::write_bytes(work.path() / "mirror.yaml",
                          test::fast_retry_config(dest, 1) + extra_config);
        return test::run_command(test::shell_quote(test::chanmirror_binary().string()) + " sync " +
                                 test::shell_quote(channel_url) + " --config " +
                                 test::shell_quote((work.path() / "mirror.yaml").string()) +
                                 " --subdir noarch");
    }

    std::size_t mirrored_packages() const {
        std::size_t n = 0;
        for (const auto& e : fs::directory_iterator(dest / "chan" / "noarch"))
            n += core::is_package_filename(e.path().filename().string()) ? 1 : 0;
        return n;
    }

    test::TempDir upstream_dir;
    test::TempDir work;
    fs::path dest;
};

TEST_F(SyncNetworkTest, EveryRequestGoesThroughTheConfiguredProxy) {
    test::FakeUpstream proxy(upstream_dir.path());
    // The upstream host does not resolve: only a proxy can reach it.
    auto r = sync("http://upstream.invalid/chan", "proxy: " + proxy.url() + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto log = proxy.log();
    ASSERT_FALSE(log.empty());
    for (const auto& entry : log)
        EXPECT_TRUE(entry.absolute_form) << entry.path;
    EXPECT_EQ(mirrored_packages(), 62u);
}

TEST_F(SyncNetworkTest, HttpsUpstreamIsTrustedThroughTheCaBundleOnly) {
    auto cert = work.path() / "cert.pem";
    auto key = work.path() / "key.pem";
    make_certificate(cert, key);
    server::ServeOptions options;
    options.root = upstream_dir.path();
    options.tls_cert = cert;
    options.tls_key = key;
    test::TestServer upstream(options);

    auto untrusted = sync(upstream.url("/chan"), "");
    EXPECT_EQ(untrusted.exit_code, 2) << untrusted.output;
    EXPECT_NE(untrusted.output.find(upstream.url("/chan/noarch/")), std::string::npos)
        << untrusted.output;
    EXPECT_FALSE(fs::exists(dest / "chan" / "noarch" / "repodata.json"));

    auto trusted = sync(upstream.url("/chan"), "ca_bundle: " + cert.string() + "\n");
    ASSERT_EQ(trusted.exit_code, 0) << trusted.output;
    EXPECT_EQ(mirrored_packages(), 62u);
}

// An upstream that offers HTTP/2 gets every transfer multiplexed over it.
TEST_F(SyncNetworkTest, Http2IsUsedWhenTheUpstreamOffersIt) {
    if (std::system("command -v nghttpd >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "nghttpd (Debian package nghttp2-server) is not installed";
    auto cert = work.path() / "cert.pem";
    auto key = work.path() / "key.pem";
    make_certificate(cert, key);
    Nghttpd upstream(upstream_dir.path(), key, cert);
    auto r = sync(upstream.url("/chan"), "ca_bundle: " + cert.string() + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(mirrored_packages(), 62u);
    auto summary = test::read_bytes(dest / ".chanmirror" / "last-run.json");
    EXPECT_NE(summary.find("\"http2_transfers\": 62"), std::string::npos) << summary;
}

}  // namespace
}  // namespace chanmirror::sync
