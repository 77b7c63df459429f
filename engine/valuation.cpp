#include "engine/valuation.hpp"

#include <limits>

namespace ballast::engine {

void PriceTable::resize(std::size_t symbols) {
  last_.resize(symbols, 0.0);
  before_.resize(symbols, 0.0);
  bids_.resize(symbols, std::numeric_limits<double>::quiet_NaN());
  asks_.resize(symbols, std::numeric_limits<double>::quiet_NaN());
  ts_.resize(symbols, 0);
}

bool PriceTable::update(const core::Tick& tick) {
  if (tick.symbol >= last_.size()) return false;
  before_[tick.symbol] = last_[tick.symbol];
  last_[tick.symbol] = tick.price;
  bids_[tick.symbol] = tick.bid;
  asks_[tick.symbol] = tick.ask;
  ts_[tick.symbol] = tick.ts;
  return true;
}

Valuation valuation(const PortfolioState& p, const PriceTable& prices) {
  Valuation v;
  v.value = p.cash;
  v.priced = true;
  for (const auto& a : p.assets) {
    const double px = prices.price(a.symbol);
    if (!(px > 0)) v.priced = false;
    v.weights.push_back(a.quantity * px);
    v.value += a.quantity * px;
  }
  if (v.value > 0) {
    for (double& w : v.weights) w /= v.value;
    v.cash_weight = p.cash / v.value;
  }
  return v;
}

bool WeightSnapshot::take(const PortfolioState& p, const PriceTable& prices) {
  weights.clear();
  targets.clear();
  double total = p.cash;
  for (const auto& a : p.assets) {
    const double px = prices.price(a.symbol);
    if (!(px > 0)) return false;
    const double v = a.quantity * px;
    weights.push_back(v);
    targets.push_back(a.target);
    total += v;
  }
  value = total;
  if (!(total > 0)) return false;
  for (double& w : weights) w /= total;
  return true;
}

void WeightSnapshot::reserve(std::size_t assets) {
  weights.reserve(assets);
  targets.reserve(assets);
}

}  // namespace ballast::engine
