#include "fleet/rebalancer.hpp"

#include <algorithm>

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

strategies::WeightView Rebalancer::view(const Model& m, double cash_weight) {
  if (m.group_of.empty()) return {weights_, m.targets, cash_weight, m.cash_target()};
  const std::size_t n = m.size();
  group_index_.resize(n);
  group_weights_.clear();
  group_targets_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    if (m.group_of[i] != i) continue;
    group_index_[i] = static_cast<std::uint32_t>(group_targets_.size());
    group_targets_.push_back(m.targets[i]);
  }
  group_weights_.assign(group_targets_.size(), 0.0);
  // Summed in slot order from 0: a group of one weighs exactly its asset.
  for (std::size_t i = 0; i < n; ++i) {
    group_index_[i] = group_index_[m.group_of[i]];
    group_weights_[group_index_[i]] += weights_[i];
  }
  return {group_weights_, group_targets_, cash_weight, m.cash_target()};
}

void Rebalancer::split(const Model& m, double lambda, bool full, std::vector<double>& into) {
  const std::size_t n = m.size();
  into.resize(n);
  if (m.group_of.empty()) {
    for (std::size_t i = 0; i < n; ++i) into[i] = full ? m.targets[i] : weights_[i] + lambda * (m.targets[i] - weights_[i]);
    return;
  }
  // The group's desired weight is written as the asset's is without groups,
  // so that a group of one (or whose substitutes hold nothing) gets the same
  // numbers to the bit.
  const auto desired_of = [&](std::size_t g) {
    return full ? group_targets_[g] : group_weights_[g] + lambda * (group_targets_[g] - group_weights_[g]);
  };
  // What the partial move leaves alone, the full one leaves alone too: the
  // outward rounding would otherwise turn the binary noise of an unchanged
  // weight (an ulp of its value) into a lot of a large holding. Members are
  // taken from in one order, so those the partial move touches come first and
  // their full moves are as they would be without this.
  if (!full) untouched_.assign(n, 0);
  const std::size_t groups = group_targets_.size();
  group_left_.resize(groups);
  group_kept_.assign(groups, 0.0);
  for (std::size_t g = 0; g < groups; ++g) group_left_[g] = std::max(0.0, group_weights_[g] - desired_of(g));
  // Substitutes, in slot order: untouched on a rise; on a fall each gives up
  // what it holds until the fall is sold.
  for (std::size_t i = 0; i < n; ++i) {
    if (m.group_of[i] == i) continue;
    const std::size_t g = group_index_[i];
    const double take = full && untouched_[i] ? 0.0 : std::min(group_left_[g], weights_[i]);
    into[i] = weights_[i] - take;
    if (!full) untouched_[i] = take == 0;
    group_left_[g] -= take;
    group_kept_[g] += into[i];
  }
  // Primaries: the group's desired weight less what its substitutes keep,
  // unless the substitutes took the whole fall (or nothing moves).
  for (std::size_t i = 0; i < n; ++i) {
    if (m.group_of[i] != i) continue;
    const std::size_t g = group_index_[i];
    const double desired = desired_of(g);
    const bool covered = desired < group_weights_[g] && !(group_left_[g] > 0);
    const bool untouched = desired == group_weights_[g] || covered || (full && untouched_[i]);
    if (!full) untouched_[i] = covered;
    into[i] = untouched ? weights_[i] : desired - group_kept_[g];
  }
}

bool Rebalancer::leaves_breach(const AccountBook& book, AccountIndex a, std::span<const double> prices,
                               const strategies::ThresholdTrigger& bands, const execution::SizingResult& sized) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  after_.assign(q.begin(), q.end());
  for (const execution::SizedTrade& t : sized.trades) after_[t.asset] = apply_fill(after_[t.asset], t.side, t.quantity);
  // Filled at these prices the value stays value_; only the weights move.
  // weights_ (and, with groups, group_weights_) now hold the weights after.
  for (std::size_t i = 0; i < q.size(); ++i) weights_[i] = after_[i] * prices[m.symbols[i]] / value_;
  return static_cast<bool>(strategies::check_threshold(bands, view(m, sized.cash_after / value_)));
}

