// The engine as the shells see it: it routes each event to the part that
// handles it (valuation.hpp, monitor.hpp, trigger_decision.hpp,
// trade_sizer.hpp, order_book.hpp, portfolio_model.hpp) and turns their
// answers into the decisions of one call.
#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "execution/cash_flow.hpp"
#include "execution/order_sizing.hpp"

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

bool same_symbols(const std::vector<strategies::AssetSpec>& a, const std::vector<strategies::AssetSpec>& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) { return x.symbol == y.symbol; });
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
    : options_(options), book_(options_.fill_price_collar), sizer_(options_.limits) {
  portfolios_.resize(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) build_portfolio(portfolios_[i], std::move(specs[i]), now, false);
  rebuild_index();
  for (auto& p : portfolios_) refresh_model(p, prices_);
}

void Engine::build_portfolio(PortfolioState& p, strategies::PortfolioSpec spec, core::TimeNs now, bool keep_positions) {
  std::vector<AssetState> old = std::move(p.assets);
  // The estimate survives a reload that keeps the universe and the risk settings.
  const bool keep_risk = keep_positions && p.risk && same_risk(p.spec.risk, spec.risk) &&
                         same_symbols(p.spec.assets, spec.assets);
  const bool same_triggers = keep_positions && same_schedules(p.spec.triggers, spec.triggers);
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
  if (!same_triggers) p.next_due = calendar_dates(spec.triggers, now);
  p.spec = std::move(spec);
  p.cash_target = p.spec.cash_target;
  p.model_kind = p.spec.model.kind;
  if (!keep_risk) build_risk(p);
}

void Engine::watch_symbols(const std::vector<std::string>& names) {
  for (const std::string& name : names) symbols_.intern(name);
  rebuild_index();
}

void Engine::rebuild_index() {
  prices_.resize(symbols_.size());
  monitor_.rebuild(portfolios_, symbols_.size());
  std::size_t widest = 0;
  for (const auto& p : portfolios_) widest = std::max(widest, p.assets.size());
  weights_.reserve(widest);
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
  book_.reindex(old_to_new, next);
  portfolios_ = std::move(next);
  // Indexes moved: every portfolio counts as changed.
  changed_.mark_all(portfolios_.size());
  rebuild_index();
  for (auto& p : portfolios_) refresh_model(p, prices_);
}

void Engine::on_tick(const core::Tick& tick, core::TimeNs now, Output& out) {
  if (!prices_.update(tick)) return;
  for (const std::uint32_t index : monitor_.holders(tick.symbol)) {
    sample_risk(portfolios_[index], tick.ts, prices_, risk_prices_);
    evaluate(index, now, out);
  }
}

