#include "cli/status_table.hpp"

#include <doctest/doctest.h>

#include <string>

namespace test_status_table {

using ballast::cli::render_status_table;

namespace {

// The SPEC §5 shape with extras a newer daemon might add (build, stale, note,
// sides), a feed without ticks yet and a portfolio never rebalanced.
constexpr const char* kStatus = R"json(
{"version": "0.1.0", "uptime_s": 3725.4, "mode": "live", "paused": false, "healthy": true, "build": {"commit": "abc"},
 "feeds": [{"name": "primary", "endpoint": "tcp://127.0.0.1:5556", "ticks": 1000,
            "rejected": {"malformed": 2, "jump": 0, "bad_price": 1}, "last_tick_age_s": 0.01},
           {"name": "backup", "endpoint": "tcp://10.0.0.2:5556", "ticks": 0, "rejected": {},
            "last_tick_age_s": null, "stale": true}],
 "portfolios": [{"id": "main", "value": 100000.0, "cash": 512.3, "rebalances": 3, "orders": 9,
                 "last_rebalance": {"rebalance_id": "main-20261123-000007", "reason": "threshold",
                                    "at": "2026-11-23T14:30:00.123Z", "orders": 4, "sides": ["buy"]},
                 "assets": [{"symbol": "SPY", "price": 589.1, "quantity": 100, "weight": 0.61,
                             "target": 0.60, "drift": 0.01, "volatility": 0.18},
                            {"symbol": "AGG", "price": 98.2, "quantity": 300, "weight": 0.39,
                             "target": 0.40, "drift": -0.01, "volatility": 0.05, "note": "x"}]},
                {"id": "crypto", "value": 1234567.891, "cash": -1234.5, "rebalances": 0, "orders": 0,
                 "last_rebalance": null,
                 "assets": [{"symbol": "BTC", "price": 65000.12, "quantity": 0.125, "weight": 0.5,
                             "target": 0.5, "drift": 0.00001, "volatility": 0.6},
                            {"symbol": "SHIB", "price": 0.00001234, "quantity": 1000000000, "weight": 0.5,
                             "target": 0.5, "drift": -0.00001}]}]}
)json";

}  // namespace

TEST_CASE("status renders as a header, a feeds block and a block per portfolio") {
  const auto table = render_status_table(kStatus);
  REQUIRE_MESSAGE(table.ok(), table.error);
  CHECK(table.text ==
        "ballastd 0.1.0  mode: live  paused: no  uptime: 1h 02m 05s\n"
        "health: ok\n"
        "\n"
        "Feeds\n"
        "  NAME     ENDPOINT              TICKS  REJECTED                 LAST TICK\n"
        "  primary  tcp://127.0.0.1:5556   1000  malformed=2 bad_price=1  0.01s ago\n"
        "  backup   tcp://10.0.0.2:5556       0  0                                -\n"
        "\n"
        "Portfolio main\n"
        "  value 100,000.00  cash 512.30  rebalances 3  orders 9\n"
        "  last rebalance: rebalance_id=main-20261123-000007 reason=threshold at=2026-11-23T14:30:00.123Z orders=4\n"
        "  SYMBOL   PRICE  QUANTITY  WEIGHT  TARGET    DRIFT    VOL\n"
        "  SPY     589.10       100  61.00%  60.00%  +1.00pp  18.0%\n"
        "  AGG      98.20       300  39.00%  40.00%  -1.00pp   5.0%\n"
        "\n"
        "Portfolio crypto\n"
        "  value 1,234,567.89  cash -1,234.50  rebalances 0  orders 0\n"
        "  last rebalance: -\n"
        "  SYMBOL       PRICE    QUANTITY  WEIGHT  TARGET   DRIFT    VOL\n"
        "  BTC       65000.12       0.125  50.00%  50.00%  0.00pp  60.0%\n"
        "  SHIB    0.00001234  1000000000  50.00%  50.00%  0.00pp      -\n");
}

TEST_CASE("the kill switch, open orders, denials and costs show when the daemon reports them") {
  const auto table = render_status_table(R"({"version":"0.1.0","mode":"live","paused":false,"kill_switch":true,
    "uptime_s":5,"feeds":[],"portfolios":[{"id":"main","value":1000,"cash":10,"rebalances":1,"orders":2,
    "open_orders":2,"denied":1,"costs":{"estimated":3.5,"realized":3.4},"last_rebalance":null,"assets":[]}]})");
  REQUIRE_MESSAGE(table.ok(), table.error);
  CHECK(table.text.find("uptime: 5s  KILL SWITCH ON\n") != std::string::npos);
  CHECK(table.text.find("  value 1,000.00  cash 10.00  rebalances 1  orders 2  open 2  denied 1  costs 3.50\n") !=
        std::string::npos);
}

