#pragma once
// The fleet's section of `ballast backtest --report` (with --accounts): a
// table per model and for the fleet (value, return, rebalances, block orders,
// costs as blocks and alone, the saving, drift at the end), a table of the
// taxes (and the tax alpha when a model harvests), the fleet's value and each
// model's over time, and its drawdowns. Pure string rendering.
#include <string>

#include "offline/fleet_backtest.hpp"

namespace ballast::offline {

std::string fleet_report_section(const FleetBacktest& fleet);

}  // namespace ballast::offline