void Engine::on_ticks(std::span<const core::Tick> ticks, core::TimeNs now, Output& out) {
  monitor_.begin_row(portfolios_.size());
  core::TimeNs ts = std::numeric_limits<core::TimeNs>::min();
  for (const core::Tick& tick : ticks) {
    if (!prices_.update(tick)) continue;
    ts = std::max(ts, tick.ts);
    monitor_.touch(tick.symbol);
  }
  for (std::size_t index = 0; index < portfolios_.size(); ++index) {
    if (!monitor_.touched(index)) continue;
    sample_risk(portfolios_[index], ts, prices_, risk_prices_);
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
  if (p.model_kind == strategies::ModelKind::cppi) refresh_value_model(p, prices_);
  if (!p.model_ready) return;
  if (p.pending) {
    std::string detail = std::move(*p.pending);
    p.pending.reset();
    rebalance(index, "calendar", std::move(detail), false, now, out);
    return;
  }
  if (!reads_weights(p.spec) || !weights_.take(p, prices_)) return;
  if (auto d = decide(p, weights_, prices_, symbols_, deviation_)) {
    rebalance(index, d->reason, std::move(d->detail), false, now, out, d->fraction);
  }
}

void Engine::on_timer(core::TimeNs now, Output& out) {
  if (options_.order_timeout > 0) book_.time_out(now, options_.order_timeout, portfolios_, out);
  book_.expire_limit_orders(now, portfolios_, prices_, monitor_, symbols_, killed_, seq_, out);
  emit_children(now, out);
  for (std::size_t i = 0; i < portfolios_.size(); ++i) {
    PortfolioState& p = portfolios_[i];
    mark_due_calendars(p, now);
    if (p.pending) evaluate(i, now, out);
  }
}

void Engine::restart_calendars(core::TimeNs now) {
  for (PortfolioState& p : portfolios_) p.next_due = calendar_dates(p.spec.triggers, now);
}

Refusal Engine::rebalance_now(std::string_view portfolio, core::TimeNs now, Output& out) {
  Refusal result = portfolio.empty() ? Refusal::none : Refusal::unknown_portfolio;
  for (std::size_t i = 0; i < portfolios_.size(); ++i) {
    PortfolioState& p = portfolios_[i];
    if (!portfolio.empty() && p.spec.id != portfolio) continue;
    Refusal r = Refusal::none;
    if (p.spec.model.kind == strategies::ModelKind::cppi && ready(p)) refresh_value_model(p, prices_);
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

std::string Engine::next_rebalance_id(const PortfolioState& p, core::TimeNs now) const {
  return make_id(p.spec.id, core::format_yyyymmdd(now), seq_.next_rebalance);
}

bool Engine::rebalance(std::size_t index, std::string_view reason, std::string detail, bool to_target,
                       core::TimeNs now, Output& out, std::optional<double> fraction) {
  PortfolioState& p = portfolios_[index];
  if (!weights_.take(p, prices_)) return false;
  const strategies::DriftSummary drift = weights_.drift(p);
  const bool band_edge = desired_weights(p, weights_, to_target, fraction, desired_);
  const execution::SizingResult sized = sizer_.size(index, p, weights_, desired_, band_edge,
                                                    next_rebalance_id(p, now), now, prices_, symbols_, out);
  if (sized.trades.empty()) return false;

  execute(index, reason, std::move(detail), drift, sized, now, out);
  if (p.risk_warm) p.vol_reference = std::sqrt(quadratic(p, weights_.targets));
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
  rec.value = weights_.value;
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
    if (const double child = first_child(p, a, t.quantity, prices_); child < t.quantity) {
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
      book_.add_plan(std::move(plan), p);
      changed_.mark(index);
      emit(index, t.asset, t.side, child, rec.reason, rec.rebalance_id, now, out);
      continue;
    }
    add_cost(rec, emit(index, t.asset, t.side, t.quantity, rec.reason, rec.rebalance_id, now, out));
  }
  rec.orders = out.orders.size() - before;
  ++p.rebalances;
  p.costs_estimated += rec.cost;
  changed_.mark(index);
}

execution::CostBreakdown Engine::emit(std::size_t index, std::size_t asset, core::Side side, double quantity,
                                      std::string_view reason, const std::string& rebalance_id, core::TimeNs now,
                                      Output& out) {
  PortfolioState& p = portfolios_[index];
  const AssetState& a = p.assets[asset];
  const double px = prices_.price(a.symbol);
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
  if (p.spec.limit) price_limit(*p.spec.limit, a.symbol, prices_, options_.book_on_send, now, o);
  const execution::CostBreakdown cost = estimate_cost(index, asset, quantity);
  ++p.orders;
  if (options_.book_on_send) {
    // Filled at the expected price with its costs: the price moved by spread,
    // slippage and impact, and the commission beside it.
    const double traded = quantity * cost.fill_price(side);
    changed_.mark(index);
    book_trade(p, a.symbol, side, quantity, side == core::Side::buy ? traded + cost.commission : traded - cost.commission);
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
    book_.add(o.order_id, open, p);
  }
  out.orders.push_back(std::move(o));
  return cost;
}

execution::CostBreakdown Engine::estimate_cost(std::size_t portfolio, std::size_t asset, double quantity) const {
  return engine::estimate_cost(portfolios_[portfolio], asset, quantity, prices_, symbols_);
}

void Engine::emit_children(core::TimeNs now, Output& out) {
  std::vector<SlicePlan>& plans = book_.plans();
  if (plans.empty() || killed_) return;
  for (std::size_t k = 0; k < plans.size();) {
    SlicePlan& plan = plans[k];
    if (now < plan.next_at) {
      ++k;
      continue;
    }
    PortfolioState& p = portfolios_[plan.portfolio];
    double quantity = std::min(plan.child, plan.remaining);
    const double px = prices_.price(plan.symbol);
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
      if (weights_.take(p, prices_)) {
        denied = sizer_.pass_gate(plan.portfolio, p, plan.asset, plan.side, quantity, weights_.value,
                                  plan.rebalance_id, now, prices_, symbols_);
      }
      if (denied) {
        char rest[96];
        std::snprintf(rest, sizeof rest, "; the rest of the sliced order, %g, is not sent", plan.remaining);
        denied->detail += rest;
        sizer_.deny(p, std::move(*denied), out);
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
      done = !book_.sells_pending(plan.portfolio);
    }
    plan.next_at = now + plan.interval;
    changed_.mark(plan.portfolio);
    if (done) {
      // The last child may have been the last open order.
      book_.end_plan(k, p);
      continue;
    }
    ++k;
  }
}

std::optional<std::size_t> Engine::find_portfolio(std::string_view id) const {
  for (std::size_t i = 0; i < portfolios_.size(); ++i) {
    if (portfolios_[i].spec.id == id) return i;
  }
  return std::nullopt;
}

void Engine::warm_risk(std::size_t portfolio, std::span<const core::TimeNs> times, std::span<const double> prices,
                       std::size_t columns, std::span<const std::size_t> column_of_asset) {
  engine::warm_risk(portfolios_[portfolio], times, prices, columns, column_of_asset, prices_);
}

std::optional<double> Engine::portfolio_volatility(std::size_t index) const {
  const PortfolioState& p = portfolios_[index];
  if (p.cov.rows() == 0) return std::nullopt;
  const Valuation v = valuation(index);
  if (!v.priced) return std::nullopt;
  return std::sqrt(quadratic(p, v.weights));
}

void Engine::on_fill(const core::FillReport& fill, Output& out) { book_.on_fill(fill, portfolios_, changed_, out); }

bool Engine::resolve_order(std::string_view order_id, std::optional<double> filled_quantity, double avg_price,
                           Output& out, std::string& error) {
  return book_.resolve(order_id, filled_quantity, avg_price, portfolios_, changed_, out, error);
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
  if (added) rebuild_index();
  p.start_value = 0;
  changed_.mark(*index);
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
  book_.add_plan(std::move(plan), p);
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
  return book_.add(order.order_id, open, p);
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
  if (!weights_.take(p, prices_)) return Refusal::not_ready;

  std::vector<execution::SizingAsset> assets;
  for (const auto& a : p.assets) assets.push_back({a.quantity, prices_.price(a.symbol), a.target, a.lot_size});
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
  changed_.mark(*index);
  if (plan.trades.empty()) return Refusal::none;

  // Through the gate like every order; a denied order is not replaced.
  execution::SizingResult sized;
  const std::string rebalance_id = next_rebalance_id(p, now);
  for (const auto& t : plan.trades) {
    std::optional<Denial> d =
        sizer_.pass_gate(*index, p, t.asset, t.side, first_child(p, p.assets[t.asset], t.quantity, prices_),
                         weights_.value + amount, rebalance_id, now, prices_, symbols_);
    if (!d) {
      sized.trades.push_back(t);
      continue;
    }
    sizer_.deny(p, std::move(*d), out);
  }
  if (sized.trades.empty()) return Refusal::none;
  double& value = weights_.value;
  value += amount;
  const strategies::DriftSummary drift = strategies::summarize_drift(
      {weights_.weights, weights_.targets, (p.cash - amount) / (value - amount), p.cash_target});
  execute(*index, "cash_flow", detail, drift, sized, now, out);
  return Refusal::none;
}

}  // namespace ballast::engine
