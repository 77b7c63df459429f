#include "fleet/model_from_spec.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <variant>
#include <vector>

#include "strategies/dynamic_benefit.hpp"
#include "strategies/spec_targets.hpp"

namespace ballast::fleet {

namespace {

/// m.group_of from the spec's `substitutes` (primary → its substitutes), or why not.
std::optional<std::string> groups_from_spec(const strategies::PortfolioSpec& spec, Model& m) {
  const auto& groups = spec.tax.substitutes;
  if (groups.empty()) return std::nullopt;
  const std::size_t n = spec.assets.size();
  const auto slot_named = [&](const std::string& symbol) {
    std::size_t i = 0;
    while (i < n && spec.assets[i].symbol != symbol) ++i;
    return i;
  };
  m.group_of.resize(n);
  for (std::size_t i = 0; i < n; ++i) m.group_of[i] = static_cast<std::uint32_t>(i);
  std::vector<bool> grouped(n, false);
  // Primaries first, so that one named later as a substitute is found.
  for (const auto& [primary, substitutes] : groups) {
    const std::size_t p = slot_named(primary);
    if (p == n) return "substitutes: " + primary + " is not an asset of the model";
    if (grouped[p]) return "substitutes: " + primary + " is in two substitute groups";
    grouped[p] = true;
  }
  for (const auto& [primary, substitutes] : groups) {
    const auto p = static_cast<std::uint32_t>(slot_named(primary));
    for (const std::string& substitute : substitutes) {
      const std::size_t s = slot_named(substitute);
      if (s == n) return "substitutes: " + substitute + " (for " + primary + ") is not an asset of the model";
      if (m.group_of[s] == s && grouped[s]) return "substitutes: " + substitute + " is both a primary and a substitute";
      if (grouped[s]) return "substitutes: " + substitute + " is in two substitute groups";
      if (spec.assets[s].target != 0) {
        return "substitutes: " + substitute + " (for " + primary + ") has a target other than 0";
      }
      grouped[s] = true;
      m.group_of[s] = p;
    }
  }
  return std::nullopt;
}

}  // namespace

ModelVolatility volatility_band(const std::vector<strategies::Trigger>& triggers, Eigen::MatrixXd cov,
                                const std::vector<double>& targets) {
  ModelVolatility v;
  v.cov_annual = std::move(cov);
  v.high = std::numeric_limits<double>::infinity();
  const double at_targets = volatility_of(v, targets);
  for (const strategies::Trigger& t : triggers) {
    const auto* vol = std::get_if<strategies::VolatilityTrigger>(&t);
    if (!vol) continue;
    if (vol->min) v.low = std::max(v.low, *vol->min);
    if (vol->max) v.high = std::min(v.high, *vol->max);
    if (vol->change) {
      v.low = std::max(v.low, at_targets * (1 - *vol->change));
      v.high = std::min(v.high, at_targets * (1 + *vol->change));
    }
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(v.cov_annual, Eigen::EigenvaluesOnly);
  v.root_largest_eigenvalue = std::sqrt(std::max(0.0, eigen.eigenvalues().maxCoeff()));
  return v;
}

std::optional<std::string> model_from_spec(const strategies::PortfolioSpec& spec, core::SymbolTable& symbols,
                                           Model& out) {
  const bool risk_based = strategies::is_risk_based(spec.model.kind);
  if (spec.model.kind != strategies::ModelKind::fixed && !risk_based) {
    return "a " + std::string(strategies::to_string(spec.model.kind)) +
           " model does not run on [[models]] (fixed targets, target-vol, risk-parity and mean-variance do)";
  }
  if (spec.limit || spec.max_cost_bps) return "limit orders and max_cost_bps do not run on a model";
  Model m;
  for (const strategies::AssetSpec& a : spec.assets) {
    m.symbols.push_back(symbols.intern(a.symbol));
    m.targets.push_back(a.target);
    m.lot_sizes.push_back(a.lot_size);
  }
  // Several threshold triggers fire when any does: |d| > a₁ or |d| > a₂ is
  // |d| > min(a₁, a₂), and so for the relative and total bands. One band of the minima is exact.
  const auto tighter = [](std::optional<double>& into, const std::optional<double>& v) {
    if (v && (!into || *v < *into)) into = v;
  };
  bool has_band = false;
  for (const strategies::Trigger& t : spec.triggers) {
    if (const auto* dyn = std::get_if<strategies::DynamicTrigger>(&t)) {
      if (m.dynamic) return "a model takes one dynamic trigger";
      m.dynamic = ModelDynamic{*dyn, {}, spec.costs};
      continue;
    }
    if (const auto* calendar = std::get_if<strategies::CalendarTrigger>(&t)) {
      m.calendars.push_back(*calendar);
      continue;
    }
    if (std::holds_alternative<strategies::VolatilityTrigger>(t)) continue;  // below, with Σ
    const auto* band = std::get_if<strategies::ThresholdTrigger>(&t);
    if (!band) return "only threshold, calendar, volatility and dynamic triggers run on a model";
    tighter(m.bands.absolute, band->absolute);
    tighter(m.bands.relative, band->relative);
    tighter(m.bands.total, band->total);
    has_band = true;
  }
  if (!has_band) return "a model needs a threshold trigger";
  const bool volatility = std::any_of(spec.triggers.begin(), spec.triggers.end(), [](const strategies::Trigger& t) {
    return std::holds_alternative<strategies::VolatilityTrigger>(t);
  });
  if (m.dynamic || risk_based || volatility) {
    // The bands say when an account is looked at; the dynamic trigger, whether it then trades.
    if (!spec.risk || spec.risk->volatilities.empty()) {
      return std::string(m.dynamic    ? "a dynamic trigger"
                         : volatility ? "a volatility trigger"
                                      : "a target model") +
             " on a model needs a fixed [models.risk]";
    }
    auto fixed = strategies::fixed_risk_of(*spec.risk, spec.assets);
    if (!fixed.ok()) return "[models.risk]: " + fixed.errors.front();
    const Eigen::MatrixXd& cov = fixed.model->covariance_annual();
    // σᵢρσⱼ and σⱼρσᵢ can differ in the last bit: made exactly symmetric, as check_model wants it.
    const Eigen::MatrixXd symmetric = (cov + cov.transpose()) / 2;
    if (m.dynamic) m.dynamic->cov_annual = symmetric;
    // The targets from Σ as a portfolio with this spec sets them (engine::refresh_model), once:
    // the risk model is fixed.
    if (risk_based) {
      const strategies::TargetModelResult r = strategies::spec_targets(spec, cov);
      if (!r.ok) return "[models.model]: " + r.error;
      if (r.cash_weight < -1e-9) return "[models.model]: its targets borrow cash; an account of a model does not";
      for (std::size_t i = 0; i < m.size(); ++i) {
        // A weight a solver leaves a hair below 0 is 0.
        m.targets[i] = r.weights[i] < 0 && r.weights[i] > -1e-12 ? 0.0 : r.weights[i];
      }
    }
    if (volatility) m.volatility = volatility_band(spec.triggers, symmetric, m.targets);
  }
  m.slicing = spec.slicing;
  m.rebalance_to = spec.rebalance_to;
  m.min_trade_value = spec.min_trade_value;
  m.avoid_short_term_gains = spec.tax.avoid_short_term_gains;
  if (auto why = groups_from_spec(spec, m)) return why;
  m.tax_rates = tax_rates_of(spec.tax);
  m.avoid_wash_sales = spec.tax.avoid_wash_sales;
  m.avoid_washed_losses = spec.tax.avoid_washed_losses;
  for (const std::vector<std::string>& group : spec.tax.identical) {
    std::vector<core::SymbolId>& ids = m.identical.emplace_back();
    for (const std::string& symbol : group) {
      const auto it = std::find_if(spec.assets.begin(), spec.assets.end(),
                                   [&](const strategies::AssetSpec& a) { return a.symbol == symbol; });
      if (it == spec.assets.end()) return "identical: " + symbol + " is not an asset of the model";
      ids.push_back(symbols.intern(symbol));
    }
  }
  if (const auto& h = spec.tax.harvest) {
    m.harvest = tax::HarvestRule{h->min_loss, h->min_loss_fraction, h->cost_bps / 10'000};
  }
  if (auto why = check_model(m, symbols.size())) return why;
  out = std::move(m);
  return std::nullopt;
}

std::optional<tax::TaxRates> tax_rates_of(const strategies::TaxPolicy& policy) {
  if (!policy.short_term_rate && !policy.long_term_rate) return std::nullopt;
  return tax::TaxRates{policy.short_term_rate.value_or(0), policy.long_term_rate.value_or(0)};
}

ModelCatalog catalog_of(std::span<const strategies::PortfolioSpec> models) {
  ModelCatalog catalog;
  for (const strategies::PortfolioSpec& m : models) {
    auto& symbols = catalog[m.id];
    for (const strategies::AssetSpec& a : m.assets) symbols.insert(a.symbol);
  }
  return catalog;
}

}  // namespace ballast::fleet
