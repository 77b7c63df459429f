#include "fleet/account_view.hpp"

#include <cmath>
#include <limits>

#include "fleet/rebalancer.hpp"

namespace ballast::fleet {

namespace {

/// cash + Σ quantity × price, summed in the model's order as the rebalancer does.
double account_value(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  double value = book.cash(a);
  for (std::size_t i = 0; i < q.size(); ++i) value += q[i] * prices[m.symbols[i]];
  return value;
}

/// Per slot, the summed weight of the group whose primary it is (in slot
/// order from 0, as the rebalancer sums it); its own weight without groups.
std::vector<double> group_weights(const Model& m, std::span<const double> weights) {
  if (m.group_of.empty()) return {weights.begin(), weights.end()};
  std::vector<double> g(weights.size(), 0.0);
  for (std::size_t i = 0; i < weights.size(); ++i) g[m.group_of[i]] += weights[i];
  return g;
}

}  // namespace

AccountView view_account(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  const strategies::ThresholdTrigger bands = scaled_bands(m.bands, book.band_multiplier(a));
  AccountView v;
  v.cash = book.cash(a);
  v.cash_target = m.cash_target();
  const double value = account_value(book, a, prices);
  v.value = value > 0 ? value : 0;
  v.cash_weight = value > 0 ? v.cash / value : 0;
  v.assets.reserve(q.size());
  std::vector<double> weights(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) {
    AssetView asset;
    asset.symbol = m.symbols[i];
    asset.quantity = q[i];
    asset.price = prices[m.symbols[i]];
    asset.value = q[i] * asset.price;
    asset.weight = weights[i] = value > 0 ? asset.value / value : 0;
    asset.target = m.targets[i];
    v.assets.push_back(asset);
  }
  const std::vector<double> groups = group_weights(m, weights);
  for (std::size_t i = 0; i < q.size(); ++i) {
    AssetView& asset = v.assets[i];
    const std::size_t p = primary_of(m, i);
    asset.group_weight = groups[p];
    asset.group_target = m.targets[p];
    asset.drift = asset.group_weight - asset.group_target;
    asset.band = band_half_width(bands, asset.group_target);
    asset.breaching = value > 0 && std::fabs(asset.drift) > asset.band;
    v.max_abs_drift = std::fmax(v.max_abs_drift, std::fabs(asset.drift));
    if (value > 0 && primary_of(m, i) == i) v.total_drift += std::fabs(asset.drift);
  }
  if (value > 0) v.total_drift = (v.total_drift + std::fabs(v.cash_weight - v.cash_target)) / 2;
  v.total_band = bands.total ? *bands.total : std::numeric_limits<double>::infinity();
  Rebalancer decide;
  v.breaching = decide.in_breach(book, a, prices);
  return v;
}

double max_abs_drift(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const double value = account_value(book, a, prices);
  if (!(value > 0)) return 0;
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  double worst = 0;
  if (m.group_of.empty()) {
    for (std::size_t i = 0; i < q.size(); ++i) {
      worst = std::fmax(worst, std::fabs(q[i] * prices[m.symbols[i]] / value - m.targets[i]));
    }
    return worst;
  }
  std::vector<double> weights(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) weights[i] = q[i] * prices[m.symbols[i]] / value;
  const std::vector<double> groups = group_weights(m, weights);
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (m.group_of[i] == i) worst = std::fmax(worst, std::fabs(groups[i] - m.targets[i]));
  }
  return worst;
}

}  // namespace ballast::fleet
