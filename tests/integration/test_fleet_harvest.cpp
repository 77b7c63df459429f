// Tax-loss harvesting in the real daemon: a model with a substitute and a
// harvest table, accounts imported with their lots into a real state file;
// a holding at a loss is sold into the substitute, the loss is realised and
// written, /status and the log say so, and a restart finds it all as it was.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "tests/integration/support.hpp"

namespace test_fleet_harvest {

using namespace ballast::testing;

namespace {

/// SPY 60% with IVV as its substitute, AGG 40%; a holding is harvested when
/// its lots at a loss of 5% or more lose at least 50 in all.
const std::string kHarvestModels = R"(
[[models]]
id = "harvested"
targets = { SPY = 0.6, IVV = 0, AGG = 0.4 }

[[models.triggers]]
kind = "threshold"
absolute = 0.05

[models.tax]
short_term_rate = 0.37
long_term_rate = 0.2
substitutes = { SPY = ["IVV"] }

[models.tax.harvest]
min_loss = 50
min_loss_fraction = 0.05

[fleet]
window = "0s"
)";

std::string fill(const std::string& order_id, double quantity, double price) {
  return R"({"order_id":")" + order_id + R"(","status":"filled","filled_quantity":)" + std::to_string(quantity) +
         R"(,"avg_price":)" + std::to_string(price) + "}";
}

/// "side symbol" → (order id, quantity) of the orders received.
std::map<std::string, std::pair<std::string, double>> by_side(const std::vector<std::string>& orders) {
  std::map<std::string, std::pair<std::string, double>> out;
  for (const std::string& json : orders) {
    simdjson::dom::parser parser;
    const simdjson::dom::element o = parser.parse(json);
    out[std::string(std::string_view(o["side"])) + " " + std::string(std::string_view(o["symbol"]))] = {
        std::string(std::string_view(o["order_id"])), num(o["quantity"])};
  }
  return out;
}

void price(DaemonHarness& d) {
  d.prime("SPY", 100);
  d.prime("IVV", 50);
  d.prime("AGG", 100);
}

}  // namespace

TEST_CASE("a holding at a loss is harvested into its substitute, and its realised loss outlives a restart") {
  DaemonHarness d(kHarvestModels, "", "", "", /*with_fills=*/true);
  // Bought ten days ago at 120: at 100 the lot loses 6 × 20 = 120 (16.7%).
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string bought = ballast::core::format_iso8601(now - 10 * ballast::core::kNanosPerDay).substr(0, 10);
  import_accounts(d, "id,model,cash,SPY,AGG,lots\n"
                     "a1,harvested,0,6,4,SPY:6@120:" + bought + ":id=7\n");
  d.start();
  price(d);
  // The 600 of SPY buys 12 IVV at 50: the group keeps its 60%.
  const std::vector<std::string> sent = d.orders(2);
  const auto orders = by_side(sent);
  REQUIRE(orders.size() == 2);
  // The sell names the lot it closes, by id, for the broker's versus-purchase
  // instruction; the buy names none.
  for (const std::string& json : sent) {
    INFO(json);
    simdjson::dom::parser parser;
    const simdjson::dom::element o = parser.parse(json);
    const auto allocations = o["allocations"].get_array();
    REQUIRE(allocations.size() == 1);
    const simdjson::dom::element a = allocations.at(0);
    if (std::string_view(o["side"]) == "buy") {
      CHECK(a["lots"].error() == simdjson::NO_SUCH_FIELD);
      continue;
    }
    const auto lots = a["lots"].get_array();
    REQUIRE(lots.size() == 1);
    CHECK(std::uint64_t(lots.at(0)["id"]) == 7);
    CHECK(num(lots.at(0)["quantity"]) == 6);
    CHECK(std::string_view(lots.at(0)["acquired"]) == bought);
  }
  REQUIRE(orders.count("sell SPY") == 1);
  REQUIRE(orders.count("buy IVV") == 1);
  CHECK(orders.at("sell SPY").second == 6);
  CHECK(orders.at("buy IVV").second == 12);
  d.send_fill(fill(orders.at("sell SPY").first, 6, 100));
  d.send_fill(fill(orders.at("buy IVV").first, 12, 50));

  const auto check = [&] {
    const auto res = d.get("/accounts/a1");
    INFO(res.body);
    REQUIRE(res.status == 200);
    simdjson::dom::parser parser;
    const simdjson::dom::element a = parser.parse(res.body);
    std::map<std::string, double> held;
    for (auto asset : a["assets"].get_array()) held[std::string(std::string_view(asset["symbol"]))] = num(asset["quantity"]);
    CHECK(held == std::map<std::string, double>{{"SPY", 0}, {"IVV", 12}, {"AGG", 4}});
    // The realised loss of 120, short-term: an estimated tax of −120 × 0.37 = −44.40.
    const auto realised = a["realised"].get_array();
    REQUIRE(realised.size() == 1);
    CHECK(num(realised.at(0)["short_term"]["gain"]) == doctest::Approx(-120));
    CHECK(num(realised.at(0)["estimated_tax"]) == doctest::Approx(-44.4));
    const auto lots = a["lots"].get_array();
    REQUIRE(lots.size() == 1);
    CHECK(std::string_view(lots.at(0)["symbol"]) == "IVV");
    CHECK(num(lots.at(0)["basis_per_unit"]) == 50);
  };
  REQUIRE(eventually([&] {
    simdjson::dom::parser parser;
    const auto res = d.get("/accounts/a1");
    return res.status == 200 && !bool(parser.parse(res.body)["pending"]);
  }));
  check();
  CHECK(num(d.status()["fleet"]["tax"]["harvests"]) == 1);
  CHECK(d.log().find("harvest SPY 6 at 100, into IVV 12 at 50") != std::string::npos);

  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit() == 0);
  d.start();
  price(d);
  CHECK(eventually([&] { return d.get("/accounts/a1").status == 200; }));
  check();
  // Nothing is left to harvest: IVV sits at its cost.
  CHECK(d.orders(3, 300ms).size() == 2);
}

