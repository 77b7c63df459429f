#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "execution/order_sizing.hpp"
#include "strategies/target_models.hpp"

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
void apply_targets(PortfolioState& p, const strategies::TargetModelResult& r, std::string state_when_ok) {
  if (!r.ok) {
    p.model_ready = false;
    p.model_state = "error: " + r.error;
    return;
  }
  for (std::size_t i = 0; i < p.spec.assets.size() && i < r.weights.size(); ++i) p.assets[i].target = r.weights[i];
  p.cash_target = r.cash_weight;
  p.model_ready = true;
  p.model_state = std::move(state_when_ok);
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
    case Refusal::nothing_to_trade: return "nothing_to_trade";
    case Refusal::killed: return "killed";
  }
  return "none";
}

Engine::Engine(std::vector<strategies::PortfolioSpec> specs, EngineOptions options, core::TimeNs now)
    : options_(options) {
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
  // Orders of a portfolio that was removed are forgotten: they book nowhere.
  for (auto* orders : {&open_, &expired_}) {
    for (auto it = orders->begin(); it != orders->end();) {
      const std::size_t moved = old_to_new[it->second.portfolio];
      if (moved == SIZE_MAX) {
        it = orders->erase(it);
      } else {
        it->second.portfolio = moved;
        ++it;
      }
    }
  }
  portfolios_ = std::move(next);
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
  prices_[tick.symbol] = tick.price;
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
    prices_[tick.symbol] = tick.price;
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
        const double bps = lookup(dyn->cost_bps_by_symbol, symbols_.name(p.assets[i].symbol), dyn->cost_bps);
        cost += std::abs(deviation_[i]) * value_ * bps / 1e4;
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
          breach.kind == strategies::Breach::Kind::total ? "" : symbols_.name(p.assets[breach.asset].symbol);
      rebalance(index, "threshold", strategies::describe(breach, symbol), false, now, out);
      return;
    }
  }
}

void Engine::on_timer(core::TimeNs now, Output& out) {
  if (options_.order_timeout > 0 && !open_.empty()) {
    std::vector<std::size_t> touched;
    for (auto it = open_.begin(); it != open_.end();) {
      if (now - it->second.sent_at < options_.order_timeout) {
        ++it;
        continue;
      }
      FillOutcome expired;
      expired.kind = FillOutcome::Kind::expired;
      expired.order_id = it->first;
      expired.portfolio = it->second.portfolio;
      expired.finished = true;
      PortfolioState& p = portfolios_[it->second.portfolio];
      if (p.open_orders > 0) --p.open_orders;
      touched.push_back(it->second.portfolio);
      if (expired_.size() >= kMaxExpired && !expired_order_.empty()) {
        expired_.erase(expired_order_.front());
        expired_order_.erase(expired_order_.begin());
      }
      expired_order_.push_back(it->first);
      expired_.insert(open_.extract(it++));
      out.fills.push_back(std::move(expired));
    }
    // What the expired orders left undone is decided again at once.
    for (const std::size_t index : touched) evaluate(index, now, out);
  }
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
    if (p.spec.model.kind == strategies::ModelKind::cppi && ready(p)) refresh_value_model(p);
    if (killed_) r = Refusal::killed;
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
  for (const auto& t : sized.trades) rec.traded_value += t.value;

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
      open_.emplace(o.order_id, OpenOrder{index, a.symbol, t.side, t.quantity, now});
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
  if (p.risk_warm) p.vol_reference = std::sqrt(quadratic(p, targets_));
  p.last_rebalance = rec;
  out.rebalances.push_back(std::move(event));
  return true;
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
  char state[96];
  std::snprintf(state, sizeof state, "exposure %.2f, cushion %.2f", r.exposure, r.cushion);
  apply_targets(p, r, state);
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
  if (const auto it = open_.find(fill.order_id); it != open_.end()) {
    apply_report(it->second, fill, outcome);
    if (outcome.kind == FillOutcome::Kind::applied && outcome.finished) {
      PortfolioState& p = portfolios_[it->second.portfolio];
      if (p.open_orders > 0) --p.open_orders;
      open_.erase(it);
    }
  } else if (const auto late = expired_.find(fill.order_id); late != expired_.end()) {
    // A report after the timeout still says what happened: book it.
    apply_report(late->second, fill, outcome);
  } else {
    outcome.kind = FillOutcome::Kind::unknown_order;
  }
  out.fills.push_back(std::move(outcome));
}

void Engine::apply_report(OpenOrder& o, const core::FillReport& fill, FillOutcome& outcome) {
  outcome.portfolio = o.portfolio;
  const double cum_qty = fill.filled_quantity;
  const double cum_value = fill.filled_quantity * fill.avg_price;
  // Reports are cumulative: a report that goes backwards or past the order is
  // not trusted and changes nothing.
  if (cum_qty + kQuantityEpsilon < o.booked_quantity || cum_qty > o.quantity * (1 + 1e-9) + kQuantityEpsilon ||
      (cum_qty > 0 && !(fill.avg_price > 0))) {
    outcome.kind = FillOutcome::Kind::inconsistent;
    return;
  }
  const double dq = cum_qty - o.booked_quantity;
  const double dv = cum_value - o.booked_value;
  if (dq > kQuantityEpsilon) {
    book(portfolios_[o.portfolio], o.symbol, o.side, dq, dv);
    outcome.quantity_delta = dq;
    outcome.price = dv / dq;
    o.booked_quantity = cum_qty;
    o.booked_value = cum_value;
  }
  outcome.finished = fill.status != core::FillStatus::partially_filled;
}

}  // namespace ballast::engine
