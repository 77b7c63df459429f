#pragma once
// The targets a risk-based `[portfolios.model]` (or `[models.model]`) sets
// from a covariance: the spec's settings handed to the pure functions of
// target_models.hpp. The engine calls it whenever its estimate moves; the
// fleet once, with a model's fixed risk model.
#include <Eigen/Core>

#include "strategies/policy.hpp"
#include "strategies/target_models.hpp"

namespace ballast::strategies {

/// The weights of target-vol, risk-parity or mean-variance for `spec`'s
/// assets (in their order) under `cov_annual` (by asset, annualised):
/// - target-vol: the risky mix is the targets of the assets other than
///   `safe`, normalised; the remainder goes to `safe` (or cash);
/// - risk-parity: the budgets (by symbol; equal when none), scaled to leave
///   `cash_target` in cash;
/// - mean-variance: the expected returns (by symbol, 0 when missing),
///   `cash_target` kept in cash, within [min_weight, max_weight].
/// ok = false with the reason for any other kind or a failure of the model.
TargetModelResult spec_targets(const PortfolioSpec& spec, const Eigen::MatrixXd& cov_annual);

}  // namespace ballast::strategies