TEST_CASE("lot ids given on import and made by a fill are shown and outlive a restart") {
  DaemonHarness d(kHarvestModels, "", "", "", /*with_fills=*/true);
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string bought = ballast::core::format_iso8601(now - 10 * ballast::core::kNanosPerDay).substr(0, 10);
  // SPY in two lots at a gain, numbered 9 and 5; the AGG lot has no id and gets 0.
  // SPY is 400 of 1000: the cash buys more of it.
  import_accounts(d, "id,model,cash,SPY,AGG,lots\n"
                     "a2,harvested,200,4,4,\"SPY:2@90:" + bought + ":id=9;SPY:2@95:" + bought + ":id=5;AGG:4@98:" +
                         bought + "\"\n");
  d.start();
  price(d);
  const auto orders = by_side(d.orders(1));
  REQUIRE(orders.count("buy SPY") == 1);
  const double bought_spy = orders.at("buy SPY").second;
  REQUIRE(bought_spy > 0);
  d.send_fill(fill(orders.at("buy SPY").first, bought_spy, 100));

  // "SYMBOL id" of each lot shown, sorted: the order of symbols is not this test's.
  const auto lot_ids = [&] {
    std::vector<std::string> out;
    const auto res = d.get("/accounts/a2");
    if (res.status != 200) return out;
    simdjson::dom::parser parser;
    const simdjson::dom::element a = parser.parse(res.body);
    if (bool(a["pending"])) return out;
    for (auto lot : a["lots"].get_array()) {
      out.push_back(std::string(std::string_view(lot["symbol"])) + " " +
                    std::to_string(static_cast<std::uint64_t>(lot["id"])));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  // The fill's lot gets the id after the holding's largest.
  const std::vector<std::string> want{"AGG 0", "SPY 10", "SPY 5", "SPY 9"};
  CHECK(eventually([&] { return lot_ids() == want; }));
  INFO(d.get("/accounts/a2").body);
  CHECK(lot_ids() == want);

  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit() == 0);
  d.start();
  price(d);
  CHECK(eventually([&] { return d.get("/accounts/a2").status == 200; }));
  CHECK(lot_ids() == want);
}

TEST_CASE("a sell left open across a restart is sent again naming the same lot, and its fill closes that lot") {
  DaemonHarness d(kHarvestModels, "", "", "", /*with_fills=*/true);
  // As above: lot 7, 6 SPY bought ten days ago at 120, is harvested at 100.
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string bought = ballast::core::format_iso8601(now - 10 * ballast::core::kNanosPerDay).substr(0, 10);
  import_accounts(d, "id,model,cash,SPY,AGG,lots\n"
                     "a3,harvested,0,6,4,SPY:6@120:" + bought + ":id=7\n");
  d.start();
  price(d);

  /// The lots the sell of SPY names, as "id quantity acquired".
  const auto named_lots = [](const std::string& json) {
    std::vector<std::string> out;
    simdjson::dom::parser parser;
    const simdjson::dom::element o = parser.parse(json);
    const auto allocations = o["allocations"].get_array();
    REQUIRE(allocations.size() == 1);
    for (auto lot : allocations.at(0)["lots"].get_array()) {
      out.push_back(std::to_string(std::uint64_t(lot["id"])) + " " + std::to_string(num(lot["quantity"])) + " " +
                    std::string(std::string_view(lot["acquired"])));
    }
    return out;
  };
  const std::vector<std::string> sent = d.orders(2);
  INFO((sent.size() > 0 ? sent[0] : std::string()));
  INFO((sent.size() > 1 ? sent[1] : std::string()));
  const auto orders = by_side(sent);
  REQUIRE(orders.count("sell SPY") == 1);
  REQUIRE(orders.count("buy IVV") == 1);
  const double sold = orders.at("sell SPY").second;
  // Matched by its "order_id": the buy's rebalance_id is the sell's id.
  const std::string sell_id = "\"order_id\":\"" + orders.at("sell SPY").first + "\"";
  std::string sell_json;
  for (const std::string& json : sent) {
    if (json.find(sell_id) != std::string::npos) sell_json = json;
  }
  const std::vector<std::string> want = named_lots(sell_json);
  CHECK(sold == 6);
  CHECK(want == std::vector<std::string>{"7 " + std::to_string(6.0) + " " + bought});

  // The gateway fills nothing: both blocks are open when the daemon stops.
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit() == 0);
  d.start();
  const std::vector<std::string> again = d.orders(4);
  REQUIRE(again.size() == 4);
  std::string resent_sell;
  for (std::size_t i = 2; i < again.size(); ++i) {
    if (again[i].find(sell_id) != std::string::npos) resent_sell = again[i];
  }
  INFO(resent_sell);
  REQUIRE_FALSE(resent_sell.empty());
  CHECK(named_lots(resent_sell) == want);

  price(d);
  CHECK(eventually([&] { return d.get("/accounts/a3").status == 200; }));
  d.send_fill(fill(orders.at("sell SPY").first, sold, 100));
  d.send_fill(fill(orders.at("buy IVV").first, orders.at("buy IVV").second, 50));
  REQUIRE(eventually([&] {
    simdjson::dom::parser parser;
    const auto res = d.get("/accounts/a3");
    return res.status == 200 && !bool(parser.parse(res.body)["pending"]);
  }));
  const auto res = d.get("/accounts/a3");
  INFO(res.body);
  simdjson::dom::parser parser;
  const simdjson::dom::element a = parser.parse(res.body);
  // Lot 7, named, is closed.
  std::map<std::string, double> lots;
  for (auto lot : a["lots"].get_array()) {
    lots[std::string(std::string_view(lot["symbol"])) + " " + std::to_string(std::uint64_t(lot["id"]))] =
        num(lot["quantity"]);
  }
  CHECK(lots.count("SPY 7") == 0);
  CHECK(lots.count("IVV 0") == 1);
  // The loss realised is lot 7's: 6 × 100 − 6 × 120 = −120, short-term.
  const auto realised = a["realised"].get_array();
  REQUIRE(realised.size() == 1);
  CHECK(num(realised.at(0)["short_term"]["gain"]) == doctest::Approx(-120));
}

}  // namespace test_fleet_harvest
