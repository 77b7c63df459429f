#include "cli/http_client.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <cctype>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace test_http_client {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using ballast::cli::http_request;
using ballast::cli::parse_http_url;

namespace {

/// A loopback peer that reads one request per connection and answers with
/// fixed bytes, or with nothing at all, so that the client's side of the wire
/// is checked byte for byte.
class FakeServer {
 public:
  /// `reply` is written verbatim after each request, then the connection is
  /// closed; nullopt keeps the connection open and silent.
  explicit FakeServer(std::optional<std::string> reply) : reply_(std::move(reply)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeServer() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }

  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    asio::streambuf buffer;
  };

  void accept() {
    auto conn = std::make_shared<Connection>(io_);
    acceptor_.async_accept(conn->socket, [this, conn](const error_code& ec) {
      if (ec) return;
      read_request(conn);
      accept();
    });
  }

  void read_request(const std::shared_ptr<Connection>& conn) {
    asio::async_read_until(conn->socket, conn->buffer, "\r\n\r\n", [this, conn](const error_code& ec, std::size_t n) {
      if (ec) return;
      const std::string all(asio::buffers_begin(conn->buffer.data()), asio::buffers_end(conn->buffer.data()));
      const std::string head = all.substr(0, n);
      std::size_t length = 0;
      if (const auto at = lower(head).find("\r\ncontent-length:"); at != std::string::npos) {
        length = std::stoul(head.substr(at + 17));
      }
      const std::size_t have = all.size() - n;
      const std::size_t missing = length > have ? length - have : 0;
      asio::async_read(conn->socket, conn->buffer, asio::transfer_exactly(missing),
                       [this, conn, n, length](const error_code& rec, std::size_t) {
                         if (rec) return;
                         const std::string data(asio::buffers_begin(conn->buffer.data()),
                                                asio::buffers_end(conn->buffer.data()));
                         {
                           std::lock_guard lock(mutex_);
                           requests_.push_back(data.substr(0, n + length));
                         }
                         respond(conn);
                       });
    });
  }

  void respond(const std::shared_ptr<Connection>& conn) {
    if (!reply_) {
      silent_.push_back(conn);  // held open until the server goes away
      return;
    }
    asio::async_write(conn->socket, asio::buffer(*reply_), [conn](const error_code&, std::size_t) {
      error_code ignored;
      conn->socket.shutdown(tcp::socket::shutdown_both, ignored);
      conn->socket.close(ignored);
    });
  }

  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  std::optional<std::string> reply_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)};
  std::uint16_t port_ = acceptor_.local_endpoint().port();
  std::list<std::shared_ptr<Connection>> silent_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

std::string url(std::uint16_t port, std::string_view target) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(target);
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

/// A port on which nothing listens: bound once by us, then released.
std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("parse_http_url splits host, port and target") {
  auto u = parse_http_url("http://127.0.0.1:8787/status?x=1");
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8787);
  CHECK(u->target == "/status?x=1");

  u = parse_http_url("http://localhost");
  REQUIRE(u);
  CHECK(u->host == "localhost");
  CHECK(u->port == 80);
  CHECK(u->target == "/");

  u = parse_http_url("127.0.0.1:8787/healthz");
  REQUIRE(u);
  CHECK(u->port == 8787);
  CHECK(u->target == "/healthz");

  u = parse_http_url("HTTP://[::1]:8787/metrics#top");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->target == "/metrics");

  u = parse_http_url("http://h:1?x=1");
  REQUIRE(u);
  CHECK(u->target == "/?x=1");
}

