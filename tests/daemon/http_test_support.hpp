#pragma once
// A status server on its own thread and a raw client with deadlines: what the
// HTTP server's tests drive real loopback sockets with.
#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "daemon/http_server.hpp"
#include "tests/support/eventually.hpp"

namespace ballast::daemon::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;


/// A server on 127.0.0.1 with a system-chosen port, run on its own thread.
class TestServer {
 public:
  explicit TestServer(HttpHandler handler, HttpServerLimits limits = {})
      : server_(std::make_unique<HttpServer>(io_, "127.0.0.1:0", std::move(handler), limits)) {
    const auto error = server_->start();
    REQUIRE_MESSAGE(!error, error.value_or(""));
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    // Without the work guard, stop() must let run() return by itself: no
    // operation of the server may stay pending.
    asio::post(io_, [this] { server_->stop(); });
    work_.reset();
    thread_.join();
    server_.reset();
  }

  std::uint16_t port() const { return port_; }

  /// Runs `f` on the server's thread and returns its result.
  template <class F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  HttpServerStats stats() {
    return on_io([this] { return server_->stats(); });
  }
  std::size_t open_connections() {
    return on_io([this] { return server_->open_connections(); });
  }
  void stop() {
    on_io([this] {
      server_->stop();
      return 0;
    });
  }

 private:
  asio::io_context io_;
  // Keeps run() going between tests' calls, so that on_io() always has a taker.
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

/// A raw client whose every operation has a deadline, so that a server bug
/// fails the test instead of hanging it.
class RawClient {
 public:
  /// Connects to 127.0.0.1:`port`, from `local` (another loopback address
  /// stands for another host) when given.
  explicit RawClient(std::uint16_t port, const char* local = nullptr) {
    if (local) {
      error_code ec;
      stream_.socket().open(tcp::v4(), ec);
      REQUIRE_MESSAGE(!ec, ec.message());
      stream_.socket().bind(tcp::endpoint(asio::ip::make_address_v4(local), 0), ec);
      REQUIRE_MESSAGE(!ec, ec.message());
    }
    const error_code ec = run([&](auto done) {
      stream_.async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
                            [done](const error_code& e) { done(e, 0); });
    });
    REQUIRE_MESSAGE(!ec, ec.message());
  }

  error_code write(const std::string& bytes) {
    return run([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }

  error_code send(const http::request<http::string_body>& request) {
    return run([&](auto done) { http::async_write(stream_, request, done); });
  }

  http::response<http::string_body> read_response(error_code* ec_out = nullptr, bool head = false) {
    http::response_parser<http::string_body> parser;
    if (head) parser.skip(true);
    const error_code ec = run([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
    if (ec_out) {
      *ec_out = ec;
    } else {
      REQUIRE_MESSAGE(!ec, ec.message());
    }
    return parser.release();
  }

  /// True when the server closes the connection (EOF or reset) before the deadline.
  bool closed_by_server(std::chrono::milliseconds within = 5s) {
    std::array<char, 512> scratch{};
    for (;;) {
      const error_code ec =
          run([&](auto done) { stream_.async_read_some(asio::buffer(scratch), done); }, within);
      if (ec == beast::error::timeout) return false;
      if (ec) return true;
    }
  }

 private:
  template <class Start>
  error_code run(Start start, std::chrono::milliseconds within = 5s) {
    error_code result = asio::error::would_block;
    stream_.expires_after(within);
    start([&result](const error_code& ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

inline http::request<http::string_body> make_request(http::verb verb, std::string target, std::string body = {}) {
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

/// Answers with a readable dump of what the server parsed.
inline HttpResponse echo(const HttpRequest& r) {
  std::string text = r.method + " " + r.path + "\n";
  for (const auto& [k, v] : r.query) text += "q[" + k + "]=" + v + "\n";
  text += "auth=" + r.authorization + "\nbody=" + r.body;
  HttpResponse response;
  response.body = text;
  response.headers.emplace_back("X-Test", "yes\r\nInjected: 1");
  return response;
}

inline std::string body_of(const http::response<http::string_body>& r) { return r.body(); }

/// Waits until the server holds `count` open connections.
inline bool open_connections_reach(TestServer& server, std::size_t count) {
  return ballast::testing::eventually([&] { return server.open_connections() == count; }, 5s);
}

}  // namespace ballast::daemon::test
