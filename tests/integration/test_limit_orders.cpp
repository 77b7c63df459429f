// Limit orders end to end: priced from the live price, resting, replaced and
// cancelled after their time to live through the order queue, with the real
// ballastd, the harness as a gateway, and the real paper gateway.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/support.hpp"

namespace test_limit_orders {

using namespace ballast::testing;

namespace {

/// 100 SPY, 300 AGG, 1000 cash, 60/40 in 5 % bands; limit orders 10 bps
/// inside the mid, one second to live, replaced once, then cancelled.
const std::string kLimitPortfolio = R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }
order_type = "limit"
limit_offset_bps = 10
limit_ttl = "1s"
limit_on_expiry = "replace"
limit_max_replaces = 1

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)";

std::string text(simdjson::dom::element e) { return std::string(std::string_view(e)); }

}  // namespace

TEST_CASE("a limit order is priced from the live price, replaced at the new price after its ttl, then cancelled") {
  DaemonHarness d(kLimitPortfolio, "", "", "", /*with_fills=*/true);
  d.start();
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  d.settle();
  d.publish("SPY", R"({"price": 300})");  // the breach: sell 56 AGG, buy 22 SPY
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  simdjson::dom::parser parser;
  std::string spy_id, agg_id;
  for (const auto& o : orders) {
    simdjson::dom::element e = parser.parse(o);
    CHECK(text(e["order_type"]) == "limit");
    CHECK(e["expire_at"].is_string());
    if (text(e["symbol"]) == "SPY") {
      spy_id = text(e["order_id"]);
      CHECK(num(e["limit_price"]) == doctest::Approx(300 * (1 - 10e-4)));  // a buy, below the price
    } else {
      agg_id = text(e["order_id"]);
      CHECK(num(e["limit_price"]) == doctest::Approx(100 * (1 + 10e-4)));  // a sell, above it
    }
  }
  REQUIRE(!spy_id.empty());
  REQUIRE(!agg_id.empty());

  // SPY moves while both rest; AGG does not. After the ttl the SPY order is
  // replaced at the new price, and AGG's, whose price has not moved, keeps
  // its place (no request) for a second ttl.
  d.publish("SPY", R"({"price": 301})");
  const std::string replace = d.next_order(3s);
  REQUIRE(!replace.empty());
  {
    simdjson::dom::element e = parser.parse(replace);
    CHECK(text(e["action"]) == "replace");
    CHECK(text(e["order_id"]) == spy_id);
    CHECK(num(e["quantity"]) == 22);
    CHECK(num(e["limit_price"]) == doctest::Approx(301 * (1 - 10e-4)));
    CHECK(text(e["request_id"]) != spy_id);
    CHECK(text(e["request_id"]).rfind("main-", 0) == 0);
  }
  // Both have used their one replace: the next expiry cancels them.
  std::string cancelled[2] = {d.next_order(4s), d.next_order(4s)};
  for (const auto& c : cancelled) {
    REQUIRE(!c.empty());
    simdjson::dom::element e = parser.parse(c);
    CHECK(text(e["action"]) == "cancel");
  }
  CHECK(num(d.status()["execution"]["open_orders"]) == 2);  // until the gateway says so

  // The gateway confirms: AGG's filled 20 before the cancel, SPY's nothing.
  d.send_fill(R"({"order_id":")" + agg_id + R"(","status":"cancelled","filled_quantity":20,"avg_price":100.1})");
  d.send_fill(R"({"order_id":")" + spy_id + R"(","status":"cancelled","filled_quantity":0,"avg_price":0})");
  REQUIRE(eventually([&] { return num(d.status()["execution"]["open_orders"]) == 0; }));
  auto s = d.status();
  CHECK(num(asset(s, 0, "AGG")["quantity"]) == 280);
  CHECK(num(asset(s, 0, "SPY")["quantity"]) == 100);
  const std::string metrics = d.get("/metrics").body;
  CHECK(metrics.find(R"(ballast_order_amendments_total{portfolio="main",action="replace"} 1)") != std::string::npos);
  CHECK(metrics.find(R"(ballast_order_amendments_total{portfolio="main",action="cancel"} 2)") != std::string::npos);
  const std::string log = d.log();
  CHECK(log.find("order " + spy_id + ": replace requested") != std::string::npos);
  CHECK(log.find("order " + agg_id + ": cancel requested") != std::string::npos);
}

TEST_CASE("the paper gateway rests limit orders, fills one when the price crosses, and obeys replace and cancel") {
  DaemonHarness d(kLimitPortfolio, "", "", "", /*with_fills=*/true);
  d.release_order_queue();
  d.start();
  Process paper(BALLAST_CLI_PATH,
                {"paper", "--orders", d.ports.orders_endpoint(), "--fills", d.ports.fills_endpoint(), "--feed",
                 d.ports.feed_endpoint()},
                d.dir.file("paper.log"));
  INFO(d.dir.read("paper.log"));
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  d.settle();
  // The paper gateway fills at its last price, else at the order's reference
  // price: the same here, so it may miss the prices before the breach.
  REQUIRE(eventually([&] { return d.dir.read("paper.log").find("paper: orders from") != std::string::npos; }));
  d.publish("SPY", R"({"price": 300})");  // buy 22 SPY at 299.70, sell 56 AGG at 100.10: both rest
  REQUIRE(eventually([&] { return d.dir.read("paper.log").find("OPEN") != std::string::npos; }));
  REQUIRE(eventually([&] { return num(d.status()["execution"]["open_orders"]) == 2; }));
  d.publish("AGG", R"({"price": 100.2})");  // crosses the sell's limit: filled at 100.2
  d.publish("SPY", R"({"price": 300.5})");  // moves away from the buy's limit: replaced at 300.1995, still rests
  REQUIRE(eventually([&] { return num(asset(d.status(), 0, "AGG")["quantity"]) == 244; }, 5s));
  REQUIRE(eventually([&] { return d.dir.read("paper.log").find("REPLACED") != std::string::npos; }, 5s));
  // The one replace used, the next expiry cancels; the report frees the portfolio.
  REQUIRE(eventually([&] { return num(d.status()["execution"]["open_orders"]) == 0; }, 5s));
  const std::string paper_log = d.dir.read("paper.log");
  CHECK(paper_log.find("limit 300.20") != std::string::npos);
  CHECK(paper_log.find("CANCEL") != std::string::npos);
  auto s = d.status();
  CHECK(num(asset(s, 0, "SPY")["quantity"]) == 100);
  CHECK(num(s["portfolios"].at(0)["cash"]) == doctest::Approx(1000 + 56 * 100.2));
  paper.signal(SIGTERM);
  CHECK(paper.wait_exit() == 0);
}

}  // namespace test_limit_orders
