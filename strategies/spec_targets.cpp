#include "strategies/spec_targets.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace ballast::strategies {

TargetModelResult spec_targets(const PortfolioSpec& spec, const Eigen::MatrixXd& cov_annual) {
  const std::size_t n = spec.assets.size();
  const ModelSpec& m = spec.model;
  if (m.kind == ModelKind::target_vol) {
    std::optional<std::size_t> safe;
    for (std::size_t i = 0; i < n && m.safe != "cash"; ++i) {
      if (spec.assets[i].symbol == m.safe) safe = i;
    }
    std::vector<double> mix(n, 0.0);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (safe && *safe == i) continue;
      mix[i] = spec.assets[i].target;
      total += mix[i];
    }
    for (double& x : mix) x = total > 0 ? x / total : 0.0;
    return target_vol_weights(mix, cov_annual, {m.target_vol, m.max_leverage, safe});
  }
  if (m.kind == ModelKind::risk_parity) {
    std::vector<double> budgets;
    for (std::size_t i = 0; i < n && !m.budgets.empty(); ++i)
      budgets.push_back(lookup(m.budgets, spec.assets[i].symbol, 0.0));
    TargetModelResult r = risk_budget_weights(cov_annual, budgets);
    // The budgets fix the mix; cash_target keeps its share of the value.
    for (double& w : r.weights) w *= 1 - spec.cash_target;
    r.cash_weight = spec.cash_target;
    return r;
  }
  if (m.kind == ModelKind::mean_variance) {
    std::vector<double> mu;
    for (std::size_t i = 0; i < n; ++i) mu.push_back(lookup(m.expected_returns, spec.assets[i].symbol, 0.0));
    return mean_variance_weights(mu, cov_annual, {m.risk_aversion, spec.cash_target, m.min_weight, m.max_weight, 0});
  }
  TargetModelResult r;
  r.error = std::string(to_string(m.kind)) + " sets no targets from a covariance";
  return r;
}

}  // namespace ballast::strategies