TEST_CASE("a degraded daemon says so, with every problem on its own line, and the table is not healthy") {
  const auto table = render_status_table(R"({"version":"0.1.0","kill_switch":true,"healthy":false,
    "health":{"status":"degraded","problems":["kill switch on","1 order unknown (main-20261123-000042): resolve"]},
    "feeds":[],"portfolios":[{"id":"main","open_orders":1,"unknown_orders":1,"assets":[]}]})");
  REQUIRE_MESSAGE(table.ok(), table.error);
  CHECK_FALSE(table.healthy);
  CHECK(table.text.find("health: DEGRADED\n  - kill switch on\n  - 1 order unknown (main-20261123-000042): resolve\n") !=
        std::string::npos);
  CHECK(table.text.find("open 1  UNKNOWN 1") != std::string::npos);
  CHECK(render_status_table(kStatus).healthy);
}

TEST_CASE("the orders table lists unknown orders first; an empty list says so; no list is an error") {
  using ballast::cli::render_orders_table;
  const auto table = render_orders_table(R"({"healthy":false,"execution":{"open":[
    {"order_id":"main-1","portfolio":"main","symbol":"AGG","side":"sell","quantity":56,"filled_quantity":0,
     "state":"sent","age_s":2.5},
    {"order_id":"main-2","portfolio":"main","symbol":"SPY","side":"buy","quantity":22,"filled_quantity":10,
     "state":"unknown","age_s":312}]}})");
  REQUIRE_MESSAGE(table.ok(), table.error);
  CHECK(table.text ==
        "ORDER   PORTFOLIO  SYMBOL  SIDE  QUANTITY  FILLED  STATE       AGE\n"
        "main-2  main       SPY     buy         22      10  unknown  5m 12s\n"
        "main-1  main       AGG     sell        56       0  sent         2s\n");
  CHECK(render_orders_table(R"({"execution":{"open":[]}})").text == "no unfinished orders\n");
  // Block orders of a fleet whose fate is unknown follow, by id.
  CHECK(render_orders_table(R"({"execution":{"open":[]},"fleet":{"unknown_block_orders":["fleet-20261206-000007"]}})")
            .text == "unknown block orders of the fleet: fleet-20261206-000007\n");
  CHECK_FALSE(render_orders_table(R"({"execution":{}})").ok());
  CHECK_FALSE(render_orders_table("[1,2").ok());
}

TEST_CASE("missing, null and mistyped fields print as a dash") {
  const auto table = render_status_table(
      R"({"version":"x","paused":null,"uptime_s":"12","feeds":[{"name":"f"}],)"
      R"("portfolios":[{"id":"p","assets":[{"symbol":"BTC","price":"65000"}]}]})");
  REQUIRE_MESSAGE(table.ok(), table.error);
  CHECK(table.text ==
        "ballastd x  mode: -  paused: -  uptime: -\n"
        "health: -\n"
        "\n"
        "Feeds\n"
        "  NAME  ENDPOINT  TICKS  REJECTED  LAST TICK\n"
        "  f     -             -  -                 -\n"
        "\n"
        "Portfolio p\n"
        "  value -  cash -  rebalances -  orders -\n"
        "  last rebalance: -\n"
        "  SYMBOL  PRICE  QUANTITY  WEIGHT  TARGET  DRIFT  VOL\n"
        "  BTC         -         -       -       -      -    -\n");
}

TEST_CASE("an empty object and empty lists still render") {
  auto table = render_status_table("{}");
  REQUIRE(table.ok());
  CHECK(table.text == "ballastd -  mode: -  paused: -  uptime: -\nhealth: -\n\nFeeds: -\n\nPortfolios: -\n");

  table = render_status_table(R"({"paused":true,"uptime_s":90061,"feeds":[],"portfolios":[{"id":"p","assets":[]}]})");
  REQUIRE(table.ok());
  CHECK(table.text ==
        "ballastd -  mode: -  paused: yes  uptime: 1d 01h 01m\n"
        "health: -\n"
        "\n"
        "Feeds: none\n"
        "\n"
        "Portfolio p\n"
        "  value -  cash -  rebalances -  orders -\n"
        "  last rebalance: -\n"
        "  assets: none\n");
}

