// parse_http_request: the status server's request parsing as a pure function
// of bytes, on good and bad input, and checked against the live server.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "daemon/http_server.hpp"
#include "tests/daemon/http_test_support.hpp"

namespace ballast::daemon {
namespace test_http_parsing {
namespace {

using Outcome = HttpParseResult::Outcome;

HttpParseResult parse(std::string_view raw, HttpServerLimits limits = {}) { return parse_http_request(raw, limits); }

/// Requires a rejection and returns its status.
int rejected(std::string_view raw, HttpServerLimits limits = {}) {
  const HttpParseResult r = parse(raw, limits);
  REQUIRE(r.outcome == Outcome::rejected);
  CHECK_FALSE(r.reason.empty());
  return r.status;
}

TEST_CASE("a complete request yields what the handler gets: method, decoded path and query, authorization, body") {
  const std::string raw =
      "POST /control/re%62alance?portfolio=main%20one&x=a+b&flag&x=second HTTP/1.1\r\n"
      "Host: x\r\nAuthorization: Bearer tok\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
  const HttpParseResult r = parse(raw);
  REQUIRE(r.outcome == Outcome::request);
  CHECK(r.request.method == "POST");
  CHECK(r.request.path == "/control/rebalance");
  CHECK(r.request.query.at("portfolio") == "main one");
  CHECK(r.request.query.at("x") == "a b");
  CHECK(r.request.query.at("flag").empty());
  CHECK(r.request.authorization == "Bearer tok");
  CHECK(r.request.body == "{\"a\":1}");
  CHECK(r.consumed == raw.size());
  CHECK(r.keep_alive);
  CHECK(r.status == 0);
}

TEST_CASE("a chunked body is joined, and an absolute-form target is reduced to its path") {
  const HttpParseResult r = parse(
      "POST http://127.0.0.1:8787/control/kill HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  REQUIRE(r.outcome == Outcome::request);
  CHECK(r.request.path == "/control/kill");
  CHECK(r.request.body == "abcde");
}

TEST_CASE("keep_alive follows the version and the Connection header") {
  CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
  CHECK_FALSE(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").keep_alive);
}

TEST_CASE("pipelined requests are taken one at a time: consumed says where the next begins") {
  const std::string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string second = "GET /b?c=d HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string both = first + second;
  const HttpParseResult a = parse(both);
  REQUIRE(a.outcome == Outcome::request);
  CHECK(a.request.path == "/a");
  CHECK(a.consumed == first.size());
  const HttpParseResult b = parse(std::string_view(both).substr(a.consumed));
  REQUIRE(b.outcome == Outcome::request);
  CHECK(b.request.path == "/b");
  CHECK(b.request.query.at("c") == "d");
}

TEST_CASE("bytes that stop before the request ends are incomplete, at every cut") {
  const std::string raw = "POST /control/pause HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody";
  for (std::size_t cut = 0; cut < raw.size(); ++cut) {
    CAPTURE(cut);
    const HttpParseResult r = parse(std::string_view(raw).substr(0, cut));
    CHECK(r.outcome == Outcome::incomplete);
    CHECK(r.status == 0);
    CHECK(r.consumed <= cut);
  }
  CHECK(parse(raw).outcome == Outcome::request);
  CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab").outcome == Outcome::incomplete);
}

TEST_CASE("a bad request line is 400") {
  for (const char* raw : {"GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
                          "GET / HTTP/x.y\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", " GET / HTTP/1.1\r\n\r\n",
                          "GET / HTTP/1.1\n\n\n", "\r\n\r\n\r\n\r\n"}) {
    CAPTURE(std::string(raw));
    CHECK(rejected(raw) == 400);
  }
  // The start of a TLS ClientHello, as sent by a client told to use https.
  const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n";
  CHECK(rejected(std::string_view(tls, sizeof tls - 1)) == 400);
}

TEST_CASE("a target that is not a path, or has a bad percent escape, is 400 with its own reason") {
  for (const char* target : {"nopath", "/%zz", "/%4", "/%", "/q?a=%4", "/q?%g1=x", "/q?a=%"}) {
    CAPTURE(std::string(target));
    const HttpParseResult r = parse(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(r.outcome == Outcome::rejected);
    CHECK(r.status == 400);
    CHECK(r.reason == "malformed request target");
    CHECK(r.request.path.empty());
  }
}

TEST_CASE("malformed headers are 400") {
  using namespace std::string_literals;
  for (const std::string& raw : {"GET / HTTP/1.1\r\nBad Header\r\n\r\n"s, "GET / HTTP/1.1\r\nNo Colon: x\r\n\r\n"s,
                          "GET / HTTP/1.1\r\n: empty name\r\n\r\n"s, "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"s,
                          "POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n"s,
                          "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"s,
                          "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"s,
                          "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"s,
                          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n"s}) {
    CAPTURE(raw);
    CHECK(rejected(raw) == 400);
  }
}

TEST_CASE("headers over max_header_bytes are 431; a body over max_body_bytes is 413, declared or chunked") {
  HttpServerLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_body_bytes = 100;
  CHECK(rejected("GET / HTTP/1.1\r\nX-Pad: " + std::string(2000, 'p') + "\r\n\r\n", limits) == 431);
  // Too long even before the end of the headers arrives.
  CHECK(rejected("GET / HTTP/1.1\r\nX-Pad: " + std::string(2000, 'p'), limits) == 431);
  CHECK(rejected("GET /" + std::string(2000, 'a') + " HTTP/1.1\r\n\r\n", limits) == 431);
  // Declared: refused from the header alone, without waiting for the body.
  CHECK(rejected("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", limits) == 413);
  CHECK(rejected("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n", limits) == 413);
  CHECK(rejected("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + std::string(100, 'x') +
                     "\r\n1\r\ny\r\n0\r\n\r\n",
                 limits) == 413);
  const HttpParseResult at_limit = parse("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'), limits);
  CHECK(at_limit.outcome == Outcome::request);
  CHECK(parse("GET / HTTP/1.1\r\nX-Pad: " + std::string(900, 'p') + "\r\n\r\n", limits).outcome == Outcome::request);
}

TEST_CASE("arbitrary bytes never make the parser misbehave") {
  std::mt19937 random(20261123);
  const std::string seeds[] = {"GET /status HTTP/1.1\r\nHost: x\r\n\r\n",
                               "POST /control/kill?x=%41 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
                               "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"};
  HttpServerLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_body_bytes = 64;
  for (int i = 0; i < 5000; ++i) {
    std::string raw = seeds[i % 3];
    // Flip, insert or drop a few bytes of a valid request, or use pure noise.
    if (i % 10 == 0) {
      raw.assign(random() % 200, '\0');
      for (char& c : raw) c = static_cast<char>(random());
    } else {
      for (int edits = 1 + static_cast<int>(random() % 4); edits > 0 && !raw.empty(); --edits) {
        const std::size_t at = random() % raw.size();
        switch (random() % 3) {
          case 0: raw[at] = static_cast<char>(random()); break;
          case 1: raw.insert(at, 1, static_cast<char>(random())); break;
          default: raw.erase(at, 1); break;
        }
      }
    }
    const HttpParseResult r = parse(raw, limits);
    CAPTURE(raw);
    CHECK(r.consumed <= raw.size());
    if (r.outcome == Outcome::rejected) {
      CHECK((r.status == 400 || r.status == 413 || r.status == 431));
    } else {
      CHECK(r.status == 0);
    }
    if (r.outcome == Outcome::request) CHECK(r.request.body.size() <= limits.max_body_bytes);
  }
}

TEST_CASE("the live server answers what parse_http_request predicts") {
  using namespace test;
  HttpServerLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_body_bytes = 64;
  TestServer server(echo, limits);
  const std::vector<std::string> inputs = {
      "GET /status?x=1&y=%20z HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /control/kill HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Length: 2\r\n\r\nhi",
      "GET http://h?q=1 HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
      "GET / HTTP/1.1\r\nX-Pad: " + std::string(2000, 'p') + "\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n" + std::string(65, 'x') + "\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
  };
  for (const std::string& raw : inputs) {
    CAPTURE(raw);
    const HttpParseResult predicted = parse_http_request(raw, limits);
    REQUIRE(predicted.outcome != HttpParseResult::Outcome::incomplete);
    RawClient client(server.port());
    REQUIRE_FALSE(client.write(raw));
    const auto response = client.read_response();
    if (predicted.outcome == HttpParseResult::Outcome::rejected) {
      CHECK(response.result_int() == predicted.status);
      CHECK(response.body() == predicted.reason + "\n");
    } else {
      CHECK(response.result_int() == 200);
      CHECK(response.body() == echo(predicted.request).body);
    }
  }
}

}  // namespace
}  // namespace test_http_parsing
}  // namespace ballast::daemon
