// The orders CSV that the backtest writes and the paper gateway records.
#include "offline/orders_csv.hpp"

#include <doctest/doctest.h>

#include "core/time.hpp"

namespace test_orders_csv {

using namespace ballast;

TEST_CASE("an order is one CSV line: exact digits, the time in UTC, awkward text quoted") {
  core::Order o;
  o.order_id = "costaware-20060529-000001";
  o.portfolio = "costaware";
  o.rebalance_id = "costaware-20060529-000001";
  o.created_at = *core::parse_iso8601("2006-05-29T00:00:00Z");
  o.symbol = "SPI";
  o.side = core::Side::sell;
  o.quantity = 116;
  o.reference_price = 112.6745;
  o.reason = "dynamic";
  std::string out(offline::orders_csv_header());
  offline::append_order_csv(out, o);
  CHECK(out ==
        "order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason\n"
        "costaware-20060529-000001,costaware,costaware-20060529-000001,2006-05-29T00:00:00.000Z,SPI,sell,116,"
        "112.6745,dynamic\n");
  o.symbol = "BRK,B";
  o.reason = "say \"why\"";
  o.quantity = 0.1 + 0.2;
  out.clear();
  offline::append_order_csv(out, o);
  CHECK(out.find(",\"BRK,B\",sell,0.30000000000000004,112.6745,\"say \"\"why\"\"\"\n") != std::string::npos);
}

}  // namespace test_orders_csv
