#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "execution/order_sizing.hpp"

namespace ballast::engine {
namespace {

/// "<portfolio>-<yyyymmdd>-<seq>", seq zero-padded to six digits (more when larger).
std::string make_id(std::string_view portfolio, std::string_view yyyymmdd, std::uint64_t seq) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + seq % 10);
    seq /= 10;
  } while (seq > 0 || n < 6);
  std::string id;
  id.reserve(portfolio.size() + yyyymmdd.size() + 2 + static_cast<std::size_t>(n));
  id.append(portfolio).push_back('-');
  id.append(yyyymmdd).push_back('-');
  while (n > 0) id.push_back(digits[--n]);
  return id;
}

// Quantities equal up to the noise of summed partial fills.
constexpr double kQuantityEpsilon = 1e-9;

}  // namespace

std::string_view to_string(Refusal r) {
  switch (r) {
    case Refusal::none: return "none";
    case Refusal::unknown_portfolio: return "unknown_portfolio";
    case Refusal::not_ready: return "not_ready";
    case Refusal::orders_open: return "orders_open";
    case Refusal::nothing_to_trade: return "nothing_to_trade";
  }
  return "none";
}

Engine::Engine(std::vector<strategies::PortfolioSpec> specs, EngineOptions options, core::TimeNs now)
    : options_(options) {
  portfolios_.resize(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) build_portfolio(portfolios_[i], std::move(specs[i]), now, false);
  rebuild_index();
}

void Engine::build_portfolio(PortfolioState& p, strategies::PortfolioSpec spec, core::TimeNs now, bool keep_positions) {
  std::vector<AssetState> old = std::move(p.assets);
  const bool same_triggers = keep_positions && p.next_due.size() == spec.triggers.size() &&
                             std::equal(spec.triggers.begin(), spec.triggers.end(), p.spec.triggers.begin(),
                                        [](const strategies::Trigger& a, const strategies::Trigger& b) {
                                          if (a.index() != b.index()) return false;
                                          if (const auto* ca = std::get_if<strategies::CalendarTrigger>(&a)) {
                                            const auto& cb = std::get<strategies::CalendarTrigger>(b);
                                            return ca->every == cb.every && ca->anchor == cb.anchor;
                                          }
                                          return true;
                                        });
  p.assets.clear();
  for (const auto& a : spec.assets) {
    AssetState s;
    s.symbol = symbols_.intern(a.symbol);
    s.target = a.target;
    s.lot_size = a.lot_size;
    s.quantity = a.holding;
    if (keep_positions) {
      const auto it = std::find_if(old.begin(), old.end(), [&](const AssetState& o) { return o.symbol == s.symbol; });
      s.quantity = it == old.end() ? 0.0 : it->quantity;
    }
    p.assets.push_back(s);
  }
  if (keep_positions) {
    // A position the new policy no longer names is kept with target 0: the state
    // is never dropped silently, and the next rebalance sells it out.
    for (const auto& o : old) {
      if (o.quantity == 0) continue;
      if (std::none_of(p.assets.begin(), p.assets.end(), [&](const AssetState& a) { return a.symbol == o.symbol; })) {
        p.assets.push_back({o.symbol, o.quantity, 0.0, o.lot_size});
      }
    }
  } else {
    p.cash = spec.cash;
  }
  if (!same_triggers) {
    p.next_due.assign(spec.triggers.size(), 0);
    for (std::size_t t = 0; t < spec.triggers.size(); ++t) {
      if (const auto* cal = std::get_if<strategies::CalendarTrigger>(&spec.triggers[t])) {
        p.next_due[t] = core::next_due(cal->anchor.value_or(0), cal->every, now);
      }
    }
  }
  p.spec = std::move(spec);
  const std::size_t n = symbols_.size();
  prices_.resize(n, 0.0);
  price_ts_.resize(n, 0);
  stale_.resize(n, 0);
}

void Engine::rebuild_index() {
  holders_.assign(symbols_.size(), {});
  for (std::uint32_t i = 0; i < portfolios_.size(); ++i) {
    for (const auto& a : portfolios_[i].assets) holders_[a.symbol].push_back(i);
  }
  std::size_t widest = 0;
  for (const auto& p : portfolios_) widest = std::max(widest, p.assets.size());
  weights_.reserve(widest);
  targets_.reserve(widest);
}

void Engine::reconfigure(std::vector<strategies::PortfolioSpec> specs, core::TimeNs now) {
  std::vector<PortfolioState> next(specs.size());
  std::vector<std::size_t> old_to_new(portfolios_.size(), SIZE_MAX);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto it = std::find_if(portfolios_.begin(), portfolios_.end(),
                                 [&](const PortfolioState& p) { return p.spec.id == specs[i].id; });
    const bool existing = it != portfolios_.end();
    if (existing) {
      old_to_new[static_cast<std::size_t>(it - portfolios_.begin())] = i;
      next[i] = std::move(*it);
    }
    build_portfolio(next[i], std::move(specs[i]), now, existing);
  }
  // Orders of a portfolio that was removed stay open but no longer book anywhere.
  for (auto it = open_.begin(); it != open_.end();) {
    const std::size_t moved = old_to_new[it->second.portfolio];
    if (moved == SIZE_MAX) {
      it = open_.erase(it);
    } else {
      it->second.portfolio = moved;
      ++it;
    }
  }
  portfolios_ = std::move(next);
  rebuild_index();
}

