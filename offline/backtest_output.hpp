#pragma once
// What `ballast backtest` prints and writes, as text: the JSON summary
// (SPEC §7), the orders CSV and the readable table. Pure string rendering.
#include <string>

#include "offline/backtest.hpp"
#include "offline/fleet_backtest.hpp"

namespace ballast::offline {

/// The SPEC §7 summary and the README's further figures. One portfolio: its
/// object; several: {"portfolios": [...]}. Each object carries its `id`.
/// Times are ISO-8601 UTC; figures that cannot be computed are null.
std::string backtest_json(const BacktestRun& run, double risk_free_rate);
/// With a fleet (`ballast backtest --accounts`): {"portfolios": [...], "fleet":
/// {...}} whatever the number of portfolios, "portfolios" empty when there are none.
std::string backtest_json(const BacktestRun& run, const FleetBacktest& fleet, double risk_free_rate);

/// Every order, portfolio by portfolio, each in sending order, with the header
/// order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason.
/// `price` is the price the order was booked at.
std::string orders_csv(const BacktestRun& run);
/// With a fleet, its block orders follow the portfolios' orders.
std::string orders_csv(const BacktestRun& run, const FleetBacktest* fleet);

/// A text table, one column per portfolio, one row per figure; returns and
/// drift in percent. Every line ends in '\n'.
std::string backtest_table(const BacktestRun& run);

}  // namespace ballast::offline
