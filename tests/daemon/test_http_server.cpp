// The status server on real loopback sockets: parsing, keep-alive, limits,
// timeouts, and what happens when every connection slot is taken.
#include "daemon/http_server.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/http_test_support.hpp"

namespace test_http_server {

using namespace ballast::daemon::test;
using ballast::daemon::HttpRequest;
using ballast::daemon::HttpResponse;
using ballast::daemon::HttpServer;
using ballast::daemon::HttpServerLimits;

TEST_CASE("parse_listen accepts IPv4, localhost and bracketed IPv6 with a port") {
  using ballast::daemon::parse_listen;
  auto a = parse_listen("127.0.0.1:8787");
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8787);
  a = parse_listen("localhost:0");
  REQUIRE(a);
  CHECK(a->host == "localhost");
  CHECK(a->port == 0);
  a = parse_listen("[::1]:65535");
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == 65535);
  a = parse_listen("0.0.0.0:80");
  REQUIRE(a);
  CHECK(a->host == "0.0.0.0");
}

TEST_CASE("parse_listen refuses malformed listen strings with a reason") {
  using ballast::daemon::parse_listen;
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", ":8787", "127.0.0.1:65536", "127.0.0.1:-1",
                          "127.0.0.1:80x", "127.0.0.1: 80", "::1:8787", "[::1]", "[::1]8787", "[::1:8787",
                          "[zz]:80", "example.com:80", "256.1.1.1:80", "127.1:80", "127.0.0.1:123456"}) {
    std::string error;
    CAPTURE(bad);
    CHECK_FALSE(parse_listen(bad, &error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("is_loopback_listen is true only for loopback addresses") {
  using ballast::daemon::is_loopback_listen;
  CHECK(is_loopback_listen("127.0.0.1:8787"));
  CHECK(is_loopback_listen("127.8.9.10:1"));
  CHECK(is_loopback_listen("localhost:8787"));
  CHECK(is_loopback_listen("LOCALHOST:8787"));
  CHECK(is_loopback_listen("[::1]:8787"));
  CHECK(is_loopback_listen("[::ffff:127.0.0.1]:8787"));
  CHECK_FALSE(is_loopback_listen("0.0.0.0:8787"));
  CHECK_FALSE(is_loopback_listen("[::]:8787"));
  CHECK_FALSE(is_loopback_listen("10.1.2.3:8787"));
  CHECK_FALSE(is_loopback_listen("[::ffff:10.0.0.1]:8787"));
  CHECK_FALSE(is_loopback_listen("not an address"));
  CHECK_FALSE(is_loopback_listen(""));
}

TEST_CASE("bearer_token_matches needs the Bearer scheme and the exact token") {
  using ballast::daemon::bearer_token_matches;
  CHECK(bearer_token_matches("Bearer s3cret", "s3cret"));
  CHECK(bearer_token_matches("bearer s3cret", "s3cret"));
  CHECK(bearer_token_matches("BEARER   s3cret  ", "s3cret"));
  CHECK_FALSE(bearer_token_matches("Bearer s3cre", "s3cret"));
  CHECK_FALSE(bearer_token_matches("Bearer s3cret1", "s3cret"));
  CHECK_FALSE(bearer_token_matches("Bearer S3CRET", "s3cret"));
  CHECK_FALSE(bearer_token_matches("Bearers3cret", "s3cret"));
  CHECK_FALSE(bearer_token_matches("s3cret", "s3cret"));
  CHECK_FALSE(bearer_token_matches("Basic s3cret", "s3cret"));
  CHECK_FALSE(bearer_token_matches("Bearer ", "s3cret"));
  CHECK_FALSE(bearer_token_matches("", "s3cret"));
  CHECK_FALSE(bearer_token_matches("Bearer ", ""));
  CHECK_FALSE(bearer_token_matches("Bearer x", ""));
}

TEST_CASE("router answers 404 for unknown paths and 405 with Allow for other methods") {
  ballast::daemon::Router router;
  router.add("GET", "/status", [](const HttpRequest&) { return ballast::daemon::text_response(200, "status"); });
  router.add("POST", "/control/pause", [](const HttpRequest&) { return ballast::daemon::text_response(202, "paused"); });

  HttpRequest r;
  r.method = "GET";
  r.path = "/status";
  CHECK(router(r).status == 200);
  CHECK(router(r).body == "status\n");

  r.method = "HEAD";
  CHECK(router(r).status == 200);

  r.method = "DELETE";
  auto response = router(r);
  CHECK(response.status == 405);
  REQUIRE(response.headers.size() == 1);
  CHECK(response.headers[0].first == "Allow");
  CHECK(response.headers[0].second == "GET, HEAD");

  r.method = "GET";
  r.path = "/control/pause";
  response = router(r);
  CHECK(response.status == 405);
  REQUIRE(response.headers.size() == 1);
  CHECK(response.headers[0].second == "POST");

  r.path = "/nope";
  CHECK(router(r).status == 404);
}

TEST_CASE("start reports a listen string it cannot use, without throwing") {
  asio::io_context io;
  HttpServer bad(io, "nonsense", echo);
  const auto error = bad.start();
  REQUIRE(error);
  CHECK(error->find("nonsense") != std::string::npos);
  CHECK(bad.port() == 0);

  HttpServer host_name(io, "example.com:80", echo);
  CHECK(host_name.start());
}

TEST_CASE("start reports an address that is already in use") {
  asio::io_context io;
  HttpServer first(io, "127.0.0.1:0", echo);
  REQUIRE_FALSE(first.start());
  REQUIRE(first.port() != 0);
  CHECK(first.local_address() == "127.0.0.1:" + std::to_string(first.port()));

  HttpServer second(io, "127.0.0.1:" + std::to_string(first.port()), echo);
  const auto error = second.start();
  REQUIRE(error);
  CHECK(error->find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
  CHECK(first.start());  // a second start is refused, not a crash
}

TEST_CASE("the server hands method, path, decoded query, authorization and body to the handler") {
  TestServer server(echo);
  RawClient client(server.port());

  auto request = make_request(http::verb::post, "/control/re%62alance?portfolio=main%20one&x=a+b&flag&x=second&&=v",
                              "{\"a\":1}");
  request.set(http::field::authorization, "Bearer tok");
  REQUIRE_FALSE(client.send(request));
  const auto response = client.read_response();
  CHECK(response.result_int() == 200);
  CHECK(body_of(response) ==
        "POST /control/rebalance\n"
        "q[]=v\n"
        "q[flag]=\n"
        "q[portfolio]=main one\n"
        "q[x]=a b\n"
        "auth=Bearer tok\n"
        "body={\"a\":1}");
  CHECK(response[http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(response["X-Test"] == "yesInjected: 1");
  CHECK(response["Injected"].empty());
}

TEST_CASE("an absolute-form target is reduced to its path and query") {
  TestServer server(echo);
  RawClient client(server.port());
  REQUIRE_FALSE(client.write("GET http://127.0.0.1/status?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET http://127.0.0.1?y=2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(client.read_response().body().rfind("GET /status\nq[x]=1\n", 0) == 0);
  CHECK(client.read_response().body().rfind("GET /\nq[y]=2\n", 0) == 0);
}

TEST_CASE("keep-alive serves two requests on one connection") {
  int calls = 0;
  TestServer server([&calls](const HttpRequest& r) {
    ++calls;
    return ballast::daemon::text_response(200, r.path);
  });
  RawClient client(server.port());
  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/healthz")));
  auto first = client.read_response();
  CHECK(first.result_int() == 200);
  CHECK(first.keep_alive());
  CHECK(body_of(first) == "/healthz\n");

  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/status")));
  auto second = client.read_response();
  CHECK(body_of(second) == "/status\n");

  const auto stats = server.stats();
  CHECK(stats.connections_accepted == 1);
  CHECK(stats.requests == 2);
  CHECK(calls == 2);
}

TEST_CASE("pipelined requests are answered in order") {
  TestServer server([](const HttpRequest& r) { return ballast::daemon::text_response(200, r.path); });
  RawClient client(server.port());
  REQUIRE_FALSE(client.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(body_of(client.read_response()) == "/a\n");
  CHECK(body_of(client.read_response()) == "/b\n");
}

TEST_CASE("Connection: close and HTTP/1.0 close the connection after the response") {
  TestServer server(echo);
  {
    RawClient client(server.port());
    auto request = make_request(http::verb::get, "/x");
    request.keep_alive(false);
    REQUIRE_FALSE(client.send(request));
    const auto response = client.read_response();
    CHECK(response.result_int() == 200);
    CHECK_FALSE(response.keep_alive());
    CHECK(client.closed_by_server());
  }
  {
    RawClient client(server.port());
    REQUIRE_FALSE(client.write("GET /old HTTP/1.0\r\n\r\n"));
    const auto response = client.read_response();
    CHECK(response.version() == 10);
    CHECK(client.closed_by_server());
  }
}

TEST_CASE("a body over the limit gets 413 and the connection is closed") {
  HttpServerLimits limits;
  limits.max_body_bytes = 1024;
  int calls = 0;
  TestServer server(
      [&calls](const HttpRequest&) {
        ++calls;
        return ballast::daemon::text_response(200, "ok");
      },
      limits);

  {  // declared by Content-Length
    RawClient client(server.port());
    REQUIRE_FALSE(client.send(make_request(http::verb::post, "/control/pause", std::string(4096, 'x'))));
    const auto response = client.read_response();
    CHECK(response.result_int() == 413);
    CHECK(client.closed_by_server());
  }
  {  // discovered while reading a chunked body
    RawClient client(server.port());
    std::string chunked = "POST /control/pause HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(512, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    REQUIRE_FALSE(client.write(chunked));
    CHECK(client.read_response().result_int() == 413);
    CHECK(client.closed_by_server());
  }
  {  // exactly at the limit is fine
    RawClient client(server.port());
    REQUIRE_FALSE(client.send(make_request(http::verb::post, "/control/pause", std::string(1024, 'x'))));
    CHECK(client.read_response().result_int() == 200);
  }
  CHECK(calls == 1);
  CHECK(server.stats().bad_requests == 2);
}

TEST_CASE("headers over the limit get 431") {
  HttpServerLimits limits;
  limits.max_header_bytes = 1024;
  TestServer server(echo, limits);
  RawClient client(server.port());
  auto request = make_request(http::verb::get, "/status");
  request.set("X-Padding", std::string(2048, 'p'));
  REQUIRE_FALSE(client.send(request));
  CHECK(client.read_response().result_int() == 431);
  CHECK(client.closed_by_server());
}

// The start of a TLS ClientHello, as sent by a client told to use https.
constexpr char kTlsHello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n";

TEST_CASE("garbage bytes get 400 and the server still serves the next client") {
  TestServer server(echo);
  for (const std::string& garbage :
       {std::string(kTlsHello, sizeof kTlsHello - 1),
        std::string("GET /\r\n\r\n"), std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n"),
        std::string("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"), std::string("GET /q?a=%4 HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string("GET nopath HTTP/1.1\r\nHost: x\r\n\r\n")}) {
    CAPTURE(garbage);
    RawClient bad(server.port());
    REQUIRE_FALSE(bad.write(garbage));
    error_code ec;
    const auto response = bad.read_response(&ec);
    REQUIRE_FALSE(ec);
    CHECK(response.result_int() == 400);
    CHECK(bad.closed_by_server());
  }
  RawClient good(server.port());
  REQUIRE_FALSE(good.send(make_request(http::verb::get, "/healthz")));
  CHECK(good.read_response().result_int() == 200);
  CHECK(server.stats().bad_requests == 7);
}

TEST_CASE("a client that connects and sends nothing is dropped at the header timeout while others are served") {
  HttpServerLimits limits;
  limits.header_timeout = 200ms;
  TestServer server(echo, limits);

  RawClient idle(server.port());
  RawClient slow(server.port());
  REQUIRE_FALSE(slow.write("GET /status HTTP/1.1\r\nHost:"));  // and never the rest

  RawClient busy(server.port());
  REQUIRE_FALSE(busy.send(make_request(http::verb::get, "/healthz")));
  CHECK(busy.read_response().result_int() == 200);

  CHECK(idle.closed_by_server());
  CHECK(slow.closed_by_server());
  const auto stats = server.stats();
  CHECK(stats.header_timeouts == 2);
  CHECK(stats.requests == 1);
}

TEST_CASE("a client trickling its headers cannot stretch the header timeout") {
  HttpServerLimits limits;
  limits.header_timeout = 300ms;
  TestServer server(echo, limits);
  RawClient client(server.port());
  // At one byte per 50 ms the whole request would take 6 s.
  const std::string request = "GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(80, 'a') + "\r\n\r\n";
  for (const char c : request) {
    if (client.write(std::string(1, c))) break;  // the server has closed
    std::this_thread::sleep_for(50ms);           // the slowness under test, not synchronisation
  }
  CHECK(client.closed_by_server());
  const auto stats = server.stats();
  CHECK(stats.header_timeouts == 1);
  CHECK(stats.requests == 0);
}

TEST_CASE("a body that does not arrive in time is dropped at the body timeout") {
  HttpServerLimits limits;
  limits.body_timeout = 200ms;
  limits.header_timeout = 60s;
  int calls = 0;
  TestServer server(
      [&calls](const HttpRequest&) {
        ++calls;
        return ballast::daemon::text_response(200, "ok");
      },
      limits);
  RawClient client(server.port());
  REQUIRE_FALSE(client.write("POST /control/pause HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  CHECK(client.closed_by_server());
  const auto stats = server.stats();
  CHECK(stats.body_timeouts == 1);
  CHECK(stats.header_timeouts == 0);
  CHECK(calls == 0);
}

TEST_CASE("a kept-alive connection without a next request is closed at the idle timeout") {
  HttpServerLimits limits;
  limits.idle_timeout = 200ms;
  limits.header_timeout = 60s;
  TestServer server(echo, limits);
  RawClient client(server.port());
  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/status")));
  const auto response = client.read_response();
  CHECK(response.result_int() == 200);
  CHECK(response.keep_alive());
  CHECK(client.closed_by_server());
  const auto stats = server.stats();
  CHECK(stats.idle_timeouts == 1);
  CHECK(stats.header_timeouts == 0);
}

TEST_CASE("the response to the last request a connection may make says Connection: close, and it ends") {
  HttpServerLimits limits;
  limits.max_requests_per_connection = 3;
  int calls = 0;
  TestServer server(
      [&calls](const HttpRequest& r) {
        ++calls;
        return ballast::daemon::text_response(200, r.path);
      },
      limits);
  {
    RawClient client(server.port());
    for (int i = 1; i <= 3; ++i) {
      CAPTURE(i);
      REQUIRE_FALSE(client.send(make_request(http::verb::get, "/n" + std::to_string(i))));
      const auto response = client.read_response();
      CHECK(body_of(response) == "/n" + std::to_string(i) + "\n");
      CHECK(response.keep_alive() == (i < 3));
    }
    CHECK(client.closed_by_server());
  }
  {  // pipelined requests past the limit are not served
    RawClient client(server.port());
    std::string five;
    for (int i = 1; i <= 5; ++i) five += "GET /p" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE_FALSE(client.write(five));
    for (int i = 1; i <= 3; ++i) CHECK(body_of(client.read_response()) == "/p" + std::to_string(i) + "\n");
    CHECK(client.closed_by_server());
  }
  CHECK(calls == 6);
}

TEST_CASE("a full server closes its oldest silent connection for a new one, which is served") {
  HttpServerLimits limits;
  limits.max_connections = 3;
  limits.header_timeout = 60s;
  TestServer server(echo, limits);
  RawClient a(server.port());
  RawClient b(server.port());
  RawClient c(server.port());
  REQUIRE(open_connections_reach(server, 3));

  RawClient d(server.port());
  REQUIRE_FALSE(d.send(make_request(http::verb::post, "/control/kill")));
  CHECK(d.read_response().result_int() == 200);
  CHECK(a.closed_by_server());
  for (RawClient* still : {&b, &c}) {
    REQUIRE_FALSE(still->send(make_request(http::verb::get, "/status")));
    CHECK(still->read_response().result_int() == 200);
  }
  const auto stats = server.stats();
  CHECK(stats.connections_evicted == 1);
  CHECK(stats.requests == 3);
  CHECK(server.open_connections() == 3);
}

TEST_CASE("many idle, trickling and kept-alive connections never keep a control request out") {
  HttpServerLimits limits;
  limits.max_connections = 8;
  limits.header_timeout = 60s;
  limits.idle_timeout = 60s;
  TestServer server(echo, limits);

  std::vector<std::unique_ptr<RawClient>> hostile;
  for (int i = 0; i < 60; ++i) {
    hostile.push_back(std::make_unique<RawClient>(server.port()));
    RawClient& h = *hostile.back();
    if (i % 3 == 1) {
      REQUIRE_FALSE(h.write("GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: a"));  // slowloris
    } else if (i % 3 == 2) {
      // One cheap request, then it sits on the kept-alive connection. It may
      // be pushed out before it is read: then it reads an empty response.
      REQUIRE_FALSE(h.send(make_request(http::verb::get, "/healthz")));
    }
  }
  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    hostile.push_back(std::make_unique<RawClient>(server.port()));  // the pressure goes on
    RawClient op(server.port());
    REQUIRE_FALSE(op.send(make_request(http::verb::post, "/control/kill")));
    CHECK(op.read_response().result_int() == 200);
  }
  // Connections are accepted in the order they were made, so every hostile
  // one was in before the last control request was answered. They end only
  // by being pushed out: their timeouts are a minute away.
  const auto stats = server.stats();
  CHECK(stats.connections_accepted == 70);
  CHECK(stats.connections_evicted >= 65 - 8);
  CHECK(server.open_connections() <= 8);
}

TEST_CASE("connections flooding in from one address push out their own, not another address's") {
  HttpServerLimits limits;
  limits.max_connections = 4;
  limits.header_timeout = 60s;
  TestServer server(echo, limits);
  RawClient op(server.port(), "127.0.0.1");  // the oldest, and silent for now
  REQUIRE(open_connections_reach(server, 1));
  std::vector<std::unique_ptr<RawClient>> flood;
  for (int i = 0; i < 20; ++i) flood.push_back(std::make_unique<RawClient>(server.port(), "127.0.0.2"));
  RawClient last(server.port(), "127.0.0.2");
  REQUIRE_FALSE(last.send(make_request(http::verb::get, "/healthz")));
  CHECK(last.read_response().result_int() == 200);  // every flood connection has been accepted by now

  REQUIRE_FALSE(op.send(make_request(http::verb::post, "/control/kill")));
  CHECK(op.read_response().result_int() == 200);
  CHECK(server.stats().connections_evicted == 22 - 4);
}

TEST_CASE("a handler that throws gets 500 and the server keeps serving") {
  TestServer server([](const HttpRequest& r) -> HttpResponse {
    if (r.path == "/boom") throw std::runtime_error("boom");
    return ballast::daemon::text_response(200, "fine");
  });
  RawClient client(server.port());
  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/boom")));
  CHECK(client.read_response().result_int() == 500);
  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/ok")));
  CHECK(client.read_response().result_int() == 200);
  CHECK(server.stats().handler_errors == 1);
}

TEST_CASE("responses carry the handler's status, content type and extra headers") {
  TestServer server([](const HttpRequest& r) {
    if (r.path == "/json") return ballast::daemon::json_response(201, "{\"a\":1}");
    if (r.path == "/odd") return ballast::daemon::text_response(42, "odd");
    HttpResponse denied = ballast::daemon::text_response(401, "unauthorized");
    denied.headers.emplace_back("WWW-Authenticate", "Bearer");
    denied.headers.emplace_back("Content-Length", "999");
    return denied;
  });
  RawClient client(server.port());
  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/json")));
  auto json = client.read_response();
  CHECK(json.result_int() == 201);
  CHECK(json[http::field::content_type] == "application/json");
  CHECK(json.body() == "{\"a\":1}");

  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/odd")));
  CHECK(client.read_response().result_int() == 500);

  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/denied")));
  auto denied = client.read_response();
  CHECK(denied.result_int() == 401);
  CHECK(denied[http::field::www_authenticate] == "Bearer");
  CHECK(denied[http::field::content_length] == "13");
  CHECK(denied.body() == "unauthorized\n");
}

TEST_CASE("HEAD gets the headers of GET without a body") {
  ballast::daemon::Router router;
  router.add("GET", "/status", [](const HttpRequest&) { return ballast::daemon::json_response(200, "{\"x\":12345}"); });
  TestServer server([&router](const HttpRequest& r) { return router(r); });
  RawClient client(server.port());
  REQUIRE_FALSE(client.send(make_request(http::verb::head, "/status")));
  const auto head = client.read_response(nullptr, true);
  CHECK(head.result_int() == 200);
  CHECK(head[http::field::content_length] == "11");
  CHECK(head.body().empty());
  // the connection is still in step: the next response is read cleanly
  REQUIRE_FALSE(client.send(make_request(http::verb::get, "/status")));
  CHECK(client.read_response().body() == "{\"x\":12345}");
}

TEST_CASE("Expect: 100-continue gets an interim response before the body") {
  TestServer server(echo);
  RawClient client(server.port());
  REQUIRE_FALSE(client.write("POST /control/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = client.read_response();
  CHECK(interim.result_int() == 100);
  REQUIRE_FALSE(client.write("hello"));
  const auto final_response = client.read_response();
  CHECK(final_response.result_int() == 200);
  CHECK(final_response.body().find("body=hello") != std::string::npos);
}

TEST_CASE("stop closes open connections and the handler is not called afterwards") {
  int calls = 0;
  TestServer server([&calls](const HttpRequest&) {
    ++calls;
    return ballast::daemon::text_response(200, "ok");
  });
  RawClient idle(server.port());
  REQUIRE(open_connections_reach(server, 1));
  server.stop();
  CHECK(idle.closed_by_server());
  CHECK(server.open_connections() == 0);
  CHECK(calls == 0);
}

}  // namespace test_http_server
