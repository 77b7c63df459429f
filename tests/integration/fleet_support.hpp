#pragma once
// What the fleet's integration tests share: a small account book, block
// orders as a gateway reads them, accounts as GET /accounts/ID shows them,
// and fill reports.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>

#include "execution/io/order_codec.hpp"
#include "tests/integration/support.hpp"

namespace ballast::testing::fleet_test {

/// At SPY 100 and AGG 100: a1 and a2 hold only SPY (sell 4 and 8, buy 4 and
/// 8 AGG), a3 is on target and a4 inside its band.
inline const std::string kAccounts =
    "id,model,cash,household,SPY,AGG\n"
    "a1,balanced,0,h1,10,\n"
    "a2,balanced,0,h1,20,\n"
    "a3,balanced,0,,6,4\n"
    "a4,balanced,0,,62,38\n";

struct Block {
  std::string order_id, symbol, side;
  double quantity = 0;
  std::map<std::string, double> allocations;
};

inline Block parse_block(const std::string& json) {
  // What a gateway reads: the strict decoder takes it.
  const auto decoded = ballast::execution::decode_order(json);
  INFO(json);
  CHECK(decoded.error.empty());
  simdjson::dom::parser parser;
  const simdjson::dom::element o = parser.parse(json);
  Block b;
  b.order_id = std::string(std::string_view(o["order_id"]));
  b.symbol = std::string(std::string_view(o["symbol"]));
  b.side = std::string(std::string_view(o["side"]));
  b.quantity = num(o["quantity"]);
  for (auto a : o["allocations"].get_array()) {
    b.allocations[std::string(std::string_view(a["account"]))] = num(a["quantity"]);
  }
  return b;
}

/// GET /accounts/ID, parsed (throws when not 200).
struct Account {
  double cash = 0;
  std::map<std::string, double> quantity;
  std::map<std::string, double> target;
  double total_drift = 0;
  std::optional<double> total_band;  ///< null: the model has none
  bool pending = false, breaching = false;
  std::size_t open_orders = 0;
};

inline Account account(DaemonHarness& d, const std::string& id) {
  const auto res = d.get("/accounts/" + id);
  INFO(res.body);
  REQUIRE(res.status == 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element a = parser.parse(res.body);
  Account out;
  out.cash = num(a["cash"]);
  for (auto asset : a["assets"].get_array()) {
    const std::string symbol{std::string_view(asset["symbol"])};
    out.quantity[symbol] = num(asset["quantity"]);
    out.target[symbol] = num(asset["target"]);
  }
  out.total_drift = num(a["total_drift"]);
  if (!a["total_band"].is_null()) out.total_band = num(a["total_band"]);
  out.pending = bool(a["pending"]);
  out.breaching = bool(a["breaching"]);
  out.open_orders = a["open_orders"].get_array().size();
  return out;
}

/// The first two orders sent: at SPY 100 and AGG 100, the sell of SPY then
/// the buy of AGG that a1 and a2 need.
struct FirstBlocks {
  Block sell, buy;
};

inline FirstBlocks first_blocks(DaemonHarness& d) {
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  return {parse_block(orders[0]), parse_block(orders[1])};
}

inline void price(DaemonHarness& d) {
  d.prime("SPY", 100);
  d.prime("AGG", 100);
}

/// kAccounts imported, the daemon started and SPY and AGG priced at 100:
/// the start's check then decides every account.
inline void start_priced(DaemonHarness& d) {
  import_accounts(d, kAccounts);
  d.start();
  price(d);
}

inline std::string fill(const std::string& order_id, const char* status, double quantity, double price) {
  return R"({"order_id":")" + order_id + R"(","status":")" + status + R"(","filled_quantity":)" +
         std::to_string(quantity) + R"(,"avg_price":)" + std::to_string(price) + "}";
}

}  // namespace ballast::testing::fleet_test
