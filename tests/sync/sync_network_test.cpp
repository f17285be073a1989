// The network settings of the config, end to end: an HTTP proxy and a private CA bundle for an
// HTTPS upstream (`chanmirror serve` with a certificate made for the test).
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/server/test_server.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/sync_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace chanmirror::sync {
namespace {

namespace fs = std::filesystem;

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
    auto make_cert =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        test::shell_quote(key.string()) + " -out " + test::shell_quote(cert.string()) +
        " 2>/dev/null";
    ASSERT_EQ(std::system(make_cert.c_str()), 0);
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

}  // namespace
}  // namespace chanmirror::sync
