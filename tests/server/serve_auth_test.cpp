// Tokens: path prefix, Bearer and Basic; reloaded on change; never in the access log.
#include "server/server.hpp"

#include <gtest/gtest.h>

#include "io/atomic_file.hpp"
#include "tests/server/test_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;
using test::http_request;
using test::HttpRequestOptions;

namespace {

class ServeAuth : public ::testing::Test {
  protected:
    ServeAuth() {
        test::write_bytes(dir_.path() / "root/ch/noarch/repodata.json", "{\"ok\":1}");
        test::write_bytes(tokens_, "# comment\nalpha-token-1\n\n  beta-token-2  \n");
        server::ServeOptions options;
        options.root = dir_.path() / "root";
        options.tokens_file = tokens_;
        options.access_log = log_.string();
        server_ = std::make_unique<test::TestServer>(options);
    }
    long status(const std::string& path, std::vector<std::string> headers = {},
                const std::string& user_password = "") {
        HttpRequestOptions options;
        options.headers = std::move(headers);
        options.user_password = user_password;
        return http_request(server_->url(path), options).status;
    }

    test::TempDir dir_;
    std::filesystem::path tokens_ = dir_.path() / "tokens.txt";
    std::filesystem::path log_ = dir_.path() / "access.log";
    std::unique_ptr<test::TestServer> server_;
};

const char* const repodata = "/ch/noarch/repodata.json";

TEST_F(ServeAuth, PathPrefixBearerAndBasicAreAccepted) {
    auto res = http_request(server_->url(std::string("/t/alpha-token-1") + repodata));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "{\"ok\":1}");
    EXPECT_EQ(status(repodata, {"Authorization: Bearer beta-token-2"}), 200);
    EXPECT_EQ(status(repodata, {}, "anyone:alpha-token-1"), 200);
    EXPECT_EQ(status("/t/beta-token-2/ch/noarch/"), 200);
}

TEST_F(ServeAuth, MissingTokenIs401AndWrongTokenIs403) {
    auto res = http_request(server_->url(repodata));
    EXPECT_EQ(res.status, 401);
    EXPECT_NE(res.header("www-authenticate").find("Basic"), std::string::npos);
    EXPECT_EQ(status(std::string("/t/wrong") + repodata), 403);
    EXPECT_EQ(status(repodata, {"Authorization: Bearer wrong"}), 403);
    EXPECT_EQ(status(repodata, {}, "user:wrong"), 403);
    EXPECT_EQ(status("/"), 401);
    EXPECT_EQ(status("/metrics"), 401);
    EXPECT_EQ(status("/t/alpha-token-1/metrics"), 200);
    EXPECT_EQ(status("/healthz"), 200);  // probes carry no token
}

TEST_F(ServeAuth, TokenFileIsReloadedWhenItChanges) {
    EXPECT_EQ(status(std::string("/t/gamma-3") + repodata), 403);
    ASSERT_TRUE(io::write_file_atomic(tokens_, "gamma-3\n"));
    EXPECT_EQ(status(std::string("/t/gamma-3") + repodata), 200);
    EXPECT_EQ(status(std::string("/t/alpha-token-1") + repodata), 403);
}

TEST_F(ServeAuth, TokensNeverReachTheAccessLog) {
    // One keep-alive connection: a session logs request N before it reads request N+1, so
    // once the last response is in, every earlier line is in the file.
    test::RawConnection conn(server_->port());
    auto get = [&](const std::string& target, const std::string& extra = "") {
        conn.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n");
        return test::status_of(conn.read_response());
    };
    EXPECT_EQ(get(std::string("/t/alpha-token-1") + repodata), 200);
    EXPECT_EQ(get(repodata,
                  "Authorization: Bearer beta-token-2\r\nUser-Agent: conda/26.5.0\r\n"
                  "Referer: http://example/\"q\"\r\n"),
              200);
    EXPECT_EQ(get(repodata, "Authorization: Basic dXNlcjphbHBoYS10b2tlbi0x\r\n"), 200);
    EXPECT_EQ(get("/t/alpha-token-1/ch/noarch/missing.json"), 404);
    EXPECT_EQ(get("/t/nope-token/ch/noarch/missing.json"), 403);
    EXPECT_EQ(get("/healthz"), 200);
    // Refused requests are logged (redacted) before their connection closes.
    for (const char* request :
         {"POST /t/alpha-token-1/ch/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
          "GET /t/alpha-token-1/ch/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"}) {
        test::RawConnection refused(server_->port());
        refused.send(request);
        EXPECT_NE(test::status_of(refused.read_until_close()), 200);
    }
    std::string log = test::read_bytes(log_);
    EXPECT_EQ(log.find("alpha-token-1"), std::string::npos) << log;
    EXPECT_EQ(log.find("beta-token-2"), std::string::npos) << log;
    EXPECT_EQ(log.find("nope-token"), std::string::npos) << log;
    EXPECT_EQ(log.find("dXNlcjphbHBoYS10b2tlbi0x"), std::string::npos) << log;
    EXPECT_NE(log.find("\"GET /t/<redacted>/ch/noarch/repodata.json HTTP/1.1\" 200 8"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("\"GET /t/<redacted>/ch/noarch/missing.json HTTP/1.1\" 404"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("127.0.0.1 - - ["), std::string::npos);
    EXPECT_NE(log.find("\"POST /t/<redacted>/ch/x HTTP/1.1\" 405"), std::string::npos) << log;
    EXPECT_NE(log.find("\"GET /t/<redacted>/ch/x HTTP/1.1\" 413"), std::string::npos) << log;
    EXPECT_NE(log.find("\"http://example/\\x22q\\x22\" \"conda/26.5.0\""), std::string::npos)
        << log;
}

}  // namespace
