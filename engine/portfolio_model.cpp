#include "engine/portfolio_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "strategies/dynamic_benefit.hpp"
#include "strategies/spec_targets.hpp"
#include "strategies/target_models.hpp"

namespace ballast::engine {
namespace {

/// CPPI's model_state while ready; model_state_text() fills in the figures.
const std::string kCppiState = "cppi";

/// The model's weights become the targets of the spec's assets, or the model
/// is marked not ready with its error.
void apply_targets(PortfolioState& p, const strategies::TargetModelResult& r, const std::string& state_when_ok) {
  if (!r.ok) {
    p.model_ready = false;
    p.model_state = "error: " + r.error;
    return;
  }
  for (std::size_t i = 0; i < p.spec.assets.size() && i < r.weights.size(); ++i) p.assets[i].target = r.weights[i];
  p.cash_target = r.cash_weight;
  p.model_ready = true;
  if (p.model_state != state_when_ok) p.model_state = state_when_ok;
}

}  // namespace

bool same_risk(const std::optional<strategies::RiskSpec>& a, const std::optional<strategies::RiskSpec>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  auto same_corr = [](const strategies::RiskSpec::Correlation& x, const strategies::RiskSpec::Correlation& y) {
    return x.a == y.a && x.b == y.b && x.rho == y.rho;
  };
  return a->halflife == b->halflife && a->sample_every == b->sample_every && a->min_samples == b->min_samples &&
         a->periods_per_year == b->periods_per_year && a->volatilities == b->volatilities &&
         a->correlations.size() == b->correlations.size() &&
         std::equal(a->correlations.begin(), a->correlations.end(), b->correlations.begin(), same_corr);
}

void build_risk(PortfolioState& p) {
  p.risk.reset();
  p.cov.resize(0, 0);
  p.risk_warm = false;
  p.vol_reference = 0;
  if (!p.spec.risk) return;
  const strategies::RiskSpec& rs = *p.spec.risk;
  const std::size_t n = p.spec.assets.size();
  if (!rs.volatilities.empty()) {
    auto made = strategies::fixed_risk_of(rs, p.spec.assets);
    if (made.ok()) {
      p.risk = std::make_unique<strategies::RiskModel>(std::move(*made.model));
    } else {
      p.model_state = "error: " + (made.errors.empty() ? std::string("bad fixed risk model") : made.errors.front());
    }
    return;
  }
  strategies::RiskModelParams params;
  params.halflife = rs.halflife;
  params.sample_every = rs.sample_every;
  params.min_samples = rs.min_samples;
  params.periods_per_year = rs.periods_per_year;
  if (strategies::validate(params).empty()) p.risk = std::make_unique<strategies::RiskModel>(strategies::EwmaRiskModel(n, params));
}

void warm_risk(PortfolioState& p, std::span<const core::TimeNs> times, std::span<const double> history,
               std::size_t columns, std::span<const std::size_t> column_of_asset, const PriceTable& prices) {
  if (!p.risk) return;
  if (auto* ewma = std::get_if<strategies::EwmaRiskModel>(&*p.risk)) {
    ewma->replay(times, history, columns, column_of_asset);
    refresh_model(p, prices);
  }
}

void sample_risk(PortfolioState& p, core::TimeNs ts, const PriceTable& prices, std::vector<double>& scratch) {
  if (!p.risk) return;
  auto* ewma = std::get_if<strategies::EwmaRiskModel>(&*p.risk);
  if (!ewma || !ewma->sample_due(ts)) return;
  scratch.resize(ewma->assets());
  for (std::size_t i = 0; i < scratch.size(); ++i) scratch[i] = prices.price(p.assets[i].symbol);
  ewma->observe(ts, scratch);
  refresh_model(p, prices);
}

double quadratic(const PortfolioState& p, std::span<const double> w) { return strategies::quadratic_form(p.cov, w); }

void refresh_model(PortfolioState& p, const PriceTable& prices) {
  const std::size_t n = p.spec.assets.size();
  std::size_t samples = 0;
  double warmth = 0;
  if (p.risk) {
    const strategies::RiskEstimate est = strategies::estimate(*p.risk);
    p.cov = est.cov_annual;
    p.risk_warm = est.warm;
    samples = est.samples;
    warmth = est.warmth;
  }
  const strategies::ModelSpec& m = p.spec.model;
  switch (m.kind) {
    case strategies::ModelKind::fixed:
    case strategies::ModelKind::buy_and_hold:
      for (std::size_t i = 0; i < n; ++i) p.assets[i].target = p.spec.assets[i].target;
      p.cash_target = p.spec.cash_target;
      p.model_ready = true;
      p.model_state = m.kind == strategies::ModelKind::fixed ? "ready" : "never trades";
      return;
    case strategies::ModelKind::cppi:
      refresh_value_model(p, prices);
      return;
    default:
      break;
  }
  // The risk-based models: no targets, so no trading, until the estimate is warm.
  if (!p.risk || !p.risk_warm) {
    p.model_ready = false;
    char state[96];
    std::snprintf(state, sizeof state, "warming: %zu samples (%.0f%%)", samples, 100 * warmth);
    if (p.model_state.rfind("error", 0) != 0 || p.risk) p.model_state = state;
    return;
  }
  apply_targets(p, strategies::spec_targets(p.spec, p.cov), "ready");
}

void refresh_value_model(PortfolioState& p, const PriceTable& prices) {
  if (p.spec.model.kind != strategies::ModelKind::cppi) return;
  const std::size_t n = p.spec.assets.size();
  double value = p.cash;
  for (const auto& a : p.assets) {
    const double px = prices.price(a.symbol);
    if (!(px > 0)) {
      p.model_ready = false;
      p.model_state = "waiting for prices";
      return;
    }
    value += a.quantity * px;
  }
  if (!(value > 0)) return;
  if (p.start_value <= 0) p.start_value = value;
  const strategies::ModelSpec& m = p.spec.model;
  std::optional<std::size_t> safe;
  std::vector<double> mix(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    if (p.spec.assets[i].symbol == m.safe) safe = i;
  }
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (safe && *safe == i) continue;
    mix[i] = m.risky.empty() ? p.spec.assets[i].target : (p.spec.assets[i].symbol == m.risky ? 1.0 : 0.0);
    total += mix[i];
  }
  for (double& x : mix) x = total > 0 ? x / total : 0.0;
  const double floor = m.floor_value ? *m.floor_value : strategies::cppi_floor(p.start_value, m.floor.value_or(0));
  const auto r = strategies::cppi_weights(mix, {value, floor, m.multiplier, 1.0, safe});
  // The state text is made when asked for (model_state_text): formatting it
  // here, on every tick, was a quarter of a Monte Carlo run.
  p.cppi_exposure = r.exposure;
  p.cppi_cushion = r.cushion;
  apply_targets(p, r, kCppiState);
}

std::string model_state_text(const PortfolioState& p) {
  if (p.model_state != kCppiState) return p.model_state;
  char state[96];
  std::snprintf(state, sizeof state, "exposure %.2f, cushion %.2f", p.cppi_exposure, p.cppi_cushion);
  return state;
}

}  // namespace ballast::engine
