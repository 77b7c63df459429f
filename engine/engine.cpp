#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "engine/ids.hpp"
#include "execution/cash_flow.hpp"
#include "execution/order_sizing.hpp"
#include "strategies/target_models.hpp"

namespace ballast::engine {
namespace {


/// Adds one order's (or one sliced trade's) estimated cost to its rebalance's record.
void add_cost(RebalanceRecord& rec, const execution::CostBreakdown& c) {
  rec.cost += c.total();
  rec.commission += c.commission;
  rec.spread += c.spread;
  rec.slippage += c.slippage;
  rec.impact += c.impact;
}

/// CPPI's model_state while ready; model_state_text() fills in the figures.
const std::string kCppiState = "cppi";

// Quantities equal up to the noise of summed partial fills.
constexpr double kQuantityEpsilon = 1e-9;

constexpr double kNanosPerYear = 365.25 * static_cast<double>(core::kNanosPerDay);

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

bool same_symbols(const std::vector<strategies::AssetSpec>& a, const std::vector<strategies::AssetSpec>& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) { return x.symbol == y.symbol; });
}

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

double lookup(const std::vector<std::pair<std::string, double>>& table, const std::string& key, double fallback) {
  for (const auto& [k, v] : table) {
    if (k == key) return v;
  }
  return fallback;
}

}  // namespace

std::string_view to_string(Refusal r) {
  switch (r) {
    case Refusal::none: return "none";
    case Refusal::unknown_portfolio: return "unknown_portfolio";
    case Refusal::not_ready: return "not_ready";
    case Refusal::orders_open: return "orders_open";
    case Refusal::orders_unknown: return "orders_unknown";
    case Refusal::nothing_to_trade: return "nothing_to_trade";
    case Refusal::killed: return "killed";
    case Refusal::invalid_amount: return "invalid_amount";
  }
  return "none";
}

Engine::Engine(std::vector<strategies::PortfolioSpec> specs, EngineOptions options, core::TimeNs now)
    : options_(options), gate_(options_.limits) {
  portfolios_.resize(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) build_portfolio(portfolios_[i], std::move(specs[i]), now, false);
  rebuild_index();
  for (std::size_t i = 0; i < portfolios_.size(); ++i) refresh_model(i);
}

void Engine::build_portfolio(PortfolioState& p, strategies::PortfolioSpec spec, core::TimeNs now, bool keep_positions) {
  std::vector<AssetState> old = std::move(p.assets);
  // The estimate survives a reload that keeps the universe and the risk settings.
  const bool keep_risk = keep_positions && p.risk && same_risk(p.spec.risk, spec.risk) &&
                         same_symbols(p.spec.assets, spec.assets);
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
  p.cash_target = p.spec.cash_target;
  p.model_kind = p.spec.model.kind;
  if (!keep_risk) build_risk(p);
  size_symbol_tables();
}

void Engine::watch_symbols(const std::vector<std::string>& names) {
  for (const std::string& name : names) symbols_.intern(name);
  size_symbol_tables();
  rebuild_index();
}

void Engine::size_symbol_tables() {
  const std::size_t n = symbols_.size();
  prices_.resize(n, 0.0);
  prev_prices_.resize(n, 0.0);
  bids_.resize(n, std::numeric_limits<double>::quiet_NaN());
  asks_.resize(n, std::numeric_limits<double>::quiet_NaN());
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
  // Orders and slices of a portfolio that was removed are forgotten: they book nowhere.
  std::erase_if(plans_, [&](SlicePlan& plan) {
    plan.portfolio = old_to_new[plan.portfolio];
    return plan.portfolio == SIZE_MAX;
  });
  for (auto it = open_.begin(); it != open_.end();) {
    const std::size_t moved = old_to_new[it->second.portfolio];
    if (moved == SIZE_MAX) {
      if (it->second.state == core::OrderState::unknown) --unknown_;
      it = open_.erase(it);
    } else {
      it->second.portfolio = moved;
      ++it;
    }
  }
  portfolios_ = std::move(next);
  // A plan's asset index follows its symbol into the new asset order.
  std::erase_if(plans_, [&](SlicePlan& plan) {
    PortfolioState& p = portfolios_[plan.portfolio];
    const auto it =
        std::find_if(p.assets.begin(), p.assets.end(), [&](const AssetState& a) { return a.symbol == plan.symbol; });
    if (it == p.assets.end()) {
      if (p.open_orders > 0) --p.open_orders;
      return true;
    }
    plan.asset = static_cast<std::size_t>(it - p.assets.begin());
    return false;
  });
  // Indexes moved: every portfolio counts as changed.
  changed_flag_.assign(portfolios_.size(), 1);
  changed_.clear();
  for (std::size_t i = 0; i < portfolios_.size(); ++i) changed_.push_back(i);
  rebuild_index();
  for (std::size_t i = 0; i < portfolios_.size(); ++i) refresh_model(i);
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
  prev_prices_[tick.symbol] = prices_[tick.symbol];
  prices_[tick.symbol] = tick.price;
  bids_[tick.symbol] = tick.bid;
  asks_[tick.symbol] = tick.ask;
  price_ts_[tick.symbol] = tick.ts;
  for (const std::uint32_t index : holders_[tick.symbol]) {
    sample_risk(index, tick.ts);
    evaluate(index, now, out);
  }
}

