// `[status] listen` parsing: the host forms, the port range and what counts as loopback.
#include "config/listen_address.hpp"

#include <doctest/doctest.h>

namespace ballast::config {
namespace listen_address_test {
namespace {

TEST_CASE("listen addresses: IPv4, localhost and bracketed IPv6") {
  const auto v4 = parse_listen_address("127.0.0.1:8787");
  REQUIRE(v4.address.has_value());
  CHECK(v4.address->host == "127.0.0.1");
  CHECK(v4.address->port == 8787);
  CHECK(v4.address->loopback);

  const auto any = parse_listen_address("0.0.0.0:1");
  REQUIRE(any.address.has_value());
  CHECK(any.address->port == 1);
  CHECK_FALSE(any.address->loopback);

  const auto local = parse_listen_address("localhost:65535");
  REQUIRE(local.address.has_value());
  CHECK(local.address->host == "localhost");
  CHECK(local.address->port == 65535);
  CHECK(local.address->loopback);

  const auto v6 = parse_listen_address("[::1]:8787");
  REQUIRE(v6.address.has_value());
  CHECK(v6.address->host == "::1");
  CHECK(v6.address->loopback);

  const auto v6_any = parse_listen_address("[::]:8787");
  REQUIRE(v6_any.address.has_value());
  CHECK(v6_any.address->host == "::");
  CHECK_FALSE(v6_any.address->loopback);
}

TEST_CASE("loopback is 127.0.0.0/8, localhost and ::1, including IPv4-mapped loopback") {
  CHECK(parse_listen_address("127.255.0.9:80").address->loopback);
  CHECK(parse_listen_address("[::ffff:127.0.0.1]:80").address->loopback);
  CHECK_FALSE(parse_listen_address("[::ffff:10.0.0.1]:80").address->loopback);
  CHECK_FALSE(parse_listen_address("126.0.0.1:80").address->loopback);
  CHECK_FALSE(parse_listen_address("[::2]:80").address->loopback);
}

TEST_CASE("malformed listen addresses say what is wrong") {
  CHECK(parse_listen_address("8787").error == "missing \":port\"");
  CHECK(parse_listen_address("[::1]").error == "missing \":port\"");
  CHECK(parse_listen_address(":8787").error == "missing host before \":port\"");
  CHECK(parse_listen_address("127.0.0.1:0").error == "port must be a number in 1..65535");
  CHECK(parse_listen_address("127.0.0.1:65536").error == "port must be a number in 1..65535");
  CHECK(parse_listen_address("127.0.0.1:-1").error == "port must be a number in 1..65535");
  CHECK(parse_listen_address("127.0.0.1:").error == "port must be a number in 1..65535");
  CHECK(parse_listen_address("::1:8787").error == "an IPv6 address must be written in brackets, as [::1]:8787");
  CHECK(parse_listen_address("[::1:8787").error == "an IPv6 address must be written in brackets, as [::1]:8787");
  CHECK(parse_listen_address("[zz]:80").error == "\"zz\" is not an IPv6 address");
  CHECK(parse_listen_address("example.com:80").error ==
        "host must be an IPv4 address, localhost or a bracketed IPv6 address, got \"example.com\"");
  for (const char* host : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..3.4", "1.2.3.", "127.1"}) {
    CAPTURE(host);
    CHECK_FALSE(parse_listen_address(std::string(host) + ":80").address.has_value());
  }
}

}  // namespace
}  // namespace listen_address_test
}  // namespace ballast::config