TEST_CASE("tick ages, quantities and drifts keep the precision that matters") {
  const auto table = render_status_table(
      R"({"feeds":[{"name":"a","last_tick_age_s":12.345},{"name":"b","last_tick_age_s":305}],)"
      R"("portfolios":[{"id":"p","assets":[{"symbol":"X","drift":0.12345,"quantity":2.5e-7},)"
      R"({"symbol":"Y","drift":-0.5,"price":0.5,"quantity":-3e-12}]}]})");
  REQUIRE(table.ok());
  CHECK(table.text ==
        "ballastd -  mode: -  paused: -  uptime: -\n"
        "health: -\n"
        "\n"
        "Feeds\n"
        "  NAME  ENDPOINT  TICKS  REJECTED   LAST TICK\n"
        "  a     -             -  -          12.3s ago\n"
        "  b     -             -  -         5m 05s ago\n"
        "\n"
        "Portfolio p\n"
        "  value -  cash -  rebalances -  orders -\n"
        "  last rebalance: -\n"
        "  SYMBOL   PRICE    QUANTITY  WEIGHT  TARGET     DRIFT  VOL\n"
        "  X            -  0.00000025       -       -  +12.35pp    -\n"
        "  Y       0.5000           0       -       -  -50.00pp    -\n");
}

TEST_CASE("control characters in names cannot break the table") {
  const auto table = render_status_table(R"({"version":"1\n2\u0007","feeds":[],"portfolios":[]})");
  REQUIRE(table.ok());
  CHECK(table.text.rfind("ballastd 1?2?  mode", 0) == 0);
}

TEST_CASE("malformed JSON or a non-object root is an error, not a crash") {
  for (const char* bad : {"", "{", "{\"version\":", "not json", "{\"a\":1,}", "\xff\xfe"}) {
    CAPTURE(bad);
    const auto table = render_status_table(bad);
    CHECK_FALSE(table.ok());
    CHECK(table.text.empty());
    CHECK(table.error.find("not valid JSON") != std::string::npos);
  }
  for (const char* not_object : {"[]", "42", "\"status\"", "null"}) {
    CAPTURE(not_object);
    const auto table = render_status_table(not_object);
    CHECK_FALSE(table.ok());
    CHECK(table.error == "the status is not a JSON object");
  }
}

TEST_CASE("a fleet shows as counts, block orders, unknown blocks and the drift histogram, never as rows") {
  constexpr const char* kFleet = R"json(
{"version": "0.1.0", "uptime_s": 5, "mode": "live", "paused": false, "healthy": false, "feeds": [], "portfolios": [],
 "fleet": {"models": 3, "model_variants": 0, "accounts": 1000000, "accounts_in_file": 1000000, "started": true,
           "states": {"pending": 12, "breaching": 40, "unvalued": 0, "stuck": 1},
           "drift_histogram": [{"from": 0, "to": 0.005, "accounts": 900000}, {"from": 0.005, "to": 0.01, "accounts": 99960},
                               {"from": 0.1, "to": null, "accounts": 40}],
           "rebalances": 52, "block_orders": 8, "allocations": 104, "open_block_orders": 2,
           "unknown_block_orders": ["fleet-20261206-000007"], "rebalances_last_minute": 7}}
)json";
  const auto table = render_status_table(kFleet);
  REQUIRE_MESSAGE(table.ok(), table.error);
  CHECK(table.text.find("Fleet\n"
                        "  accounts 1000000 on 3 models: 40 breaching, 12 pending, 1 stuck\n"
                        "  rebalances 52 (last minute 7), block orders 8 (2 open)\n"
                        "  UNKNOWN block orders: fleet-20261206-000007\n"
                        "  max drift  <0.5% 900000  <1% 99960  >10% 40\n") != std::string::npos);
  // Calendar dates' rebalances and children of sliced blocks waiting to leave, when there are any.
  std::string with_counts = kFleet;
  with_counts.replace(with_counts.find("\"block_orders\": 8"), 17,
                      "\"calendar_rebalances\": 30, \"children_scheduled\": 6, \"block_orders\": 8");
  const auto counted = render_status_table(with_counts);
  REQUIRE_MESSAGE(counted.ok(), counted.error);
  CHECK(counted.text.find("  rebalances 52 (last minute 7, 30 on calendar dates), block orders 8 (2 open, 6 children "
                          "scheduled)\n") != std::string::npos);
  const auto waiting = render_status_table(
      R"({"version": "0.1.0", "feeds": [], "portfolios": [], "fleet": {"models": 1, "accounts": 4, "started": false}})");
  REQUIRE(waiting.ok());
  CHECK(waiting.text.find("accounts 4 on 1 models (waiting for a price of every symbol)\n") != std::string::npos);
}

}  // namespace test_status_table
