// What the real `ballast` says, and its exit code, when the operator mistypes
// a command or no daemon answers where it looks.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tests/integration/support.hpp"

namespace test_cli_messages {

using namespace ballast::testing;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A TCP port on 127.0.0.1 that accepts connections (the kernel completes
/// the handshake) and never reads or answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("a mistyped command names the typo and the nearest command, and exits 2") {
  auto r = run_command(BALLAST_CLI_PATH, {"stauts"});
  CHECK(r.code == 2);
  CHECK(contains(r.output, R"(unknown command "stauts"; did you mean "status"?)"));

  r = run_command(BALLAST_CLI_PATH, {"feed", "simm", "--rate", "5"});
  CHECK(r.code == 2);
  CHECK(contains(r.output, R"(ballast feed: unknown command "simm"; did you mean "sim"?)"));

  r = run_command(BALLAST_CLI_PATH, {"orders", "--url", "http://127.0.0.1:1", "resolv", "X", "--cancelled"});
  CHECK(r.code == 2);
  CHECK(contains(r.output, R"(ballast orders: unknown command "resolv"; did you mean "resolve"?)"));

  r = run_command(BALLAST_CLI_PATH, {"frobnicate"});
  CHECK(r.code == 2);
  CHECK(contains(r.output, R"(unknown command "frobnicate"; the commands are: status, pause)"));
}

TEST_CASE("connection refused says no daemon answers at the URL and how to point at another") {
  const std::string url = "http://127.0.0.1:" + std::to_string(free_port());
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"status", "--url", url}, {"pause", "--url", url}, {"orders", "--url", url}}) {
    CAPTURE(command.front());
    const auto r = run_command(BALLAST_CLI_PATH, command);
    CHECK(r.code == 1);
    CHECK(contains(r.output, "no daemon answers at " + url + " (connection refused)"));
    CHECK(contains(r.output, "--url URL or set BALLAST_URL"));
  }
  // The URL from the environment is the one named.
  const auto r = run_command("/usr/bin/env", {"BALLAST_URL=" + url, BALLAST_CLI_PATH, "status"});
  CHECK(r.code == 1);
  CHECK(contains(r.output, "no daemon answers at " + url));
}

TEST_CASE("a daemon address where nothing answers times out with the same advice") {
  SilentListener silent;
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.port());
  const auto r = run_command(BALLAST_CLI_PATH, {"status", "--url", url});
  CHECK(r.code == 1);
  CHECK(contains(r.output, "no answer from " + url + " within 5 s"));
  CHECK(contains(r.output, "--url URL or set BALLAST_URL"));
}

}  // namespace test_cli_messages
