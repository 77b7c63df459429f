#pragma once
// The orders CSV: what `ballast backtest --orders` writes and `ballast paper
// --record` appends, one format, so that a live run and its backtest can be
// compared line by line.
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace ballast::offline {

/// "order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason\n"
std::string_view orders_csv_header();

/// One order as a line ('\n' included): its created_at as ISO-8601 UTC, its
/// quantity and reference price in shortest round-trip digits, text fields
/// quoted when they hold a comma, a quote or a line break.
void append_order_csv(std::string& out, const core::Order& order);

}  // namespace ballast::offline