bool Rebalancer::in_breach(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  if (!weigh(book, a, prices)) return false;
  const Model& m = book.model(a);
  if (m.volatility && outside_volatility(*m.volatility, volatility_of(*m.volatility, weights_))) return true;
  return static_cast<bool>(
      strategies::check_threshold(scaled_bands(m.bands, book.band_multiplier(a)), view(m, book.cash(a) / value_)));
}

Rebalancer::Outcome Rebalancer::check(AccountBook& book, AccountIndex a, std::span<const double> prices,
                                      FleetOutput& out, bool apply, bool to_target) {
  if (!weigh(book, a, prices)) return Outcome::no_value;
  const Model& m = book.model(a);
  const strategies::ThresholdTrigger bands = scaled_bands(m.bands, book.band_multiplier(a));
  // Outside the volatility band the account goes the whole way to its
  // targets, with every asset off target outside (below), band-edge or not:
  // no fraction of the way is defined for σ.
  const bool volatility_breach =
      m.volatility && outside_volatility(*m.volatility, volatility_of(*m.volatility, weights_));
  const strategies::WeightView groups = view(m, book.cash(a) / value_);
  const bool breach = volatility_breach || static_cast<bool>(strategies::check_threshold(bands, groups));
  if (!breach && !(to_target && m.rebalance_to == strategies::RebalanceTo::target)) return Outcome::inside_bands;

  // As the engine does: band-edge moves every weight (of a group, with
  // groups) the same fraction λ of the way to its target, and rounds lots
  // outward (never past the full rebalance, split alike).
  const bool band_edge = m.rebalance_to == strategies::RebalanceTo::band_edge && !volatility_breach;
  const double lambda = band_edge ? strategies::band_edge_fraction(bands, groups) : 1.0;
  split(m, lambda, false, desired_);
  const std::span<double> q = book.quantities(a);
  const std::size_t n = q.size();
  // Past the total band (or the volatility band) every group off its target
  // is part of the breach: each is outside for the sizing, and a trade of any
  // of them mends it.
  const bool all_outside =
      volatility_breach || (bands.total && strategies::summarize_drift(groups).total > *bands.total);
  sizing_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t g = m.group_of.empty() ? i : group_index_[i];
    const double w = groups.weights[g], t = groups.targets[g];
    sizing_[i] = {q[i], prices[m.symbols[i]], desired_[i], m.lot_sizes[i]};
    sizing_[i].outside_band = strategies::outside_band(bands, w, t) || (all_outside && w != t);
  }
  execution::SizingRequest req;
  req.assets = sizing_;
  req.cash = book.cash(a);
  req.min_trade_value = m.min_trade_value;
  if (band_edge) {
    req.rounding = execution::Rounding::outward_outside;
    if (m.group_of.empty()) {
      req.full_weights = m.targets;
    } else {
      split(m, 1.0, true, full_);
      req.full_weights = full_;
    }
  }
  execution::SizingResult& sized = sized_;
  execution::size_trades(req, sized);
  // Band-edge first rounds only the assets outside their bands outward, so an
  // asset inside trades no lot for a fraction of one. When that does not cure
  // the breach (most often: the buys need the proceeds of those lots), every
  // asset rounds outward, as a portfolio's do. Trades that still leave a band
  // breached go ahead only if they move an asset outside its band (toward its
  // target, never past it): lots of the assets inside alone would cure
  // nothing and fire again on the next price, an account sold off a lot at a time.
  if (band_edge && (sized.trades.empty() || leaves_breach(book, a, prices, bands, sized))) {
    req.rounding = execution::Rounding::outward;
    execution::size_trades(req, sized);
    const auto mends = [&](const execution::SizedTrade& t) { return sizing_[t.asset].outside_band; };
    if (std::none_of(sized.trades.begin(), sized.trades.end(), mends)) {
      // λ's lots could not pay for a mend; the whole way to target can (its
      // sells pay for its buys, but for the cash target and rounding).
      for (std::size_t i = 0; i < n; ++i) sizing_[i].desired_weight = req.full_weights[i];
      execution::size_trades(req, sized);
      if (std::none_of(sized.trades.begin(), sized.trades.end(), mends)) sized.trades.clear();
    }
  }
  if (sized.trades.empty()) return breach ? Outcome::stuck : Outcome::inside_bands;

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
