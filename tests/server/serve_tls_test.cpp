// HTTPS on the same code path, with a certificate generated for the test.
#include "server/server.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "tests/server/test_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;

namespace {

class ServeTls : public ::testing::Test {
  protected:
    ServeTls() {
        std::string command =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
            " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
            key_.string() + "' -out '" + cert_.string() + "' 2>/dev/null";
        if (std::system(command.c_str()) != 0)
            throw std::runtime_error("openssl req failed");
        std::mt19937 gen(7);
        big_.resize(3'000'000);
        for (auto& c : big_)
            c = static_cast<char>(gen());
        test::write_bytes(dir_.path() / "root/ch/noarch/big.conda", big_);
        test::write_bytes(dir_.path() / "root/ch/noarch/repodata.json", "{}");
        server::ServeOptions options;
        options.root = dir_.path() / "root";
        options.tls_cert = cert_;
        options.tls_key = key_;
        server_ = std::make_unique<test::TestServer>(options);
    }
    test::HttpResponse get(const std::string& path, std::vector<std::string> headers = {}) {
        test::HttpRequestOptions options;
        options.ca_file = cert_.string();
        options.headers = std::move(headers);
        return test::http_request(server_->url(path), options);
    }

    test::TempDir dir_;
    std::filesystem::path cert_ = dir_.path() / "cert.pem";
    std::filesystem::path key_ = dir_.path() / "key.pem";
    std::string big_;
    std::unique_ptr<test::TestServer> server_;
};

// Bodies up to 64 KiB leave with their head in one write; over TLS those above one record
// (16 KiB) were once cut after the head.
TEST_F(ServeTls, BodiesBetweenOneTlsRecordAndTheSmallBodyLimitArriveWhole) {
    for (std::size_t size : {16'000u, 17'000u, 40'000u, 65'536u}) {
        auto body = big_.substr(0, size);
        test::write_bytes(dir_.path() / "root/ch/noarch/small.conda", body);
        auto res = get("/ch/noarch/small.conda");
        ASSERT_EQ(res.status, 200) << res.error;
        EXPECT_TRUE(res.body == body) << size;
    }
}

TEST_F(ServeTls, ServesFilesRangesAndConditionalsOverHttps) {
    ASSERT_TRUE(server_->url("/").starts_with("https://127.0.0.1:"));
    auto res = get("/ch/noarch/big.conda");
    ASSERT_EQ(res.status, 200) << res.error;
    EXPECT_EQ(res.body.size(), big_.size());
    EXPECT_TRUE(res.body == big_);
    auto range = get("/ch/noarch/big.conda", {"Range: bytes=-100000"});
    EXPECT_EQ(range.status, 206);
    EXPECT_TRUE(range.body == big_.substr(big_.size() - 100000));
    EXPECT_EQ(get("/ch/noarch/big.conda", {"If-None-Match: " + res.header("etag")}).status, 304);
    EXPECT_EQ(get("/ch/noarch/missing").status, 404);
    EXPECT_EQ(get("/ch/noarch/").status, 200);
}

TEST_F(ServeTls, RefusesPlainHttpAndOldTls) {
    auto plain = test::http_request("http://127.0.0.1:" + std::to_string(server_->port()) + "/");
    EXPECT_NE(plain.status, 200);
    test::HttpRequestOptions old;
    old.ca_file = cert_.string();
    old.max_tls_version =
        static_cast<long>(CURL_SSLVERSION_TLSv1_0) | static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_1);
    auto res = test::http_request(server_->url("/ch/noarch/repodata.json"), old);
    EXPECT_EQ(res.status, 0) << "TLS 1.1 must not be negotiated";
    // The server is still fine afterwards.
    EXPECT_EQ(get("/ch/noarch/repodata.json").status, 200);
}

}  // namespace