TEST_CASE("parse_http_url refuses what it cannot reach, with a reason") {
  for (const char* bad : {"", "https://127.0.0.1:8787/", "ftp://h/", "http://", "http://:80/", "http://h:0/",
                          "http://h:65536/", "http://h:abc/", "http://h:/", "http://::1:80/", "http://[::1/",
                          "http://[::1]x/", "http://user:pw@h/", "http://h/a b", "http://h\"x/"}) {
    CAPTURE(bad);
    std::string error;
    CHECK_FALSE(parse_http_url(bad, &error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("a GET returns status, content type and body, and sends a well-formed request") {
  FakeServer server(std::string(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"));
  const auto result = http_request("GET", url(server.port(), "/status?x=1"), "", "", 2s);
  REQUIRE_MESSAGE(result.ok(), result.error);
  CHECK(result.status == 200);
  CHECK(result.content_type == "application/json");
  CHECK(result.body == "{\"ok\":true}");

  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const std::string& r = requests[0];
  CHECK(r.rfind("GET /status?x=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(contains(r, "\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
  CHECK(contains(r, "\r\nConnection: close\r\n"));
  CHECK_FALSE(contains(r, "Authorization"));
  CHECK_FALSE(contains(r, "Content-Type"));
}

TEST_CASE("a POST carries the bearer token and the body") {
  FakeServer server(std::string("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"));
  const auto result = http_request("POST", url(server.port(), "/control/rebalance?portfolio=main"), "s3cret",
                                   "{\"why\":\"test\"}", 2s);
  REQUIRE_MESSAGE(result.ok(), result.error);
  CHECK(result.status == 202);
  CHECK(result.body.empty());

  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const std::string& r = requests[0];
  CHECK(r.rfind("POST /control/rebalance?portfolio=main HTTP/1.1\r\n", 0) == 0);
  CHECK(contains(r, "\r\nAuthorization: Bearer s3cret\r\n"));
  CHECK(contains(r, "\r\nContent-Type: application/json\r\n"));
  CHECK(contains(r, "\r\nContent-Length: 14\r\n"));
  CHECK(r.substr(r.size() - 14) == "{\"why\":\"test\"}");
}

TEST_CASE("a POST without a body still sends Content-Length: 0") {
  FakeServer server(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  const auto result = http_request("POST", url(server.port(), "/control/pause"), "", "", 2s);
  REQUIRE_MESSAGE(result.ok(), result.error);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(contains(requests[0], "\r\nContent-Length: 0\r\n"));
}

TEST_CASE("an error status is a response, not a failure") {
  FakeServer server(std::string("HTTP/1.1 401 Unauthorized\r\nContent-Length: 13\r\n\r\nunauthorized\n"));
  const auto result = http_request("POST", url(server.port(), "/control/pause"), "wrong", "", 2s);
  CHECK(result.ok());
  CHECK(result.status == 401);
  CHECK(result.body == "unauthorized\n");
}

TEST_CASE("a chunked response is read to its end") {
  FakeServer server(std::string(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  const auto result = http_request("GET", url(server.port(), "/metrics"), "", "", 2s);
  REQUIRE_MESSAGE(result.ok(), result.error);
  CHECK(result.body == "hello world");
}

TEST_CASE("connection refused is reported, not thrown") {
  const auto port = closed_port();
  const auto result = http_request("GET", url(port, "/status"), "", "", 2s);
  CHECK_FALSE(result.ok());
  CHECK(result.status == 0);
  CHECK(contains(result.error, "cannot connect to 127.0.0.1:" + std::to_string(port)));
  CHECK(result.failure == ballast::cli::HttpResult::Failure::refused);
}

TEST_CASE("a server that never answers times out within the deadline") {
  FakeServer server(std::nullopt);
  const auto started = std::chrono::steady_clock::now();
  const auto result = http_request("GET", url(server.port(), "/status"), "", "", 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK_FALSE(result.ok());
  CHECK(result.status == 0);
  CHECK(contains(result.error, "timed out after 300 ms"));
  CHECK(result.failure == ballast::cli::HttpResult::Failure::timeout);
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 3s);
}

TEST_CASE("a response cut short or not HTTP is an error") {
  {
    FakeServer server(std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"));
    const auto result = http_request("GET", url(server.port(), "/"), "", "", 2s);
    CHECK_FALSE(result.ok());
    CHECK(contains(result.error, "closed the connection"));
  }
  {
    FakeServer server(std::string(""));
    const auto result = http_request("GET", url(server.port(), "/"), "", "", 2s);
    CHECK_FALSE(result.ok());
    CHECK(contains(result.error, "closed the connection"));
  }
  {
    FakeServer server(std::string("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
    const auto result = http_request("GET", url(server.port(), "/"), "", "", 2s);
    CHECK_FALSE(result.ok());
    CHECK(result.status == 0);
  }
}

TEST_CASE("bad URLs, methods and tokens fail before any connection") {
  auto result = http_request("GET", "https://127.0.0.1:8787/status", "", "", 1s);
  CHECK_FALSE(result.ok());
  CHECK(contains(result.error, "invalid URL"));
  CHECK(contains(result.error, "https"));
  CHECK(result.failure == ballast::cli::HttpResult::Failure::invalid);

  result = http_request("GET", "http://:8787/", "", "", 1s);
  CHECK(contains(result.error, "invalid URL"));

  result = http_request("GE T", "http://127.0.0.1:8787/", "", "", 1s);
  CHECK(contains(result.error, "invalid HTTP method"));

  result = http_request("GET", "http://127.0.0.1:8787/", "tok\r\nX-Evil: 1", "", 1s);
  CHECK(contains(result.error, "line break"));
}

TEST_CASE("a host name is resolved") {
  FakeServer server(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  const auto result =
      http_request("GET", "http://localhost:" + std::to_string(server.port()) + "/healthz", "", "", 2s);
  // localhost may resolve to ::1 first; the client must fall back to 127.0.0.1.
  REQUIRE_MESSAGE(result.ok(), result.error);
  CHECK(result.body == "ok");
}

}  // namespace test_http_client
