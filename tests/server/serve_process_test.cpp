// The real binary: the bound port is printed, SIGTERM/SIGINT drain in-flight responses and
// exit 0; and a file replaced by rename mid-download is never mixed.
#include "server/server.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "io/atomic_file.hpp"
#include "tests/server/test_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace chanmirror;
using namespace std::chrono_literals;

namespace {

std::string pattern(std::size_t n, char seed) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<char>(seed + (i % 97));
    return out;
}

// `chanmirror serve ROOT --port 0` as a child process, stdout piped back.
class ServeProcess {
  public:
    // `max_open_files` > 0: the child's RLIMIT_NOFILE, to run it out of descriptors.
    explicit ServeProcess(const std::filesystem::path& root, rlim_t max_open_files = 0) {
        int fds[2];
        if (::pipe(fds) != 0)
            throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            ::close(fds[0]);
            ::close(fds[1]);
            if (max_open_files > 0) {
                rlimit limit{max_open_files, max_open_files};
                ::setrlimit(RLIMIT_NOFILE, &limit);
            }
            std::string binary = test::chanmirror_binary().string();
            ::execl(binary.c_str(), "chanmirror", "serve", root.c_str(), "--port", "0", "--threads",
                    "2", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        out_ = fds[0];
        std::string line = read_line();
        std::smatch m;
        if (!std::regex_search(line, m, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))) {
            throw std::runtime_error("unexpected first line: " + line);
        }
        port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    }
    ~ServeProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(out_);
    }
    std::string read_line() {
        std::string line;
        char c;
        while (::read(out_, &c, 1) == 1 && c != '\n')
            line.push_back(c);
        return line;
    }
    // Blocks until the child exits; its exit status, or -1 if it did not exit normally.
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    void signal(int sig) { ::kill(pid_, sig); }
    [[nodiscard]] std::size_t open_files() const {
        auto fds = std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd");
        return static_cast<std::size_t>(std::distance(fds, {}));
    }
    // User + system CPU seconds the child has used so far.
    [[nodiscard]] double cpu_seconds() const {
        std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), {});
        std::istringstream fields(text.substr(text.rfind(')') + 2));
        std::string field;
        double ticks = 0;
        for (int i = 3; i <= 15 && fields >> field; ++i) {
            if (i >= 14)  // utime, stime
                ticks += std::stod(field);
        }
        return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    [[nodiscard]] std::uint16_t port() const { return port_; }

  private:
    pid_t pid_ = -1;
    int out_ = -1;
    std::uint16_t port_ = 0;
};

constexpr std::size_t big_size = 24u << 20;

TEST(ServeProcess, SigtermDrainsInFlightDownloadsAndExitsZero) {
    test::TempDir dir;
    std::string big = pattern(big_size, 'a');
    test::write_bytes(dir.path() / "ch/noarch/big.conda", big);
    ServeProcess proc(dir.path());

    test::RawConnection idle(proc.port());
    idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(test::status_of(idle.read_response()), 200);

    test::RawConnection download(proc.port());
    download.send("GET /ch/noarch/big.conda HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string start = download.read_exactly(64 * 1024);  // the response is under way
    ASSERT_EQ(test::status_of(start), 200);

    proc.signal(SIGTERM);
    EXPECT_TRUE(idle.read_until_close(10s).empty()) << "idle connections are closed";
    EXPECT_FALSE(idle.timed_out());
    std::string rest = download.read_until_close(30s);
    std::string all = start + rest;
    auto body_at = all.find("\r\n\r\n") + 4;
    EXPECT_EQ(all.size() - body_at, big_size);
    EXPECT_TRUE(all.compare(body_at, std::string::npos, big) == 0);
    EXPECT_EQ(proc.wait(), 0);
}

// Out of file descriptors, the listener waits for connections to close instead of spinning
// on accept(), and serves again once they have.
TEST(ServeProcess, OutOfDescriptorsItBacksOffThenServesAgain) {
#if defined(__SANITIZE_ADDRESS__)
    // UBSan's vptr check needs a descriptor (a pipe) to probe memory; without one it reports
    // every polymorphic call as an invalid vptr and aborts.
    GTEST_SKIP() << "the sanitizer runtime cannot run out of descriptors";
#endif
    test::TempDir dir;
    test::write_bytes(dir.path() / "ch/noarch/repodata.json", "{}");
    ServeProcess proc(dir.path(), 48);
    std::vector<std::unique_ptr<test::RawConnection>> held;
    for (int i = 0; i < 80; ++i)  // the kernel queues those the server cannot accept
        held.push_back(std::make_unique<test::RawConnection>(proc.port()));
    std::this_thread::sleep_for(300ms);
    ASSERT_GE(proc.open_files(), 46u) << "the server ran out of descriptors";
    double before = proc.cpu_seconds();
    std::this_thread::sleep_for(1s);
    EXPECT_LT(proc.cpu_seconds() - before, 0.5) << "no busy loop while accept() fails";
    held.clear();
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
        std::this_thread::sleep_for(100ms);
        test::RawConnection probe(proc.port());
        probe.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        status = test::status_of(probe.read_response(false, 2s));
    }
    EXPECT_EQ(status, 200);
}

TEST(ServeProcess, SigintStopsAnIdleServer) {
    test::TempDir dir;
    test::write_bytes(dir.path() / "ch/noarch/repodata.json", "{}");
    ServeProcess proc(dir.path());
    auto res = test::http_request("http://127.0.0.1:" + std::to_string(proc.port()) + "/healthz");
    EXPECT_EQ(res.status, 200);
    proc.signal(SIGINT);
    EXPECT_EQ(proc.wait(), 0);
}

TEST(ServeProcess, BadRootOrTlsPairIsAUsageError) {
    std::string binary = test::chanmirror_binary().string();
    EXPECT_NE(std::system((binary + " serve /nonexistent/root --port 0 2>/dev/null").c_str()), 0);
    test::TempDir dir;
    test::write_bytes(dir.path() / "cert.pem", "x");
    std::string only_cert = binary + " serve '" + dir.path().string() + "' --port 0 --tls-cert '" +
                            (dir.path() / "cert.pem").string() + "' 2>/dev/null";
    EXPECT_NE(std::system(only_cert.c_str()), 0);
}

TEST(ServeReplace, FileRenamedOverMidDownloadIsNeverMixed) {
    test::TempDir dir;
    auto path = dir.path() / "ch/noarch/big.conda";
    std::string old_bytes = pattern(big_size, 'a');
    std::string new_bytes = pattern(big_size, 'A');
    test::write_bytes(path, old_bytes);
    server::ServeOptions options;
    options.root = dir.path();
    test::TestServer server(options);

    test::RawConnection conn(server.port());
    conn.send("GET /ch/noarch/big.conda HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string start = conn.read_exactly(1 << 20);  // headers sent: the file is open
    ASSERT_EQ(test::status_of(start), 200);
    ASSERT_TRUE(io::write_file_atomic(path, new_bytes));  // what `sync`/`index` do
    std::string all =
        start + conn.read_exactly(big_size - start.size() + start.find("\r\n\r\n") + 4);
    std::string body = all.substr(all.find("\r\n\r\n") + 4);
    ASSERT_EQ(body.size(), big_size);
    EXPECT_TRUE(body == old_bytes) << "entirely the old bytes";

    conn.send("GET /ch/noarch/big.conda HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string again = conn.read_response();
    EXPECT_TRUE(again.substr(again.find("\r\n\r\n") + 4) == new_bytes) << "entirely the new bytes";
}

}  // namespace
