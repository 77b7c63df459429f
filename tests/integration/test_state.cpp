// Durable state with the real binary: positions survive a restart, config
// holdings seed only the first start, a damaged state file stops the daemon,
// and kill -9 at each point of a rebalance loses and duplicates nothing.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "tests/integration/support.hpp"

namespace test_state {

using namespace ballast::testing;

namespace {

// As kSixtyForty, without a minimum trade value.
const std::string kSixtyFortyAnySize = R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)";

struct Order {
  std::string id, symbol, side, rebalance_id;
  double quantity = 0, price = 0;
};

Order parse(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element e = parser.parse(json);
  return {std::string(std::string_view(e["order_id"])), std::string(std::string_view(e["symbol"])),
          std::string(std::string_view(e["side"])), std::string(std::string_view(e["rebalance_id"])),
          num(e["quantity"]), num(e["reference_price"])};
}

void price_inside_band(DaemonHarness& d) {
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  d.settle();
}

double quantity(DaemonHarness& d, const std::string& symbol) { return num(asset(d.status(), 0, symbol)["quantity"]); }

void fill(DaemonHarness& d, const Order& o) {
  d.send_fill(R"({"order_id":")" + o.id + R"(","status":"filled","filled_quantity":)" + std::to_string(o.quantity) +
              R"(,"avg_price":)" + std::to_string(o.price) + "}");
}

}  // namespace

TEST_CASE("positions survive a restart; config holdings seed only the first start") {
  DaemonHarness d(kSixtyFortyAnySize);
  d.start();
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  REQUIRE(d.orders(2).size() == 2);
  REQUIRE(eventually([&] { return quantity(d, "SPY") == 122; }));
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit(5s) == 0);

  // The operator edits the holdings; the state file stays the truth.
  std::string cfg = d.dir.read("ballast.toml");
  cfg.replace(cfg.find("SPY = 100"), 9, "SPY = 150");
  d.dir.write("ballast.toml", cfg);
  d.start();
  CHECK(quantity(d, "SPY") == 122);
  CHECK(quantity(d, "AGG") == 244);
  CHECK(d.log().find("differ from those it was first seeded with") != std::string::npos);
  auto state = d.status()["state"];
  CHECK(std::string_view(state["durability"]) == "full");
  CHECK(std::string_view(state["seed_changed"].at(0)) == "main");
  CHECK(std::string_view(state["path"]).find("state.db") != std::string_view::npos);
  d.prime("AGG", 100);
  d.prime("SPY", 300);
  CHECK(d.orders(3, 400ms).size() == 2);  // at target already: nothing new
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit(5s) == 0);

  // The documented reset: the next start seeds the portfolio from the config.
  const auto reset = run_command(BALLASTD_PATH, {"--config", d.config_path, "--reset-portfolio", "main"});
  CHECK(reset.code == 0);
  d.start();
  CHECK(quantity(d, "SPY") == 150);
}

TEST_CASE("a damaged or foreign state file stops the daemon with a clear error; it never starts fresh") {
  for (const std::string& content : {std::string("this is not a database, it is a note\n"), std::string(4096, '\x7f')}) {
    DaemonHarness d(kSixtyFortyAnySize);
    std::filesystem::create_directories(d.dir.file("state"));
    d.dir.write("state/state.db", content);
    Process p(BALLASTD_PATH, {"--config", d.config_path}, d.dir.file("ballastd.log"));
    CHECK(p.wait_exit(10s) == 1);
    const std::string log = d.log();
    CHECK(log.find("state.db") != std::string::npos);
    CHECK(log.find("not trading") != std::string::npos);
    CHECK(d.dir.read("state/state.db") == content);  // left as it was
  }
}

/// kill -9 at one point of a rebalance, restart, and check on the gateway's
/// side: every intended order arrives, none under two ids, positions end right.
void crash_and_recover(const char* point) {
  DaemonHarness d(kSixtyFortyAnySize, "", "order_timeout = \"1h\"", "", /*with_fills=*/true);
  setenv("BALLASTD_CRASH_AT", point, 1);
  d.start();
  unsetenv("BALLASTD_CRASH_AT");
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  REQUIRE(d.process->wait_exit(10s) == 128 + SIGKILL);
  // Whatever left before the crash: nothing unless the crash came after the send.
  std::vector<std::string> seen = d.orders(2, std::string_view(point) == "after_send" ? 3s : 500ms);
  CHECK(seen.size() == (std::string_view(point) == "after_send" ? 2u : 0u));

  d.start();
  d.prime("AGG", 100);
  d.prime("SPY", 300);
  // The gateway: everything arrives, deduplicated by order_id.
  REQUIRE(eventually([&] {
    seen = d.orders(seen.size() + 1, 200ms);
    std::set<std::string> ids;
    for (const auto& o : seen) ids.insert(parse(o).id);
    return ids.size() >= 2;
  }));
  std::map<std::string, Order> unique;
  for (const auto& o : seen) unique.emplace(parse(o).id, parse(o));
  // One intent, one id: a single rebalance of one sell and one buy.
  REQUIRE(unique.size() == 2);
  std::set<std::string> rebalances;
  double agg = 0, spy = 0;
  for (const auto& [id, o] : unique) {
    rebalances.insert(o.rebalance_id);
    (o.symbol == "AGG" ? agg : spy) = o.quantity;
  }
  CHECK(rebalances.size() == 1);
  CHECK(agg == 56);
  CHECK(spy == 22);
  // Committed orders go again under their ids; uncommitted ones were decided anew.
  CHECK((d.log().find("sent again") != std::string::npos) == (std::string_view(point) != "before_commit"));
  for (const auto& [id, o] : unique) fill(d, o);
  REQUIRE(eventually([&] { return quantity(d, "SPY") == 122 && quantity(d, "AGG") == 244; }));
  CHECK(num(d.status()["portfolios"].at(0)["cash"]) == doctest::Approx(0));
  CHECK(num(d.status()["portfolios"].at(0)["open_orders"]) == 0);
  // Nothing more is decided, and nothing is sent again after the fills.
  d.publish("SPY", R"({"price": 300})");
  CHECK(d.orders(seen.size() + 1, 500ms).size() == seen.size());
}

TEST_CASE("kill -9 before the orders are committed: decided again after the restart, once") {
  crash_and_recover("before_commit");
}

TEST_CASE("kill -9 after the commit, before the send: sent after the restart under the same ids") {
  crash_and_recover("after_commit");
}

TEST_CASE("kill -9 after the send, before the fills: sent again under the same ids, booked once") {
  crash_and_recover("after_send");
}

}  // namespace test_state
