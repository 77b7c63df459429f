#pragma once
// A portfolio's model: the risk estimate it keeps from its own prices (or a
// fixed one) and the targets its model sets from it: fixed, target-vol,
// risk-parity, mean-variance, CPPI, buy-and-hold.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "engine/portfolio_state.hpp"
#include "engine/valuation.hpp"
#include "strategies/policy.hpp"

namespace ballast::engine {

/// Makes the risk model the spec asks for (none without `[portfolios.risk]`),
/// forgetting any estimate; a fixed model that cannot be made leaves an error in model_state.
void build_risk(PortfolioState& p);
/// Whether two risk settings make the same estimate, so a reload may keep it.
bool same_risk(const std::optional<strategies::RiskSpec>& a, const std::optional<strategies::RiskSpec>& b);

/// Samples the prices into the EWMA estimate when one is due on the data's
/// clock `ts`, then refreshes the model. `scratch` is reused between calls.
void sample_risk(PortfolioState& p, core::TimeNs ts, const PriceTable& prices, std::vector<double>& scratch);
/// Replays a price history through the EWMA estimate (see Engine::warm_risk), then refreshes the model.
void warm_risk(PortfolioState& p, std::span<const core::TimeNs> times, std::span<const double> history,
               std::size_t columns, std::span<const std::size_t> column_of_asset, const PriceTable& prices);

/// Takes the estimate's covariance and sets the targets from the model, or
/// marks it not ready (warming, or its error).
void refresh_model(PortfolioState& p, const PriceTable& prices);
/// Sets the targets of a model that follows the portfolio value (CPPI); nothing for the others.
void refresh_value_model(PortfolioState& p, const PriceTable& prices);

/// wᵀΣw over the spec assets for `w` (weights or deviations) under the last
/// covariance; 0 without an estimate.
double quadratic(const PortfolioState& p, std::span<const double> w);

/// The model's state for people: "ready", "warming: ...", "exposure 0.62, cushion 1234.00", "error: ...".
std::string model_state_text(const PortfolioState& p);

}  // namespace ballast::engine
