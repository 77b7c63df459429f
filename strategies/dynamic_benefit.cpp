#include "strategies/dynamic_benefit.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ballast::strategies {

namespace {
constexpr double kNanosPerYear = 365.25 * static_cast<double>(core::kNanosPerDay);
}  // namespace

double quadratic_form(const Eigen::MatrixXd& cov, std::span<const double> w) {
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(cov.rows()), w.size());
  double q = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double row = 0;
    for (std::size_t j = 0; j < n; ++j) row += cov(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * w[j];
    q += w[i] * row;
  }
  return std::max(q, 0.0);
}

double dynamic_benefit(const DynamicTrigger& dyn, const Eigen::MatrixXd& cov_annual, std::span<const double> deviation,
                       double value) {
  return dyn.risk_aversion / 2 * quadratic_form(cov_annual, deviation) *
         (static_cast<double>(dyn.horizon) / kNanosPerYear) * value;
}

FixedRiskModelResult fixed_risk_of(const RiskSpec& risk, std::span<const AssetSpec> assets) {
  const std::size_t n = assets.size();
  const auto index_of = [&](const std::string& symbol) {
    std::size_t i = 0;
    while (i < n && assets[i].symbol != symbol) ++i;
    return i;
  };
  std::vector<double> vols(n, 0.0);
  std::vector<char> given(n, 0);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) names.push_back(assets[i].symbol);
  for (const auto& [symbol, v] : risk.volatilities) {
    const std::size_t i = index_of(symbol);
    // The first entry wins, as a per-symbol lookup reads it.
    if (i < n && !given[i]) {
      vols[i] = v;
      given[i] = 1;
    }
  }
  std::vector<CorrelationPair> pairs;
  for (const auto& c : risk.correlations) {
    const std::size_t a = index_of(c.a), b = index_of(c.b);
    if (a < n && b < n) pairs.push_back({a, b, c.rho});
  }
  return FixedRiskModel::make(std::move(vols), pairs, names);
}

}  // namespace ballast::strategies
