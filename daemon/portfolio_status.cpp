#include "daemon/portfolio_status.hpp"

#include <cmath>
#include <variant>
#include <vector>

#include "strategies/target_models.hpp"

namespace ballast::daemon {

void write_portfolios(core::JsonWriter& w, const engine::Engine& engine) {
  w.begin_array();
  for (std::size_t i = 0; i < engine.portfolios().size(); ++i) {
    const auto& p = engine.portfolios()[i];
    const auto v = engine.valuation(i);
    w.begin_object().field("id", p.spec.id).field("value", v.value).field("cash", p.cash);
    w.field("cash_weight", v.cash_weight).field("cash_target", p.spec.cash_target);
    w.field("rebalances", p.rebalances).field("orders", p.orders).field("open_orders", p.open_orders);
    w.field("pending_children", engine.pending_children(i)).field("denied", p.denied);
    w.key("orders_finished").begin_object().field("filled", p.orders_filled).field("rejected", p.orders_rejected);
    w.field("cancelled", p.orders_cancelled).end_object();
    w.field("unknown_orders", p.unknown_orders);
    w.key("costs").begin_object().field("estimated", p.costs_estimated).field("realized", p.costs_realized).end_object();
    bool ready = v.priced;
    for (const auto& a : p.assets) ready = ready && !engine.stale(a.symbol);
    w.field("ready", ready);
    double max_drift = 0, total = std::abs(v.cash_weight - p.spec.cash_target);
    for (std::size_t a = 0; a < p.assets.size(); ++a) {
      const double d = std::abs(v.weights[a] - p.assets[a].target);
      max_drift = std::max(max_drift, d);
      total += d;
    }
    w.field("max_drift", max_drift).field("total_drift", total / 2);
    w.key("volatility");
    if (const auto vol = engine.portfolio_volatility(i)) w.value(*vol);
    else w.null();
    w.key("model").begin_object().field("kind", strategies::to_string(p.spec.model.kind));
    w.field("ready", p.model_ready).field("state", engine::model_state_text(p));
    w.key("risk");
    if (p.risk) {
      const strategies::RiskEstimate est = strategies::estimate(*p.risk);
      w.begin_object().field("kind", std::holds_alternative<strategies::EwmaRiskModel>(*p.risk) ? "ewma" : "fixed");
      w.field("warm", est.warm).field("warmth", est.warmth).field("samples", est.samples).end_object();
    } else {
      w.null();
    }
    w.end_object();
    w.key("triggers").begin_array();
    for (std::size_t t = 0; t < p.spec.triggers.size(); ++t) {
      w.begin_object().field("kind", strategies::trigger_reason(p.spec.triggers[t]));
      if (p.next_due[t]) w.field("next_due", core::format_iso8601(p.next_due[t]));
      w.end_object();
    }
    w.end_array();
    w.key("last_rebalance");
    if (p.last_rebalance) {
      const auto& r = *p.last_rebalance;
      w.begin_object().field("rebalance_id", r.rebalance_id).field("reason", r.reason).field("detail", r.detail);
      w.field("at", core::format_iso8601(r.at)).field("value", r.value).field("max_drift", r.max_abs_drift);
      w.field("total_drift", r.total_drift).field("orders", r.orders).field("traded_value", r.traded_value);
      w.field("cost", r.cost).end_object();
    } else {
      w.null();
    }
    std::vector<double> contributions;
    if (p.cov.rows() > 0 && v.priced) {
      contributions = strategies::risk_contributions(
          p.cov, std::span<const double>(v.weights.data(), static_cast<std::size_t>(p.cov.rows())));
    }
    w.key("assets").begin_array();
    for (std::size_t a = 0; a < p.assets.size(); ++a) {
      const auto& asset = p.assets[a];
      w.begin_object().field("symbol", engine.symbols().name(asset.symbol));
      w.key("price");
      if (engine.has_price(asset.symbol)) w.value(engine.price(asset.symbol));
      else w.null();
      w.field("quantity", asset.quantity).field("weight", v.weights[a]).field("target", asset.target);
      w.field("drift", v.weights[a] - asset.target);
      const auto n = static_cast<std::size_t>(p.cov.rows());
      w.key("volatility");
      if (a < n && p.cov(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a)) > 0)
        w.value(std::sqrt(p.cov(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a))));
      else w.null();
      w.key("risk_contribution");
      if (a < contributions.size()) w.value(contributions[a]);
      else w.null();
      w.field("stale", engine.stale(asset.symbol));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

void add_portfolio_metrics(MetricsRegistry& metrics, const engine::Engine& engine) {
  // Running totals that only grow are counters; the realised cost is not one:
  // a fill better than its reference price lowers it.
  auto& estimated = metrics.counter_family("ballast_costs_estimated_total",
                                           "Trading costs estimated at decision, by portfolio.", {"portfolio"});
  auto& realized = metrics.gauge_family(
      "ballast_costs_realized", "Trading costs realised so far, by portfolio: fills against their reference price "
      "(negative when better), plus commission when booked on send.", {"portfolio"});
  auto& finished = metrics.counter_family("ballast_orders_finished_total",
                                          "Orders that reached a final state, by portfolio and state.",
                                          {"portfolio", "state"});
  auto& drift = metrics.gauge_family("ballast_drift", "Weight minus target, by portfolio and asset.", {"portfolio", "symbol"});
  auto& weight = metrics.gauge_family("ballast_weight", "Current weight, by portfolio and asset.", {"portfolio", "symbol"});
  auto& value = metrics.gauge_family("ballast_portfolio_value", "Portfolio value at the last prices.", {"portfolio"});
  auto& open = metrics.gauge_family("ballast_open_orders", "Orders sent and not yet finished.", {"portfolio"});
  auto& unknown = metrics.gauge_family(
      "ballast_orders_unknown", "Open orders with no final report within order_timeout: their fate is unknown.",
      {"portfolio"});
  auto& volatility = metrics.gauge_family("ballast_portfolio_volatility",
                                          "Estimated annualised volatility at current weights.", {"portfolio"});
  metrics.on_collect([&engine, &estimated, &realized, &finished, &drift, &weight, &value, &open, &unknown,
                      &volatility] {
    for (std::size_t i = 0; i < engine.portfolios().size(); ++i) {
      const auto& p = engine.portfolios()[i];
      const auto v = engine.valuation(i);
      value.with({p.spec.id}).set(v.value);
      open.with({p.spec.id}).set(p.open_orders);
      unknown.with({p.spec.id}).set(p.unknown_orders);
      estimated.with({p.spec.id}).advance_to(p.costs_estimated);
      realized.with({p.spec.id}).set(p.costs_realized);
      finished.with({p.spec.id, "filled"}).advance_to(static_cast<double>(p.orders_filled));
      finished.with({p.spec.id, "rejected"}).advance_to(static_cast<double>(p.orders_rejected));
      finished.with({p.spec.id, "cancelled"}).advance_to(static_cast<double>(p.orders_cancelled));
      if (const auto vol = engine.portfolio_volatility(i)) volatility.with({p.spec.id}).set(*vol);
      for (std::size_t a = 0; a < p.assets.size(); ++a) {
        const std::string& sym = engine.symbols().name(p.assets[a].symbol);
        weight.with({p.spec.id, sym}).set(v.weights[a]);
        drift.with({p.spec.id, sym}).set(v.weights[a] - p.assets[a].target);
      }
    }
  });
}

}  // namespace ballast::daemon
