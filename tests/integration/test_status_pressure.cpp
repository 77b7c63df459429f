// The real ballastd's status socket under connection pressure: however many
// idle or trickling connections a client holds, the kill switch answers.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_status_pressure {

using namespace ballast::testing;

namespace {

const std::string kPortfolio = R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }
)";

/// A TCP connection to the status port that the test holds open and says
/// nothing on, or only the start of a request.
class HeldConnection {
 public:
  explicit HeldConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~HeldConnection() { ::close(fd_); }
  HeldConnection(const HeldConnection&) = delete;
  HeldConnection& operator=(const HeldConnection&) = delete;

  void send_text(const std::string& text) {
    REQUIRE(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
  }
  /// True once the daemon has closed its end (without waiting).
  bool closed_by_daemon() const {
    char byte = 0;
    return ::recv(fd_, &byte, 1, MSG_DONTWAIT | MSG_PEEK) == 0;
  }

 private:
  int fd_;
};

std::size_t count_closed(const std::vector<std::unique_ptr<HeldConnection>>& held) {
  std::size_t closed = 0;
  for (const auto& c : held) closed += c->closed_by_daemon() ? 1 : 0;
  return closed;
}

}  // namespace

TEST_CASE("with 200 idle connections held open the kill switch, /status and release still answer within a second") {
  // Timeouts an hour long: only making room for new connections can free a slot.
  DaemonHarness d(kPortfolio, "", "",
                  "token = \"s3cret\"\nmax_connections = 64\nheader_timeout = \"1h\"\nidle_timeout = \"1h\"\n");
  d.start();

  std::vector<std::unique_ptr<HeldConnection>> held;
  for (int i = 0; i < 200; ++i) held.push_back(std::make_unique<HeldConnection>(d.ports.status));

  const auto kill = ballast::cli::http_request("POST", d.ports.url("/control/kill"), "s3cret", "", 1s);
  CHECK_MESSAGE(kill.status == 200, kill.error);
  const auto status = ballast::cli::http_request("GET", d.ports.url("/status"), "", "", 1s);
  REQUIRE_MESSAGE(status.status == 200, status.error);
  simdjson::dom::parser parser;
  CHECK(bool(parser.parse(status.body)["kill_switch"]) == true);
  // The pressure was real: the daemon closed held connections to make room.
  CHECK(eventually([&] { return count_closed(held) >= 200 - 64; }));

  // Now 100 of them trickle the start of a request and never finish it.
  for (int i = 0; i < 100; ++i) {
    held.push_back(std::make_unique<HeldConnection>(d.ports.status));
    held.back()->send_text("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
  }
  const auto release = ballast::cli::http_request("POST", d.ports.url("/control/release"), "s3cret", "", 1s);
  CHECK_MESSAGE(release.status == 200, release.error);
  const auto after = ballast::cli::http_request("GET", d.ports.url("/status"), "", "", 1s);
  REQUIRE_MESSAGE(after.status == 200, after.error);
  CHECK(bool(parser.parse(after.body)["kill_switch"]) == false);
  // And it says so in its metrics.
  const auto metrics = ballast::cli::http_request("GET", d.ports.url("/metrics"), "", "", 1s).body;
  const auto at = metrics.find("ballast_status_connections_total{outcome=\"evicted\"} ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(metrics.substr(at + 52)) >= 200 - 64);
}

}  // namespace test_status_pressure
