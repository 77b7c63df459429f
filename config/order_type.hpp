#pragma once
// A portfolio's `order_type` and, for limit orders, its `limit_*` keys
// (README "Limit orders").
#include <optional>

#include "config/config.hpp"
#include "config/diagnostics.hpp"
#include "config/table_reader.hpp"
#include "execution/limit_price.hpp"

namespace ballast::config {

/// nullopt for market orders (the default); every mistake is reported with its
/// place. `execution`, when given (the daemon's purpose), is checked against
/// what limit orders need: fill reports in live mode (a limit order's fate is
/// known only from the gateway), and a time to live shorter than order_timeout
/// (or every resting order would turn unknown before it expires).
std::optional<execution::LimitOrderSpec> read_order_type(TableReader& r, const ExecutionConfig* execution,
                                                         Diagnostics& diag);

}  // namespace ballast::config
