#pragma once
// The dynamic trigger's benefit and its fixed risk model, for the portfolios'
// engine and the fleet's models alike: one formula, one way to read
// `volatilities` and `correlations`.
#include <span>

#include <Eigen/Core>

#include "strategies/policy.hpp"
#include "strategies/risk_model.hpp"

namespace ballast::strategies {

/// wᵀΣw over the first min(rows, size) entries, floored at 0 (rounding can
/// make a semi-definite Σ give a tiny negative).
double quadratic_form(const Eigen::MatrixXd& cov, std::span<const double> w);

/// B = (λ/2) · dᵀΣd · (horizon / year) · V: the tracking-error variance that
/// trading back to target removes over the trigger's horizon, valued at the
/// risk aversion λ, in the currency of `value` (V). Σ is annualised; a year is
/// 365.25 days.
double dynamic_benefit(const DynamicTrigger& dyn, const Eigen::MatrixXd& cov_annual, std::span<const double> deviation,
                       double value);

/// The fixed risk model of `risk` (its volatilities, by asset, and
/// correlations; a missing volatility counts as 0, a pair naming a symbol
/// outside `assets` is ignored) over `assets` in their order.
FixedRiskModelResult fixed_risk_of(const RiskSpec& risk, std::span<const AssetSpec> assets);

}  // namespace ballast::strategies