void Engine::set_stale(core::SymbolId symbol, bool stale) {
  if (symbol < stale_.size()) stale_[symbol] = stale ? 1 : 0;
}

bool Engine::ready(const PortfolioState& p) const {
  for (const auto& a : p.assets) {
    if (!(prices_[a.symbol] > 0) || stale_[a.symbol]) return false;
  }
  return true;
}

bool Engine::value_into_scratch(const PortfolioState& p) {
  weights_.clear();
  targets_.clear();
  double value = p.cash;
  for (const auto& a : p.assets) {
    const double px = prices_[a.symbol];
    if (!(px > 0)) return false;
    const double v = a.quantity * px;
    weights_.push_back(v);
    targets_.push_back(a.target);
    value += v;
  }
  value_ = value;
  if (!(value > 0)) return false;
  for (double& w : weights_) w /= value;
  return true;
}

Valuation Engine::valuation(std::size_t index) const {
  const PortfolioState& p = portfolios_[index];
  Valuation v;
  v.value = p.cash;
  v.priced = true;
  for (const auto& a : p.assets) {
    const double px = prices_[a.symbol];
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

void Engine::on_tick(const core::Tick& tick, core::TimeNs now, Output& out) {
  if (tick.symbol >= prices_.size()) return;
  prices_[tick.symbol] = tick.price;
  price_ts_[tick.symbol] = tick.ts;
  for (const std::uint32_t index : holders_[tick.symbol]) evaluate(index, now, out);
}

void Engine::evaluate(std::size_t index, core::TimeNs now, Output& out) {
  PortfolioState& p = portfolios_[index];
  if (paused_ || p.open_orders > 0 || !ready(p)) return;
  if (p.pending) {
    std::string detail = std::move(*p.pending);
    p.pending.reset();
    rebalance(index, "calendar", std::move(detail), false, now, out);
    return;
  }
  bool valued = false;
  for (const auto& trigger : p.spec.triggers) {
    const auto* threshold = std::get_if<strategies::ThresholdTrigger>(&trigger);
    if (!threshold) continue;
    if (!valued) {
      if (!value_into_scratch(p)) return;
      valued = true;
    }
    const strategies::WeightView view{weights_, targets_, p.cash / value_, p.spec.cash_target};
    if (const auto breach = strategies::check_threshold(*threshold, view)) {
      const std::string_view symbol =
          breach.kind == strategies::Breach::Kind::total ? "" : symbols_.name(p.assets[breach.asset].symbol);
      rebalance(index, "threshold", strategies::describe(breach, symbol), false, now, out);
      return;
    }
  }
}

void Engine::on_timer(core::TimeNs now, Output& out) {
  for (std::size_t i = 0; i < portfolios_.size(); ++i) {
    PortfolioState& p = portfolios_[i];
    for (std::size_t t = 0; t < p.spec.triggers.size(); ++t) {
      const auto* cal = std::get_if<strategies::CalendarTrigger>(&p.spec.triggers[t]);
      if (!cal || now < p.next_due[t]) continue;
      p.pending = "every " + core::format_period(cal->every) + ", due " + core::format_iso8601(p.next_due[t]);
      p.next_due[t] = core::next_due(cal->anchor.value_or(0), cal->every, now);
    }
    if (p.pending) evaluate(i, now, out);
  }
}

Refusal Engine::rebalance_now(std::string_view portfolio, core::TimeNs now, Output& out) {
  Refusal result = portfolio.empty() ? Refusal::none : Refusal::unknown_portfolio;
  for (std::size_t i = 0; i < portfolios_.size(); ++i) {
    PortfolioState& p = portfolios_[i];
    if (!portfolio.empty() && p.spec.id != portfolio) continue;
    Refusal r = Refusal::none;
    if (p.open_orders > 0) r = Refusal::orders_open;
    else if (!ready(p)) r = Refusal::not_ready;
    else if (!rebalance(i, "manual", "operator request", true, now, out)) r = Refusal::nothing_to_trade;
    if (!portfolio.empty() || result == Refusal::none) result = r;
  }
  return result;
}

bool Engine::rebalance(std::size_t index, std::string_view reason, std::string detail, bool to_target,
                       core::TimeNs now, Output& out) {
  PortfolioState& p = portfolios_[index];
  if (!value_into_scratch(p)) return false;
  const strategies::WeightView view{weights_, targets_, p.cash / value_, p.spec.cash_target};
  const strategies::DriftSummary drift = strategies::summarize_drift(view);

  // Band-edge moves each weight the same fraction λ of the way to its target,
  // just far enough that every band holds again (strategies::band_edge_fraction).
  const strategies::ThresholdTrigger* bands = nullptr;
  for (const auto& t : p.spec.triggers) {
    if (const auto* th = std::get_if<strategies::ThresholdTrigger>(&t)) {
      bands = th;
      break;
    }
  }
  const bool band_edge = !to_target && p.spec.rebalance_to == strategies::RebalanceTo::band_edge && bands;
  const double lambda = band_edge ? strategies::band_edge_fraction(*bands, view) : 1.0;

  std::vector<execution::SizingAsset> assets;
  assets.reserve(p.assets.size());
  for (std::size_t i = 0; i < p.assets.size(); ++i) {
    const AssetState& a = p.assets[i];
    const double desired = weights_[i] + lambda * (targets_[i] - weights_[i]);
    assets.push_back({a.quantity, prices_[a.symbol], desired, a.lot_size});
  }
  execution::SizingRequest req;
  req.assets = assets;
  req.cash = p.cash;
  req.min_trade_value = p.spec.min_trade_value;
  if (band_edge) {
    req.rounding = execution::Rounding::outward;
    req.full_weights = targets_;
  }
  const execution::SizingResult sized = execution::size_trades(req);
  if (sized.trades.empty()) return false;

  RebalanceEvent event;
  event.portfolio = index;
  event.first_order = out.orders.size();
  RebalanceRecord& rec = event.record;
  const std::string day = core::format_yyyymmdd(now);
  rec.rebalance_id = make_id(p.spec.id, day, seq_.next_rebalance++);
  rec.reason = reason;
  rec.detail = std::move(detail);
  rec.at = now;
  rec.value = value_;
  rec.max_abs_drift = drift.max_abs;
  rec.total_drift = drift.total;
  rec.orders = sized.trades.size();

  for (const auto& t : sized.trades) {
    const AssetState& a = p.assets[t.asset];
    core::Order o;
    o.order_id = make_id(p.spec.id, day, seq_.next_order++);
    o.portfolio = p.spec.id;
    o.symbol = symbols_.name(a.symbol);
    o.side = t.side;
    o.quantity = t.quantity;
    o.reference_price = prices_[a.symbol];
    o.reason = rec.reason;
    o.rebalance_id = rec.rebalance_id;
    o.created_at = now;
    if (!options_.book_on_send) {
      open_.emplace(o.order_id, OpenOrder{index, a.symbol, t.side, t.quantity});
      ++p.open_orders;
    }
    out.orders.push_back(std::move(o));
  }
  if (options_.book_on_send) {
    for (const auto& t : sized.trades) {
      const core::SymbolId sym = p.assets[t.asset].symbol;
      book(p, sym, t.side, t.quantity, t.value);
    }
  }
  ++p.rebalances;
  p.orders += sized.trades.size();
  p.last_rebalance = rec;
  out.rebalances.push_back(std::move(event));
  return true;
}

AssetState* Engine::find_asset(PortfolioState& p, core::SymbolId symbol) {
  for (auto& a : p.assets) {
    if (a.symbol == symbol) return &a;
  }
  return nullptr;
}

void Engine::book(PortfolioState& p, core::SymbolId symbol, core::Side side, double quantity, double value) {
  AssetState* a = find_asset(p, symbol);
  if (!a) return;
  if (side == core::Side::buy) {
    a->quantity += quantity;
    p.cash -= value;
  } else {
    a->quantity -= quantity;
    p.cash += value;
  }
  // Whole lots stay whole: strip the noise that repeated partial fills add.
  a->quantity = std::round(a->quantity * 1e9) / 1e9;
}

void Engine::on_fill(const core::FillReport& fill, Output& out) {
  FillOutcome outcome;
  outcome.order_id = fill.order_id;
  outcome.status = fill.status;
  const auto it = open_.find(fill.order_id);
  if (it == open_.end()) {
    outcome.kind = FillOutcome::Kind::unknown_order;
    out.fills.push_back(std::move(outcome));
    return;
  }
  OpenOrder& o = it->second;
  outcome.portfolio = o.portfolio;
  const double cum_qty = fill.filled_quantity;
  const double cum_value = fill.filled_quantity * fill.avg_price;
  // Reports are cumulative: a report that goes backwards or past the order is
  // not trusted and changes nothing.
  if (cum_qty + kQuantityEpsilon < o.booked_quantity || cum_qty > o.quantity * (1 + 1e-9) + kQuantityEpsilon ||
      (cum_qty > 0 && !(fill.avg_price > 0))) {
    outcome.kind = FillOutcome::Kind::inconsistent;
    out.fills.push_back(std::move(outcome));
    return;
  }
  const double dq = cum_qty - o.booked_quantity;
  const double dv = cum_value - o.booked_value;
  PortfolioState& p = portfolios_[o.portfolio];
  if (dq > kQuantityEpsilon) {
    book(p, o.symbol, o.side, dq, dv);
    outcome.quantity_delta = dq;
    outcome.price = dv / dq;
    o.booked_quantity = cum_qty;
    o.booked_value = cum_value;
  }
  outcome.finished = fill.status != core::FillStatus::partially_filled;
  if (outcome.finished) {
    if (p.open_orders > 0) --p.open_orders;
    open_.erase(it);
  }
  out.fills.push_back(std::move(outcome));
}

}  // namespace ballast::engine
