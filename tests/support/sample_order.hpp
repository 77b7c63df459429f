#pragma once
// A market order of portfolio "main" as the paper gateway's tests send it.
#include <string>
#include <utility>

#include "core/types.hpp"

namespace ballast::testing {

inline core::Order make_order(std::string id, std::string symbol, core::Side side, double quantity,
                              double reference_price) {
  core::Order o;
  o.order_id = std::move(id);
  o.portfolio = "main";
  o.symbol = std::move(symbol);
  o.side = side;
  o.quantity = quantity;
  o.reference_price = reference_price;
  o.reason = "threshold";
  o.rebalance_id = "main-20261123-000001";
  o.created_at = 1'763'908'200'000'000'000LL;
  return o;
}

}  // namespace ballast::testing