void Engine::on_ticks(std::span<const core::Tick> ticks, core::TimeNs now, Output& out) {
  touched_.assign(portfolios_.size(), 0);
  core::TimeNs ts = std::numeric_limits<core::TimeNs>::min();
  for (const core::Tick& tick : ticks) {
    if (tick.symbol >= prices_.size()) continue;
    prev_prices_[tick.symbol] = prices_[tick.symbol];
    prices_[tick.symbol] = tick.price;
    bids_[tick.symbol] = tick.bid;
    asks_[tick.symbol] = tick.ask;
    price_ts_[tick.symbol] = tick.ts;
    ts = std::max(ts, tick.ts);
    for (const std::uint32_t index : holders_[tick.symbol]) touched_[index] = 1;
  }
  for (std::size_t index = 0; index < portfolios_.size(); ++index) {
    if (!touched_[index]) continue;
    sample_risk(index, ts);
    evaluate(index, now, out);
  }
}

void Engine::evaluate(std::size_t index, core::TimeNs now, Output& out) {
  PortfolioState& p = portfolios_[index];
  if (paused_ || killed_ || p.open_orders > 0 || !ready(p)) return;
  if (p.model_kind == strategies::ModelKind::buy_and_hold) {
    p.pending.reset();
    return;
  }
  if (p.model_kind == strategies::ModelKind::cppi) refresh_value_model(p);
  if (!p.model_ready) return;
  if (p.pending) {
    std::string detail = std::move(*p.pending);
    p.pending.reset();
    rebalance(index, "calendar", std::move(detail), false, now, out);
    return;
  }
  bool valued = false;
  for (const auto& trigger : p.spec.triggers) {
    if (std::holds_alternative<strategies::CalendarTrigger>(trigger)) continue;
    if (!valued) {
      if (!value_into_scratch(p)) return;
      valued = true;
    }
    if (const auto* vol = std::get_if<strategies::VolatilityTrigger>(&trigger)) {
      if (!p.risk_warm) continue;
      const double sigma = std::sqrt(quadratic(p, weights_));
      if (p.vol_reference <= 0) {
        p.vol_reference = sigma;
        continue;
      }
      char why[160] = "";
      const double moved = sigma / p.vol_reference - 1;
      if (vol->change && std::abs(moved) > *vol->change) {
        std::snprintf(why, sizeof why, "volatility %.4f moved %+.1f%% from %.4f, beyond %.1f%%", sigma, 100 * moved,
                      p.vol_reference, 100 * *vol->change);
      } else if (vol->min && sigma < *vol->min) {
        std::snprintf(why, sizeof why, "volatility %.4f below min %.4f", sigma, *vol->min);
      } else if (vol->max && sigma > *vol->max) {
        std::snprintf(why, sizeof why, "volatility %.4f above max %.4f", sigma, *vol->max);
      }
      if (why[0]) {
        rebalance(index, "volatility", why, false, now, out);
        return;
      }
      continue;
    }
    if (const auto* dyn = std::get_if<strategies::DynamicTrigger>(&trigger)) {
      if (!p.risk_warm) continue;
      // Benefit: the tracking-error variance removed, valued at λ/2 over the
      // horizon; cost: what the trades back to target would pay.
      deviation_.assign(weights_.size(), 0.0);
      double cost = 0;
      for (std::size_t i = 0; i < weights_.size(); ++i) {
        deviation_[i] = weights_[i] - targets_[i];
        if (p.spec.costs) {
          const double quantity = std::abs(deviation_[i]) * value_ / prices_[p.assets[i].symbol];
          cost += estimate_cost(index, i, quantity).total();
        } else {
          const double bps = lookup(dyn->cost_bps_by_symbol, symbols_.name(p.assets[i].symbol), dyn->cost_bps);
          cost += std::abs(deviation_[i]) * value_ * bps / 1e4;
        }
      }
      const double te_var = quadratic(p, deviation_);
      const double benefit = dyn->risk_aversion / 2 * te_var * (static_cast<double>(dyn->horizon) / kNanosPerYear) * value_;
      if (benefit > cost) {
        char why[160];
        std::snprintf(why, sizeof why, "benefit %.2f beyond cost %.2f (tracking error %.4f)", benefit, cost,
                      std::sqrt(te_var));
        std::optional<double> fraction;
        // Band edge: trade until what is left sits on the no-trade boundary,
        // where the benefit of the rest equals its cost: (1 − x)·B = C.
        if (p.spec.rebalance_to == strategies::RebalanceTo::band_edge) fraction = 1 - cost / benefit;
        rebalance(index, "dynamic", why, false, now, out, fraction);
        return;
      }
      continue;
    }
    const auto* threshold = std::get_if<strategies::ThresholdTrigger>(&trigger);
    const strategies::WeightView view{weights_, targets_, p.cash / value_, p.cash_target};
    if (const auto breach = strategies::check_threshold(*threshold, view)) {
      const std::string_view symbol =
          breach.kind == strategies::Breach::Kind::total ? std::string_view{}
                                                         : std::string_view{symbols_.name(p.assets[breach.asset].symbol)};
      rebalance(index, "threshold", strategies::describe(breach, symbol), false, now, out);
      return;
    }
  }
}

