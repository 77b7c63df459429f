#include "fleet/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/numbers.hpp"
#include "strategies/dynamic_benefit.hpp"

namespace ballast::fleet {

std::size_t slot_of(const Model& m, core::SymbolId symbol) {
  return static_cast<std::size_t>(std::find(m.symbols.begin(), m.symbols.end(), symbol) - m.symbols.begin());
}

double Model::cash_target() const {
  double invested = 0;
  for (double t : targets) invested += t;
  return 1 - invested;
}

namespace {

std::optional<std::string> check_groups(const Model& m) {
  if (m.group_of.empty()) return std::nullopt;
  if (m.group_of.size() != m.size()) return "group_of needs one entry per symbol, or none";
  for (std::size_t i = 0; i < m.size(); ++i) {
    const std::uint32_t p = m.group_of[i];
    const std::string slot = "group_of[" + std::to_string(i) + "]";
    if (p >= m.size()) return slot + " names slot " + std::to_string(p) + ", past the model's symbols";
    // One level only: a group is a primary and its substitutes, never a chain.
    if (m.group_of[p] != p) return slot + " names slot " + std::to_string(p) + ", which is not a primary of its own";
    if (p != i && m.targets[i] != 0) return "a substitute's target must be 0 (slot " + std::to_string(i) + ")";
  }
  return std::nullopt;
}

}  // namespace

double volatility_of(const ModelVolatility& v, std::span<const double> weights) {
  return std::sqrt(strategies::quadratic_form(v.cov_annual, weights));
}

namespace {

/// Why `cov` cannot be the Σ of a model of `size` symbols for `trigger`, or nullopt.
std::optional<std::string> check_covariance(const Eigen::MatrixXd& cov, std::size_t size, const std::string& trigger) {
  const auto n = static_cast<Eigen::Index>(size);
  if (cov.rows() != n || cov.cols() != n)
    return "the " + trigger + "'s covariance must have one row and column per symbol";
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(cov(i, i) >= 0)) return "the " + trigger + "'s variances must be finite and >= 0";
    for (Eigen::Index j = 0; j < n; ++j) {
      if (!std::isfinite(cov(i, j)) || cov(i, j) != cov(j, i)) {
        return "the " + trigger + "'s covariance must be finite and symmetric";
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_volatility(const Model& m) {
  if (!m.volatility) return std::nullopt;
  const ModelVolatility& v = *m.volatility;
  if (auto why = check_covariance(v.cov_annual, m.size(), "volatility trigger")) return why;
  if (!(v.low >= 0 && std::isfinite(v.low))) return "the volatility trigger's low must be finite and >= 0";
  if (!(v.high > v.low)) return "the volatility trigger's high must be above its low";
  if (!(v.root_largest_eigenvalue >= 0 && std::isfinite(v.root_largest_eigenvalue))) {
    return "the volatility trigger's largest eigenvalue must be finite and >= 0";
  }
  return std::nullopt;
}

std::optional<std::string> check_dynamic(const Model& m) {
  if (!m.dynamic) return std::nullopt;
  const ModelDynamic& d = *m.dynamic;
  if (auto why = check_covariance(d.cov_annual, m.size(), "dynamic trigger")) return why;
  const strategies::DynamicTrigger& t = d.trigger;
  if (!(t.risk_aversion > 0 && std::isfinite(t.risk_aversion))) {
    return "the dynamic trigger's risk_aversion must be finite and > 0";
  }
  if (t.horizon <= 0) return "the dynamic trigger's horizon must be longer than 0";
  if (!(t.cost_bps >= 0 && std::isfinite(t.cost_bps))) return "the dynamic trigger's cost_bps must be finite and >= 0";
  for (const auto& [symbol, bps] : t.cost_bps_by_symbol) {
    if (!(bps >= 0 && std::isfinite(bps))) {
      return "the dynamic trigger's cost_bps of " + symbol + " must be finite and >= 0";
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_model(const Model& m, std::size_t symbol_count) {
  if (m.symbols.empty()) return "a model needs at least one symbol";
  if (m.targets.size() != m.symbols.size()) return "one target per symbol expected";
  if (m.lot_sizes.size() != m.symbols.size()) return "one lot size per symbol expected";
  std::vector<core::SymbolId> sorted = m.symbols;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return "a symbol appears twice";
  if (sorted.back() >= symbol_count) return "unknown symbol id";
  double sum = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (!(m.targets[i] >= 0 && m.targets[i] <= 1)) return "targets must lie in [0, 1]";
    if (!(m.lot_sizes[i] > 0 && std::isfinite(m.lot_sizes[i]))) return "lot sizes must be positive and finite";
    sum += m.targets[i];
  }
  if (sum > 1 + 1e-9) return "targets sum past 1";
  if (!m.bands.absolute && !m.bands.relative && !m.bands.total) {
    return "a model needs an absolute, a relative or a total band";
  }
  if (m.bands.absolute && !(*m.bands.absolute > 0 && std::isfinite(*m.bands.absolute))) {
    return "the absolute band must be positive and finite";
  }
  if (m.bands.relative && !(*m.bands.relative > 0 && std::isfinite(*m.bands.relative))) {
    return "the relative band must be positive and finite";
  }
  if (m.bands.total && !(*m.bands.total > 0 && std::isfinite(*m.bands.total))) {
    return "the total band must be positive and finite";
  }
  if (!(m.min_trade_value >= 0 && std::isfinite(m.min_trade_value))) {
    return "min_trade_value must be non-negative and finite";
  }
  if (auto why = check_dynamic(m)) return why;
  if (auto why = check_volatility(m)) return why;
  if (m.slicing) {
    if (!(m.slicing->max_child_value > 0 && std::isfinite(m.slicing->max_child_value))) {
      return "slicing.max_child_value must be finite and > 0";
    }
    if (m.slicing->interval <= 0) return "slicing.interval must be longer than 0";
  }
  return check_groups(m);
}

bool has_substitutes(const Model& m) {
  for (std::size_t i = 0; i < m.group_of.size(); ++i) {
    if (m.group_of[i] != i) return true;
  }
  return false;
}

bool usable_price(double price) { return core::finite_positive(price); }

strategies::ThresholdTrigger scaled_bands(const strategies::ThresholdTrigger& bands, double multiplier) {
  strategies::ThresholdTrigger s;
  if (bands.absolute) s.absolute = *bands.absolute * multiplier;
  if (bands.relative) s.relative = *bands.relative * multiplier;
  if (bands.total) s.total = *bands.total * multiplier;
  return s;
}

double band_half_width(const strategies::ThresholdTrigger& bands, double target) {
  double h = std::numeric_limits<double>::infinity();
  // The same products as strategies::check_threshold compares against.
  if (bands.absolute) h = std::min(h, *bands.absolute);
  if (bands.relative) h = std::min(h, *bands.relative * target);
  return h;
}

}  // namespace ballast::fleet
