// The loader on order_type and the limit_* keys of a portfolio: valid keys land
// in exact values; each mistake is reported at its line and column.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "core/time.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_order_type_test {
namespace {

using test::only_error;
using test::valid;
using test::with_head;

/// The daemon's view: a feed, [execution] as given, then the 60/40 portfolio
/// whose appended keys start on line 7.
std::string daemon_file(std::string_view execution, std::string_view portfolio_keys) {
  return std::string("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:5556\"\n[execution]\n") +
         std::string(execution) + "\n" + std::string(test::kHead) + std::string(portfolio_keys);
}

TEST_CASE("market orders by default; order_type = \"limit\" with every limit_* key read exactly") {
  CHECK_FALSE(valid(with_head("")).portfolios.at(0).limit.has_value());
  CHECK_FALSE(valid(with_head("order_type = \"market\"\n")).portfolios.at(0).limit.has_value());

  const Config defaults = valid(with_head("order_type = \"limit\"\n"));
  REQUIRE(defaults.portfolios.at(0).limit.has_value());
  const auto& d = *defaults.portfolios.at(0).limit;
  CHECK(d.from == execution::LimitFrom::mid);
  CHECK(d.offset_bps == 0);
  CHECK(d.ttl == 60 * core::kNanosPerSecond);
  CHECK(d.on_expiry == execution::OnExpiry::cancel);
  CHECK(d.max_replaces == 3);
  CHECK(d.tick == 0);

  const Config c = valid(with_head(R"(order_type = "limit"
limit_from = "touch"
limit_offset_bps = -5
limit_ttl = "45s"
limit_on_expiry = "replace"
limit_max_replaces = 2
limit_tick = 0.01
)"));
  const auto& l = *c.portfolios.at(0).limit;
  CHECK(l.from == execution::LimitFrom::touch);
  CHECK(l.offset_bps == -5);
  CHECK(l.ttl == 45 * core::kNanosPerSecond);
  CHECK(l.on_expiry == execution::OnExpiry::replace);
  CHECK(l.max_replaces == 2);
  CHECK(l.tick == 0.01);
}

TEST_CASE("order_type and limit_* errors") {
  SUBCASE("an unknown order type lists the known ones") {
    const auto e = only_error(with_head("order_type = \"stop\"\n"));
    CHECK_AT(e, 4, 14);
    CHECK(e.message.find("market") != std::string::npos);
    CHECK(e.message.find("limit") != std::string::npos);
  }
  SUBCASE("limit_* keys on market orders") {
    const auto e = only_error(with_head("limit_ttl = \"30s\"\n"));
    CHECK_AT(e, 4, 13);
    CHECK(e.message == "limit_ttl: only with order_type = \"limit\"");
  }
  SUBCASE("an offset of 100 % or more") {
    const auto e = only_error(with_head("order_type = \"limit\"\nlimit_offset_bps = 10000\n"));
    CHECK_AT(e, 5, 20);
    CHECK(e.message.rfind("limit_offset_bps: expected more than -10000 and less than 10000", 0) == 0);
  }
  SUBCASE("a ttl that is not a duration") {
    const auto e = only_error(with_head("order_type = \"limit\"\nlimit_ttl = \"0s\"\n"));
    CHECK_AT(e, 5, 13);
    CHECK(e.message.rfind("limit_ttl: expected a duration longer than 0", 0) == 0);
  }
  SUBCASE("an unknown expiry action") {
    const auto e = only_error(with_head("order_type = \"limit\"\nlimit_on_expiry = \"keep\"\n"));
    CHECK_AT(e, 5, 19);
  }
  SUBCASE("a negative number of replaces") {
    const auto e = only_error(with_head("order_type = \"limit\"\nlimit_max_replaces = -1\n"));
    CHECK_AT(e, 5, 22);
    CHECK(e.message == "limit_max_replaces: expected 0 to 1000, got -1");
  }
  SUBCASE("a tick of zero") {
    const auto e = only_error(with_head("order_type = \"limit\"\nlimit_tick = 0\n"));
    CHECK_AT(e, 5, 14);
  }
}

TEST_CASE("the daemon needs fill reports for limit orders, and a ttl shorter than order_timeout") {
  const std::string fills = "fills_endpoint = \"tcp://127.0.0.1:5558\"";
  SUBCASE("with fills and a ttl under the timeout it is valid") {
    valid(daemon_file(fills, "order_type = \"limit\"\nlimit_ttl = \"30s\"\n"), Purpose::daemon);
  }
  SUBCASE("without a fills endpoint") {
    const auto e = only_error(daemon_file("", "order_type = \"limit\"\n"), Purpose::daemon);
    CHECK_AT(e, 9, 14);
    CHECK(e.message.rfind("order_type: limit orders need fill reports", 0) == 0);
  }
  SUBCASE("a ttl as long as order_timeout") {
    const auto e = only_error(
        daemon_file(fills + "\norder_timeout = \"60s\"", "order_type = \"limit\"\nlimit_ttl = \"1m\"\n"),
        Purpose::daemon);
    CHECK_AT(e, 11, 13);
    CHECK(e.message ==
          "limit_ttl: 1m must be shorter than [execution] order_timeout (1m), or a resting order would turn unknown "
          "before it expires");
  }
  SUBCASE("dry-run books on send and needs neither") {
    valid(daemon_file("mode = \"dry-run\"", "order_type = \"limit\"\n"), Purpose::daemon);
  }
  SUBCASE("offline (backtests) needs neither") {
    valid(with_head("order_type = \"limit\"\nlimit_ttl = \"1h\"\n"));
  }
}

}  // namespace
}  // namespace loader_order_type_test
}  // namespace ballast::config