void Engine::on_timer(core::TimeNs now, Output& out) {
  if (options_.order_timeout > 0) {
    // No final report in time: the order may have filled, in part or whole,
    // or never reached the market. It stays open and holds its portfolio;
    // nothing is decided on positions that may have moved.
    for (auto& [id, o] : open_) {
      if (o.state == core::OrderState::unknown || now - o.sent_at < options_.order_timeout) continue;
      o.state = core::OrderState::unknown;
      ++unknown_;
      ++portfolios_[o.portfolio].unknown_orders;
      FillOutcome timed_out;
      timed_out.kind = FillOutcome::Kind::timed_out;
      timed_out.order_id = id;
      timed_out.portfolio = o.portfolio;
      timed_out.state = o.state;
      timed_out.filled_quantity = o.booked_quantity;
      timed_out.filled_value = o.booked_value;
      out.fills.push_back(std::move(timed_out));
    }
  }
  expire_limit_orders(now, out);
  emit_children(now, out);
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

void Engine::restart_calendars(core::TimeNs now) {
  for (PortfolioState& p : portfolios_) {
    for (std::size_t t = 0; t < p.spec.triggers.size(); ++t) {
      if (const auto* cal = std::get_if<strategies::CalendarTrigger>(&p.spec.triggers[t])) {
        p.next_due[t] = core::next_due(cal->anchor.value_or(0), cal->every, now);
      }
    }
  }
}

Refusal Engine::rebalance_now(std::string_view portfolio, core::TimeNs now, Output& out) {
  Refusal result = portfolio.empty() ? Refusal::none : Refusal::unknown_portfolio;
  for (std::size_t i = 0; i < portfolios_.size(); ++i) {
    PortfolioState& p = portfolios_[i];
    if (!portfolio.empty() && p.spec.id != portfolio) continue;
    Refusal r = Refusal::none;
    if (p.spec.model.kind == strategies::ModelKind::cppi && ready(p)) refresh_value_model(p);
    if (killed_) r = Refusal::killed;
    else if (p.unknown_orders > 0) r = Refusal::orders_unknown;
    else if (p.open_orders > 0) r = Refusal::orders_open;
    else if (!ready(p) || !p.model_ready) r = Refusal::not_ready;
    else if (p.spec.model.kind == strategies::ModelKind::buy_and_hold) r = Refusal::nothing_to_trade;
    else if (!rebalance(i, "manual", "operator request", true, now, out)) r = Refusal::nothing_to_trade;
    if (!portfolio.empty() || result == Refusal::none) result = r;
  }
  return result;
}

bool Engine::rebalance(std::size_t index, std::string_view reason, std::string detail, bool to_target,
                       core::TimeNs now, Output& out, std::optional<double> fraction) {
  PortfolioState& p = portfolios_[index];
  if (!value_into_scratch(p)) return false;
  const strategies::WeightView view{weights_, targets_, p.cash / value_, p.cash_target};
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
  const bool band_edge =
      !to_target && p.spec.rebalance_to == strategies::RebalanceTo::band_edge && (bands || fraction.has_value());
  const double lambda = !band_edge ? 1.0
                        : fraction ? std::clamp(*fraction, 0.0, 1.0)
                                   : strategies::band_edge_fraction(*bands, view);
  desired_.clear();
  for (std::size_t i = 0; i < p.assets.size(); ++i) desired_.push_back(weights_[i] + lambda * (targets_[i] - weights_[i]));

  const execution::SizingResult sized = size_checked(index, band_edge, now, out);
  if (sized.trades.empty()) return false;

  execute(index, reason, std::move(detail), drift, sized, now, out);
  if (p.risk_warm) p.vol_reference = std::sqrt(quadratic(p, targets_));
  return true;
}

void Engine::execute(std::size_t index, std::string_view reason, std::string detail,
                     const strategies::DriftSummary& drift, const execution::SizingResult& sized, core::TimeNs now,
                     Output& out) {
  PortfolioState& p = portfolios_[index];
  RebalanceEvent event;
  event.portfolio = index;
  event.first_order = out.orders.size();
  RebalanceRecord& rec = event.record;
  rec.rebalance_id = make_id(p.spec.id, core::format_yyyymmdd(now), seq_.next_rebalance++);
  rec.reason = reason;
  rec.detail = std::move(detail);
  rec.at = now;
  rec.value = value_;
  rec.max_abs_drift = drift.max_abs;
  rec.total_drift = drift.total;
  for (const auto& t : sized.trades) rec.traded_value += t.value;
  emit_trades(index, rec, sized, now, out);
  p.last_rebalance = rec;
  out.rebalances.push_back(std::move(event));
}

void Engine::emit_trades(std::size_t index, RebalanceRecord& rec, const execution::SizingResult& sized,
                         core::TimeNs now, Output& out) {
  PortfolioState& p = portfolios_[index];
  const std::size_t before = out.orders.size();
  for (const auto& t : sized.trades) {
    const AssetState& a = p.assets[t.asset];
    // Slicing: the first child now, the rest one per interval (a TWAP).
    if (const double child = first_child(p, a, t.quantity); child < t.quantity) {
      // The estimate covers the whole trade, decided now.
      add_cost(rec, estimate_cost(index, t.asset, t.quantity));
      SlicePlan plan;
      plan.portfolio = index;
      plan.symbol = a.symbol;
      plan.asset = t.asset;
      plan.side = t.side;
      plan.remaining = execution::lots_to_quantity(std::round((t.quantity - child) / a.lot_size), a.lot_size);
      plan.child = child;
      plan.lot_size = a.lot_size;
      plan.interval = p.spec.slicing->interval;
      plan.next_at = now + plan.interval;
      plan.reason = rec.reason;
      plan.rebalance_id = rec.rebalance_id;
      plans_.push_back(std::move(plan));
      ++p.open_orders;  // the plan holds the portfolio until its last child is out
      mark_changed(p);
      emit(index, t.asset, t.side, child, rec.reason, rec.rebalance_id, now, out);
      continue;
    }
    add_cost(rec, emit(index, t.asset, t.side, t.quantity, rec.reason, rec.rebalance_id, now, out));
  }
  rec.orders = out.orders.size() - before;
  ++p.rebalances;
  p.costs_estimated += rec.cost;
  mark_changed(p);
}

execution::CostBreakdown Engine::emit(std::size_t index, std::size_t asset, core::Side side, double quantity,
                                      std::string_view reason, const std::string& rebalance_id, core::TimeNs now,
                                      Output& out) {
  PortfolioState& p = portfolios_[index];
  const AssetState& a = p.assets[asset];
  const double px = prices_[a.symbol];
  core::Order o;
  o.order_id = make_id(p.spec.id, core::format_yyyymmdd(now), seq_.next_order++);
  o.portfolio = p.spec.id;
  o.symbol = symbols_.name(a.symbol);
  o.side = side;
  o.quantity = quantity;
  o.reference_price = px;
  o.reason = reason;
  o.rebalance_id = rebalance_id;
  o.created_at = now;
  if (p.spec.limit) price_limit(p, a.symbol, o, now);
  const execution::CostBreakdown cost = estimate_cost(index, asset, quantity);
  ++p.orders;
  if (options_.book_on_send) {
    // Filled at the expected price with its costs: the price moved by spread,
    // slippage and impact, and the commission beside it.
    const double traded = quantity * cost.fill_price(side);
    book(p, a.symbol, side, quantity, side == core::Side::buy ? traded + cost.commission : traded - cost.commission);
    p.costs_realized += cost.total();
    ++p.orders_filled;
  } else {
    OpenOrder open;
    open.portfolio = index;
    open.symbol = a.symbol;
    open.side = side;
    open.quantity = quantity;
    open.reference_price = px;
    open.sent_at = now;
    open.order_type = o.order_type;
    open.limit_price = o.limit_price;
    open.expire_at = o.expire_at;
    open_.emplace(o.order_id, open);
    ++p.open_orders;
  }
  out.orders.push_back(std::move(o));
  return cost;
}

execution::CostBreakdown Engine::estimate_cost(std::size_t index, std::size_t asset, double quantity) const {
  const PortfolioState& p = portfolios_[index];
  const core::SymbolId sym = p.assets[asset].symbol;
  if (!p.spec.costs) {
    execution::CostBreakdown none;
    none.price = prices_[sym];
    none.quantity = std::abs(quantity);
    return none;
  }
  execution::CostInputs in;
  in.symbol = symbols_.name(sym);
  in.quantity = quantity;
  in.price = prices_[sym];
  in.bid = bids_[sym];
  in.ask = asks_[sym];
  // Impact needs σ of daily returns: the risk estimate's, over 252 trading days.
  const auto i = static_cast<Eigen::Index>(asset);
  if (i < p.cov.rows()) in.daily_volatility = std::sqrt(std::max(p.cov(i, i), 0.0) / 252.0);
  return execution::estimate_cost(*p.spec.costs, in);
}

execution::SizingResult Engine::size_checked(std::size_t index, bool band_edge, core::TimeNs now, Output& out) {
  PortfolioState& p = portfolios_[index];
  const std::size_t n = p.assets.size();
  std::vector<char>& frozen = frozen_;
  frozen.assign(n, 0);
  std::vector<Denial> denials;
  std::vector<execution::SizingAsset>& assets = sizing_assets_;
  assets.resize(n);
  execution::SizingResult sized;
  // Each pass freezes at least one more asset, so n + 1 passes always end.
  for (std::size_t pass = 0; pass <= n; ++pass) {
    for (std::size_t i = 0; i < n; ++i) {
      const AssetState& a = p.assets[i];
      assets[i] = {a.quantity, prices_[a.symbol], frozen[i] ? weights_[i] : desired_[i], a.lot_size};
    }
    execution::SizingRequest req;
    req.assets = assets;
    req.cash = p.cash;
    req.min_trade_value = p.spec.min_trade_value;
    if (band_edge) {
      req.rounding = execution::Rounding::outward;
      req.full_weights = targets_;
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
        costs += estimate_cost(index, t.asset, t.quantity).total();
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
        if (estimate_cost(index, t.asset, t.quantity).total() > t.value * *p.spec.max_cost_bps / 1e4) {
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
          pass_gate(index, t.asset, t.side, first_child(p, p.assets[t.asset], t.quantity), value_, now);
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
  for (auto& d : denials) {
    ++p.denied;
    ++denied_[static_cast<std::size_t>(d.reason)];
    out.denials.push_back(std::move(d));
  }
  return sized;
}

std::optional<Denial> Engine::pass_gate(std::size_t index, std::size_t asset, core::Side side, double quantity,
                                       double value, core::TimeNs now, std::string_view rebalance_id) {
  const PortfolioState& p = portfolios_[index];
  const AssetState& a = p.assets[asset];
  // One order object reused for every check: assigning keeps the strings' buffers.
  core::Order& o = gate_order_;
  o.portfolio = p.spec.id;
  o.symbol = symbols_.name(a.symbol);
  o.side = side;
  o.quantity = quantity;
  o.reference_price = prices_[a.symbol];
  o.created_at = now;
  // The rebalance this order belongs to: the one being decided (its id is the
  // next), or, for a child of a sliced order, the plan's. Orders of one
  // rebalance are never duplicates of each other.
  if (rebalance_id.empty()) o.rebalance_id = make_id(p.spec.id, core::format_yyyymmdd(now), seq_.next_rebalance);
  else o.rebalance_id.assign(rebalance_id);
  // The last good price: the one before the tick that decided (the first tick has none before it).
  const double last_good = prev_prices_[a.symbol] > 0 ? prev_prices_[a.symbol] : prices_[a.symbol];
  execution::GateDecision decision = gate_.check_and_record(o, {value, last_good, now});
  if (decision.allowed()) return std::nullopt;
  Denial d;
  d.portfolio = index;
  d.order = o;
  d.reason = *decision.denied;
  d.detail = std::move(decision.detail);
  return d;
}

double Engine::first_child(const PortfolioState& p, const AssetState& a, double quantity) const {
  const double px = prices_[a.symbol];
  if (!p.spec.slicing || !(quantity * px > p.spec.slicing->max_child_value)) return quantity;
  const double lots = std::max(1.0, std::floor(p.spec.slicing->max_child_value / px / a.lot_size + 1e-9));
  return std::min(quantity, execution::lots_to_quantity(lots, a.lot_size));
}

void Engine::emit_children(core::TimeNs now, Output& out) {
  if (plans_.empty() || killed_) return;
  for (std::size_t k = 0; k < plans_.size();) {
    SlicePlan& plan = plans_[k];
    if (now < plan.next_at) {
      ++k;
      continue;
    }
    PortfolioState& p = portfolios_[plan.portfolio];
    double quantity = std::min(plan.child, plan.remaining);
    const double px = prices_[plan.symbol];
    if (plan.side == core::Side::buy && px > 0) {
      // A buy child spends only the cash there is; sells of the same
      // rebalance may still be on their way.
      const double affordable = std::floor(std::max(p.cash, 0.0) / px / plan.lot_size + 1e-9);
      quantity = std::min(quantity, execution::lots_to_quantity(affordable, plan.lot_size));
    }
    bool done = false;
    if (quantity > 0 && px > 0) {
      // Each child passes the gate when it leaves, at the prices of then; a
      // denied child ends the plan (the rest is not sent).
      std::optional<Denial> denied;
      if (value_into_scratch(p)) denied = pass_gate(plan.portfolio, plan.asset, plan.side, quantity, value_, now, plan.rebalance_id);
      if (denied) {
        char rest[96];
        std::snprintf(rest, sizeof rest, "; the rest of the sliced order, %g, is not sent", plan.remaining);
        denied->detail += rest;
        ++p.denied;
        ++denied_[static_cast<std::size_t>(denied->reason)];
        out.denials.push_back(std::move(*denied));
        done = true;
      } else {
        // Its cost was estimated with the whole trade, when it was decided.
        emit(plan.portfolio, plan.asset, plan.side, quantity, plan.reason, plan.rebalance_id, now, out);
        plan.remaining =
            execution::lots_to_quantity(std::round((plan.remaining - quantity) / plan.lot_size), plan.lot_size);
        done = plan.remaining <= 0;
      }
    } else {
      // Nothing affordable: wait for the sells, unless none is left to wait for.
      const bool sells_pending =
          std::any_of(plans_.begin(), plans_.end(),
                      [&](const SlicePlan& o) { return o.portfolio == plan.portfolio && o.side == core::Side::sell; }) ||
          std::any_of(open_.begin(), open_.end(), [&](const auto& o) {
            return o.second.portfolio == plan.portfolio && o.second.side == core::Side::sell;
          });
      done = !sells_pending;
    }
    plan.next_at = now + plan.interval;
    mark_changed(p);
    if (done) {
      if (p.open_orders > 0) --p.open_orders;
      plans_.erase(plans_.begin() + static_cast<std::ptrdiff_t>(k));
      // The last child may have been the last open order.
      continue;
    }
    ++k;
  }
}

std::size_t Engine::pending_children(std::size_t portfolio) const {
  std::size_t n = 0;
  for (const auto& plan : plans_) {
    if (plan.portfolio == portfolio && plan.child > 0) n += static_cast<std::size_t>(std::ceil(plan.remaining / plan.child));
  }
  return n;
}

std::optional<std::size_t> Engine::find_portfolio(std::string_view id) const {
  for (std::size_t i = 0; i < portfolios_.size(); ++i) {
    if (portfolios_[i].spec.id == id) return i;
  }
  return std::nullopt;
}

void Engine::build_risk(PortfolioState& p) {
  p.risk.reset();
  p.cov.resize(0, 0);
  p.risk_warm = false;
  p.vol_reference = 0;
  if (!p.spec.risk) return;
  const strategies::RiskSpec& rs = *p.spec.risk;
  const std::size_t n = p.spec.assets.size();
  auto index_of = [&](const std::string& sym) {
    for (std::size_t i = 0; i < n; ++i) {
      if (p.spec.assets[i].symbol == sym) return i;
    }
    return n;
  };
  if (!rs.volatilities.empty()) {
    std::vector<double> vols(n, 0.0);
    std::vector<std::string> names;
    for (std::size_t i = 0; i < n; ++i) {
      vols[i] = lookup(rs.volatilities, p.spec.assets[i].symbol, 0.0);
      names.push_back(p.spec.assets[i].symbol);
    }
    std::vector<strategies::CorrelationPair> pairs;
    for (const auto& c : rs.correlations) {
      const std::size_t a = index_of(c.a), b = index_of(c.b);
      if (a < n && b < n) pairs.push_back({a, b, c.rho});
    }
    auto made = strategies::FixedRiskModel::make(std::move(vols), pairs, names);
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

void Engine::warm_risk(std::size_t portfolio, std::span<const core::TimeNs> times, std::span<const double> prices,
                       std::size_t columns, std::span<const std::size_t> column_of_asset) {
  PortfolioState& p = portfolios_[portfolio];
  if (!p.risk) return;
  if (auto* ewma = std::get_if<strategies::EwmaRiskModel>(&*p.risk)) {
    ewma->replay(times, prices, columns, column_of_asset);
    refresh_model(portfolio);
  }
}

void Engine::sample_risk(std::size_t index, core::TimeNs ts) {
  PortfolioState& p = portfolios_[index];
  if (!p.risk) return;
  auto* ewma = std::get_if<strategies::EwmaRiskModel>(&*p.risk);
  if (!ewma || !ewma->sample_due(ts)) return;
  risk_prices_.resize(ewma->assets());
  for (std::size_t i = 0; i < risk_prices_.size(); ++i) risk_prices_[i] = prices_[p.assets[i].symbol];
  ewma->observe(ts, risk_prices_);
  refresh_model(index);
}

double Engine::quadratic(const PortfolioState& p, std::span<const double> w) const {
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(p.cov.rows()), w.size());
  double q = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double row = 0;
    for (std::size_t j = 0; j < n; ++j) row += p.cov(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * w[j];
    q += w[i] * row;
  }
  return std::max(q, 0.0);
}

std::optional<double> Engine::portfolio_volatility(std::size_t index) const {
  const PortfolioState& p = portfolios_[index];
  if (p.cov.rows() == 0) return std::nullopt;
  const Valuation v = valuation(index);
  if (!v.priced) return std::nullopt;
  return std::sqrt(quadratic(p, v.weights));
}

void Engine::refresh_model(std::size_t index) {
  PortfolioState& p = portfolios_[index];
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
  auto set_targets = [&](const strategies::TargetModelResult& r) { apply_targets(p, r, "ready"); };
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
      refresh_value_model(p);
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
  auto index_of = [&](const std::string& sym) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < n; ++i) {
      if (p.spec.assets[i].symbol == sym) return i;
    }
    return std::nullopt;
  };
  if (m.kind == strategies::ModelKind::target_vol) {
    const auto safe = m.safe == "cash" ? std::nullopt : index_of(m.safe);
    std::vector<double> mix(n, 0.0);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (safe && *safe == i) continue;
      mix[i] = p.spec.assets[i].target;
      total += mix[i];
    }
    for (double& x : mix) x = total > 0 ? x / total : 0.0;
    set_targets(strategies::target_vol_weights(mix, p.cov, {m.target_vol, m.max_leverage, safe}));
  } else if (m.kind == strategies::ModelKind::risk_parity) {
    std::vector<double> budgets;
    for (std::size_t i = 0; i < n && !m.budgets.empty(); ++i) budgets.push_back(lookup(m.budgets, p.spec.assets[i].symbol, 0.0));
    strategies::TargetModelResult r = strategies::risk_budget_weights(p.cov, budgets);
    // The budgets fix the mix; cash_target keeps its share of the value.
    for (double& w : r.weights) w *= 1 - p.spec.cash_target;
    r.cash_weight = p.spec.cash_target;
    set_targets(r);
  } else if (m.kind == strategies::ModelKind::mean_variance) {
    std::vector<double> mu;
    for (std::size_t i = 0; i < n; ++i) mu.push_back(lookup(m.expected_returns, p.spec.assets[i].symbol, 0.0));
    set_targets(strategies::mean_variance_weights(
        mu, p.cov, {m.risk_aversion, p.spec.cash_target, m.min_weight, m.max_weight, 0}));
  }
}

void Engine::refresh_value_model(PortfolioState& p) {
  if (p.spec.model.kind != strategies::ModelKind::cppi) return;
  const std::size_t n = p.spec.assets.size();
  double value = p.cash;
  for (const auto& a : p.assets) {
    const double px = prices_[a.symbol];
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

AssetState* Engine::find_asset(PortfolioState& p, core::SymbolId symbol) {
  for (auto& a : p.assets) {
    if (a.symbol == symbol) return &a;
  }
  return nullptr;
}

void Engine::mark_changed(const PortfolioState& p) {
  const auto index = static_cast<std::size_t>(&p - portfolios_.data());
  if (changed_flag_.size() < portfolios_.size()) changed_flag_.resize(portfolios_.size(), 0);
  if (changed_flag_[index]) return;
  changed_flag_[index] = 1;
  changed_.push_back(index);
}

void Engine::take_changed(std::vector<std::size_t>& into) {
  for (const std::size_t i : changed_) {
    changed_flag_[i] = 0;
    into.push_back(i);
  }
  changed_.clear();
}

void Engine::book(PortfolioState& p, core::SymbolId symbol, core::Side side, double quantity, double value) {
  mark_changed(p);
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
  if (const auto it = open_.find(fill.order_id); it != open_.end()) {
    report_on(it, fill, false, out);
    return;
  }
  FillOutcome outcome;
  outcome.kind = FillOutcome::Kind::unknown_order;
  outcome.order_id = fill.order_id;
  outcome.status = fill.status;
  out.fills.push_back(std::move(outcome));
}

bool Engine::resolve_order(std::string_view order_id, std::optional<double> filled_quantity, double avg_price,
                           Output& out, std::string& error) {
  const auto it = open_.find(std::string(order_id));
  if (it == open_.end()) {
    error = "no unfinished order " + std::string(order_id);
    return false;
  }
  const OpenOrder& o = it->second;
  core::FillReport report;
  report.order_id = it->first;
  if (!filled_quantity) {
    // Nothing more will fill: what is booked is what happened.
    report.status = core::FillStatus::cancelled;
    report.filled_quantity = o.booked_quantity;
    report.avg_price = o.booked_quantity > 0 ? o.booked_value / o.booked_quantity : 0;
  } else {
    const double q = *filled_quantity;
    char why[200] = "";
    if (!std::isfinite(q) || q < 0) {
      std::snprintf(why, sizeof why, "filled quantity %g: expected a number >= 0", q);
    } else if (q + kQuantityEpsilon < o.booked_quantity) {
      std::snprintf(why, sizeof why, "filled quantity %g is less than the %g already booked", q, o.booked_quantity);
    } else if (q > o.quantity * (1 + 1e-9) + kQuantityEpsilon) {
      std::snprintf(why, sizeof why, "filled quantity %g is more than the %g ordered", q, o.quantity);
    } else if (q > 0 && !(std::isfinite(avg_price) && avg_price > 0)) {
      std::snprintf(why, sizeof why, "price %g: a filled quantity needs a positive average price", avg_price);
    }
    if (why[0]) {
      error = why;
      return false;
    }
    report.status = q + kQuantityEpsilon >= o.quantity ? core::FillStatus::filled : core::FillStatus::cancelled;
    report.filled_quantity = q;
    report.avg_price = avg_price;
  }
  report_on(it, report, true, out);
  return true;
}

void Engine::report_on(std::unordered_map<std::string, OpenOrder>::iterator it, const core::FillReport& fill,
                       bool by_operator, Output& out) {
  OpenOrder& o = it->second;
  FillOutcome outcome;
  outcome.order_id = it->first;
  outcome.status = fill.status;
  outcome.by_operator = by_operator;
  const bool was_unknown = o.state == core::OrderState::unknown;
  apply_report(o, fill, by_operator, outcome);
  if (outcome.kind == FillOutcome::Kind::applied && outcome.finished) {
    PortfolioState& p = portfolios_[o.portfolio];
    if (was_unknown) {
      --unknown_;
      if (p.unknown_orders > 0) --p.unknown_orders;
    }
    finish_order(p, outcome.state);
    open_.erase(it);
  }
  out.fills.push_back(std::move(outcome));
}

void Engine::apply_report(OpenOrder& o, const core::FillReport& fill, bool by_operator, FillOutcome& outcome) {
  outcome.portfolio = o.portfolio;
  const double cum_qty = fill.filled_quantity;
  const double cum_value = fill.filled_quantity * fill.avg_price;
  // Reports are cumulative: a report that goes backwards or past the order, or
  // fills at a price far from the one the order was decided at, is not
  // trusted and changes nothing.
  char why[200] = "";
  if (!std::isfinite(cum_qty) || cum_qty + kQuantityEpsilon < o.booked_quantity) {
    std::snprintf(why, sizeof why, "filled quantity %g goes back from the %g booked", cum_qty, o.booked_quantity);
  } else if (cum_qty > o.quantity * (1 + 1e-9) + kQuantityEpsilon) {
    std::snprintf(why, sizeof why, "filled quantity %g is more than the %g ordered", cum_qty, o.quantity);
  } else if (cum_qty > 0 && !(std::isfinite(fill.avg_price) && fill.avg_price > 0)) {
    std::snprintf(why, sizeof why, "average price %g is not a positive number", fill.avg_price);
  } else if (const auto& collar = options_.fill_price_collar;
             !by_operator && collar && cum_qty > 0 && o.reference_price > 0 &&
             std::abs(fill.avg_price / o.reference_price - 1) > *collar) {
    std::snprintf(why, sizeof why, "average price %g is beyond the fill price collar of %g around %g",
                  fill.avg_price, *collar, o.reference_price);
  }
  if (why[0]) {
    outcome.kind = FillOutcome::Kind::inconsistent;
    outcome.detail = why;
    return;
  }
  const double dq = cum_qty - o.booked_quantity;
  const double dv = cum_value - o.booked_value;
  PortfolioState& p = portfolios_[o.portfolio];
  if (dq > kQuantityEpsilon) {
    book(p, o.symbol, o.side, dq, dv);
    // What the fill cost against the price the order was decided at.
    const double shortfall = o.side == core::Side::buy ? dv - dq * o.reference_price : dq * o.reference_price - dv;
    if (o.reference_price > 0) p.costs_realized += shortfall;
    outcome.quantity_delta = dq;
    outcome.price = dv / dq;
    o.booked_quantity = cum_qty;
    o.booked_value = cum_value;
  }
  outcome.finished = fill.status != core::FillStatus::partially_filled;
  switch (fill.status) {
    case core::FillStatus::filled: o.state = core::OrderState::filled; break;
    // Still no final report: an unknown order stays unknown.
    case core::FillStatus::partially_filled:
      if (o.state != core::OrderState::unknown) o.state = core::OrderState::partially_filled;
      break;
    case core::FillStatus::rejected: o.state = core::OrderState::rejected; break;
    case core::FillStatus::cancelled: o.state = core::OrderState::cancelled; break;
  }
  outcome.state = o.state;
  outcome.filled_quantity = o.booked_quantity;
  outcome.filled_value = o.booked_value;
}

void Engine::finish_order(PortfolioState& p, core::OrderState state) {
  if (p.open_orders > 0) --p.open_orders;
  switch (state) {
    case core::OrderState::filled: ++p.orders_filled; break;
    case core::OrderState::rejected: ++p.orders_rejected; break;
    case core::OrderState::cancelled: ++p.orders_cancelled; break;
    default: break;
  }
}

void Engine::mark_sent(const std::string& order_id) {
  if (const auto it = open_.find(order_id); it != open_.end() && it->second.state == core::OrderState::created) {
    it->second.state = core::OrderState::sent;
  }
}

bool Engine::restore_positions(std::string_view portfolio, double cash,
                               std::span<const std::pair<std::string, double>> positions) {
  const auto index = find_portfolio(portfolio);
  if (!index) return false;
  PortfolioState& p = portfolios_[*index];
  p.cash = cash;
  for (auto& a : p.assets) a.quantity = 0;
  bool added = false;
  for (const auto& [symbol, quantity] : positions) {
    const core::SymbolId sym = symbols_.intern(symbol);
    if (AssetState* a = find_asset(p, sym)) {
      a->quantity = quantity;
    } else if (quantity != 0) {
      // Held but no longer targeted: kept with target 0, sold by the next rebalance.
      p.assets.push_back({sym, quantity, 0.0, 1.0});
      added = true;
    }
  }
  if (added) {
    size_symbol_tables();
    rebuild_index();
  }
  p.start_value = 0;
  mark_changed(p);
  return true;
}

void Engine::restore_counters(std::size_t portfolio, const RestoredCounters& c) {
  PortfolioState& p = portfolios_[portfolio];
  p.rebalances = c.rebalances;
  p.orders = c.orders;
  p.costs_estimated = c.costs_estimated;
  p.costs_realized = c.costs_realized;
}

bool Engine::restore_slice(std::string_view portfolio, std::string_view symbol, core::Side side, double remaining,
                           double child, double lot_size, core::TimeNs next_at, core::DurationNs interval,
                           std::string reason, std::string rebalance_id) {
  const auto index = find_portfolio(portfolio);
  const core::SymbolId sym = symbols_.find(symbol);
  if (!index || sym == core::kNoSymbol || !(remaining > 0) || !(child > 0) || !(lot_size > 0) || interval <= 0) {
    return false;
  }
  PortfolioState& p = portfolios_[*index];
  const auto it = std::find_if(p.assets.begin(), p.assets.end(), [&](const AssetState& a) { return a.symbol == sym; });
  if (it == p.assets.end()) return false;
  SlicePlan plan;
  plan.portfolio = *index;
  plan.symbol = sym;
  plan.asset = static_cast<std::size_t>(it - p.assets.begin());
  plan.side = side;
  plan.remaining = remaining;
  plan.child = child;
  plan.lot_size = lot_size;
  plan.next_at = next_at;
  plan.interval = interval;
  plan.reason = std::move(reason);
  plan.rebalance_id = std::move(rebalance_id);
  plans_.push_back(std::move(plan));
  ++p.open_orders;
  return true;
}

bool Engine::restore_order(const core::Order& order, core::OrderState state, double filled_quantity,
                           double filled_value) {
  const auto index = find_portfolio(order.portfolio);
  if (!index || core::is_final(state)) return false;
  PortfolioState& p = portfolios_[*index];
  OpenOrder open;
  open.portfolio = *index;
  open.symbol = symbols_.find(order.symbol);
  if (open.symbol == core::kNoSymbol || !find_asset(p, open.symbol)) return false;
  open.side = order.side;
  open.quantity = order.quantity;
  open.reference_price = order.reference_price;
  open.sent_at = order.created_at;
  open.booked_quantity = filled_quantity;
  open.booked_value = filled_value;
  open.state = state;
  if (order.order_type == core::OrderType::limit) {
    // How often it was replaced before the stop is not known: it is cancelled,
    // not replaced, once its time to live from creation has passed.
    open.order_type = order.order_type;
    open.limit_price = order.limit_price;
    open.expire_at = order.created_at + (p.spec.limit ? p.spec.limit->ttl : 0);
    open.replaces = std::numeric_limits<int>::max();
  }
  if (!open_.emplace(order.order_id, open).second) return false;
  ++p.open_orders;
  return true;
}

Refusal Engine::cash_flow(std::string_view portfolio, double amount, core::TimeNs now, Output& out,
                          std::string& detail) {
  const auto index = find_portfolio(portfolio);
  if (!index) return Refusal::unknown_portfolio;
  if (!std::isfinite(amount) || amount == 0) return Refusal::invalid_amount;
  if (killed_) return Refusal::killed;
  PortfolioState& p = portfolios_[*index];
  if (p.unknown_orders > 0) return Refusal::orders_unknown;
  if (p.open_orders > 0) return Refusal::orders_open;
  if (!ready(p)) return Refusal::not_ready;
  if (!value_into_scratch(p)) return Refusal::not_ready;

  std::vector<execution::SizingAsset> assets;
  for (const auto& a : p.assets) assets.push_back({a.quantity, prices_[a.symbol], a.target, a.lot_size});
  execution::CashFlowRequest req;
  req.assets = assets;
  req.cash = p.cash;
  req.cash_target = p.cash_target;
  req.amount = amount;
  req.min_trade_value = p.spec.min_trade_value;
  const execution::CashFlowPlan plan = execution::plan_cash_flow(req);
  if (plan.error) {
    detail = *plan.error;
    return Refusal::invalid_amount;
  }
  char what[96];
  std::snprintf(what, sizeof what, "%s %.2f", amount > 0 ? "deposit" : "withdrawal", std::abs(amount));
  detail = what;
  // The money moves now; the trades follow it (sells first).
  p.cash += amount;
  mark_changed(p);
  if (plan.trades.empty()) return Refusal::none;

  // Through the gate like every order; a denied order is not replaced.
  execution::SizingResult sized;
  for (const auto& t : plan.trades) {
    std::optional<Denial> d = pass_gate(*index, t.asset, t.side, first_child(p, p.assets[t.asset], t.quantity),
                                        value_ + amount, now);
    if (!d) {
      sized.trades.push_back(t);
      continue;
    }
    ++p.denied;
    ++denied_[static_cast<std::size_t>(d->reason)];
    out.denials.push_back(std::move(*d));
  }
  if (sized.trades.empty()) return Refusal::none;
  value_ += amount;
  const strategies::DriftSummary drift =
      strategies::summarize_drift({weights_, targets_, (p.cash - amount) / (value_ - amount), p.cash_target});
  execute(*index, "cash_flow", detail, drift, sized, now, out);
  return Refusal::none;
}

}  // namespace ballast::engine
