#pragma once
// Target-weight models: pure functions from market estimates (covariance,
// expected returns, portfolio value) to the weights a portfolio should hold.
// None of them throws or does I/O; a bad input comes back as a result with
// ok = false and a reason.
//
// Weights are per asset, in the order of the inputs (the portfolio's assets),
// and cash_weight = 1 − Σ weights. Covariances and volatilities are annualised
// and in the same units as each other (0.04 ⇔ σ = 20%).
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "strategies/qp_solver.hpp"

namespace ballast::strategies {

struct TargetModelResult {
  std::vector<double> weights;  ///< per asset; see the file comment
  double cash_weight = 0;       ///< negative only when the model borrows cash
  bool ok = false;
  std::string error;         ///< why not ok; empty when ok
  bool never_trade = false;  ///< buy-and-hold: keep what is held, send no orders

  // Diagnostics: each model fills the ones that apply; the rest stay zero or empty.
  int iterations = 0;         ///< risk budgets: Newton steps; mean-variance: active-set iterations
  double risky_fraction = 0;  ///< target-vol f, CPPI E/V: the weight given to the risky mix
  double borrowed = 0;        ///< risky_fraction − 1 when positive: the safe weight is −borrowed
  double sleeve_vol = 0;      ///< target-vol: σ = √(mᵀΣm) of the risky mix
  double exposure = 0;        ///< CPPI: E, in the units of the portfolio value
  double cushion = 0;         ///< CPPI: V − F; ≤ 0 once the floor is reached
  std::vector<double> risk_contributions;  ///< risk budgets: wᵢ(Σw)ᵢ / wᵀΣw, sums to 1
  double max_budget_error = 0;             ///< risk budgets: max |contribution − budget|
  /// Mean-variance, as the minimisation of (λ/2)wᵀΣw − μᵀw: at the optimum
  /// λΣw − μ = ν·1 + z_lower − z_upper with z ≥ 0 and zero off their bounds.
  std::vector<BoundState> bounds;
  double budget_multiplier = 0;  ///< ν
  std::vector<double> lower_multipliers;
  std::vector<double> upper_multipliers;
  double objective = 0;  ///< mean-variance: the utility wᵀμ − (λ/2)wᵀΣw

  explicit operator bool() const { return ok; }
};

/// Empty when `covariance` is square, non-empty, finite, symmetric and
/// positive semidefinite (to a tolerance of 1e-10 × its largest variance);
/// otherwise what is wrong with it.
std::string covariance_error(const Eigen::MatrixXd& covariance);

// --- target volatility ------------------------------------------------------

struct TargetVolParams {
  double target_vol = 0.10;  ///< annualised σ the portfolio aims for, > 0
  double max_leverage = 1;   ///< cap on the risky fraction, > 0; above 1 the safe asset is borrowed
  /// Takes the remainder 1 − f: an index into the assets (outside the risky
  /// mix), or cash when empty.
  std::optional<std::size_t> safe_asset;
};

/// f = min(max_leverage, target_vol / σ) with σ = √(mᵀΣm); weights f·m plus
/// 1 − f on the safe asset. σ = 0 gives f = max_leverage. `risky_mix` has one
/// entry per asset, ≥ 0, summing to 1; `covariance` is over the same assets.
TargetModelResult target_vol_weights(std::span<const double> risky_mix, const Eigen::MatrixXd& covariance,
                                     const TargetVolParams& params);

// --- risk parity / risk budgets --------------------------------------------

struct RiskBudgetParams {
  double tolerance = 1e-10;  ///< max |risk contribution − budget| accepted
  int max_iterations = 100;
};

/// Long-only, fully invested weights whose risk contributions
/// wᵢ(Σw)ᵢ / wᵀΣw equal `budgets` (each > 0, summing to 1; equal when empty).
/// Every asset needs a positive variance.
TargetModelResult risk_budget_weights(const Eigen::MatrixXd& covariance, std::span<const double> budgets = {},
                                      const RiskBudgetParams& params = {});

// --- mean-variance ----------------------------------------------------------

struct MeanVarianceParams {
  double risk_aversion = 1;  ///< λ > 0
  double cash_target = 0;    ///< the assets sum to budget = 1 − cash_target
  double min_weight = 0;     ///< per asset; −infinity for no lower bound
  double max_weight = 1;     ///< per asset; +infinity for no upper bound
  int max_iterations = 0;    ///< active-set cap; 0: 10·n + 100
};

/// maximise wᵀμ − (λ/2)wᵀΣw  subject to  Σw = 1 − cash_target,  min_weight ≤ wᵢ ≤ max_weight.
/// Errors: bad μ or Σ, λ ≤ 0, bounds that no budget-summing w satisfies.
TargetModelResult mean_variance_weights(std::span<const double> expected_returns, const Eigen::MatrixXd& covariance,
                                        const MeanVarianceParams& params);

/// The same problem without bounds, in closed form: w = Σ⁻¹(μ − γ1)/λ with
/// γ = (1ᵀΣ⁻¹μ − λ·budget) / 1ᵀΣ⁻¹1. Needs a positive definite Σ.
TargetModelResult mean_variance_unconstrained(std::span<const double> expected_returns,
                                              const Eigen::MatrixXd& covariance, double risk_aversion,
                                              double budget);

// --- CPPI -------------------------------------------------------------------

struct CppiParams {
  double value = 0;       ///< portfolio value V, > 0
  double floor = 0;       ///< absolute floor F ≥ 0, in the units of V
  double multiplier = 0;  ///< m ≥ 0
  double max_leverage = 1;  ///< cap on E / V, > 0
  std::optional<std::size_t> safe_asset;  ///< as for target-vol: an asset index, or cash when empty
};

/// Constant-proportion portfolio insurance (Perold & Sharpe 1988):
/// E = min(max_leverage·V, m·max(0, V − F)); weights (E/V)·mix on the risky
/// assets and 1 − E/V on the safe one. `risky_mix` as for target-vol.
TargetModelResult cppi_weights(std::span<const double> risky_mix, const CppiParams& params);

/// The absolute floor for a floor expressed as a fraction of the starting value.
inline double cppi_floor(double starting_value, double floor_fraction) { return starting_value * floor_fraction; }

// --- buy-and-hold -----------------------------------------------------------

/// Targets equal to the current weights, with never_trade set: nothing drifts,
/// nothing is computed, and the engine can skip the portfolio's trading.
TargetModelResult buy_and_hold(std::span<const double> current_weights, double current_cash_weight);

}  // namespace ballast::strategies
