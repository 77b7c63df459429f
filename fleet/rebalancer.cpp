#include "fleet/rebalancer.hpp"

#include <algorithm>

#include "strategies/drift.hpp"

namespace ballast::fleet {

double apply_fill(double held, core::Side side, double quantity) {
  // A sell of every lot held can leave binary noise below zero; holdings stay ≥ 0.
  return side == core::Side::buy ? held + quantity : std::max(0.0, held - quantity);
}

bool Rebalancer::weigh(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  value_ = book.cash(a);
  for (std::size_t i = 0; i < q.size(); ++i) value_ += q[i] * prices[m.symbols[i]];
  if (!(value_ > 0)) return false;
  weights_.resize(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) weights_[i] = q[i] * prices[m.symbols[i]] / value_;
  return true;
}

bool Rebalancer::in_breach(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  if (!weigh(book, a, prices)) return false;
  const Model& m = book.model(a);
  const strategies::WeightView view{weights_, m.targets, book.cash(a) / value_, m.cash_target()};
  return static_cast<bool>(strategies::check_threshold(scaled_bands(m.bands, book.band_multiplier(a)), view));
}

Rebalancer::Outcome Rebalancer::check(AccountBook& book, AccountIndex a, std::span<const double> prices,
                                      FleetOutput& out, bool apply) {
  if (!weigh(book, a, prices)) return Outcome::no_value;
  const Model& m = book.model(a);
  const strategies::ThresholdTrigger bands = scaled_bands(m.bands, book.band_multiplier(a));
  const strategies::WeightView view{weights_, m.targets, book.cash(a) / value_, m.cash_target()};
  if (!strategies::check_threshold(bands, view)) return Outcome::inside_bands;

  // As the engine does: band-edge moves every weight the same fraction λ of
  // the way to its target, and rounds lots outward (never past the target).
  const bool band_edge = m.rebalance_to == strategies::RebalanceTo::band_edge;
  const double lambda = band_edge ? strategies::band_edge_fraction(bands, view) : 1.0;
  const std::span<double> q = book.quantities(a);
  const std::size_t n = q.size();
  desired_.resize(n);
  sizing_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    desired_[i] = weights_[i] + lambda * (m.targets[i] - weights_[i]);
    sizing_[i] = {q[i], prices[m.symbols[i]], desired_[i], m.lot_sizes[i]};
  }
  execution::SizingRequest req;
  req.assets = sizing_;
  req.cash = book.cash(a);
  req.min_trade_value = m.min_trade_value;
  if (band_edge) {
    req.rounding = execution::Rounding::outward;
    req.full_weights = m.targets;
  }
  const execution::SizingResult sized = execution::size_trades(req);
  if (sized.trades.empty()) return Outcome::stuck;

  out.rebalances.push_back({a, static_cast<std::uint32_t>(out.trades.size()),
                            static_cast<std::uint32_t>(sized.trades.size())});
  for (const execution::SizedTrade& t : sized.trades) {
    out.trades.push_back({a, m.symbols[t.asset], t.side, t.quantity, sizing_[t.asset].price});
  }
  if (apply) {
    for (const execution::SizedTrade& t : sized.trades) q[t.asset] = apply_fill(q[t.asset], t.side, t.quantity);
    book.set_cash(a, sized.cash_after);
  }
  return Outcome::traded;
}

}  // namespace ballast::fleet
