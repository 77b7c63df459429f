#include "fleet/account_view.hpp"

#include <cmath>

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
  for (std::size_t i = 0; i < q.size(); ++i) {
    AssetView asset;
    asset.symbol = m.symbols[i];
    asset.quantity = q[i];
    asset.price = prices[m.symbols[i]];
    asset.value = q[i] * asset.price;
    asset.weight = value > 0 ? asset.value / value : 0;
    asset.target = m.targets[i];
    asset.drift = asset.weight - asset.target;
    asset.band = band_half_width(bands, asset.target);
    asset.breaching = value > 0 && std::fabs(asset.drift) > asset.band;
    v.max_abs_drift = std::fmax(v.max_abs_drift, std::fabs(asset.drift));
    v.assets.push_back(asset);
  }
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
  for (std::size_t i = 0; i < q.size(); ++i) {
    worst = std::fmax(worst, std::fabs(q[i] * prices[m.symbols[i]] / value - m.targets[i]));
  }
  return worst;
}

}  // namespace ballast::fleet
