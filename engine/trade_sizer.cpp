#include "engine/trade_sizer.hpp"

#include <algorithm>
#include <cmath>

#include "strategies/drift.hpp"

namespace ballast::engine {

execution::CostBreakdown estimate_cost(const PortfolioState& p, std::size_t asset, double quantity,
                                       const PriceTable& prices, const core::SymbolTable& symbols) {
  const core::SymbolId sym = p.assets[asset].symbol;
  if (!p.spec.costs) {
    execution::CostBreakdown none;
    none.price = prices.price(sym);
    none.quantity = std::abs(quantity);
    return none;
  }
  execution::CostInputs in;
  in.symbol = symbols.name(sym);
  in.quantity = quantity;
  in.price = prices.price(sym);
  in.bid = prices.bid(sym);
  in.ask = prices.ask(sym);
  // Impact needs σ of daily returns: the risk estimate's, over 252 trading days.
  const auto i = static_cast<Eigen::Index>(asset);
  if (i < p.cov.rows()) in.daily_volatility = std::sqrt(std::max(p.cov(i, i), 0.0) / 252.0);
  return execution::estimate_cost(*p.spec.costs, in);
}

double first_child(const PortfolioState& p, const AssetState& a, double quantity, const PriceTable& prices) {
  const double px = prices.price(a.symbol);
  if (!p.spec.slicing || !(quantity * px > p.spec.slicing->max_child_value)) return quantity;
  const double lots = std::max(1.0, std::floor(p.spec.slicing->max_child_value / px / a.lot_size + 1e-9));
  return std::min(quantity, execution::lots_to_quantity(lots, a.lot_size));
}

namespace {

/// The portfolio's threshold bands (its first threshold trigger), or null.
const strategies::ThresholdTrigger* bands_of(const PortfolioState& p) {
  for (const auto& t : p.spec.triggers) {
    if (const auto* th = std::get_if<strategies::ThresholdTrigger>(&t)) return th;
  }
  return nullptr;
}

}  // namespace

bool desired_weights(const PortfolioState& p, const WeightSnapshot& w, bool to_target, std::optional<double> fraction,
                     std::vector<double>& desired) {
  // Band-edge moves each weight the same fraction λ of the way to its target,
  // just far enough that every band holds again (strategies::band_edge_fraction).
  const strategies::ThresholdTrigger* bands = bands_of(p);
  const bool band_edge =
      !to_target && p.spec.rebalance_to == strategies::RebalanceTo::band_edge && (bands || fraction.has_value());
  const double lambda = !band_edge ? 1.0
                        : fraction ? std::clamp(*fraction, 0.0, 1.0)
                                   : strategies::band_edge_fraction(*bands, w.view(p));
  desired.clear();
  for (std::size_t i = 0; i < p.assets.size(); ++i) {
    desired.push_back(w.weights[i] + lambda * (w.targets[i] - w.weights[i]));
  }
  return band_edge;
}

execution::SizingResult TradeSizer::size(std::size_t index, PortfolioState& p, const WeightSnapshot& w,
                                         std::span<const double> desired, bool band_edge,
                                         std::string_view rebalance_id, core::TimeNs now, const PriceTable& prices,
                                         const core::SymbolTable& symbols, Output& out) {
  const std::size_t n = p.assets.size();
  const strategies::ThresholdTrigger* bands = bands_of(p);
  std::vector<char>& frozen = frozen_;
  frozen.assign(n, 0);
  std::vector<Denial> denials;
  std::vector<execution::SizingAsset>& assets = assets_;
  assets.resize(n);
  execution::SizingResult sized;
  // Each pass freezes at least one more asset, so n + 1 passes always end.
  for (std::size_t pass = 0; pass <= n; ++pass) {
    for (std::size_t i = 0; i < n; ++i) {
      const AssetState& a = p.assets[i];
      assets[i] = {a.quantity, prices.price(a.symbol), frozen[i] ? w.weights[i] : desired[i], a.lot_size};
      // Band-edge: an asset outside its band trades at least min_trade_value's worth.
      assets[i].outside_band = band_edge && bands && strategies::outside_band(*bands, w.weights[i], w.targets[i]);
    }
    execution::SizingRequest req;
    req.assets = assets;
    req.cash = p.cash;
    req.min_trade_value = p.spec.min_trade_value;
    if (band_edge) {
      req.rounding = execution::Rounding::outward;
      req.full_weights = w.targets;
    }
    sized = execution::size_trades(req);
    // Costs are paid from cash too: when the buys would leave less than the
    // costs, size them again from the value less the costs (the cash may go
    // below zero in the request: the sells' proceeds then pay for them).
    // Smaller buys cost no more, so the reserve of the last sizing covers the next.
    for (int round = 0; round < 3; ++round) {
      double costs = 0;
      bool buys = false;
      for (const auto& t : sized.trades) {
        costs += estimate_cost(p, t.asset, t.quantity, prices, symbols).total();
        buys = buys || t.side == core::Side::buy;
      }
      if (!buys || sized.cash_after >= costs) break;
      req.cash = p.cash - costs;
      sized = execution::size_trades(req);
      sized.cash_after += costs;  // as the book will see it: the reserve is still there
    }

    bool again = false;
    // A trade that costs more than max_cost_bps of its value is not worth it.
    if (p.spec.max_cost_bps) {
      for (const auto& t : sized.trades) {
        if (frozen[t.asset] || !(t.value > 0)) continue;
        if (estimate_cost(p, t.asset, t.quantity, prices, symbols).total() > t.value * *p.spec.max_cost_bps / 1e4) {
          frozen[t.asset] = 1;
          again = true;
        }
      }
      if (again) continue;
    }

    // The gate, taken back to its savepoint until the set of orders is final:
    // a denied sell is frozen and the buys re-sized without its proceeds; a
    // denied buy is dropped.
    const execution::RiskGate::Savepoint savepoint = gate_.savepoint(p.spec.id, now);
    std::vector<execution::SizedTrade>& allowed = allowed_;
    allowed.clear();
    std::vector<Denial> dropped;
    for (const auto& t : sized.trades) {
      // A sliced trade passes as its first child; the others pass when they are due.
      std::optional<Denial> d =
          pass_gate(index, p, t.asset, t.side, first_child(p, p.assets[t.asset], t.quantity, prices), w.value,
                    rebalance_id, now, prices, symbols);
      if (!d) {
        allowed.push_back(t);
        continue;
      }
      if (t.side == core::Side::sell) {
        frozen[t.asset] = 1;
        denials.push_back(std::move(*d));
        again = true;
        break;
      }
      dropped.push_back(std::move(*d));
    }
    if (again) {
      gate_.rollback(savepoint);
      continue;
    }
    sized.trades.assign(allowed.begin(), allowed.end());
    for (auto& d : dropped) denials.push_back(std::move(d));
    break;
  }
  for (auto& d : denials) deny(p, std::move(d), out);
  return sized;
}

std::optional<Denial> TradeSizer::pass_gate(std::size_t index, const PortfolioState& p, std::size_t asset,
                                            core::Side side, double quantity, double value,
                                            std::string_view rebalance_id, core::TimeNs now,
                                            const PriceTable& prices, const core::SymbolTable& symbols) {
  const AssetState& a = p.assets[asset];
  // One order object reused for every check: assigning keeps the strings' buffers.
  core::Order& o = gate_order_;
  o.portfolio = p.spec.id;
  o.symbol = symbols.name(a.symbol);
  o.side = side;
  o.quantity = quantity;
  o.reference_price = prices.price(a.symbol);
  o.created_at = now;
  // Orders of one rebalance are never duplicates of each other.
  o.rebalance_id.assign(rebalance_id);
  // The last good price: the one before the tick that decided (the first tick has none before it).
  execution::GateDecision decision = gate_.check_and_record(o, {value, prices.last_good(a.symbol), now});
  if (decision.allowed()) return std::nullopt;
  Denial d;
  d.portfolio = index;
  d.order = o;
  d.reason = *decision.denied;
  d.detail = std::move(decision.detail);
  return d;
}

void TradeSizer::deny(PortfolioState& p, Denial denial, Output& out) {
  ++p.denied;
  ++denied_[static_cast<std::size_t>(denial.reason)];
  out.denials.push_back(std::move(denial));
}

}  // namespace ballast::engine
