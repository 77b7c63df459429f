#pragma once
// The engine's share of /status and /metrics: per portfolio, its value,
// weights, drift, model, risk and last rebalance.
#include "core/json_writer.hpp"
#include "daemon/metrics.hpp"
#include "engine/engine.hpp"

namespace ballast::daemon {

/// The "portfolios" array of /status.
void write_portfolios(core::JsonWriter& w, const engine::Engine& engine);

/// Per-portfolio metrics (value, weights, drift, open and unknown orders,
/// costs, final states, volatility), read from the engine when collected.
void add_portfolio_metrics(MetricsRegistry& metrics, const engine::Engine& engine);

}  // namespace ballast::daemon
